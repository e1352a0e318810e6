/**
 * The Monte Carlo peg tables: the reports/bench.json rows, the full markdown table, and the
 * README's comparison with its generated verdict (where Ballast is behind the best reference,
 * decided by the paired difference over the same seeds, never written by hand).
 */
import type { PegMetric, PegRow } from "../aggregate";
import { PEG_METRICS } from "../aggregate";
import { type Estimate, pairedDifferenceCi95 } from "../stats";
import { BOUND_POLICIES, POLICY_NAMES } from "../types";

const round = (x: number | null, digits = 2): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
const digitsOf = (m: PegMetric): number => (m === "minCollateralRatio" ? 4 : 2);

/** One reports/bench.json "peg" row: the existing keys (means over seeds), then the Monte Carlo ones. */
export function pegJsonRow(r: PegRow): Record<string, unknown> {
  const m = (k: PegMetric): number | null => round(r.mean[k], digitsOf(k));
  return {
    scenario: r.scenario,
    policy: r.policy,
    maxDeviationBps: m("maxDeviationBps"),
    blocksTo50Bps: m("blocksTo50Bps"),
    blocksTo10Bps: m("blocksTo10Bps"),
    timeOutside50BpsPct: m("timeOutside50BpsPct"),
    rmsBps: m("rmsBps"),
    reserveSpent: m("reserveSpent"),
    actions: m("actions"),
    gas: m("gas"),
    failures: Object.keys(r.failures),
    profit: m("profit"),
    supplyChurnPct: m("supplyChurnPct"),
    ...(r.keeperStandStill ? { keeperStandStill: r.keeperStandStill } : {}),
    keeperLatencyBlocks: r.keeperLatencyBlocks,
    seeds: r.seeds,
    ci95: Object.fromEntries(
      [...PEG_METRICS, "costPerBpsRemovedUsd" as const].map((k) => [k, round(r.ci95[k], digitsOf(k))]),
    ),
    maxDeviationAfterShockBps: m("maxDeviationAfterShockBps"),
    totalCostUsd: m("totalCostUsd"),
    gasUsd: m("gasUsd"),
    subsidyUsd: m("subsidyUsd"),
    lpFeesUsd: m("lpFeesUsd"),
    polPnlUsd: m("polPnlUsd"),
    costPerBpsRemovedUsd: m("costPerBpsRemovedUsd"),
    minCollateralRatio: m("minCollateralRatio"),
    minCollateralRatioEs5: round(r.minCollateralRatioEs5, 4),
    failedTx: m("failedTx"),
    failureSeeds: r.failures,
    unconstrained: r.unconstrained,
    venue: r.venue,
  };
}

const fmtNum = (x: number): string =>
  Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : String(Math.round(x * 100) / 100);

/** "53.4 ± 1.2", "—" where the metric does not apply. */
export function fmtEstimate(mean: number | null, ci: number | null): string {
  if (mean === null) return "—";
  return ci === null ? fmtNum(mean) : `${fmtNum(mean)} ± ${fmtNum(ci)}`;
}

const cell = (r: PegRow, k: PegMetric): string => fmtEstimate(r.mean[k], r.ci95[k]);
export const policyLabel = (r: Pick<PegRow, "policy" | "unconstrained">): string =>
  r.unconstrained ? `${r.policy} (unconstrained)` : r.policy === "ballast" ? "**ballast**" : r.policy;

/** Rows in scenario order, policies in POLICY_NAMES order, the unconstrained last. */
export function orderRows(rows: PegRow[]): PegRow[] {
  const labels = [...new Set(rows.map((r) => r.scenario))];
  const rank = (p: string): number => (POLICY_NAMES as readonly string[]).indexOf(p);
  return [...rows].sort(
    (a, b) =>
      labels.indexOf(a.scenario) - labels.indexOf(b.scenario) ||
      Number(a.unconstrained) - Number(b.unconstrained) ||
      rank(a.policy) - rank(b.policy),
  );
}

