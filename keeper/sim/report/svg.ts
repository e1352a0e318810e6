/**
 * A line chart, as plain SVG: price vs the $1 peg for every policy on one scenario. No library,
 * no network; deterministic output (same runs, same bytes).
 */
import type { RunTrace } from "../engine";

const COLOURS: Record<string, string> = {
  ballast: "#d62728",
  ideal: "#111111",
  none: "#7f7f7f",
  psm: "#1f77b4",
  pegkeeper: "#2ca02c",
  frax: "#9467bd",
  ampleforth: "#8c564b",
  "ampleforth-sigmoid": "#e377c2",
  rai: "#ff7f0e",
  oracle: "#882255",
};

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Points per series after down-sampling (min/max kept per bucket so spikes survive). */
  maxPoints?: number;
  title?: string;
  /** Price axis range; values beyond it are drawn at the edge (default [0.97, 1.03], the failure band). */
  clip?: [number, number];
}

export function priceChartSvg(runs: RunTrace[], opts: ChartOptions = {}): string {
  const W = opts.width ?? 960;
  const H = opts.height ?? 480;
  const m = { left: 70, right: 170, top: 40, bottom: 50 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const blocks = Math.max(...runs.map((r) => r.samples.length));
  const [lo, hi] = opts.clip ?? [0.97, 1.03];
  const x = (b: number): number => m.left + (pw * b) / Math.max(1, blocks - 1);
  const y = (p: number): number => m.top + ph * (1 - (Math.min(hi, Math.max(lo, p)) - lo) / (hi - lo));
  const clipped = runs.some((r) => r.samples.some((s) => s.priceUsd < lo || s.priceUsd > hi));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${m.left}" y="24" font-size="15" font-weight="bold">${esc(opts.title ?? runs[0]?.label ?? "")}</text>`,
  );
  // Axes and grid.
  for (let i = 0; i <= 5; i++) {
    const p = lo + ((hi - lo) * i) / 5;
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(p).toFixed(1)}" y2="${y(p).toFixed(1)}" stroke="#eeeeee"/>`,
    );
    out.push(`<text x="${m.left - 8}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">${p.toFixed(3)}</text>`);
  }
  for (let i = 0; i <= 6; i++) {
    const b = ((blocks - 1) * i) / 6;
    const hours = (b * (runs[0]?.samples[1]?.timeSec ?? 12)) / 3600;
    out.push(`<text x="${x(b).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${hours.toFixed(1)} h</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle">time (block × 12 s)</text>`);
  if (clipped)
    out.push(
      `<text x="${
        m.left + pw
      }" y="24" text-anchor="end" fill="#666666">axis clipped to [${lo}, ${hi}]: excursions beyond are drawn at the edge</text>`,
    );
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">price, USD</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999999"/>`);
  // Peg and ±50 bps band.
  out.push(
    `<rect x="${m.left}" y="${y(1.005).toFixed(1)}" width="${pw}" height="${(y(0.995) - y(1.005)).toFixed(
      1,
    )}" fill="#fff3c4" opacity="0.6"/>`,
  );
  out.push(
    `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(1).toFixed(1)}" y2="${y(1).toFixed(
      1,
    )}" stroke="#000000" stroke-dasharray="4 3"/>`,
  );
  const maxPoints = opts.maxPoints ?? 600;
  runs.forEach((r, i) => {
    const colour = COLOURS[r.policy] ?? "#17becf";
    const pts = downsample(
      r.samples.map((s) => s.priceUsd),
      maxPoints,
    );
    const d = pts.map(([b, p], k) => `${k === 0 ? "M" : "L"}${x(b).toFixed(1)},${y(p).toFixed(1)}`).join("");
    const width = r.policy === "ballast" ? 2.2 : 1.2;
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="${width}" opacity="0.9"/>`);
    const ly = m.top + 10 + i * 18;
    out.push(
      `<line x1="${m.left + pw + 12}" x2="${
        m.left + pw + 32
      }" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
    );
    out.push(`<text x="${m.left + pw + 38}" y="${ly + 4}">${esc(r.policy)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** Keeps the first, min and max of each bucket so that short spikes stay visible. */
function downsample(values: number[], maxPoints: number): [number, number][] {
  if (values.length <= maxPoints) return values.map((v, i) => [i, v]);
  const bucket = Math.ceil(values.length / (maxPoints / 2));
  const pts: [number, number][] = [];
  for (let start = 0; start < values.length; start += bucket) {
    let iMin = start;
    let iMax = start;
    for (let i = start; i < Math.min(values.length, start + bucket); i++) {
      if (values[i] < values[iMin]) iMin = i;
      if (values[i] > values[iMax]) iMax = i;
    }
    for (const i of iMin < iMax ? [iMin, iMax] : [iMax, iMin]) pts.push([i, values[i]]);
  }
  return pts;
}
