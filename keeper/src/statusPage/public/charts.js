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

  /** The peg line and the band around it, as datasets spanning [xMin, xMax]. */
  function pegDatasets(xMin, xMax, pegUsd, bandBps) {
    var out = [];
    if (bandBps > 0) {
      var hi = pegUsd * (1 + bandBps / 10000);
      var lo = pegUsd * (1 - bandBps / 10000);
      out.push({
        label: "band top (peg + " + bandBps + " bps)",
        data: [
          { x: xMin, y: hi },
          { x: xMax, y: hi },
        ],
        borderColor: "rgba(0,114,178,0.5)",
        borderWidth: 1,
        pointRadius: 0,
        fill: false,
        order: 98,
      });
      out.push({
        label: "band bottom (peg − " + bandBps + " bps)",
        data: [
          { x: xMin, y: lo },
          { x: xMax, y: lo },
        ],
        borderColor: "rgba(0,114,178,0.5)",
        borderWidth: 1,
        pointRadius: 0,
        fill: "-1",
        backgroundColor: BAND_FILL,
        order: 99,
      });
    }
    out.push({
      label: "peg $" + pegUsd.toFixed(2),
      data: [
        { x: xMin, y: pegUsd },
        { x: xMax, y: pegUsd },
      ],
      borderColor: PEG_COLOUR,
      borderDash: [6, 6],
      borderWidth: 1.5,
      pointRadius: 0,
      fill: false,
      order: 97,
    });
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

  function lineDatasets(series, many) {
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

  /**
   * Price vs peg: `series` is [{label, points: [{x, y}]}]; the band is drawn around the peg.
   * Returns an object with update(series, bandBps).
   */
  function priceChart(canvas, opts) {
    var pegUsd = opts.pegUsd || 1;
    function datasets(series, bandBps) {
      var r = xRange(series);
      var many = series.some(function (s) {
        return s.points.length > 80;
      });
      return lineDatasets(series, many).concat(pegDatasets(r[0], r[1], pegUsd, bandBps || 0));
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets(opts.series, opts.bandBps) },
      options: baseOptions("price, USD", opts.xTitle || "block", usd),
    });
    return {
      chart: chart,
      update: function (series, bandBps) {
        chart.data.datasets = datasets(series, bandBps);
        chart.update("none");
      },
    };
  }

  /** A plain multi-series line chart (deviation, supply, collateral ratio), same styling. */
  function lineChart(canvas, opts) {
    var fmt =
      opts.format ||
      function (v) {
        return String(v);
      };
    function datasets(series) {
      var many = series.some(function (s) {
        return s.points.length > 80;
      });
      var ds = lineDatasets(series, many);
      if (opts.reference) {
        var r = xRange(series);
        ds.push({
          label: opts.reference.label,
          data: [
            { x: r[0], y: opts.reference.y },
            { x: r[1], y: opts.reference.y },
          ],
          borderColor: PEG_COLOUR,
          borderDash: [6, 6],
          borderWidth: 1.5,
          pointRadius: 0,
          fill: false,
          order: 99,
        });
      }
      return ds;
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: { datasets: datasets(opts.series) },
      options: baseOptions(opts.yTitle, opts.xTitle || "block", fmt),
    });
    return {
      chart: chart,
      update: function (series) {
        chart.data.datasets = datasets(series);
        chart.update("none");
      },
    };
  }

  /** Horizontal bars (reserve composition by asset), each bar labelled with its value in text. */
  function barChart(canvas, opts) {
    var fmt =
      opts.format ||
      function (v) {
        return String(v);
      };
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
    return {
      chart: chart,
      update: function (bars) {
        chart.data = data(bars);
        chart.update("none");
      },
    };
  }

  window.BallastCharts = { priceChart: priceChart, lineChart: lineChart, barChart: barChart, style: style };
})();