/** Every scenario × policy: mean ± 95% CI over the seeds. On V3 the total cost is net of Ballast's own position's LP fees, shown beside it. */
export function pegMonteCarloMarkdown(rows: PegRow[]): string {
  const v3 = rows.some((r) => r.venue === "v3");
  const columns = [
    "scenario",
    "policy",
    "seeds",
    "max dev bps",
    "max dev after shock bps",
    "worst blocks outside ±50",
    "worst blocks outside ±10",
    "time outside ±50 %",
    "RMS bps",
    v3 ? "total cost $ (net of LP fees)" : "total cost $",
    ...(v3 ? ["LP fees earned $"] : []),
    "cost per bps removed $",
    "min ratio (ES 5%)",
    "actions",
    "failures (seeds)",
  ];
  const header = `| ${columns.join(" | ")} |`;
  const lines = orderRows(rows.filter((r) => !r.setting)).map((r) => {
    const ratio =
      r.mean.minCollateralRatio === null
        ? "—"
        : `${cell(r, "minCollateralRatio")} (${round(r.minCollateralRatioEs5, 4)})`;
    const failures =
      Object.entries(r.failures)
        .map(([f, n]) => `${f} (${n})`)
        .join(", ") || "—";
    return `| ${r.scenario} | ${policyLabel(r)} | ${r.seeds} | ${cell(r, "maxDeviationBps")} | ${cell(
      r,
      "maxDeviationAfterShockBps",
    )} | ${cell(r, "blocksTo50Bps")} | ${cell(r, "blocksTo10Bps")} | ${cell(r, "timeOutside50BpsPct")} | ${cell(
      r,
      "rmsBps",
    )} | ${cell(r, "totalCostUsd")} | ${v3 ? `${cell(r, "lpFeesUsd")} | ` : ""}${cell(
      r,
      "costPerBpsRemovedUsd",
    )} | ${ratio} | ${cell(r, "actions")} | ${failures} |`;
  });
  return [header, "|" + "---|".repeat(columns.length), ...lines].join("\n") + "\n";
}

/** The metrics the README compares, lower is better for each. */
export const COMPARED: { metric: PegMetric; title: string }[] = [
  { metric: "rmsBps", title: "RMS bps" },
  { metric: "maxDeviationAfterShockBps", title: "max dev after shock bps" },
  { metric: "blocksTo50Bps", title: "worst blocks outside ±50" },
  { metric: "blocksTo10Bps", title: "worst blocks outside ±10" },
  { metric: "timeOutside50BpsPct", title: "time outside ±50 %" },
  { metric: "totalCostUsd", title: "total cost $" },
];

export interface Comparison {
  scenario: string;
  metric: PegMetric;
  title: string;
  ballast: PegRow;
  /** The constrained reference with the best (lowest) mean; the unconstrained and bounds never count. */
  best: PegRow;
  /** Ballast − best, paired over the same seeds. */
  difference: Estimate;
  verdict: "behind" | "tied" | "ahead";
}

const isReference = (r: PegRow): boolean =>
  r.policy !== "ballast" && !r.unconstrained && !BOUND_POLICIES.includes(r.policy) && !r.setting;

/** Ballast against the best reference per scenario and metric, with the paired verdict. */
export function compareWithReferences(rows: PegRow[]): Comparison[] {
  const out: Comparison[] = [];
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const ballast = rows.find((r) => r.scenario === scenario && r.policy === "ballast" && !r.setting);
    const refs = rows.filter((r) => r.scenario === scenario && isReference(r));
    if (!ballast || refs.length === 0) continue;
    for (const { metric, title } of COMPARED) {
      const valued = refs.filter((r) => r.mean[metric] !== null);
      if (valued.length === 0 || ballast.mean[metric] === null) continue;
      const best = valued.reduce((a, r) => ((r.mean[metric] as number) < (a.mean[metric] as number) ? r : a));
      const difference = pairedDifferenceCi95(
        ballast.perSeed.map((s) => s[metric as keyof typeof s] as number),
        best.perSeed.map((s) => s[metric as keyof typeof s] as number),
      );
      // One seed has no interval: the sign of the difference decides.
      const lo = difference.mean - (difference.ci95 ?? 0);
      const hi = difference.mean + (difference.ci95 ?? 0);
      const verdict = lo > 0 ? "behind" : hi < 0 ? "ahead" : "tied";
      out.push({ scenario, metric, title, ballast, best, difference, verdict });
    }
  }
  return out;
}

