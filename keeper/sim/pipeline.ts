/**
 * The Monte Carlo pipeline shared by `simulate` and `bench`: plan every scenario × policy × seed
 * (plus Ballast at each sweep setting), run them all in one worker pool, reduce them to rows, and
 * write the frontier. `none` always runs (as the baseline of cost per bps removed) and is reported
 * only when asked for.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PegRow, aggregate } from "./aggregate";
import type { RunTrace } from "./engine";
import type { VenueKind } from "./market";
import { type McResult, type McTask, monteCarloTasks, runTasks } from "./montecarlo";
import { type FrontierScenario, frontierHtml, frontierMarkdown, frontierPoints, frontierSvg } from "./report/frontier";
import { plan } from "./runAll";
import type { Scenario } from "./scenario";
import { type SweepSpec, isDefaultSetting, settingLabel } from "./sweep";
import { BASELINE_POLICY, type PolicyName } from "./types";

export interface MonteCarloPlan {
  scenarios: Scenario[];
  policies: PolicyName[];
  seeds: number;
  workers: number;
  sweep?: SweepSpec;
  /** Keep seed 0's per-block samples (CSVs, charts). */
  traceSeed0: boolean;
  /** Only for these scenario names (default: all). */
  traceScenarios?: string[];
  /** The pool every run trades in (default: the V2 pair). */
  venue?: VenueKind;
}

export interface SweepRow {
  label: string;
  row: PegRow;
}

export interface MonteCarloOutcome {
  /** One row per scenario × requested policy (default settings). */
  rows: PegRow[];
  /** One row per scenario × sweep setting (Ballast). */
  sweepRows: SweepRow[];
  /** Seed 0's runs, when asked for. */
  traces: RunTrace[];
  runs: number;
}

export async function runMonteCarlo(
  p: MonteCarloPlan,
  onProgress?: (done: number, total: number, last: McTask | null) => void,
): Promise<MonteCarloOutcome> {
  const settings = p.sweep?.settings ?? [];
  const needsBallast = settings.length > 0 && !p.policies.includes("ballast");
  const runPolicies = [
    ...new Set<PolicyName>([
      ...p.policies,
      ...(needsBallast ? ["ballast" as PolicyName] : []),
      BASELINE_POLICY as PolicyName,
    ]),
  ];
  const main = monteCarloTasks(plan(p.scenarios, runPolicies), p.seeds, {
    traceSeed0: p.traceSeed0,
    traceScenarios: p.traceScenarios,
    venue: p.venue,
  });
  const swept = settings.filter((s) => !isDefaultSetting(s));
  const sweepTasks: McTask[] = [];
  for (const setting of swept)
    sweepTasks.push(
      ...monteCarloTasks(plan(p.scenarios, ["ballast"]), p.seeds, {
        setting,
        firstId: main.length + sweepTasks.length,
        venue: p.venue,
      }),
    );
  const results = await runTasks([...main, ...sweepTasks], { workers: p.workers, onProgress });
  const mainResults = results.slice(0, main.length);
  const allRows = aggregate(mainResults);
  const rows = allRows.filter((r) => p.policies.includes(r.policy as PolicyName));
  const sweepRows: SweepRow[] = [];
  const swRows = aggregate(results.slice(main.length), mainResults);
  for (const setting of settings) {
    const label = settingLabel(setting);
    if (isDefaultSetting(setting)) {
      // The defaults' runs are the plain ballast runs, bit for bit: reuse them.
      for (const r of allRows.filter((x) => x.policy === "ballast")) sweepRows.push({ label, row: r });
    } else {
      for (const r of swRows.filter((x) => JSON.stringify(x.setting) === JSON.stringify(setting)))
        sweepRows.push({ label, row: r });
    }
  }
  const traces = mainResults
    .filter((r) => r.trace && p.policies.includes(r.task.policy))
    .map((r) => r.trace as RunTrace);
  return { rows, sweepRows, traces, runs: results.length };
}

/** The frontier's scenarios: each run label with its sweep points and references. */
export function frontierScenarios(rows: PegRow[], sweepRows: SweepRow[]): FrontierScenario[] {
  return [...new Set(rows.map((r) => r.scenario))].map((scenario) => {
    const points = frontierPoints(scenario, sweepRows, rows);
    // A sweep point at the defaults is the plain ballast row: show it once, as the sweep point.
    const dedup = points.filter(
      (pt) => pt.kind === "setting" || !points.some((q) => q.kind === "setting" && q.row === pt.row),
    );
    return { scenario, points: dedup };
  });
}

/** Writes frontier.html and one frontier-<scenario>.svg per scenario into `outDir`; returns the files. */
export function writeFrontier(
  outDir: string,
  scenarios: FrontierScenario[],
  meta: { sweep: string; seeds: number; generatedBy: string },
): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const sc of scenarios) {
    const file = join(outDir, `frontier-${sc.scenario.replace(/[^a-z0-9@-]/gi, "_")}.svg`);
    writeFileSync(file, frontierSvg(sc));
    files.push(file);
  }
  const page = join(outDir, "frontier.html");
  writeFileSync(page, frontierHtml(scenarios, { title: "Ballast: cost vs tightness frontier", ...meta }));
  const table = join(outDir, "frontier.md");
  writeFileSync(table, frontierMarkdown(scenarios, meta));
  return [...files, page, table];
}

export type { McResult };
