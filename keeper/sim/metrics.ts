/** The summary of one run: the fields of a reports/bench.json "peg" row, plus a few more. */
import type { RunResult } from "./engine";

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
  /** Longest stretch of consecutive blocks spent outside ±50 bps (the worst recovery), blocks. */
  blocksTo50Bps: number;
  blocksTo10Bps: number;
  timeOutside50BpsPct: number;
  rmsBps: number;
  reserveSpent: number;
  profit: number;
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

export function summarise(r: RunResult): PegSummary {
  const dev = r.samples.map((s) => s.deviationBps);
  const n = dev.length;
  const maxDev = dev.reduce((a, d) => Math.max(a, Math.abs(d)), 0);
  const rms = Math.sqrt(dev.reduce((a, d) => a + d * d, 0) / n);
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
    blocksTo50Bps: longestExcursion(dev, 50),
    blocksTo10Bps: longestExcursion(dev, 10),
    timeOutside50BpsPct: round((100 * outside50) / n),
    rmsBps: round(rms),
    reserveSpent: round(st.reserveSpentUsd, 0),
    profit: round(st.profitUsd, 0),
    supplyChurnPct: round((100 * churn) / r.initialSupply),
    actions: st.actions,
    failedTx: st.failedTx,
    gas: st.gas,
    failures: (Object.keys(failures) as (keyof Failures)[]).filter((k) => failures[k]),
    ...("blockers" in r.policyState ? { standStill: { ...(r.policyState as { blockers: Record<string, number> }).blockers } } : {}),
  };
}
