/** The run plan: scenarios × policies, expanding each scenario's keeper-latency sweep. */
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
    for (const keeperLatencyBlocks of latencies)
      for (const policy of policies) items.push({ scenario, policy, keeperLatencyBlocks });
  }
  return items;
}
