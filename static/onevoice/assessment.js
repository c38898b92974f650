// Self-assessment charts: the radar of the result (with the previous assessment) and the history lines.
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d"];
  // Long dimension names on two or three lines, so they fit beside the radar on a phone.
  function wrap(label, width) {
    var lines = [], line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }
  function radar() {
    var canvas = document.getElementById("assessment-radar");
    var source = document.getElementById("assessment-chart-data");
    if (!canvas || !source) return;
    var d = JSON.parse(source.textContent);
    var sets = [];
    if (d.previous) sets.push({ label: d.names.previous, data: d.previous, borderColor: "#6c757d", backgroundColor: "rgba(108,117,125,.12)", borderDash: [5, 4], pointRadius: 2 });
    sets.push({ label: d.names.current, data: d.current, borderColor: "#0b5cad", backgroundColor: "rgba(11,92,173,.2)", pointRadius: 3 });
    new Chart(canvas, {
      type: "radar",
      data: { labels: d.labels.map(function (l) { return wrap(l, canvas.clientWidth < 420 ? 12 : 18); }), datasets: sets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { r: { min: 0, max: 100, ticks: { stepSize: 20, showLabelBackdrop: false, font: { size: 9 }, color: "#6c757d" }, pointLabels: { font: { size: canvas.clientWidth < 420 ? 10 : 11 } } } },
        plugins: {
          legend: { position: "bottom", display: sets.length > 1 },
          tooltip: { callbacks: { title: function (items) { return d.labels[items[0].dataIndex]; }, label: function (c) { return c.dataset.label + ": " + c.formattedValue + " " + d.names.percent; } } }
        }
      }
    });
  }
  function history() {
    var canvas = document.getElementById("assessment-history");
    var source = document.getElementById("assessment-history-data");
    if (!canvas || !source) return;
    var d = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: d.labels,
        datasets: d.series.map(function (s, i) {
          return s.overall
            ? { label: s.label, data: s.data, borderColor: "#212529", backgroundColor: "#212529", borderWidth: 3, tension: 0 }
            : { label: s.label, data: s.data, borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], borderWidth: 1.5, tension: 0 };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { min: 0, max: 100, title: { display: true, text: d.names.percent } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  function start() { if (typeof Chart === "undefined") return; radar(); history(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
