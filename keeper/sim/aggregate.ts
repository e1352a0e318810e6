/**
 * Monte Carlo rows: the runs of one scenario × policy (× sweep setting) over their seeds, reduced
 * to a mean and a 95% confidence interval per metric (keeper/sim/stats.ts), the cost per bps of
 * RMS removed against `none` on the same seeds, and the 5% expected shortfall of the lowest
 * collateral ratio across seeds.
 */
import type { VenueKind } from "./market";
import type { PegSummary } from "./metrics";
import type { McResult } from "./montecarlo";
import { type Estimate, expectedShortfallLow, meanCi95, ratioOfMeansCi95 } from "./stats";
import { type SweepSetting } from "./sweep";
import { BASELINE_POLICY, isUnconstrained } from "./types";

/** The per-run numbers averaged over seeds, each with a 95% CI in `ci95`. */
export const PEG_METRICS = [
  "maxDeviationBps",
  "maxDeviationAfterShockBps",
  "blocksTo50Bps",
  "blocksTo10Bps",
  "timeOutside50BpsPct",
  "rmsBps",
  "reserveSpent",
  "profit",
  "supplyChurnPct",
  "actions",
  "failedTx",
  "gas",
  "gasUsd",
  "subsidyUsd",
  "lpFeesUsd",
  "polPnlUsd",
  "totalCostUsd",
  "minCollateralRatio",
] as const satisfies readonly (keyof PegSummary)[];

export type PegMetric = (typeof PEG_METRICS)[number] | "costPerBpsRemovedUsd";

export interface PegRow {
  /** Run label: the scenario, plus "@latency" in a keeper-latency sweep. */
  scenario: string;
  policy: string;
  /** The pool the runs traded in. */
  venue: VenueKind;
  keeperLatencyBlocks: number;
  /** The sweep point, when the row is one; absent for the policy's own defaults. */
  setting?: SweepSetting;
  seeds: number;
  /** Outside the constraints every other policy lives under: never ranked or compared. */
  unconstrained: boolean;
  /** Means over seeds (null where the metric does not apply, e.g. a ratio without collateral). */
  mean: Record<PegMetric, number | null>;
  /** 95% CI half-widths (null with one seed or where the metric does not apply). */
  ci95: Record<PegMetric, number | null>;
  /** 5% expected shortfall of minCollateralRatio across seeds (the bad tail). */
  minCollateralRatioEs5: number | null;
  /** Every failure seen, with the number of seeds it occurred in. */
  failures: Record<string, number>;
  /** Ballast only: mean blocks per stand-still reason. */
  keeperStandStill?: Record<string, number>;
  /** The per-seed summaries, in seed order (for paired comparisons; not written to JSON). */
  perSeed: PegSummary[];
}

const venueOf = (r: McResult): VenueKind => r.task.venue ?? "v2";
/** Costs are paired with `none` on the same scenario and the same venue. */
const baselineKey = (r: McResult): string => `${r.summary.scenario}\u0000${venueOf(r)}`;

const settingKey = (s?: SweepSetting): string => (s ? JSON.stringify(Object.entries(s).sort()) : "");

function estimate(values: (number | null)[]): Estimate | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return xs.length === 0 ? null : meanCi95(xs);
}

/**
 * Groups results by run label, policy and setting (in first-seen order) and reduces each group.
 * `baseline` results (none, default setting) supply cost per bps removed; they may be the same list.
 */
export function aggregate(results: McResult[], baseline: McResult[] = results): PegRow[] {
  const groups = new Map<string, McResult[]>();
  for (const r of results) {
    const key = `${r.summary.scenario}\u0000${r.summary.policy}\u0000${settingKey(r.task.setting)}\u0000${venueOf(r)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const baselineOf = new Map<string, PegSummary[]>();
  for (const r of baseline) {
    if (r.summary.policy !== BASELINE_POLICY || r.task.setting) continue;
    const list = baselineOf.get(baselineKey(r)) ?? [];
    list[r.task.seedIndex] = r.summary;
    baselineOf.set(baselineKey(r), list);
  }
  return [...groups.values()].map((group) => {
    const runs = [...group].sort((a, b) => a.task.seedIndex - b.task.seedIndex);
    const perSeed = runs.map((r) => r.summary);
    const first = perSeed[0];
    const mean = {} as Record<PegMetric, number | null>;
    const ci95 = {} as Record<PegMetric, number | null>;
    for (const metric of PEG_METRICS) {
      const e = estimate(perSeed.map((s) => s[metric]));
      mean[metric] = e?.mean ?? null;
      ci95[metric] = e?.ci95 ?? null;
    }
    const cost = costPerBpsRemoved(runs, baselineOf.get(baselineKey(runs[0])));
    mean.costPerBpsRemovedUsd = cost?.mean ?? null;
    ci95.costPerBpsRemovedUsd = cost?.ci95 ?? null;
    const ratios = perSeed.map((s) => s.minCollateralRatio).filter((v): v is number => v !== null);
    const failures: Record<string, number> = {};
    for (const s of perSeed) for (const f of s.failures) failures[f] = (failures[f] ?? 0) + 1;
    const standStill = perSeed.some((s) => s.standStill)
      ? meanCounts(perSeed.map((s) => s.standStill ?? {}))
      : undefined;
    return {
      scenario: first.scenario,
      policy: first.policy,
      venue: venueOf(runs[0]),
      keeperLatencyBlocks: first.keeperLatencyBlocks,
      ...(runs[0].task.setting ? { setting: runs[0].task.setting } : {}),
      seeds: perSeed.length,
      unconstrained: isUnconstrained(first.policy),
      mean,
      ci95,
      minCollateralRatioEs5: ratios.length === perSeed.length ? expectedShortfallLow(ratios, 0.05) : null,
      failures,
      ...(standStill ? { keeperStandStill: standStill } : {}),
      perSeed,
    };
  });
}

/**
 * Extra cost over `none` per bps of RMS removed, paired by seed: mean(Δcost) / mean(ΔRMS).
 * Null for `none` itself, without its runs, or where the policy removes no RMS on average.
 */
function costPerBpsRemoved(runs: McResult[], baseline: PegSummary[] | undefined): Estimate | null {
  if (!baseline || runs[0].summary.policy === BASELINE_POLICY) return null;
  const paired = runs.filter((r) => baseline[r.task.seedIndex] !== undefined);
  if (paired.length !== runs.length) return null;
  const dCost = paired.map((r) => r.summary.totalCostUsd - baseline[r.task.seedIndex].totalCostUsd);
  const dRms = paired.map((r) => baseline[r.task.seedIndex].rmsBps - r.summary.rmsBps);
  return ratioOfMeansCi95(dCost, dRms);
}

function meanCounts(counts: Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(counts.flatMap((c) => Object.keys(c)))].sort();
  return Object.fromEntries(
    keys.map((k) => [k, Math.round((10 * counts.reduce((a, c) => a + (c[k] ?? 0), 0)) / counts.length) / 10]),
  );
}
