/* global window, document, fetch, setTimeout, BallastCharts */
/**
 * The live status page: long-polls /api/status (the server answers as soon as the keeper's view
 * changes, or after a timeout with the same view) and redraws numbers and charts in place — no
 * reload. Every state is written out in words; colour only repeats what the text says.
 */
(function () {
  "use strict";

  var $ = function (id) {
    return document.getElementById(id);
  };
  var charts = null;
  var lastVersion = null;
  var lastOkAt = 0;

  function text(id, value) {
    var el = $(id);
    if (el && el.textContent !== value) el.textContent = value;
  }
  function group(decimal) {
    if (decimal === null || decimal === undefined) return "—";
    var parts = String(decimal).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  function pct(ratio) {
    return ratio === null ? "—" : (Number(ratio) * 100).toFixed(2) + "%";
  }
  /** A WAD decimal-integer string (the status model's exact form) at most `digits` decimals, truncated, grouped: format.ts's wadToDecimal. */
  function wad(raw, digits) {
    var s = String(raw).padStart(19, "0");
    var fraction = s.slice(-18, -18 + digits).replace(/0+$/, "");
    return group(s.slice(0, -18) + (fraction ? "." + fraction : ""));
  }
  function secs(s) {
    if (s <= 0) return "none";
    if (s < 120) return s + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function ago(ms, now) {
    if (ms === null) return "never";
    var s = Math.max(0, Math.round((now - ms) / 1000));
    return s < 2 ? "just now" : secs(s) + " ago";
  }
  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }
  function cell(row, value, cls) {
    var td = document.createElement("td");
    td.textContent = value;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function kv(dl, label, value, testId) {
    var div = document.createElement("div");
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    if (testId) dd.setAttribute("data-testid", testId);
    div.appendChild(dt);
    div.appendChild(dd);
    dl.appendChild(div);
    return dd;
  }
  function badge(label, state, words) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    var b = document.createElement("span");
    name.textContent = label;
    b.className = "badge " + state;
    b.textContent = words;
    li.appendChild(name);
    li.appendChild(b);
    return li;
  }

  function renderDeviation(v) {
    var el = $("deviation");
    if (v.deviationBps === null) {
      el.textContent = "no market price";
      el.setAttribute("data-zone", "outside");
      text(
        "dev-note",
        v.ready
          ? "The oracle's market price is unavailable (pool or TWAP read failed)."
          : "Waiting for the keeper's first cycle.",
      );
      return;
    }
    var d = v.deviationBps;
    var inside = v.bandBps !== null && Math.abs(d) <= v.bandBps;
    var dir = d > 0 ? "▲ above peg" : d < 0 ? "▼ below peg" : "at peg";
    el.textContent = (d > 0 ? "+" : "") + d + " bps";
    var span = document.createElement("span");
    span.className = "dir";
    span.textContent = dir;
    el.appendChild(span);
    el.setAttribute("data-zone", inside ? "inside" : "outside");
    el.setAttribute("data-bps", String(d));
    text(
      "dev-note",
      (inside ? "✓ Inside" : "✗ Outside") +
        " the ±" +
        v.bandBps +
        " bps band. Spot $" +
        v.spotUsd +
        ", TWAP $" +
        v.twapUsd +
        ".",
    );
  }

  function renderPrice(v) {
    var spot = v.history.map(function (p) {
      return { x: p.block, y: p.spotUsd };
    });
    var twap = v.history.map(function (p) {
      return { x: p.block, y: p.twapUsd };
    });
    var series = [
      { label: "pool spot", points: spot, styleIndex: 0 },
      { label: "TWAP", points: twap, styleIndex: 1 },
    ];
    if (!charts.price)
      charts.price = BallastCharts.priceChart($("priceChart"), {
        series: series,
        bandBps: v.bandBps || 0,
        xTitle: "block",
      });
    else charts.price.update(series, v.bandBps || 0);
    var last = v.history[v.history.length - 1];
    $("priceChart").setAttribute(
      "aria-label",
      last
        ? "Price chart over blocks " +
            v.history[0].block +
            " to " +
            last.block +
            ": spot now $" +
            last.spotUsd.toFixed(4) +
            ", TWAP $" +
            last.twapUsd.toFixed(4) +
            ", peg $1 with a ±" +
            v.bandBps +
            " bps band."
        : "Price chart: no price yet",
    );
    $("priceChart").setAttribute("data-points", String(v.history.length));
    $("priceChart").setAttribute("data-last-block", last ? String(last.block) : "");
    var body = $("priceRows");
    clear(body);
    v.history
      .slice(-20)
      .reverse()
      .forEach(function (p) {
        var tr = document.createElement("tr");
        cell(tr, String(p.block));
        cell(tr, "$" + p.spotUsd.toFixed(6));
        cell(tr, "$" + p.twapUsd.toFixed(6));
        cell(tr, (p.deviationBps > 0 ? "+" : "") + p.deviationBps + " bps");
        body.appendChild(tr);
      });
  }

  function renderRatio(v) {
    text("ratio", pct(v.collateralRatio));
    text("target", pct(v.targetRatio));
    text(
      "reserveValue",
      v.reserveValueUsd === null ? "unavailable (a feed is rejected)" : "$" + group(v.reserveValueUsd),
    );
    var a = v.collateralRatio === null ? 0 : Number(v.collateralRatio);
    var t = v.targetRatio === null ? 0 : Number(v.targetRatio);
    var scale = Math.max(a, t, 1) * 1.1;
    $("ratioBar").style.width = ((100 * a) / scale).toFixed(1) + "%";
    $("targetBar").style.width = ((100 * t) / scale).toFixed(1) + "%";
    text(
      "ratioNote",
      v.collateralRatio === null
        ? "Ratio unavailable."
        : a >= t
        ? "✓ At or above target: expansion allowed within caps."
        : "✗ Below target (recovery mode): expansion only if it raises the ratio.",
    );
  }

  function renderReserve(v) {
    var bars = v.reserve.map(function (a) {
      return { label: a.symbol, value: a.valueUsdNumber === null ? 0 : a.valueUsdNumber };
    });
    var fmt = function (x) {
      return "$" + Number(x).toLocaleString("en-US", { maximumFractionDigits: 0 });
    };
    if (!charts.reserve)
      charts.reserve = BallastCharts.barChart($("reserveChart"), {
        bars: bars,
        datasetLabel: "value after haircut, USD",
        xTitle: "value after haircut, USD",
        format: fmt,
      });
    else charts.reserve.update(bars);
    $("reserveChart").setAttribute(
      "aria-label",
      "Reserve composition: " +
        v.reserve
          .map(function (a) {
            return a.symbol + " " + (a.valueUsd === null ? "unpriced" : "$" + group(a.valueUsd));
          })
          .join(", "),
    );
    var body = $("reserveRows");
    clear(body);
    v.reserve.forEach(function (a) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = a.symbol;
      tr.appendChild(th);
      cell(tr, group(a.amount));
      cell(tr, a.priceUsd === null ? "rejected" : "$" + a.priceUsd);
      cell(tr, a.haircutBps === null ? "—" : (a.haircutBps / 100).toFixed(2) + "%");
      cell(tr, a.valueUsd === null ? "—" : "$" + group(a.valueUsd));
      var feed = (a.feedValid ? "✓ " : a.degradedSince !== null ? "⚠ " : "✗ ") + a.feedNote;
      cell(tr, feed + ", " + secs(a.feedAgeSec) + " old (max " + secs(a.feedMaxAgeSec) + ")");
      body.appendChild(tr);
    });
  }

  function renderWarnings(v) {
    var ul = $("warnings");
    clear(ul);
    var items = v.warnings.length > 0 ? v.warnings : ["None."];
    items.forEach(function (w) {
      var li = document.createElement("li");
      li.textContent = w;
      if (v.warnings.length === 0) li.className = "none";
      ul.appendChild(li);
    });
  }

  /** The venue's own section: the V2 pair's reserves, or the V3 pool's tier, price, tick, in-range liquidity and the protocol-owned position. */
  function renderVenue(v) {
    var dl = $("venue");
    clear(dl);
    var p = v.venue;
    if (p === null) {
      kv(dl, "Venue", "—", "venue-kind");
      return;
    }
    if (p.venue === "v2") {
      kv(dl, "Venue", "Uniswap V2 pair", "venue-kind");
      kv(dl, "Pool reserves", group(v.pool.token) + " tokens / " + group(v.pool.quote) + " quote", "venue-reserves");
      return;
    }
    kv(dl, "Venue", "Uniswap V3 pool, " + p.feePips / 10000 + "% fee tier", "venue-kind");
    kv(dl, "Pool price (tick)", wad(p.poolPrice, 6) + " quote per token (tick " + p.tick + ")", "venue-price");
    kv(dl, "Liquidity in range", group(p.liquidity), "venue-liquidity");
    var pos = p.position;
    kv(
      dl,
      "Protocol-owned position",
      pos === null
        ? "not shown"
        : wad(pos.lowPrice, 6) +
            "–" +
            wad(pos.highPrice, 6) +
            " (ticks " +
            pos.tickLower +
            "…" +
            pos.tickUpper +
            "), liquidity " +
            group(pos.liquidity) +
            ", " +
            (pos.inRange ? "✓ in range" : "✗ OUT OF RANGE"),
      "venue-position",
    );
  }

  function renderCaps(v) {
    var dl = $("caps");
    clear(dl);
    if (!v.caps) return;
    var c = v.caps;
    kv(dl, "Expansion per operation", group(c.maxExpansionPerOp) + " tokens");
    kv(dl, "Expansion left this epoch", group(c.expansionLeftThisEpoch) + " tokens");
    kv(dl, "Contraction per operation", "$" + group(c.maxContractionPerOp));
    kv(dl, "Contraction left this epoch", "$" + group(c.contractionLeftThisEpoch));
    kv(
      dl,
      "Cooldown left",
      c.cooldownLeftSec > 0
        ? secs(c.cooldownLeftSec) + " of " + secs(c.cooldownSec)
        : "ready (cooldown " + secs(c.cooldownSec) + ")",
      "cooldown",
    );
    kv(dl, "Epoch resets in", secs(c.epochEndsInSec));
  }

  function renderPaused(v) {
    var ul = $("paused");
    clear(ul);
    var flag = function (label, paused) {
      if (paused === null) return badge(label, "warn", "? unknown");
      return paused ? badge(label, "bad", "⏸ PAUSED") : badge(label, "ok", "▶ running");
    };
    ul.appendChild(flag("Market operations", v.paused.operations));
    ul.appendChild(flag("User minting", v.paused.minting));
    ul.appendChild(flag("Redemptions", v.paused.redemptions));
  }

  function renderKeeper(v, now) {
    var dl = $("keeper");
    clear(dl);
    var k = v.keeper;
    kv(
      dl,
      "Last cycle",
      k.lastCycleAtMs === null ? "none yet" : ago(k.lastCycleAtMs, now) + " (block " + k.lastCycleBlock + ")",
    );
    kv(dl, "Cycles (failed)", k.cycles + " (" + k.failedCycles + ")");
    kv(dl, "RPC", k.rpc.ok ? "✓ ok" : "✗ failing: " + (k.rpc.error || "unknown"), "rpc");
    kv(dl, "Keeper balance", k.balance === null ? "no account" : k.balance + " ETH");
    kv(
      dl,
      "Last decision",
      k.lastDecision === null
        ? "none yet"
        : (k.lastDecision.kind === "act" ? "act: " : "stand still: ") + k.lastDecision.summary,
      "decision",
    );
    if (k.lastDecision !== null && k.lastDecision.detail) dl.lastChild.title = k.lastDecision.detail;
    kv(dl, "Mode", k.dryRun ? "dry run (never sends)" : "live");
  }

  function renderOps(v, now) {
    var body = $("opsRows");
    clear(body);
    if (v.operations.length === 0) {
      var tr0 = document.createElement("tr");
      cell(tr0, "No operation yet.").colSpan = 6;
      body.appendChild(tr0);
      return;
    }
    v.operations.forEach(function (o) {
      var tr = document.createElement("tr");
      cell(tr, ago(o.atMs, now) + (o.block === null ? "" : " · #" + o.block));
      cell(tr, o.action);
      cell(tr, o.size);
      var marks = { confirmed: "✓ confirmed", reverted: "✗ reverted", failed: "✗ failed", "dry-run": "○ dry run" };
      var r = cell(tr, (marks[o.result] || o.result) + (o.detail ? ": " + o.detail : ""));
      r.title = o.detail || "";
      cell(tr, o.gasUsed === null ? "—" : group(o.gasUsed));
      cell(tr, o.txHash === null ? "—" : o.txHash.slice(0, 10) + "…" + o.txHash.slice(-6), "mono").title =
        o.txHash || "";
      body.appendChild(tr);
    });
  }

  function render(v) {
    var now = v.generatedAtMs;
    text("network", v.network + (v.chainId === null ? "" : " (chain " + v.chainId + ")"));
    text("block", v.block === null ? "—" : String(v.block));
    renderDeviation(v);
    text("spot", v.spotUsd === null ? "—" : "$" + v.spotUsd);
    text("twap", v.twapUsd === null ? "—" : "$" + v.twapUsd);
    text("band", v.bandBps === null ? "—" : "±" + v.bandBps + " bps");
    text("supply", v.supply === null ? "—" : group(v.supply) + " tokens");
    renderPrice(v);
    renderRatio(v);
    renderReserve(v);
    renderWarnings(v);
    renderVenue(v);
    renderCaps(v);
    renderPaused(v);
    renderKeeper(v, now);
    renderOps(v, now);
  }

  /**
   * Builds what the markup declares as data: each `data-fields` list ("id:Label|…") as label and
   * value pairs (the value's id and test id are `id`, filled by text()), each `data-columns` list
   * as its table's header row.
   */
  function layout() {
    Array.prototype.forEach.call(document.querySelectorAll("dl[data-fields]"), function (dl) {
      dl.getAttribute("data-fields")
        .split("|")
        .forEach(function (field) {
          var at = field.indexOf(":");
          var id = field.slice(0, at);
          kv(dl, field.slice(at + 1), "—", id).id = id;
        });
    });
    Array.prototype.forEach.call(document.querySelectorAll("table[data-columns]"), function (table) {
      var tr = document.createElement("tr");
      table
        .getAttribute("data-columns")
        .split("|")
        .forEach(function (name) {
          var th = document.createElement("th");
          th.scope = "col";
          th.textContent = name;
          tr.appendChild(th);
        });
      table.createTHead().appendChild(tr);
    });
  }

  function live(state, words) {
    var el = $("live");
    el.setAttribute("data-state", state);
    text("live", words);
  }

  function poll() {
    var url = "/api/status" + (lastVersion === null ? "" : "?after=" + lastVersion);
    fetch(url, { cache: "no-store" })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (body) {
        lastVersion = body.version;
        lastOkAt = Date.now();
        render(body.status);
        live(body.status.ready ? "live" : "stale", body.status.ready ? "live" : "waiting for the keeper");
        setTimeout(poll, 0);
      })
      .catch(function (err) {
        live("error", "connection lost (" + err.message + "), retrying");
        setTimeout(poll, 2000);
      });
  }

  function start() {
    layout();
    charts = {};
    poll();
    // The long poll returns at least every ~20 s; say so when it has been silent for longer.
    window.setInterval(function () {
      if (lastOkAt && Date.now() - lastOkAt > 30000)
        live("stale", "no update for " + secs(Math.round((Date.now() - lastOkAt) / 1000)));
    }, 5000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