/** The README's peg section: Ballast against the best reference and the bound, then the verdict in prose. */
export function readmePegSection(rows: PegRow[], meta: { seeds: number; generatedBy: string }): string {
  const comparisons = compareWithReferences(rows);
  const scenarios = [...new Set(comparisons.map((c) => c.scenario))];
  const boundRows = rows.filter((r) => BOUND_POLICIES.includes(r.policy) && !r.setting);
  const shown = COMPARED.filter((c) =>
    ["rmsBps", "maxDeviationAfterShockBps", "blocksTo50Bps", "totalCostUsd"].includes(c.metric),
  );
  const header = [
    "scenario",
    ...shown.flatMap((c) => [`Ballast ${c.title}`, "best reference", ...(boundRows.length ? ["bound"] : [])]),
  ];
  const lines = scenarios.map((scenario) => {
    const cells = shown.flatMap(({ metric }) => {
      const c = comparisons.find((x) => x.scenario === scenario && x.metric === metric);
      if (!c) return ["—", "—", ...(boundRows.length ? ["—"] : [])];
      const b = fmtEstimate(c.ballast.mean[metric], c.ballast.ci95[metric]);
      const best = `${c.best.policy} ${fmtEstimate(c.best.mean[metric], c.best.ci95[metric])}`;
      const bound = boundRows.find((r) => r.scenario === scenario);
      return [
        c.verdict === "behind" ? `**${b}**` : b,
        best,
        ...(boundRows.length
          ? [bound ? `${bound.policy} ${fmtEstimate(bound.mean[metric], bound.ci95[metric])}` : "—"]
          : []),
      ];
    });
    return `| ${scenario} | ${cells.join(" | ")} |`;
  });
  const table = [`| ${header.join(" | ")} |`, "|" + "---|".repeat(header.length), ...lines].join("\n");
  const behind = comparisons.filter((c) => c.verdict === "behind");
  const tied = comparisons.filter((c) => c.verdict === "tied");
  const ahead = comparisons.filter((c) => c.verdict === "ahead");
  const detailed = (c: Comparison): string =>
    `${c.title} (${fmtEstimate(c.ballast.mean[c.metric], c.ballast.ci95[c.metric])} against ${
      c.best.policy
    } ${fmtEstimate(c.best.mean[c.metric], c.best.ci95[c.metric])})`;
  const byScenario = (list: Comparison[], describe: (c: Comparison) => string): string =>
    [...new Set(list.map((c) => c.scenario))]
      .map(
        (sc) =>
          `**${sc}**: ${list
            .filter((c) => c.scenario === sc)
            .map(describe)
            .join(", ")}`,
      )
      .join("; ");
  const unconstrained = [...new Set(rows.filter((r) => r.unconstrained).map((r) => r.policy))];
  const prose = [
    `Means ± 95% confidence intervals (Student t) over ${meta.seeds} seeds per scenario, from \`${meta.generatedBy}\`; every metric is defined in [docs/simulation.md](docs/simulation.md). ` +
      `"Best reference" is the constrained reference policy with the lowest mean in that column (a total cost of 0 is a policy that never acts); Ballast's cell is **bold** where it is behind. ` +
      `Each verdict compares the two on the same seeds (the paired difference and its 95% CI): behind or ahead only when the interval excludes zero, tied otherwise.` +
      (unconstrained.length
        ? ` ${unconstrained.join(
            ", ",
          )} (unconstrained: no gas, fees, latency or caps) is in reports/bench.md but never compared.`
        : ""),
    "",
    `**Where Ballast is behind** the best reference, ${behind.length} of ${comparisons.length} comparisons: ${
      behind.length ? byScenario(behind, detailed) : "none"
    }.`,
    "",
    `**Tied** within noise: ${tied.length}${tied.length ? ` (${byScenario(tied, (c) => c.title)})` : ""}. **Ahead**: ${
      ahead.length
    }${ahead.length ? ` (${byScenario(ahead, detailed)})` : ""}.`,
  ].join("\n");
  return `${table}\n\n${prose}\n`;
}
