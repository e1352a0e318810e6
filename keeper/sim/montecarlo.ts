/**
 * Monte Carlo runs: every scenario × policy (× sweep setting) over N seeds, in parallel on worker
 * threads. A task is one run; it is a pure function of its scenario, policy, seed and setting, so
 * a worker and this thread give bit-identical summaries, and results are put back in task order
 * whatever order the workers finish in. Seed 0 is the scenario file's own seed (the single-seed
 * runs of before); seed i > 0 is derived from it by a fixed integer hash.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { type RunTrace, runScenario } from "./engine";
import { type PegSummary, summarise } from "./metrics";
import type { RunPlanItem } from "./runAll";
import type { Scenario } from "./scenario";
import type { VenueKind } from "./market";
import { type SweepSetting, applySetting, sweepBaseFor } from "./sweep";
import type { PolicyName } from "./types";

/** The scenario seed of Monte Carlo draw `index`: the file's seed for 0, a 32-bit mix of both after. */
export function deriveSeed(scenarioSeed: number, index: number): number {
  if (index === 0) return scenarioSeed;
  // splitmix32-style finaliser of seed and index: neighbouring indices land far apart.
  let h = (Math.imul(scenarioSeed >>> 0, 0x9e3779b1) ^ Math.imul(index, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export interface McTask {
  id: number;
  scenario: Scenario;
  policy: PolicyName;
  keeperLatencyBlocks?: number;
  seedIndex: number;
  /** A sweep point for Ballast's own parameters; absent: the defaults. */
  setting?: SweepSetting;
  /** Return the per-block samples too (charts and CSVs of seed 0). */
  keepTrace: boolean;
  /** The pool the run trades in; absent: the V2 pair. */
  venue?: VenueKind;
}

export interface McResult {
  task: McTask;
  summary: PegSummary;
  trace?: RunTrace;
}

/** One task for every plan item × seed (× setting, when given), ids in that order. */
export function monteCarloTasks(
  items: RunPlanItem[],
  seeds: number,
  opts: {
    setting?: SweepSetting;
    traceSeed0?: boolean;
    traceScenarios?: string[];
    firstId?: number;
    venue?: VenueKind;
  } = {},
): McTask[] {
  const tasks: McTask[] = [];
  let id = opts.firstId ?? 0;
  for (const item of items) {
    for (let seedIndex = 0; seedIndex < seeds; seedIndex++) {
      tasks.push({
        id: id++,
        scenario: item.scenario,
        policy: item.policy,
        keeperLatencyBlocks: item.keeperLatencyBlocks,
        seedIndex,
        setting: opts.setting,
        keepTrace:
          (opts.traceSeed0 ?? false) && seedIndex === 0 && (opts.traceScenarios?.includes(item.scenario.name) ?? true),
        ...(opts.venue ? { venue: opts.venue } : {}),
      });
    }
  }
  return tasks;
}

/** Runs one task in this thread. `onBlocks` hears of progress in blocks done since the last call. */
export function runTask(task: McTask, onBlocks?: (blocks: number) => void): McResult {
  const scenario = { ...task.scenario, seed: deriveSeed(task.scenario.seed, task.seedIndex) };
  const setting =
    task.setting && Object.keys(task.setting).length > 0
      ? applySetting(task.setting, sweepBaseFor(task.venue ?? "v2"))
      : undefined;
  const every = 500;
  const r = runScenario(scenario, task.policy, {
    keeperLatencyBlocks: task.keeperLatencyBlocks,
    venue: task.venue,
    config: setting?.config,
    decision: setting?.decision,
    progressEvery: every,
    onProgress: onBlocks ? () => onBlocks(every) : undefined,
  });
  onBlocks?.(scenario.blocks % every);
  const summary = summarise(r);
  const trace = task.keepTrace
    ? {
        scenario: r.scenario,
        label: r.label,
        policy: r.policy,
        keeperLatencyBlocks: r.keeperLatencyBlocks,
        samples: r.samples,
      }
    : undefined;
  return { task, summary, ...(trace ? { trace } : {}) };
}

export type WorkerMessage =
  | { type: "blocks"; blocks: number }
  | { type: "done"; result: McResult }
  | { type: "error"; id: number; message: string };

export interface PoolOptions {
  /** Worker threads; 0 runs in this thread. Default: the machine's available parallelism. */
  workers?: number;
  /** Blocks done so far and in all, after each progress report. */
  onProgress?: (blocksDone: number, blocksTotal: number, last: McTask | null) => void;
}

export const defaultWorkers = (): number => availableParallelism();

const WORKER_ENTRY = resolve(__dirname, `montecarloWorker${__filename.endsWith(".ts") ? ".ts" : ".js"}`);

/**
 * The worker's bootstrap: under ts-node (this file is .ts) the worker registers ts-node itself,
 * transpile-only, with the project's tsconfig, then loads the entry; compiled, it loads it directly.
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
if (workerData.tsNode) require(workerData.tsNode).register({ transpileOnly: true, project: workerData.tsconfig });
require(workerData.entry);
`;

function spawnWorker(): Worker {
  const ts = WORKER_ENTRY.endsWith(".ts");
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      entry: WORKER_ENTRY,
      tsNode: ts ? require.resolve("ts-node") : null,
      tsconfig: resolve(__dirname, "../../tsconfig.json"),
    },
  });
}

/** Runs the tasks (in parallel unless workers = 0) and returns their results in task order. */
export async function runTasks(tasks: McTask[], opts: PoolOptions = {}): Promise<McResult[]> {
  const workers = Math.min(opts.workers ?? defaultWorkers(), tasks.length);
  const blocksTotal = tasks.reduce((a, t) => a + t.scenario.blocks, 0);
  let blocksDone = 0;
  const byId = new Map<number, McResult>();
  const progress = (blocks: number, last: McTask | null): void => {
    blocksDone += blocks;
    opts.onProgress?.(blocksDone, blocksTotal, last);
  };
  if (workers <= 0) {
    for (const t of tasks)
      byId.set(
        t.id,
        runTask(t, (b) => progress(b, t)),
      );
  } else {
    // Longest runs first, so no thread is left with a long one at the end.
    const queue = [...tasks].sort((a, b) => b.scenario.blocks - a.scenario.blocks || a.id - b.id);
    await new Promise<void>((resolvePool, reject) => {
      const pool: Worker[] = [];
      let failed = false;
      const current = new Map<Worker, McTask | null>();
      const retired = new Set<Worker>();
      const retire = (w: Worker): void => {
        retired.add(w);
        void w.terminate();
      };
      const fail = (e: Error): void => {
        if (failed) return;
        failed = true;
        for (const w of pool) retire(w);
        reject(e);
      };
      const feed = (w: Worker): void => {
        const next = queue.shift();
        current.set(w, next ?? null);
        if (next) w.postMessage(next);
        else retire(w);
      };
      for (let i = 0; i < workers; i++) {
        const w = spawnWorker();
        pool.push(w);
        w.on("message", (msg: WorkerMessage) => {
          if (msg.type === "blocks") progress(msg.blocks, current.get(w) ?? null);
          else if (msg.type === "error")
            fail(new Error(`simulation task ${msg.id} failed in a worker: ${msg.message}`));
          else {
            byId.set(msg.result.task.id, msg.result);
            if (byId.size === tasks.length) {
              for (const p of pool) retire(p);
              resolvePool();
            } else feed(w);
          }
        });
        w.on("error", (e) => fail(e));
        w.on("exit", (code) => {
          if (!retired.has(w) && !failed) fail(new Error(`a simulation worker exited unexpectedly (code ${code})`));
        });
        feed(w);
      }
    });
  }
  return tasks.map((t) => {
    const r = byId.get(t.id);
    if (!r) throw new Error(`simulation task ${t.id} has no result`);
    return r;
  });
}
