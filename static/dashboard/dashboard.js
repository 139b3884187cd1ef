/* The dashboard's charts: each chart div names the /api/v1/analytics/ endpoint it reads (data-api) and how
   to draw it (data-chart). The page's range and store are on #dash. Every table gets a CSV download; each
   chart's PNG comes from Plotly's own modebar button. No data is ever made up: a missing endpoint or an
   empty answer says so. */
(function () {
  "use strict";
  var dash = document.getElementById("dash");
  if (!dash) return;
  var ctx = dash.dataset;
  var WEEKDAYS = (function () {
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { weekday: "short", timeZone: "UTC" });
    var out = [];
    for (var i = 0; i < 7; i++) out.push(fmt.format(new Date(Date.UTC(2024, 0, 1 + i)))); // 2024-01-01 is a Monday
    return out;
  })();
  // menu-engineering quadrants as a reader names them (the API keeps the keys)
  var QUADRANTS = { star: gettext("star"), plowhorse: gettext("plowhorse"), puzzle: gettext("puzzle"), dog: gettext("dog"),
                    unknown: gettext("cost unknown") };
  var num = function (v) { return v === null || v === undefined || v === "" ? null : Number(v); };
  var money = function (v) {
    if (v === null || v === undefined) return "—";
    try { return new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: ctx.currency }).format(Number(v)); }
    catch (e) { return v; }
  };
  var pct = function (v) { return v === null || v === undefined ? "—" : Number(v).toFixed(1) + " %"; };
  // Plotly's own words (months, the mode bar) follow the page: our bundle carries the zh-CN locale.
  var plotlyLocale = /^zh/i.test(document.documentElement.lang || "") ? "zh-CN" : "en";
  // No "Share chart" button: it would upload the restaurant's figures to Plotly's cloud (and needs the
  // internet); the PNG download stays.
  var config = { responsive: true, displaylogo: false, locale: plotlyLocale, modeBarButtonsToRemove: ["sendChartToCloud"],
                 toImageButtonOptions: { format: "png", filename: "chart" } };
  var baseLayout = function (extra) {
    return Object.assign({ margin: { t: 20, r: 20, b: 60, l: 60 }, legend: { orientation: "h", y: -0.25 },
                           font: { family: "system-ui, 'Noto Sans CJK SC', sans-serif" } }, extra || {});
  };

  function url(div, overrides) {
    var params = new URLSearchParams();
    params.set("store", ctx.store);
    params.set("start", ctx.start);
    params.set("end", ctx.end);
    var extra = div.dataset.params ? JSON.parse(div.dataset.params) : {};
    // a null in data-params drops the page's value: e.g. the margin charts' PRODUCT.md periods
    Object.keys(extra).forEach(function (k) { if (extra[k] === null) params.delete(k); else params.set(k, extra[k]); });
    Object.keys(overrides || {}).forEach(function (k) { params.set(k, overrides[k]); });
    return div.dataset.api + "?" + params.toString();
  }

  function getJSON(u) {
    return fetch(u, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { var e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  function message(div, text, state) {
    div.innerHTML = "";
    var p = document.createElement("p");
    p.className = "chart-msg";
    p.textContent = text;
    div.appendChild(p);
    div.dataset.state = state;
  }

  function table(div, columns, rows, name) {
    var wrap = document.querySelector('[data-table-for="' + div.id + '"]');
    if (!wrap) return;
    wrap.innerHTML = "";
    if (!rows.length) return;
    var t = document.createElement("table");
    t.className = "data";
    var head = "<thead><tr>" + columns.map(function (c) { return '<th scope="col"' + (c.num ? ' class="num"' : "") + ">" + esc(c.label) + "</th>"; }).join("") + "</tr></thead>";
    var body = "<tbody>" + rows.map(function (r) {
      return "<tr>" + columns.map(function (c) {
        var v = c.value(r);
        // money reads in the store's currency and the page's language; the CSV keeps the plain amount
        if (c.money && v !== null && v !== undefined) return '<td class="num" data-v="' + esc(v) + '">' + esc(money(v)) + "</td>";
        return "<td" + (c.num ? ' class="num"' : "") + ">" + (c.html ? v : esc(v === null || v === undefined ? "—" : String(v))) + "</td>";
      }).join("") + "</tr>";
    }).join("") + "</tbody>";
    t.innerHTML = head + body;
    wrap.dataset.csvName = name || div.id;
    wrap.appendChild(t);
    addCsv(wrap);
  }

  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }

  function addCsv(wrap) {
    if (wrap.querySelector(".csv")) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary csv";
    b.textContent = ctx.msgCsv;
    b.addEventListener("click", function () {
      var rows = Array.prototype.map.call(wrap.querySelectorAll("tr"), function (tr) {
        return Array.prototype.map.call(tr.querySelectorAll("th,td"), function (cell) {
          return '"' + (cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim()).replace(/"/g, '""') + '"';
        }).join(",");
      });
      var blob = new Blob(["\ufeff" + rows.join("\r\n")], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = (wrap.dataset.csvName || "table") + "-" + ctx.store + "-" + ctx.start + "-" + ctx.end + ".csv";
      document.body.appendChild(a); a.click(); a.remove();
    });
    wrap.appendChild(b);
  }

  function draw(div, traces, layout) {
    var nonEmpty = traces.some(function (t) { return (t.x && t.x.length) || (t.z && t.z.length) || (t.y && t.y.length); });
    if (!nonEmpty) { message(div, ctx.msgEmpty, "empty"); return Promise.resolve(); }
    div.innerHTML = "";
    return Plotly.newPlot(div, traces, baseLayout(layout), config).then(function () { div.dataset.state = "drawn"; });
  }

  function shiftRange(days) {
    var s = new Date(ctx.start + "T00:00:00Z"), e = new Date(ctx.end + "T00:00:00Z");
    var span = Math.round((e - s) / 86400000) + 1;
    var pe = new Date(s.getTime() - 86400000), ps = new Date(s.getTime() - span * 86400000);
    return { start: ps.toISOString().slice(0, 10), end: pe.toISOString().slice(0, 10) };
  }

  var renderers = {
    trend: function (div) {
      return getJSON(url(div)).then(function (d) {
        fillKpis(d);
        var x = d.trend.map(function (r) { return r.day; });
        table(div, [
          { label: div.dataset.lDay || gettext("Day"), value: function (r) { return r.day; } },
          { label: gettext("Sales"), num: true, money: true, value: function (r) { return r.sales; } },
          { label: gettext("Orders"), num: true, value: function (r) { return r.orders; } },
          { label: gettext("Average check"), num: true, money: true, value: function (r) { return r.average_check; } },
          { label: gettext("Gross margin %"), num: true, value: function (r) { return r.gross_margin_pct; } },
          { label: gettext("Labour %"), num: true, value: function (r) { return r.labour_pct; } },
          { label: gettext("Same day last week"), num: true, money: true, value: function (r) { return r.same_day_last_week_sales; } },
          { label: gettext("4-week average"), num: true, value: function (r) { return r.four_week_average_sales; } }
        ], d.trend, "daily-trend");
        if (!d.has_data) { message(div, ctx.msgEmpty, "empty"); return; }
        return draw(div, [
          { type: "bar", name: gettext("Sales"), x: x, y: d.trend.map(function (r) { return num(r.sales); }), marker: { color: "#1f6f50" } },
          { type: "scatter", mode: "lines", name: gettext("Same day last week"), x: x, y: d.trend.map(function (r) { return num(r.same_day_last_week_sales); }), line: { dash: "dot", color: "#9a6700" } },
          { type: "scatter", mode: "lines", name: gettext("4-week average"), x: x, y: d.trend.map(function (r) { return num(r.four_week_average_sales); }), line: { color: "#0969da" } }
        ], { yaxis: { title: { text: ctx.currency } } });
      });
    },
    bestsellers: function (div) {
      var field = div.dataset.field;
      var prev = shiftRange();
      return Promise.all([getJSON(url(div)), getJSON(url(div, prev)).catch(function () { return []; })]).then(function (res) {
        var rows = res[0], before = {};
        res[1].forEach(function (r) { before[r.menu_item_id] = num(r[field]); });
        var arrow = function (r) {
          var b = before[r.menu_item_id], v = num(r[field]);
          if (b === undefined || b === null || v === null) return '<span aria-label="' + gettext("new") + '">•</span>';
          if (v > b) return '<span class="arrow-up" aria-label="' + gettext("up") + '">▲</span>';
          if (v < b) return '<span class="arrow-down" aria-label="' + gettext("down") + '">▼</span>';
          return '<span aria-label="' + gettext("flat") + '">▬</span>';
        };
        table(div, [
          { label: gettext("Item"), value: function (r) { return r.name; } },
          { label: gettext("Quantity"), num: true, value: function (r) { return r.quantity; } },
          { label: gettext("Revenue"), num: true, money: true, value: function (r) { return r.revenue; } },
          { label: gettext("Gross profit"), num: true, money: true, value: function (r) { return r.gross_profit; } },
          { label: gettext("Trend"), html: true, value: arrow }
        ], rows, "best-sellers-" + field);
        var ordered = rows.slice().reverse();
        return draw(div, [{ type: "bar", orientation: "h", name: field,
          y: ordered.map(function (r) { return r.name; }), x: ordered.map(function (r) { return num(r[field]); }), marker: { color: "#1f6f50" } }],
          { margin: { t: 10, r: 20, b: 40, l: 130 } });
      });
    },
    menuengineering: function (div) {
      return getJSON(url(div)).then(function (rows) {
        var colours = { star: "#1a7f37", plowhorse: "#0969da", puzzle: "#9a6700", dog: "#b42318" };
        table(div, [
          { label: gettext("Item"), value: function (r) { return r.name; } },
          { label: gettext("Category"), value: function (r) { return r.category; } },
          { label: gettext("Quantity"), num: true, value: function (r) { return r.quantity; } },
          { label: gettext("Share"), num: true, value: function (r) { return r.share; } },
          { label: gettext("Contribution margin"), num: true, money: true, value: function (r) { return r.contribution_margin; } },
          { label: gettext("Quadrant"), value: function (r) { return QUADRANTS[r.quadrant] || r.quadrant; } }
        ], rows, "menu-engineering");
        var traces = ["star", "plowhorse", "puzzle", "dog"].map(function (q) {
          var rs = rows.filter(function (r) { return r.quadrant === q; });
          return { type: "scatter", mode: "markers+text", name: QUADRANTS[q], text: rs.map(function (r) { return r.name; }), textposition: "top center",
                   x: rs.map(function (r) { return num(r.quantity); }), y: rs.map(function (r) { return num(r.contribution_margin); }),
                   marker: { size: 12, color: colours[q] } };
        }).filter(function (t) { return t.x.length; });
        // An item without a recipe has no margin to place it by: named under the chart, never drawn at 0.
        var unplaced = rows.filter(function (r) { return r.quadrant === "unknown"; }).map(function (r) { return r.name; });
        var layout = { xaxis: { title: { text: gettext("Quantity sold") } }, yaxis: { title: { text: gettext("Contribution margin") } } };
        if (unplaced.length) {
          var note = interpolate(gettext("Cost unknown (no recipe), not placed: %s"), [unplaced.join(", ")]);
          if (!traces.length) { message(div, note, "empty"); return; }
          layout.margin = { t: 20, r: 20, b: 100, l: 60 };
          layout.annotations = [{ xref: "paper", yref: "paper", x: 0, y: -0.38, xanchor: "left", showarrow: false, text: esc(note) }];
        }
        return draw(div, traces, layout);
      });
    },
    heatmap: function (div) {
      return getJSON(url(div)).then(function (rows) {
        var hours = Array.from(new Set(rows.map(function (r) { return r.hour; }))).sort(function (a, b) { return a - b; });
        var z = WEEKDAYS.map(function (_w, wd) {
          return hours.map(function (h) {
            var cell = rows.find(function (r) { return r.weekday === wd && r.hour === h; });
            return cell ? num(cell.average) : 0;
          });
        });
        table(div, [
          { label: gettext("Weekday"), value: function (r) { return WEEKDAYS[r.weekday]; } },
          { label: gettext("Hour"), num: true, value: function (r) { return r.hour; } },
          { label: gettext("Orders"), num: true, value: function (r) { return r.orders; } },
          { label: gettext("Trading days"), num: true, value: function (r) { return r.trading_days; } },
          { label: gettext("Average"), num: true, value: function (r) { return r.average; } },
          { label: gettext("Forecast"), num: true, value: function (r) { return r.forecast; } }
        ], rows, "busy-hours");
        if (!rows.length) { message(div, ctx.msgEmpty, "empty"); return; }
        return draw(div, [{ type: "heatmap", x: hours.map(function (h) { return h + ":00"; }), y: WEEKDAYS, z: z, colorscale: "YlGnBu", reversescale: true }],
          { yaxis: { autorange: "reversed" } });
      });
    },
    forecastactual: function (div) {
      var end = new Date(ctx.end + "T00:00:00Z");
      var monday = new Date(end.getTime() - ((end.getUTCDay() + 6) % 7) * 86400000);
      return getJSON(url(div, { start: monday.toISOString().slice(0, 10), end: ctx.end })).then(function (rows) {
        rows = rows.slice().sort(function (a, b) { return a.weekday - b.weekday || a.hour - b.hour; });
        var x = rows.map(function (r) { return WEEKDAYS[r.weekday] + " " + r.hour + ":00"; });
        table(div, [
          { label: gettext("Cell"), value: function (r) { return WEEKDAYS[r.weekday] + " " + r.hour + ":00"; } },
          { label: gettext("Actual orders"), num: true, value: function (r) { return r.orders; } },
          { label: gettext("Forecast"), num: true, value: function (r) { return r.forecast; } }
        ], rows, "forecast-vs-actual");
        return draw(div, [
          { type: "bar", name: gettext("Actual"), x: x, y: rows.map(function (r) { return num(r.orders); }), marker: { color: "#1f6f50" } },
          { type: "scatter", mode: "lines+markers", name: gettext("Forecast"), x: x, y: rows.map(function (r) { return num(r.forecast); }), line: { color: "#9a6700" } }
        ]);
      });
    },
    marginmonth: function (div) {
      return getJSON(url(div)).then(function (d) {
        var period = function (r) { return r.start + " – " + r.end; };
        var x = d.by_month.map(period);
        table(div, [
          { label: gettext("Period"), value: period },
          { label: gettext("Revenue"), num: true, money: true, value: function (r) { return r.revenue; } },
          { label: gettext("Food cost"), num: true, money: true, value: function (r) { return r.food_cost; } },
          { label: gettext("Gross profit"), num: true, money: true, value: function (r) { return r.gross_profit; } },
          { label: gettext("Margin %"), num: true, value: function (r) { return r.margin_pct; } }
        ], d.by_month, "margin-by-month");
        var traces = [{ type: "bar", name: gettext("Revenue"), x: x, y: d.by_month.map(function (r) { return num(r.revenue); }), marker: { color: "#8fb9a8" } }];
        if (d.costs_known) {
          traces.push({ type: "bar", name: gettext("Gross profit"), x: x, y: d.by_month.map(function (r) { return num(r.gross_profit); }), marker: { color: "#1f6f50" } });
          traces.push({ type: "scatter", mode: "lines+markers", name: gettext("Margin %"), yaxis: "y2", x: x, y: d.by_month.map(function (r) { return num(r.margin_pct); }), line: { color: "#9a6700" } });
        }
        return draw(div, traces, { barmode: "group", xaxis: { type: "category" }, yaxis2: { overlaying: "y", side: "right", ticksuffix: " %" } });
      });
    },
    marginitem: function (div) {
      return getJSON(url(div)).then(function (d) {
        var months = d.by_month.map(function (r) { return r.month; });
        var last = months[months.length - 1];
        var rows = d.by_item.filter(function (r) { return r.month === last; });
        table(div, [
          { label: gettext("Period"), value: function (r) { return r.start + " – " + r.end; } },
          { label: gettext("Item"), value: function (r) { return r.name; } },
          { label: gettext("Quantity"), num: true, value: function (r) { return r.quantity; } },
          { label: gettext("Revenue"), num: true, money: true, value: function (r) { return r.revenue; } },
          { label: gettext("Food cost"), num: true, money: true, value: function (r) { return r.food_cost; } },
          { label: gettext("Gross profit"), num: true, money: true, value: function (r) { return r.gross_profit; } },
          { label: gettext("Margin %"), num: true, value: function (r) { return r.margin_pct; } }
        ], d.by_item, "margin-by-item");
        var field = d.costs_known ? "margin_pct" : "revenue";
        return draw(div, [{ type: "bar", name: field, x: rows.map(function (r) { return r.name; }), y: rows.map(function (r) { return num(r[field]); }), marker: { color: "#1f6f50" } }]);
      });
    },
    waterfall: function (div) {
      // /margin/ answers {gp0, gp1, change, parts: {volume, mix, price, recipe, "ingredient:<id>": ...},
      // part_names: {the same keys: what a person reads, e.g. "menu price", "Chicken"}}.
      return getJSON(url(div)).then(function (d) {
        var names = d.part_names || {};
        var parts = Object.keys(d.parts || {}).map(function (k) { return { label: names[k] || k, value: num(d.parts[k]) }; });
        var rows = [{ label: gettext("GP") + " " + (d.previous || []).join("–"), value: num(d.gp0), measure: "absolute" }]
          .concat(parts.map(function (p) { return { label: p.label, value: p.value, measure: "relative" }; }))
          .concat([{ label: gettext("GP") + " " + (d.current || []).join("–"), value: num(d.gp1), measure: "total" }]);
        table(div, [{ label: gettext("Effect"), value: function (r) { return r.label; } }, { label: gettext("Amount"), num: true, money: true, value: function (r) { return r.value; } }], rows, "margin-decomposition");
        if (d.gp0 === undefined) { message(div, ctx.msgEmpty, "empty"); return; }
        return draw(div, [{ type: "waterfall", x: rows.map(function (p) { return p.label; }), y: rows.map(function (p) { return p.measure === "total" ? 0 : p.value; }),
                            measure: rows.map(function (p) { return p.measure; }) }]);
      });
    },
    stockcover: function (div) {
      return getJSON(url(div)).then(function (d) {
        var rows = Array.isArray(d) ? d : (d.results || d.rows || []);
        var name = function (r) { return r.ingredient || r.name; };
        // quantities as they are bought (kg, l, pieces), not in the grams the ledger keeps
        var bought = function (r, v) {
          if (v === null || v === undefined) return "—";
          return Number((Number(v) / Number(r.buying_unit_size)).toFixed(3)) + " " + (r.buying_unit === "pcs" ? gettext("pcs") : r.buying_unit);
        };
        var days = function (v) { return v === null || v === undefined ? "—" : v; };
        table(div, [
          { label: gettext("Ingredient"), value: name },
          { label: gettext("On hand"), num: true, value: function (r) { return bought(r, r.on_hand); } },
          { label: gettext("Days left"), num: true, value: function (r) { return days(r.days_left); } },
          { label: gettext("Reorder point (days)"), num: true, value: function (r) { return days(r.reorder_point_days); } },
          { label: gettext("Lead time (days)"), num: true, value: function (r) { return r.lead_time; } }
        ], rows, "stock-cover");
        var used = rows.filter(function (r) { return r.days_left !== null; });
        return draw(div, [
          { type: "bar", name: gettext("Days left"), x: used.map(name), y: used.map(function (r) { return num(r.days_left); }), marker: { color: "#1f6f50" } },
          { type: "scatter", mode: "markers", name: gettext("Reorder point (days)"), x: used.map(name), y: used.map(function (r) { return num(r.reorder_point_days); }), marker: { symbol: "line-ew-open", size: 24, color: "#b42318" } }
        ], { yaxis: { title: { text: gettext("Days of cover") } } });
      });
    },
    prices: function (div) {
      return getJSON(url(div)).then(function (d) {
        var per = function (r) { return money(r.price_per_buying_unit) + "/" + (r.buying_unit === "pcs" ? gettext("pcs") : r.buying_unit); };
        var groups = {};
        d.list_prices.forEach(function (r) {
          var key = r.ingredient + " · " + r.supplier;
          (groups[key] = groups[key] || { x: [], y: [] });
          groups[key].x.push(r.effective_from); groups[key].y.push(num(r.price_per_buying_unit));
        });
        var traces = Object.keys(groups).map(function (k) { return { type: "scatter", mode: "lines+markers", line: { shape: "hv" }, name: k, x: groups[k].x, y: groups[k].y }; });
        if (d.receipts.length) {
          traces.push({ type: "scatter", mode: "markers", name: gettext("Paid at receipt"), text: d.receipts.map(function (r) { return r.ingredient + " · " + r.supplier; }),
                        x: d.receipts.map(function (r) { return r.day; }), y: d.receipts.map(function (r) { return num(r.price_per_buying_unit); }), marker: { symbol: "x", size: 10 } });
        }
        table(div, [
          { label: gettext("Ingredient"), value: function (r) { return r.ingredient; } },
          { label: gettext("Supplier"), value: function (r) { return r.supplier; } },
          { label: gettext("From"), value: function (r) { return r.effective_from; } },
          { label: gettext("Price"), num: true, value: per },
          { label: gettext("Change"), num: true, html: true, value: function (r) {
            if (r.change_pct === null) return "—";
            var up = Number(r.change_pct) > 0, down = Number(r.change_pct) < 0;
            return '<span class="' + (up ? "price-up" : down ? "price-down" : "") + '">' + (up ? "▲ +" : down ? "▼ " : "") + esc(r.change_pct) + " %</span>";
          } }
        ], d.list_prices, "supplier-prices");
        return draw(div, traces, { xaxis: { type: "date" }, yaxis: { title: { text: gettext("Price per unit bought") } } });
      });
    },
    tickettimes: function (div) {
      return getJSON(url(div)).then(function (rows) {
        var stations = Array.from(new Set(rows.map(function (r) { return r.station; })));
        var hours = Array.from(new Set(rows.map(function (r) { return r.hour; }))).sort(function (a, b) { return a - b; });
        var z = stations.map(function (s) { return hours.map(function (h) {
          var c = rows.find(function (r) { return r.station === s && r.hour === h; }); return c ? num(c.average_minutes) : null; }); });
        table(div, [
          { label: gettext("Station"), value: function (r) { return r.station; } },
          { label: gettext("Hour"), num: true, value: function (r) { return r.hour; } },
          { label: gettext("Tickets"), num: true, value: function (r) { return r.tickets; } },
          { label: gettext("Average minutes"), num: true, value: function (r) { return r.average_minutes; } },
          { label: gettext("Longest minutes"), num: true, value: function (r) { return r.longest_minutes; } }
        ], rows, "ticket-times");
        if (!rows.length) { message(div, ctx.msgEmpty, "empty"); return; }
        return draw(div, [{ type: "heatmap", x: hours.map(function (h) { return h + ":00"; }), y: stations, z: z, colorscale: "YlOrRd", colorbar: { title: { text: gettext("min") } } }]);
      });
    },
    evidence: function (div) {
      return getJSON(url(div)).then(function (rows) {
        var byHour = {};
        rows.forEach(function (r) {
          var h = byHour[r.hour] = byHour[r.hour] || { tickets: 0, minutes: 0 };
          h.tickets += r.tickets; h.minutes += num(r.average_minutes) * r.tickets;
        });
        var hours = Object.keys(byHour).map(Number).sort(function (a, b) { return a - b; });
        var average = function (h) { return Math.round(byHour[h].minutes / byHour[h].tickets * 10) / 10; };
        table(div, [
          { label: gettext("Hour"), value: function (h) { return h + ":00"; } },
          { label: gettext("Tickets"), num: true, value: function (h) { return byHour[h].tickets; } },
          { label: gettext("Average minutes"), num: true, value: average }
        ], hours, "staffing-evidence");
        return draw(div, [
          { type: "bar", name: gettext("Tickets"), x: hours.map(function (h) { return h + ":00"; }), y: hours.map(function (h) { return byHour[h].tickets; }), marker: { color: "#8fb9a8" } },
          { type: "scatter", mode: "lines+markers", name: gettext("Average minutes"), yaxis: "y2", x: hours.map(function (h) { return h + ":00"; }),
            y: hours.map(average) }
        ], { yaxis2: { overlaying: "y", side: "right" } });
      });
    },
    staffingplan: function (div) {
      return getJSON(url(div)).then(function (d) {
        suggestions(d);
        var positions = Array.from(new Set(d.hours.map(function (r) { return r.position; })));
        var traces = [];
        positions.forEach(function (p) {
          var rs = d.hours.filter(function (r) { return r.position === p; });
          traces.push({ type: "bar", name: p + " · " + gettext("needed"), x: rs.map(function (r) { return r.hour_start; }), y: rs.map(function (r) { return r.needed; }) });
          traces.push({ type: "scatter", mode: "lines", line: { shape: "hv" }, name: p + " · " + gettext("scheduled"), x: rs.map(function (r) { return r.hour_start; }), y: rs.map(function (r) { return r.scheduled; }) });
        });
        table(div, [
          { label: gettext("Position"), value: function (r) { return r.position; } },
          { label: gettext("Hour"), value: function (r) { return r.hour_start.slice(0, 16).replace("T", " "); } },
          { label: gettext("Forecast load"), num: true, value: function (r) { return r.forecast_load; } },
          { label: gettext("Needed"), num: true, value: function (r) { return r.needed; } },
          { label: gettext("Scheduled"), num: true, value: function (r) { return r.scheduled; } }
        ], d.hours, "staffing-plan");
        return draw(div, traces, { barmode: "group", xaxis: { type: "date" } });
      });
    },
    labour: function (div) {
      // /labour/ answers one row per business day of the week; the store's target comes with the page.
      return getJSON(url(div)).then(function (d) {
        var x = d.map(function (r) { return r.day; });
        var target = div.dataset.target ? num(div.dataset.target) : null;
        var traces = [{ type: "bar", name: gettext("Labour %"), x: x, y: d.map(function (r) { return num(r.labour_pct_of_sales); }), marker: { color: "#1f6f50" } }];
        if (target !== null) traces.push({ type: "scatter", mode: "lines", name: gettext("Target"), x: x, y: x.map(function () { return target; }), line: { dash: "dash", color: "#b42318" } });
        table(div, [
          { label: gettext("Day"), value: function (r) { return r.day; } },
          { label: gettext("Sales"), num: true, money: true, value: function (r) { return r.sales; } },
          { label: gettext("Labour cost"), num: true, money: true, value: function (r) { return r.actual_cost; } },
          { label: gettext("Labour %"), num: true, value: function (r) { return r.labour_pct_of_sales; } },
          { label: gettext("Sales per labour hour"), num: true, money: true, value: function (r) { return r.sales_per_labour_hour; } }
        ], d, "labour");
        var any = d.some(function (r) { return r.labour_pct_of_sales !== null; });
        if (!any) { message(div, ctx.msgEmpty, "empty"); return; }
        return draw(div, traces, { yaxis: { ticksuffix: " %" } });
      });
    }
  };

  function suggestions(d) {
    var ul = document.getElementById("suggestions");
    if (!ul) return;
    // who can take each suggested shift (by suggestion key): only they are offered, or an open shift
    var candidates = JSON.parse(ul.dataset.candidates || "{}");
    ul.innerHTML = "";
    if (!d.suggestions.length) { ul.innerHTML = "<li>" + esc(ul.dataset.msgNone) + "</li>"; return; }
    d.suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      var html = "<p>" + esc(s.message) + "</p>";
      if (s.kind === "gap") {
        var staff = candidates[s.key] || [];
        html += '<form method="post" action="' + esc(ul.dataset.apply) + '">' +
          '<input type="hidden" name="csrfmiddlewaretoken" value="' + esc(ul.dataset.csrf) + '">' +
          '<input type="hidden" name="key" value="' + esc(s.key) + '"><input type="hidden" name="week" value="' + esc(ul.dataset.week) + '">' +
          '<label for="sg-' + i + '">' + esc(ul.dataset.msgWho) + '</label><select id="sg-' + i + '" name="staff" required>' +
          staff.map(function (m) { return '<option value="' + m.id + '">' + esc(m.name) + "</option>"; }).join("") +
          '<option value="open"' + (staff.length ? "" : " selected") + ">" + esc(ul.dataset.msgOpen) + "</option>" +
          '</select><button type="submit" data-action="apply-suggestion">' + esc(ul.dataset.msgApply) + "</button></form>" +
          (staff.length ? "" : '<p class="warn" data-no-candidates>' + esc(ul.dataset.msgNobody) + "</p>");
      }
      li.innerHTML = html;
      ul.appendChild(li);
    });
  }

  function fillKpis(d) {
    var t = d.today_so_far, u = d.usual, lw = d.same_day_last_week;
    var set = function (key, sel, text) { var el = document.querySelector('[data-kpi="' + key + '"] ' + sel); if (el) el.textContent = text; };
    set("sales", "[data-now]", money(t.sales)); set("sales", "[data-usual]", money(u.sales)); set("sales", "[data-lastweek]", money(lw.sales));
    set("orders", "[data-now]", t.orders); set("orders", "[data-usual]", u.orders === null ? "—" : u.orders); set("orders", "[data-lastweek]", lw.orders);
    set("average_check", "[data-now]", money(t.average_check)); set("average_check", "[data-usual]", money(u.average_check));
    set("gross_margin_pct", "[data-now]", pct(t.gross_margin_pct));
    var gp = d.gross_profit;
    if (gp) {
      set("gross_profit", "[data-now]", money(gp.gp1));
      set("gross_profit", "[data-before]", money(gp.gp0));
      set("gross_profit", "[data-change]", gp.change_pct === null ? "—" : (Number(gp.change_pct) > 0 ? "+" : "") + pct(gp.change_pct));
      set("gross_profit", "[data-periods]", gp.current.join(" – ") + " / " + gp.previous.join(" – "));
    }
    set("labour_pct", "[data-now]", pct(t.labour_pct)); set("labour_pct", "[data-target]", pct(d.labour_target_pct));
    ["sales", "orders", "average_check"].forEach(function (k) {
      var el = document.querySelector('[data-kpi="' + k + '"] [data-now]');
      if (!el || u[k] === null || t[k] === null) return;
      el.classList.toggle("up", Number(t[k]) > Number(u[k])); el.classList.toggle("down", Number(t[k]) < Number(u[k]));
    });
  }

  document.querySelectorAll(".chart[data-chart]").forEach(function (div) {
    var render = renderers[div.dataset.chart];
    if (!render) return;
    if ((" " + (ctx.available || "") + " ").indexOf(" " + div.dataset.api + " ") < 0) { message(div, ctx.msgError, "missing"); return; }
    div.dataset.state = "loading";
    render(div).catch(function (err) {
      message(div, err && err.status === 404 ? ctx.msgError : ctx.msgEmpty + " (" + (err && err.message) + ")", err && err.status === 404 ? "missing" : "error");
    });
  });
  document.querySelectorAll(".table-wrap[data-csv-name]").forEach(addCsv);
})();
