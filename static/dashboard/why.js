/* The chart inside an insight card's "why?" disclosure, drawn with the served Plotly bundle the first
 * time the disclosure opens (a closed one costs nothing). The figures come from the card itself, in its
 * data-why-chart attribute (JSON): no request, no inline script. Kinds:
 *   staffing:  people needed per hour (bars) against those scheduled (a step line), for the card's day
 *   stock:     stock day by day without and with the proposed order, beside the reorder point
 *   waterfall: gross profit before, each cause of the change, and after */
(function () {
  "use strict";

  var CONFIG = { displayModeBar: false, responsive: true };

  function layout(extra) {
    var base = { margin: { l: 48, r: 16, t: 8, b: 48 }, height: 260, legend: { orientation: "h" }, font: { size: 12 } };
    Object.keys(extra || {}).forEach(function (k) { base[k] = extra[k]; });
    return base;
  }

  function traces(c) {
    if (c.type === "staffing") {
      return [
        [
          { type: "bar", name: c.names.needed, x: c.x, y: c.needed, marker: { color: "#8fb9a8" } },
          { type: "scatter", mode: "lines", line: { shape: "hv", color: "#1f6f50", width: 3 }, name: c.names.scheduled, x: c.x, y: c.scheduled }
        ],
        layout({ xaxis: { type: "category" }, yaxis: { dtick: 1, rangemode: "tozero" } })
      ];
    }
    if (c.type === "stock") {
      return [
        c.series.map(function (s) {
          var line = { color: s.line || "#1f6f50" };
          if (s.dash) { line.dash = s.dash; line.color = "#9a6700"; }
          return { type: "scatter", mode: "lines+markers", name: s.name, x: c.x, y: s.y, line: line };
        }),
        layout({ xaxis: { type: "category" }, yaxis: { title: { text: c.unit }, rangemode: "tozero" } })
      ];
    }
    if (c.type === "waterfall") {
      return [
        [{ type: "waterfall", x: c.x, measure: c.measure,
           y: c.y.map(function (v, i) { return c.measure[i] === "total" ? 0 : v; }) }],
        layout({ xaxis: { type: "category" }, showlegend: false })
      ];
    }
    return null;
  }

  function draw(div) {
    if (div.dataset.state === "drawn" || !window.Plotly) {
      return;
    }
    var chart;
    try {
      chart = JSON.parse(div.dataset.whyChart);
    } catch (e) {
      return;
    }
    var plot = traces(chart);
    if (!plot) {
      return;
    }
    div.dataset.state = "drawing";
    window.Plotly.newPlot(div, plot[0], plot[1], CONFIG).then(function () {
      div.dataset.state = "drawn";
    });
    figures(div, chart);
  }

  // The chart's figures as a table beside it, for screen readers and for reading exact numbers.
  function figures(div, c) {
    var columns;
    if (c.type === "staffing") {
      columns = [{ name: c.names.needed, y: c.needed }, { name: c.names.scheduled, y: c.scheduled }];
    } else if (c.type === "stock") {
      columns = c.series.map(function (s) { return { name: s.name + (c.unit ? " (" + c.unit + ")" : ""), y: s.y }; });
    } else if (c.type === "waterfall") {
      columns = [{ name: "", y: c.y }];
    } else {
      return;
    }
    var table = document.createElement("table");
    table.className = "data why-figures";
    var head = table.createTHead().insertRow();
    [""].concat(columns.map(function (col) { return col.name; })).forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    c.x.forEach(function (x, i) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = x;
      row.appendChild(th);
      columns.forEach(function (col) {
        var td = row.insertCell();
        td.className = "num";
        td.textContent = col.y[i] === null || col.y[i] === undefined ? "—" : String(col.y[i]);
      });
    });
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(table);
    div.insertAdjacentElement("afterend", wrap);
  }

  function drawIn(details) {
    if (details.open) {
      details.querySelectorAll("[data-why-chart]").forEach(draw);
    }
  }

  // "toggle" does not bubble: listen in the capture phase, so cards the live feed swaps in work too.
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("details.why")) {
      drawIn(target);
    }
  }, true);
  document.querySelectorAll("details.why[open]").forEach(drawIn);
})();
