/**
 * The simulator's HTML report: for every scenario, the status page's charts (price vs peg with
 * the band, deviation, supply, collateral ratio) with all policies side by side, and the summary
 * table. One self-contained file: chart.js and the shared chart code are inlined, so it opens
 * from disk on an air-gapped machine. Same runs in, same bytes out.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { RunTrace } from "../engine";
import type { PegSummary } from "../metrics";
import { POLICY_NAMES } from "../types";
import { PUBLIC_DIR, chartJsUmdPath, readAsset } from "../../src/statusPage/routes";

export interface HtmlReportInput {
  runs: RunTrace[];
  summaries: PegSummary[];
}

export interface HtmlReportOptions {
  /** The operator's band drawn around the peg, bps. */
  bandBps: number;
  /** Points per series after down-sampling (each bucket keeps its extreme, so spikes survive). */
  maxPoints?: number;
  title?: string;
}

interface Point {
  x: number;
  y: number;
}

/** Keeps at most ~maxPoints points: per bucket, the point farthest from `centre` (spikes stay visible). */
export function downsample(points: Point[], maxPoints: number, centre = 1): Point[] {
  if (points.length <= maxPoints) return points;
  const bucket = Math.ceil(points.length / maxPoints);
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += bucket) {
    let best = points[i];
    for (let j = i + 1; j < Math.min(points.length, i + bucket); j++) {
      if (Math.abs(points[j].y - centre) > Math.abs(best.y - centre)) best = points[j];
    }
    out.push(best);
  }
  const last = points[points.length - 1];
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** JSON safe inside a <script> element (no "</script>" or "<!--" can close it). */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** `styleIndex` fixes each policy's colour, dash and marker across every chart of the report. */
type Series = { label: string; styleIndex: number; points: Point[] };

interface SeriesSet {
  price: Series[];
  deviation: Series[];
  supply: Series[];
  ratio: Series[];
}

function seriesFor(runs: RunTrace[], maxPoints: number): SeriesSet {
  const set: SeriesSet = { price: [], deviation: [], supply: [], ratio: [] };
  for (const r of runs) {
    const hours = (s: RunTrace["samples"][number]): number => round(s.timeSec / 3600, 4);
    const styleIndex = POLICY_NAMES.indexOf(r.policy);
    set.price.push({
      label: r.policy,
      styleIndex,
      points: downsample(
        r.samples.map((s) => ({ x: hours(s), y: round(s.priceUsd, 6) })),
        maxPoints,
        1,
      ),
    });
    set.deviation.push({
      label: r.policy,
      styleIndex,
      points: downsample(
        r.samples.map((s) => ({ x: hours(s), y: round(s.deviationBps, 2) })),
        maxPoints,
        0,
      ),
    });
    const s0 = r.samples[0]?.supply ?? 0;
    set.supply.push({
      label: r.policy,
      styleIndex,
      points: downsample(
        r.samples.map((s) => ({ x: hours(s), y: round(s.supply, 2) })),
        maxPoints,
        s0,
      ),
    });
    const ratios = r.samples
      .filter((s) => s.ratio !== null && Number.isFinite(s.ratio))
      .map((s) => ({ x: hours(s), y: round(s.ratio as number, 4) }));
    if (ratios.length > 0) set.ratio.push({ label: r.policy, styleIndex, points: downsample(ratios, maxPoints, 1) });
  }
  return set;
}

