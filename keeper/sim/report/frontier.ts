/**
 * The cost-vs-tightness frontier: per scenario, tightness (RMS, and the worst run outside ±50 bps)
 * against total cost, one point per sweep setting of Ballast's parameters and one per reference
 * policy, each the mean over seeds with 95% CI whiskers on both axes. A point is Pareto-optimal
 * when no other point is at least as cheap and as tight and strictly better in one. Plain SVG and
 * one self-contained HTML page; same rows in, same bytes out.
 */
import type { PegMetric, PegRow } from "../aggregate";
import { BOUND_POLICIES } from "../types";
import { fmtEstimate } from "./peg";

export interface FrontierPoint {
  /** "band=30 bps" for a sweep point, the policy's name for a reference. */
  label: string;
  kind: "setting" | "reference";
  row: PegRow;
}

export interface FrontierScenario {
  scenario: string;
  points: FrontierPoint[];
}

export const FRONTIER_X: PegMetric = "totalCostUsd";
const PANEL_WIDTH = 600;
export const FRONTIER_PANELS: { metric: PegMetric; title: string }[] = [
  { metric: "rmsBps", title: "RMS deviation, bps" },
  { metric: "blocksTo50Bps", title: "worst run outside ±50 bps, blocks" },
];

/** The frontier's points for one scenario: sweep rows (with their labels) and every constrained reference. */
export function frontierPoints(
  scenario: string,
  sweep: { label: string; row: PegRow }[],
  references: PegRow[],
): FrontierPoint[] {
  return [
    ...sweep
      .filter((s) => s.row.scenario === scenario)
      .map((s) => ({ label: s.label, kind: "setting" as const, row: s.row })),
    ...references
      .filter((r) => r.scenario === scenario && !r.unconstrained && !r.setting)
      .map((r) => ({
        label: r.policy === "ballast" ? "ballast (defaults)" : r.policy,
        kind: "reference" as const,
        row: r,
      })),
  ];
}

