// Draws the statistics page's charts from the specs in data-chart (Chart.js, served locally).
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var english = document.documentElement.lang === "en";
  Chart.defaults.font.family = '"Be Vietnam Pro", "Segoe UI", Arial, sans-serif';
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1b1f24";
  Chart.defaults.animation = false;
  Chart.defaults.locale = english ? "en-US" : "vi-VN"; // tooltips' numbers: 1.234,5 in Vietnamese

  function format(value, percent) {
    var text = Number(value).toLocaleString(english ? "en-US" : "vi-VN", { maximumFractionDigits: 1 });
    return percent ? text + "%" : text;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var line = spec.type === "line";
    var valueAxis = {
      stacked: spec.stacked, beginAtZero: true,
      ticks: { callback: function (value) { return format(value, spec.percent); } }
    };
    if (spec.percent) { valueAxis.max = 100; }
    var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: false } };
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return {
            label: series.label, data: series.data,
            backgroundColor: series.color, borderColor: series.color,
            borderWidth: line ? 3 : 0, tension: 0.25, pointRadius: line ? 3 : 0
          };
        })
      },
      options: {
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14 } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = spec.horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " + format(value, spec.percent);
              }
            }
          }
        },
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
  });
})();
