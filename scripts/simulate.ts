/**
 * `npm run simulate -- [--scenario <name|file.json>] [--policy <name>] [--seeds N] [--workers N]
 *   [--sweep <param>=<a>:<b>:<step>] [--venue v2|v3|both] [--out <dir>] [--chart <scenario>] [--on-chain]`
 *
 * Runs the market model over the scenarios (all built-in ones by default) under every policy (or
 * the ones named), side by side, over N seeds (Monte Carlo, in parallel on worker threads), and
 * writes seed 0's per-block CSVs, an SVG chart of price vs peg for all policies on one scenario, the
 * HTML report, and the summary table (mean ± 95% CI, markdown + JSON). `--sweep` also runs Ballast
 * at every setting of its own parameters and writes the cost-vs-tightness frontier. Every option
 * is checked before anything runs; a bad one fails naming it and writes nothing. `--venue` picks the
 * pool (the V2 pair by default, the V3 pool with protocol-owned liquidity, or both: one table each,
 * the files of each under <out>/<venue>). `--on-chain` also
 * replays a scenario (without noise or arbitrageurs, which are not replayed) on the real contracts
 * with the real keeper on the in-process Hardhat network and reports how far model and chain differ.
 */
import { Command } from "commander";
import { join, resolve } from "node:path";
import {
  POLICY_NAMES,
  SCENARIO_DIR,
  ScenarioError,
  builtInScenarioNames,
  loadScenario,
  pegMonteCarloMarkdown,
  writeReports,
} from "../keeper/sim";
import { SimInputError, parsePolicies, parseSeeds, parseVenues, parseWorkers } from "../keeper/sim/inputs";
import { defaultWorkers } from "../keeper/sim/montecarlo";
import { frontierScenarios, runMonteCarlo, writeFrontier } from "../keeper/sim/pipeline";
import { parseSweep } from "../keeper/sim/sweep";
import { ProgressBar } from "./progress";
import { writeSimHtmlReport } from "../keeper/sim/report/html";
import { SIM_PARAMS, SIM_PARAMS_V3 } from "../deploy/parameters";
import type { VenueKind } from "../keeper/sim/market";

interface Options {
  scenario?: string[];
  policy?: string[];
  seeds: string;
  workers?: string;
  sweep?: string[];
  venue: string;
  out: string;
  chart?: string;
  onChain?: boolean | string;
  onChainBlocks: string;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("simulate")
    .description(
      "Market scenarios, all policies side by side, over N seeds: CSV + chart + summary (mean ± 95% CI) + the frontier of a sweep",
    )
    .option(
      "--scenario <name|file.json...>",
      `scenario name or JSON file, repeatable (built in: ${builtInScenarioNames().join(", ")})`,
    )
    .option("--policy <name...>", `policy, repeatable (default: all of ${POLICY_NAMES.join(", ")})`)
    .option("--seeds <n>", "seeds per scenario × policy (seed 0 is the scenario's own)", "1")
    .option("--workers <n>", "worker threads (0: run in this thread; default: the available CPU cores)")
    .option(
      "--sweep <param=a:b:step...>",
      "run Ballast at each setting of a parameter of its own (repeatable: the product) and write the frontier; e.g. band=20:80:10",
    )
    .option(
      "--venue <v2|v3|both>",
      "the pool: the Uniswap V2 pair, the V3 pool with protocol-owned liquidity, or both",
      "v2",
    )
    .option("--out <dir>", "output directory", "reports/sim")
    .option("--chart <scenario>", "scenario to chart (default: the first one run, or selloff when all run)")
    .option(
      "--on-chain [file.json]",
      "also replay a scenario without noise or arbitrage on the real contracts with the real keeper (in-process Hardhat network), on each --venue; default keeper/sim/scenarios/onchain/parity-short.json (V2), parity-short-v3.json (V3)",
    )
    .option("--on-chain-blocks <n>", "blocks of the scenario to replay on chain", "120")
    .parse(argv);
  const opts = program.opts<Options>();

  // Every input is checked before anything runs or is written.
  const seeds = parseSeeds(opts.seeds);
  const workers = opts.workers === undefined ? defaultWorkers() : parseWorkers(opts.workers);
  const policies = parsePolicies(opts.policy ?? [...POLICY_NAMES]);
  const sweep = opts.sweep ? parseSweep(opts.sweep) : undefined;
  const names = opts.scenario ?? builtInScenarioNames();
  const scenarios = names.map((n) => loadScenario(n));
  const venues = parseVenues(opts.venue);

