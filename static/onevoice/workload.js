// Workload chart: stacked demand (posts, inbox, duties) against capacity and the over-booking line.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("workload-chart");
    var source = document.getElementById("workload-chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var d = JSON.parse(source.textContent);
    var n = d.names;
    new Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "bar", label: n.posts, data: d.posts, backgroundColor: "#0d6efd", stack: "demand" },
          { type: "bar", label: n.inbox, data: d.inbox, backgroundColor: "#20c997", stack: "demand" },
          { type: "bar", label: n.duties, data: d.duties, backgroundColor: "#adb5bd", stack: "demand" },
          { type: "line", label: n.capacity, data: d.capacity, borderColor: "#212529", backgroundColor: "#212529", pointRadius: 2, tension: 0, stack: "capacity" },
          { type: "line", label: n.limit, data: d.limit, borderColor: "#dc3545", borderDash: [6, 4], pointRadius: 0, tension: 0, stack: "limit" }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, ticks: { maxRotation: 60, autoSkip: true } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: n.hours } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + c.formattedValue + " h"; } } }
        }
      }
    });
  }
  // The heat map opens at this week: the last 12 weeks are to its left.
  function scrollToNow() {
    var now = document.querySelector(".ov-heat thead th.ov-now");
    var box = now && now.closest(".table-responsive");
    var first = box && box.querySelector(".ov-heat tbody th");
    if (box && first) box.scrollLeft = Math.max(0, now.offsetLeft - first.offsetWidth - now.offsetWidth * 2);
  }
  function start() { scrollToNow(); draw(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