/** For each point, whether it is Pareto-optimal in (x, y), both minimised; points without a value never are. */
export function paretoOptimal(points: { x: number | null; y: number | null }[]): boolean[] {
  return points.map((p, i) => {
    if (p.x === null || p.y === null) return false;
    return !points.some(
      (q, j) =>
        j !== i &&
        q.x !== null &&
        q.y !== null &&
        q.x <= (p.x as number) &&
        q.y <= (p.y as number) &&
        (q.x < (p.x as number) || q.y < (p.y as number)),
    );
  });
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (v: number): string => v.toFixed(1);

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmtTick = (v: number): string =>
  Math.abs(v) >= 1000 ? v.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(Number(v.toPrecision(6)));

/**
 * The axes' ranges: around the focus points (the sweep; all points without one), widened to take
 * in the references up to one more focus width away (y: up to three times the focus's top), so
 * one far-off policy does not squash the frontier; points beyond are drawn at the edge, labelled.
 */
export function frontierRanges<T extends { x: number; xe: number; y: number; ye: number }>(
  points: T[],
  isFocus: (p: T) => boolean,
): [[number, number], [number, number]] {
  const focus = points.some(isFocus) ? points.filter(isFocus) : points;
  const fx0 = Math.min(0, ...focus.map((q) => q.x - q.xe));
  const fx1 = Math.max(0, ...focus.map((q) => q.x + q.xe));
  const w = Math.max(fx1 - fx0, 1);
  const fy1 = Math.max(1e-9, ...focus.map((q) => q.y + q.ye));
  const near = points.filter((q) => q.x >= fx0 - w && q.x <= fx1 + w && q.y <= 3 * fy1);
  const x0 = Math.min(fx0, ...near.map((q) => q.x - q.xe));
  const x1 = Math.max(fx1, ...near.map((q) => q.x + q.xe));
  const y1 = Math.max(fy1, ...near.map((q) => q.y + q.ye));
  const dx = (x1 - x0 || 1) * 0.06;
  return [
    [Math.max(x0 - dx, fx0 - w), Math.min(x1 + dx, fx1 + w)],
    [0, Math.min(y1 * 1.06, 3 * fy1)],
  ];
}

/** One panel: `metric` against total cost for every point of a scenario. */
export function frontierPanelSvg(
  sc: FrontierScenario,
  metric: PegMetric,
  title: string,
  opts: { width?: number; height?: number } = {},
): string {
  const W = opts.width ?? PANEL_WIDTH;
  const H = opts.height ?? 420;
  const m = { left: 70, right: 20, top: 36, bottom: 50 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const pts = sc.points.map((p) => ({
    p,
    x: p.row.mean[FRONTIER_X],
    xe: p.row.ci95[FRONTIER_X] ?? 0,
    y: p.row.mean[metric],
    ye: p.row.ci95[metric] ?? 0,
  }));
  const shown = pts.filter((q): q is typeof q & { x: number; y: number } => q.x !== null && q.y !== null);
  const pareto = paretoOptimal(shown.map((q) => ({ x: q.x, y: q.y })));
  const [[x0, x1], [y0, y1]] = frontierRanges(shown, (q) => q.p.kind === "setting");
  const X = (v: number): number => m.left + (pw * (v - x0)) / (x1 - x0);
  const Y = (v: number): number => m.top + ph * (1 - (v - y0) / (y1 - y0));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" role="img" aria-label="${esc(
      `${sc.scenario}: ${title} against total cost`,
    )}">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${m.left}" y="20" font-size="14" font-weight="bold">${esc(
      `${sc.scenario}: ${title} vs total cost`,
    )}</text>`,
  );
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${f1(Y(t))}" y2="${f1(Y(t))}" stroke="#eeeeee"/>`);
    out.push(`<text x="${m.left - 6}" y="${f1(Y(t) + 4)}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  for (const t of ticks(x0, x1)) {
    out.push(`<line x1="${f1(X(t))}" x2="${f1(X(t))}" y1="${m.top}" y2="${m.top + ph}" stroke="#eeeeee"/>`);
    out.push(`<text x="${f1(X(t))}" y="${m.top + ph + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  out.push(
    `<line x1="${f1(X(0))}" x2="${f1(X(0))}" y1="${m.top}" y2="${
      m.top + ph
    }" stroke="#999999" stroke-dasharray="3 3"/>`,
  );
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999999"/>`);
  out.push(
    `<text x="${m.left + pw / 2}" y="${
      H - 10
    }" text-anchor="middle">total cost per run, USD (gas + subsidies − trading P&amp;L; left of the dashed line: net profit)</text>`,
  );
  out.push(
    `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(
      title,
    )} (lower is tighter)</text>`,
  );
  // The sweep's points joined in setting order, so the trade-off reads as a curve.
  const sweep = shown.filter((q) => q.p.kind === "setting");
  if (sweep.length > 1)
    out.push(
      `<path d="${sweep
        .map((q, k) => `${k === 0 ? "M" : "L"}${f1(X(q.x))},${f1(Y(q.y))}`)
        .join("")}" fill="none" stroke="#1f77b4" stroke-width="1" opacity="0.5"/>`,
    );
  shown.forEach((q, i) => {
    const off = q.x < x0 || q.x > x1 || q.y < y0 || q.y > y1;
    const cx = X(Math.min(x1, Math.max(x0, q.x)));
    const cy = Y(Math.min(y1, Math.max(y0, q.y)));
    const colour =
      q.p.kind === "setting"
        ? "#1f77b4"
        : BOUND_POLICIES.includes(q.p.row.policy)
        ? "#111111"
        : q.p.row.policy === "ballast"
        ? "#d62728"
        : "#555555";
    out.push(
      `<g><title>${esc(
        `${q.p.label}: cost ${fmtEstimate(q.x, q.xe || null)} $, ${title} ${fmtEstimate(q.y, q.ye || null)}${
          pareto[i] ? " (Pareto-optimal)" : ""
        }`,
      )}</title>`,
    );
    const clampX = (v: number): number => X(Math.min(x1, Math.max(x0, v)));
    const clampY = (v: number): number => Y(Math.min(y1, Math.max(y0, v)));
    if (!off) {
      out.push(
        `<line x1="${f1(clampX(q.x - q.xe))}" x2="${f1(clampX(q.x + q.xe))}" y1="${f1(cy)}" y2="${f1(
          cy,
        )}" stroke="${colour}" opacity="0.6"/>`,
      );
      out.push(
        `<line x1="${f1(cx)}" x2="${f1(cx)}" y1="${f1(clampY(q.y - q.ye))}" y2="${f1(
          clampY(q.y + q.ye),
        )}" stroke="${colour}" opacity="0.6"/>`,
      );
    }
    if (off)
      out.push(
        `<polygon points="${f1(cx)},${f1(cy - 6)} ${f1(cx + 5)},${f1(cy + 4)} ${f1(cx - 5)},${f1(
          cy + 4,
        )}" fill="#ffffff" stroke="${colour}" stroke-width="1.5"/>`,
      );
    else if (q.p.kind === "setting") out.push(`<circle cx="${f1(cx)}" cy="${f1(cy)}" r="4" fill="${colour}"/>`);
    else out.push(`<rect x="${f1(cx - 4)}" y="${f1(cy - 4)}" width="8" height="8" fill="${colour}"/>`);
    if (pareto[i])
      out.push(`<circle cx="${f1(cx)}" cy="${f1(cy)}" r="8" fill="none" stroke="#2ca02c" stroke-width="2"/>`);
    const label = off
      ? `${q.p.label} (off scale: $${fmtTick(Math.round(q.x))}, ${fmtTick(Number(q.y.toPrecision(4)))})`
      : q.p.label;
    const anchor = cx > m.left + pw * 0.7 ? "end" : "start";
    out.push(
      `<text x="${f1(anchor === "end" ? cx - 9 : cx + 9)}" y="${f1(
        cy - 6,
      )}" fill="${colour}" text-anchor="${anchor}">${esc(label)}</text></g>`,
    );
  });
  const lx = m.left + pw - 200;
  out.push(
    `<g font-size="10"><rect x="${lx}" y="${
      m.top + 6
    }" width="194" height="50" fill="#ffffff" opacity="0.85" stroke="#dddddd"/>`,
  );
  out.push(
    `<circle cx="${lx + 10}" cy="${m.top + 18}" r="4" fill="#1f77b4"/><text x="${lx + 20}" y="${
      m.top + 21
    }">Ballast sweep setting</text>`,
  );
  out.push(
    `<rect x="${lx + 6}" y="${m.top + 28}" width="8" height="8" fill="#555555"/><text x="${lx + 20}" y="${
      m.top + 35
    }">reference policy</text>`,
  );
  out.push(
    `<circle cx="${lx + 10}" cy="${m.top + 46}" r="7" fill="none" stroke="#2ca02c" stroke-width="2"/><text x="${
      lx + 20
    }" y="${m.top + 49}">Pareto-optimal (means)</text></g>`,
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Both panels of one scenario side by side in one SVG file. */
export function frontierSvg(sc: FrontierScenario): string {
  const panels = FRONTIER_PANELS.map((p) => frontierPanelSvg(sc, p.metric, p.title));
  const inner = panels.map((svg, i) => svg.replace("<svg ", `<svg x="${i * PANEL_WIDTH}" y="0" `)).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL_WIDTH * panels.length}" height="420" viewBox="0 0 ${
    PANEL_WIDTH * panels.length
  } 420">\n${inner}</svg>\n`;
}

function pointsTable(sc: FrontierScenario): string {
  const paretoBy = FRONTIER_PANELS.map((panel) =>
    paretoOptimal(sc.points.map((p) => ({ x: p.row.mean[FRONTIER_X], y: p.row.mean[panel.metric] }))),
  );
  const rows = sc.points.map((p, i) => {
    const c = (k: PegMetric): string => fmtEstimate(p.row.mean[k], p.row.ci95[k]);
    const marks = FRONTIER_PANELS.map((panel, k) =>
      paretoBy[k][i] ? (panel.metric === "rmsBps" ? "RMS" : "worst run") : "",
    )
      .filter(Boolean)
      .join(", ");
    return `<tr><th scope="row">${esc(p.label)}</th><td>${p.kind === "setting" ? "sweep" : "reference"}</td><td>${c(
      "totalCostUsd",
    )}</td><td>${c("rmsBps")}</td><td>${c("blocksTo50Bps")}</td><td>${c("maxDeviationAfterShockBps")}</td><td>${
      p.row.seeds
    }</td><td>${marks || "—"}</td></tr>`;
  });
  return `<table><thead><tr><th scope="col">point</th><th scope="col">kind</th><th scope="col">total cost $</th><th scope="col">RMS bps</th><th scope="col">worst blocks outside ±50</th><th scope="col">max dev after shock bps</th><th scope="col">seeds</th><th scope="col">Pareto-optimal in</th></tr></thead><tbody>\n${rows.join(
    "\n",
  )}\n</tbody></table>`;
}

/** The frontier page: both panels and the table of points for every scenario. */
export function frontierHtml(
  scenarios: FrontierScenario[],
  meta: { title: string; sweep: string; seeds: number; generatedBy: string },
): string {
  const sections = scenarios
    .map(
      (sc, i) =>
        `<section id="f${i}"><h2>${esc(sc.scenario)}</h2>\n<div class="panels">${FRONTIER_PANELS.map((p) =>
          frontierPanelSvg(sc, p.metric, p.title),
        ).join("")}</div>\n${pointsTable(sc)}</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(
    meta.title,
  )}</title>
<style>body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#f6f7f9;line-height:1.4}
header{background:#10243e;color:#fff;padding:12px 20px}h1{margin:0;font-size:1.4rem}main{max-width:1340px;margin:0 auto;padding:16px 20px}
section{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:12px 16px;margin-bottom:20px}.panels{display:flex;flex-wrap:wrap;gap:8px}.panels svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums;margin-top:8px}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #d5d9e0;white-space:nowrap}</style></head>
<body><header><h1>${esc(meta.title)}</h1></header><main>
<p>Axes are zoomed on the sweep: a point far outside is drawn at the edge as a hollow triangle with its values. Generated by <code>${esc(
    meta.generatedBy,
  )}</code>. Each point is the mean over ${
    meta.seeds
  } seeds (the same seeds for every point) with 95% confidence intervals (Student t) as whiskers. Blue circles: Ballast with <strong>${esc(
    meta.sweep,
  )}</strong>, every other parameter at its default; squares: the reference policies (unconstrained ones left out); green rings: Pareto-optimal points (no other point is both cheaper and tighter, judged on the means). Total cost per run = gas + subsidies − trading P&amp;L of the protocol's own operations, USD.</p>
<nav><ul>${scenarios.map((sc, i) => `<li><a href="#f${i}">${esc(sc.scenario)}</a></li>`).join("")}</ul></nav>
${sections}
</main></body></html>
`;
}

/**
 * The frontier as a markdown table per scenario (the numbers behind the panels): each point's RMS,
 * worst run outside ±50 bps and total cost (mean ± 95% CI), Pareto-optimal points marked with ●
 * (on both panels: as cheap and as tight as any other point on RMS and on the worst run).
 */
export function frontierMarkdown(
  scenarios: FrontierScenario[],
  meta: { sweep: string; seeds: number; generatedBy: string },
): string {
  const out = [
    `# Ballast: cost vs tightness frontier`,
    "",
    `Sweep ${meta.sweep}, ${meta.seeds} seed(s); \`${meta.generatedBy}\`.`,
    "",
  ];
  for (const sc of scenarios) {
    const pts = sc.points;
    const xy = (metric: PegMetric) => pts.map((p) => ({ x: p.row.mean[FRONTIER_X], y: p.row.mean[metric] }));
    const [rms, worst] = FRONTIER_PANELS.map((panel) => paretoOptimal(xy(panel.metric)));
    out.push(
      `## ${sc.scenario}`,
      "",
      "| point | RMS bps | worst run outside ±50 bps, blocks | total cost $ | Pareto (RMS, worst) |",
      "|---|---|---|---|---|",
    );
    pts.forEach((p, i) => {
      const cell = (k: PegMetric) => fmtEstimate(p.row.mean[k], p.row.ci95[k]);
      out.push(
        `| ${p.kind === "setting" ? p.label : `_${p.label}_`} | ${cell("rmsBps")} | ${cell("blocksTo50Bps")} | ${cell(
          FRONTIER_X,
        )} | ${rms[i] ? "●" : "○"} ${worst[i] ? "●" : "○"} |`,
      );
    });
    out.push("");
  }
  return out.join("\n");
}