function summaryTable(rows: PegSummary[]): string {
  const head = [
    "policy",
    "max deviation (bps)",
    "worst blocks outside ±50 bps",
    "time outside ±50 bps (%)",
    "RMS (bps)",
    "reserve spent ($)",
    "actions",
    "gas",
    "failures",
  ];
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${r.policy === "ballast" ? `<strong>${esc(r.policy)}</strong>` : esc(r.policy)}</th><td>${
          r.maxDeviationBps
        }</td><td>${r.blocksTo50Bps}</td><td>${r.timeOutside50BpsPct}</td><td>${r.rmsBps}</td><td>${Math.round(
          r.reserveSpent,
        ).toLocaleString("en-US")}</td><td>${r.actions}</td><td>${r.gas.toLocaleString("en-US")}</td><td>${esc(
          r.failures.join(", ") || "—",
        )}</td></tr>`,
    )
    .join("\n");
  return `<div class="scroll"><table class="data"><thead><tr>${head
    .map((h) => `<th scope="col">${esc(h)}</th>`)
    .join("")}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const REPORT_CSS = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#f6f7f9;line-height:1.4}
header{background:#10243e;color:#fff;padding:12px 20px}header h1{margin:0;font-size:1.4rem}
main{max-width:1400px;margin:0 auto;padding:16px 20px}
section.scenario{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:14px 16px;margin-bottom:20px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
.chart{position:relative;height:320px}
figure{margin:0}h2{margin:0 0 8px;font-size:1.2rem}h3{margin:8px 0;font-size:1rem}
.scroll{overflow-x:auto}table.data{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
table.data th,table.data td{text-align:left;padding:4px 8px;border-bottom:1px solid #d5d9e0;white-space:nowrap}
nav ul{display:flex;flex-wrap:wrap;gap:6px 14px;padding:0;list-style:none}
@media (max-width:600px){.grid{grid-template-columns:1fr}main{padding:10px}}
`;

/** The report's HTML for all scenarios in `input` (grouped by run label, e.g. "selloff" or "keeper-outage@300"). */
export function simReportHtml(input: HtmlReportInput, options: HtmlReportOptions): string {
  if (!Number.isFinite(options.bandBps) || options.bandBps < 0)
    throw new RangeError(`simReportHtml: bandBps must be a non-negative number, got ${options.bandBps}`);
  const maxPoints = options.maxPoints ?? 400;
  if (!Number.isInteger(maxPoints) || maxPoints < 2)
    throw new RangeError(`simReportHtml: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  const labels = [...new Set(input.runs.map((r) => r.label))];
  const data = labels.map((label, i) => ({
    id: `s${i}`,
    label,
    series: seriesFor(
      input.runs.filter((r) => r.label === label),
      maxPoints,
    ),
  }));
  const sections = data
    .map((d) => {
      // summarise() names each row by its run label (scenario plus sweep value).
      const rows = input.summaries.filter((s) => s.scenario === d.label);
      const chart = (kind: string, title: string): string =>
        `<figure><h3 id="${d.id}-${kind}-h">${esc(title)}</h3><div class="chart"><canvas id="${
          d.id
        }-${kind}" role="img" aria-labelledby="${d.id}-${kind}-h"></canvas></div></figure>`;
      return `<section class="scenario" id="${d.id}" aria-labelledby="${d.id}-h"><h2 id="${d.id}-h">${esc(d.label)}</h2>
<div class="grid">${chart("price", "Price vs peg (band shaded)")}${chart(
        "deviation",
        "Deviation from peg, bps",
      )}${chart("supply", "Supply, tokens")}${
        d.series.ratio.length > 0 ? chart("ratio", "Collateral ratio (true prices)") : ""
      }</div>
${rows.length > 0 ? summaryTable(rows) : ""}</section>`;
    })
    .join("\n");
  const title = options.title ?? "Ballast simulation report";
  const script = `(function(){var D=${scriptJson(data)};var band=${options.bandBps};
D.forEach(function(d){var C=window.BallastCharts;var $=function(k){return document.getElementById(d.id+"-"+k);};
C.priceChart($("price"),{series:d.series.price,bandBps:band,xTitle:"hours"});
C.lineChart($("deviation"),{series:d.series.deviation,yTitle:"bps",xTitle:"hours",reference:{label:"peg (0 bps)",y:0}});
C.lineChart($("supply"),{series:d.series.supply,yTitle:"tokens",xTitle:"hours",format:function(v){return Number(v).toLocaleString("en-US",{maximumFractionDigits:0});}});
if(d.series.ratio.length>0)C.lineChart($("ratio"),{series:d.series.ratio,yTitle:"ratio",xTitle:"hours",reference:{label:"100%",y:1},format:function(v){return (Number(v)*100).toFixed(1)+"%";}});});})();`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(
    title,
  )}</title><style>${REPORT_CSS}</style></head>
<body><header><h1>${esc(title)}</h1></header><main>
<p>All policies on each scenario, from the same seeded market model. Lines differ by dash pattern and marker as well as colour; the legend names each policy. Band: ±${
    options.bandBps
  } bps around the $1 peg.</p>
<nav aria-label="Scenarios"><ul>${data
    .map((d) => `<li><a href="#${d.id}">${esc(d.label)}</a></li>`)
    .join("")}</ul></nav>
${sections}
</main>
<script>${readAsset(chartJsUmdPath())}</script>
<script>${readAsset(path.join(PUBLIC_DIR, "charts.js"))}</script>
<script>${script}</script>
</body></html>
`;
}

/** Writes `report.html` into `outDir`; returns the file written (ReportWriter-shaped). */
export function writeSimHtmlReport(input: HtmlReportInput, outDir: string, options: HtmlReportOptions): string[] {
  const file = path.join(outDir, "report.html");
  writeFileSync(file, simReportHtml(input, options));
  return [file];
}
