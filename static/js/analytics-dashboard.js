// The analytics dashboard's charts (analytics/templates/analytics/admin/dashboard.html),
// drawn with chart.js from npm (served from node_modules by staticfiles). The
// numbers come from the page's JSON data block (json_script), never from
// inline script, so the Content-Security-Policy stays strict; each chart has
// a table with the same numbers, so nothing depends on this script. The
// colours are the admin's own (its CSS variables, light or dark theme), and
// the comparison period is dashed, not only another colour.
(function () {
  "use strict";

  var source = document.getElementById("analytics-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;

  function cssVar(name, fallback) {
    var value = window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  var colours = {
    current: cssVar("--secondary", "#417690"),
    comparison: cssVar("--body-quiet-color", "#666"),
    text: cssVar("--body-fg", "#333"),
    grid: cssVar("--hairline-color", "#e8e8e8"),
  };
  Chart.defaults.color = colours.text;
  Chart.defaults.borderColor = colours.grid;
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  // A dashboard opened every morning: no animation to wait for.
  Chart.defaults.animation = false;

  function numbers(values) {
    // Amounts arrive as exact decimal strings; a chart only needs to draw them.
    return values.map(function (value) {
      return value === null ? null : Number(value);
    });
  }

  function daySeries(key) {
    var series = data.series[key];
    var datasets = [
      {
        label: data.currentLabel,
        data: numbers(series.current),
        borderColor: colours.current,
        backgroundColor: colours.current,
        borderWidth: 2,
        pointRadius: data.days.length > 45 ? 0 : 2,
      },
    ];
    if (series.comparison) {
      datasets.push({
        label: data.comparisonLabel,
        data: numbers(series.comparison),
        borderColor: colours.comparison,
        backgroundColor: colours.comparison,
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
      });
    }
    return {
      type: "line",
      data: { labels: data.days, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
          y: {
            beginAtZero: true,
            title: { display: true, text: series.label },
            ticks: { precision: key === "orders" ? 0 : undefined },
          },
        },
        plugins: { legend: { position: "bottom", labels: { boxHeight: 2 } } },
      },
    };
  }

  function funnel() {
    return {
      type: "bar",
      data: {
        labels: data.funnel.steps,
        datasets: [
          {
            label: data.funnel.label,
            data: data.funnel.visitors,
            backgroundColor: colours.current,
          },
        ],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    };
  }

  var configs = {
    revenue: function () {
      return daySeries("revenue");
    },
    orders: function () {
      return daySeries("orders");
    },
    funnel: funnel,
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var make = configs[canvas.dataset.chart];
    if (make) new Chart(canvas, make());
  });
})();
