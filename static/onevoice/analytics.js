// The dashboard's day-by-day chart: posts published (bars), interactions (bars) and followers (line, own axis).
// The same figures are in the table under the chart, for people who cannot see it.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("analytics-chart");
    var source = document.getElementById("analytics-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "de";
    var labels = data.labels.map(function (iso) {
      var d = new Date(iso + "T12:00:00");
      return d.toLocaleDateString(lang, { day: "numeric", month: "short" });
    });
    var datasets = [{
      type: "bar", label: data.text.published, data: data.published,
      backgroundColor: "rgba(108,117,125,.45)", yAxisID: "y", order: 3
    }];
    if (data.interactions) {
      datasets.push({
        type: "bar", label: data.text.interactions, data: data.interactions,
        backgroundColor: "rgba(13,110,253,.75)", yAxisID: "y", order: 2
      });
    }
    var scales = {
      x: { grid: { display: false }, ticks: { maxTicksLimit: 10, autoSkip: true } },
      y: { beginAtZero: true, ticks: { precision: 0 }, position: "left" }
    };
    if (data.followers) {
      datasets.push({
        type: "line", label: data.text.followers, data: data.followers, spanGaps: true,
        borderColor: "#198754", backgroundColor: "#198754", pointRadius: 0, tension: 0.2, yAxisID: "y2", order: 1
      });
      scales.y2 = { position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } };
    }
    new window.Chart(canvas, {
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        locale: lang,
        scales: scales
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
