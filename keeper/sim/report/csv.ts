/** Per-block CSV of one scenario: one row per block and policy. */
import type { RunTrace } from "../engine";

const fmt = (x: number | null): string =>
  x === null || Number.isNaN(x) ? "" : Number.isInteger(x) ? String(x) : x.toPrecision(10);

export function runsToCsv(runs: RunTrace[]): string {
  const extraKeys = [...new Set(runs.flatMap((r) => Object.keys(r.samples[0]?.extra ?? {})))].sort();
  const header = [
    "scenario",
    "policy",
    "keeperLatencyBlocks",
    "block",
    "timeSec",
    "priceUsd",
    "deviationBps",
    "supply",
    "poolToken",
    "poolQuote",
    "ratio",
    ...extraKeys,
  ];
  const lines = [header.join(",")];
  for (const r of runs) {
    for (const s of r.samples) {
      lines.push(
        [
          r.label,
          r.policy,
          r.keeperLatencyBlocks,
          s.block,
          s.timeSec,
          fmt(s.priceUsd),
          fmt(s.deviationBps),
          fmt(s.supply),
          fmt(s.poolToken),
          fmt(s.poolQuote),
          fmt(s.ratio),
          ...extraKeys.map((k) => fmt(s.extra[k] ?? null)),
        ].join(","),
      );
    }
  }
  return lines.join("\n") + "\n";
}
