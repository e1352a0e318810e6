/** The summary table as markdown: one row per scenario × policy, the reports/bench.json "peg" fields. */
import type { PegSummary } from "../metrics";

const num = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : String(x));

export function pegTableMarkdown(rows: PegSummary[]): string {
  const header =
    "| scenario | policy | max dev bps | worst blocks outside ±50 | worst blocks outside ±10 | time outside ±50 % | RMS bps | reserve spent $ | profit $ | supply churn % | actions | gas | failures |";
  const sep = "|" + "---|".repeat(13);
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.policy === "ballast" ? "**ballast**" : r.policy} | ${num(r.maxDeviationBps)} | ${
        r.blocksTo50Bps
      } | ${r.blocksTo10Bps} | ${r.timeOutside50BpsPct} | ${r.rmsBps} | ${num(r.reserveSpent)} | ${num(r.profit)} | ${
        r.supplyChurnPct
      } | ${r.actions} | ${num(r.gas)} | ${r.failures.join(", ") || "—"} |`,
  );
  return [header, sep, ...lines].join("\n") + "\n";
}