  for (const venue of venues) {
    const bar = new ProgressBar(`simulate ${venue}`);
    const settings = sweep?.settings.length ?? 0;
    process.stderr.write(
      `simulate (${venue}): ${scenarios.length} scenario(s) × ${policies.length} polic${
        policies.length === 1 ? "y" : "ies"
      } × ${seeds} seed(s)${settings ? ` + Ballast at ${settings} sweep setting(s)` : ""}, ${workers} worker(s)\n`,
    );
    const outcome = await runMonteCarlo(
      { scenarios, policies, seeds, workers, sweep, traceSeed0: true, venue },
      (done, total, last) =>
        bar.update(done, total, last ? `${last.scenario.name} / ${last.policy} / seed ${last.seedIndex}` : ""),
    );
    bar.done(`simulate (${venue}): ${outcome.runs} runs done`);

    const labels = [...new Set(outcome.traces.map((r) => r.label))];
    const defaultChart = opts.scenario
      ? labels[0]
      : scenarios.some((s) => s.name === "selloff")
      ? "selloff"
      : labels[0];
    const outDir = venues.length > 1 ? resolve(opts.out, venue) : resolve(opts.out);
    const seed0 = outcome.rows.map((r) => r.perSeed[0]);
    const files = writeReports(
      { runs: outcome.traces, summaries: seed0, rows: outcome.rows, chartScenario: opts.chart ?? defaultChart ?? "" },
      outDir,
    );
    // The status page's charts for every scenario, all policies side by side (the model runs the simulator's parameters for the venue).
    const bandBps = (venue === "v3" ? SIM_PARAMS_V3 : SIM_PARAMS).operator.bandBps;
    files.push(
      ...writeSimHtmlReport({ runs: outcome.traces, summaries: seed0 }, outDir, {
        bandBps,
        title: `Ballast simulation report, ${venue.toUpperCase()} pool (seed 0 of ${seeds})`,
      }),
    );
    if (sweep)
      files.push(
        ...writeFrontier(outDir, frontierScenarios(outcome.rows, outcome.sweepRows), {
          sweep: opts.sweep?.join(", ") ?? "",
          seeds,
          generatedBy: `npm run simulate -- --venue ${venue} --sweep ${opts.sweep?.join(" ")} --seeds ${seeds}`,
        }),
      );
    if (venues.length > 1) process.stdout.write(`\n### ${venue.toUpperCase()} pool\n\n`);
    process.stdout.write(pegMonteCarloMarkdown(outcome.rows));
    process.stderr.write(`wrote ${files.length} files to ${outDir}\n`);
  }

  if (opts.onChain) {
    const hre = (await import("hardhat")).default;
    await hre.run("compile", { quiet: true });
    const { replayOnChain, parityReportMarkdown } = await import("./simOnChain");
    const { writeFileSync } = await import("node:fs");
    for (const venue of venues) {
      const scenario = loadScenario(
        typeof opts.onChain === "string" ? opts.onChain : join(SCENARIO_DIR, "onchain", ONCHAIN_DEFAULT[venue]),
      );
      process.stderr.write(
        `on-chain (${venue}): replaying ${opts.onChainBlocks} blocks of ${scenario.name} on the in-process Hardhat network…\n`,
      );
      const chainBar = new ProgressBar(`on-chain ${venue}`);
      const parity = await replayOnChain(
        scenario,
        Number(opts.onChainBlocks),
        (done, total) => chainBar.update(done, total, scenario.name),
        venue,
      );
      chainBar.done(`on-chain (${venue}): done`);
      process.stdout.write(parityReportMarkdown(parity));
      const outDir = venues.length > 1 ? resolve(opts.out, venue) : resolve(opts.out);
      writeFileSync(resolve(outDir, `${scenario.name}.onchain.json`), JSON.stringify(parity, null, 2) + "\n");
    }
  }
}

/** The on-chain replay's scenario per venue when `--on-chain` names none (keeper/sim/scenarios/onchain/). */
const ONCHAIN_DEFAULT: Record<VenueKind, string> = { v2: "parity-short.json", v3: "parity-short-v3.json" };

main(process.argv).catch((e: unknown) => {
  if (e instanceof ScenarioError || e instanceof SimInputError) process.stderr.write(`simulate: ${e.message}\n`);
  else process.stderr.write(`simulate: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
