/** Runs scenarios × policies (expanding keeper-latency sweeps) and summarises each run. */
import { type RunResult, runScenario } from "./engine";
import { type PegSummary, summarise } from "./metrics";
import type { Scenario } from "./scenario";
import { POLICY_NAMES, type PolicyName } from "./types";

export interface RunPlanItem {
  scenario: Scenario;
  policy: PolicyName;
  keeperLatencyBlocks?: number;
}

export function plan(scenarios: Scenario[], policies: readonly PolicyName[] = POLICY_NAMES): RunPlanItem[] {
  const items: RunPlanItem[] = [];
  for (const scenario of scenarios) {
    const latencies = scenario.sweep?.keeperLatencyBlocks ?? [undefined];
    for (const keeperLatencyBlocks of latencies) for (const policy of policies) items.push({ scenario, policy, keeperLatencyBlocks });
  }
  return items;
}

export interface Progress {
  item: RunPlanItem;
  index: number;
  total: number;
  blocksDone: number;
  blocksTotal: number;
}

export interface RunAllResult {
  runs: RunResult[];
  summaries: PegSummary[];
}

export function runAll(items: RunPlanItem[], onProgress?: (p: Progress) => void, keepSamples = true): RunAllResult {
  const runs: RunResult[] = [];
  const summaries: PegSummary[] = [];
  items.forEach((item, index) => {
    const total = items.length;
    const blocksTotal = items.reduce((a, i) => a + i.scenario.blocks, 0);
    const before = items.slice(0, index).reduce((a, i) => a + i.scenario.blocks, 0);
    const result = runScenario(item.scenario, item.policy, {
      keeperLatencyBlocks: item.keeperLatencyBlocks,
      progressEvery: 2000,
      onProgress: (b) => onProgress?.({ item, index, total, blocksDone: before + b, blocksTotal }),
    });
    summaries.push(summarise(result));
    if (keepSamples) runs.push(result);
    onProgress?.({ item, index, total, blocksDone: before + item.scenario.blocks, blocksTotal });
  });
  return { runs, summaries };
}
