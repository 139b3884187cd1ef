// The churn trend chart (plotly.js from our own static files); the table beside it carries the numbers.
(function () {
  const node = document.getElementById("churn-data");
  const chart = document.getElementById("churn-chart");
  if (!node || !chart || !window.Plotly) return;
  const data = JSON.parse(node.textContent);
  window.Plotly.newPlot(chart, [{ x: data.months, y: data.rates, type: "scatter", mode: "lines+markers" }],
    { margin: { t: 10, r: 10, b: 40, l: 40 }, yaxis: { ticksuffix: "%", rangemode: "tozero" } },
    { displayModeBar: false, responsive: true });
})();
