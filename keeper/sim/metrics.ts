/**
 * The summary of one run (one scenario, policy and seed): the reports/bench.json "peg" fields,
 * plus the cost in USD and the deviation a policy can influence. docs/simulation.md defines each.
 */
import type { RunResult } from "./engine";
import type { Scenario } from "./scenario";
import type { PolicyStats } from "./types";

export interface Failures {
  reserveExhausted: boolean;
  ratioBelow100: boolean;
  /** Price outside [0.97, 1.03] for 25 or more consecutive blocks. */
  depeg25Blocks: boolean;
}

export interface PegSummary {
  scenario: string;
  policy: string;
  keeperLatencyBlocks: number;
  maxDeviationBps: number;
  /** Worst |deviation| outside the first `shockBlocks` blocks of each one-block shock, bps. */
  maxDeviationAfterShockBps: number;
  /** Longest stretch of consecutive blocks spent outside ±50 bps (the worst recovery), blocks. */
  blocksTo50Bps: number;
  blocksTo10Bps: number;
  timeOutside50BpsPct: number;
  rmsBps: number;
  reserveSpent: number;
  profit: number;
  /** Gas the policy's transactions paid, USD at each block's gas and ETH prices. */
  gasUsd: number;
  /** What the design paid others to act for it (caller shares, rewards), USD. */
  subsidyUsd: number;
  /** V3: LP fees the protocol's own position earned, USD (0 for a design without one). */
  lpFeesUsd: number;
  /** V3: the protocol's own position's mark-to-market over the run, USD (0 for a design without one). */
  polPnlUsd: number;
  /** gasUsd + subsidyUsd − trading P&L of the protocol's operations − its own position's LP fees and mark-to-market (negative = net profit), USD. */
  totalCostUsd: number;
  /** Lowest collateral ratio at true prices over the run; null where the design holds no collateral. */
  minCollateralRatio: number | null;
  supplyChurnPct: number;
  actions: number;
  failedTx: number;
  gas: number;
  failures: string[];
  /** Ballast only: why the keeper stood still, blocks per reason (its decide() reasons). */
  standStill?: Record<string, number>;
}

/** Longest run of consecutive samples with |deviation| > bps. */
export function longestExcursion(deviationsBps: number[], bps: number): number {
  let best = 0;
  let run = 0;
  for (const d of deviationsBps) {
    run = Math.abs(d) > bps ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The blocks of the scenario's one-block shocks: flows that land all at once (fromBlock = toBlock). */
export function shockBlocksOf(s: Pick<Scenario, "flows">): number[] {
  return [...new Set(s.flows.filter((f) => f.fromBlock === f.toBlock).map((f) => f.fromBlock))].sort((a, b) => a - b);
}

/**
 * Worst |deviation| leaving out, after each shock block b, the samples b … b + window − 1 (the
 * shock itself and the blocks no policy can yet answer). window 0 leaves nothing out.
 */
export function maxDeviationAfterShocks(
  deviationsBps: readonly number[],
  shocks: readonly number[],
  window: number,
): number {
  let worst = 0;
  let s = 0;
  for (let i = 0; i < deviationsBps.length; i++) {
    while (s < shocks.length && shocks[s] + window <= i) s++;
    if (s < shocks.length && i >= shocks[s] && i < shocks[s] + window) continue;
    worst = Math.max(worst, Math.abs(deviationsBps[i]));
  }
  return worst;
}

/** Root mean square of the deviations, bps. */
export function rmsOf(deviationsBps: readonly number[]): number {
  return Math.sqrt(deviationsBps.reduce((a, d) => a + d * d, 0) / deviationsBps.length);
}

/** Gas plus subsidies minus the trading P&L of the protocol's own operations and of its own pool position (LP fees, mark-to-market), USD. */
export function totalCostUsd(
  st: Pick<PolicyStats, "gasUsd" | "subsidyUsd" | "profitUsd"> & Partial<Pick<PolicyStats, "lpFeesUsd" | "polPnlUsd">>,
): number {
  return st.gasUsd + st.subsidyUsd - st.profitUsd - (st.lpFeesUsd ?? 0) - (st.polPnlUsd ?? 0);
}

export function summarise(r: RunResult): PegSummary {
  const dev = r.samples.map((s) => s.deviationBps);
  const n = dev.length;
  const maxDev = dev.reduce((a, d) => Math.max(a, Math.abs(d)), 0);
  const rms = rmsOf(dev);
  let minRatio: number | null = null;
  for (const s of r.samples)
    if (s.ratio !== null && Number.isFinite(s.ratio) && (minRatio === null || s.ratio < minRatio)) minRatio = s.ratio;
  const outside50 = dev.filter((d) => Math.abs(d) > 50).length;
  let churn = 0;
  for (let i = 1; i < n; i++) churn += Math.abs(r.samples[i].supply - r.samples[i - 1].supply);
  const failures: Failures = {
    reserveExhausted: r.samples.some((s) => s.extra.exhausted === 1),
    ratioBelow100: r.samples.some((s) => s.ratio !== null && s.ratio < 1),
    depeg25Blocks: longestExcursion(dev, 300) >= 25,
  };
  const st = r.policyState.stats;
  return {
    scenario: r.label,
    policy: r.policy,
    keeperLatencyBlocks: r.keeperLatencyBlocks,
    maxDeviationBps: round(maxDev),
    maxDeviationAfterShockBps: round(maxDeviationAfterShocks(dev, r.shocks.blocks, r.shocks.window)),
    blocksTo50Bps: longestExcursion(dev, 50),
    blocksTo10Bps: longestExcursion(dev, 10),
    timeOutside50BpsPct: round((100 * outside50) / n),
    rmsBps: round(rms),
    reserveSpent: round(st.reserveSpentUsd, 0),
    profit: round(st.profitUsd, 0),
    gasUsd: round(st.gasUsd),
    subsidyUsd: round(st.subsidyUsd),
    lpFeesUsd: round(st.lpFeesUsd),
    polPnlUsd: round(st.polPnlUsd),
    totalCostUsd: round(totalCostUsd(st)),
    minCollateralRatio: minRatio === null ? null : round(minRatio, 4),
    supplyChurnPct: round((100 * churn) / r.initialSupply),
    actions: st.actions,
    failedTx: st.failedTx,
    gas: st.gas,
    failures: (Object.keys(failures) as (keyof Failures)[]).filter((k) => failures[k]),
    ...("blockers" in r.policyState
      ? { standStill: { ...(r.policyState as { blockers: Record<string, number> }).blockers } }
      : {}),
  };
}
