/* global window, Chart */
/**
 * The charts shared by the live status page and the simulator's HTML report, so both draw the
 * same thing the same way. Plain browser script (no modules: the report inlines it). Series are
 * told apart by dash pattern, point shape and legend text as well as by colour, and the palette
 * (Okabe–Ito) stays distinct for the common colour-vision deficiencies.
 */
(function () {
  "use strict";

  var PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#8C6D00",
    "#767676",
    "#882255",
  ];
  var DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 6], [1, 2], [6, 2, 2, 2], [3, 6], [14, 4, 2, 4]];
  var POINTS = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "cross", "rectRounded", "line", "dash"];
  var PEG_COLOUR = "#222222";
  var BAND_FILL = "rgba(0, 114, 178, 0.12)";

  function style(i) {
    return {
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      borderDash: DASHES[i % DASHES.length],
      pointStyle: POINTS[i % POINTS.length],
    };
  }

  function baseOptions(yTitle, xTitle, yTick) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 28, color: "#1a1a1a" } },
        tooltip: {
          callbacks: {
            label: function (c) {
              return c.dataset.label + ": " + yTick(c.parsed.y);
            },
          },
        },
      },
      scales: {
        x: {
          type: "linear",
          title: { display: true, text: xTitle, color: "#1a1a1a" },
          ticks: { color: "#333333", precision: 0, maxTicksLimit: 8 },
        },
        y: {
          title: { display: true, text: yTitle, color: "#1a1a1a" },
          ticks: {
            color: "#333333",
            callback: function (v) {
              return yTick(v);
            },
          },
        },
      },
    };
  }

  /** A horizontal line at `y` across [xMin, xMax], unmarked, drawn as `look` (colour, dash, width) with `extra` (fill, order). */
  function hline(label, xMin, xMax, y, look, extra) {
    var line = {
      label: label,
      data: [
        { x: xMin, y: y },
        { x: xMax, y: y },
      ],
      pointRadius: 0,
      fill: false,
    };
    return Object.assign(line, look, extra);
  }
  var BAND_EDGE = { borderColor: "rgba(0,114,178,0.5)", borderWidth: 1 };
  var REFERENCE = { borderColor: PEG_COLOUR, borderDash: [6, 6], borderWidth: 1.5 };

  /** The peg line and the band around it, as datasets spanning [xMin, xMax]. */
  function pegDatasets(xMin, xMax, pegUsd, bandBps) {
    var out = [];
    if (bandBps > 0) {
      var hi = pegUsd * (1 + bandBps / 10000);
      var lo = pegUsd * (1 - bandBps / 10000);
      out.push(hline("band top (peg + " + bandBps + " bps)", xMin, xMax, hi, BAND_EDGE, { order: 98 }));
      out.push(
        hline("band bottom (peg − " + bandBps + " bps)", xMin, xMax, lo, BAND_EDGE, {
          fill: "-1",
          backgroundColor: BAND_FILL,
          order: 99,
        }),
      );
    }
    out.push(hline("peg $" + pegUsd.toFixed(2), xMin, xMax, pegUsd, REFERENCE, { order: 97 }));
    return out;
  }

  function xRange(series) {
    var lo = Infinity;
    var hi = -Infinity;
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (p.x < lo) lo = p.x;
        if (p.x > hi) hi = p.x;
      });
    });
    if (lo === Infinity) return [0, 1];
    return [lo, hi === lo ? lo + 1 : hi];
  }

  function lineDatasets(series) {
    var many = series.some(function (s) {
      return s.points.length > 80;
    });
    return series.map(function (s, i) {
      var st = style(s.styleIndex === undefined ? i : s.styleIndex);
      return {
        label: s.label,
        data: s.points,
        borderColor: st.borderColor,
        backgroundColor: st.backgroundColor,
        borderDash: st.borderDash,
        pointStyle: st.pointStyle,
        borderWidth: 2,
        // Few points: mark each one (shape carries identity); many: keep the line readable.
        pointRadius: many ? 0 : 2.5,
        fill: false,
        order: i,
      };
    });
  }

  function usd(v) {
    return "$" + Number(v).toFixed(4);
  }

  /** The tick and tooltip format a chart's options name, or plain text. */
  function formatOf(opts) {
    return (
      opts.format ||
      function (v) {
        return String(v);
      }
    );
  }

  /** The handle each chart returns: `update(...)` rebuilds its data with `rebuild(...)` and redraws without animation. */
  function updatable(chart, rebuild) {
    return {
      chart: chart,
      update: function () {
        rebuild.apply(null, arguments);
        chart.update("none");
      },
    };
  }

  /**
   * Price vs peg: `series` is [{label, points: [{x, y}]}]; the band is drawn around the peg.
   * Returns an object with update(series, bandBps).
   */
  function priceChart(canvas, opts) {
    var pegUsd = opts.pegUsd || 1;
    function datasets(series, bandBps) {
      var r = xRange(series);
      return lineDatasets(series).concat(pegDatasets(r[0], r[1], pegUsd, bandBps || 0));
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets(opts.series, opts.bandBps) },
      options: baseOptions("price, USD", opts.xTitle || "block", usd),
    });
    return updatable(chart, function (series, bandBps) {
      chart.data.datasets = datasets(series, bandBps);
    });
  }

  /** A plain multi-series line chart (deviation, supply, collateral ratio), same styling. */
  function lineChart(canvas, opts) {
    function datasets(series) {
      var ds = lineDatasets(series);
      if (opts.reference) {
        var r = xRange(series);
        ds.push(hline(opts.reference.label, r[0], r[1], opts.reference.y, REFERENCE, { order: 99 }));
      }
      return ds;
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets(opts.series) },
      options: baseOptions(opts.yTitle, opts.xTitle || "block", formatOf(opts)),
    });
    return updatable(chart, function (series) {
      chart.data.datasets = datasets(series);
    });
  }

  /** Horizontal bars (reserve composition by asset), each bar labelled with its value in text. */
  function barChart(canvas, opts) {
    var fmt = formatOf(opts);
    function data(bars) {
      return {
        labels: bars.map(function (b) {
          return b.label;
        }),
        datasets: [
          {
            label: opts.datasetLabel,
            data: bars.map(function (b) {
              return b.value;
            }),
            backgroundColor: bars.map(function (_b, i) {
              return PALETTE[i % PALETTE.length];
            }),
            borderColor: "#1a1a1a",
            borderWidth: 1,
          },
        ],
      };
    }
    var options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: "y",
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: function (c) {
              return fmt(c.parsed.x);
            },
          },
        },
      },
      scales: {
        x: {
          beginAtZero: true,
          title: { display: true, text: opts.xTitle, color: "#1a1a1a" },
          ticks: {
            color: "#333333",
            callback: function (v) {
              return fmt(v);
            },
          },
        },
        y: { ticks: { color: "#1a1a1a", font: { weight: "bold" } } },
      },
    };
    var chart = new Chart(canvas, { type: "bar", data: data(opts.bars), options: options });
    return updatable(chart, function (bars) {
      chart.data = data(bars);
    });
  }

  window.BallastCharts = { priceChart: priceChart, lineChart: lineChart, barChart: barChart, style: style };
})();
