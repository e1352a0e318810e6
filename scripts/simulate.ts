/**
 * `npm run simulate -- [--scenario <name|file.json>] [--policy <name>] [--out <dir>] [--chart <scenario>] [--on-chain]`
 *
 * Runs the market model over the scenarios (all built-in ones by default) under every policy (or
 * one), side by side, and writes per-block CSVs, an SVG chart of price vs peg for all policies on
 * one scenario, and the summary table (markdown + JSON). `--on-chain` also replays a scenario
 * (without noise or arbitrageurs, which are not replayed) on the real contracts with the real
 * keeper on the in-process Hardhat network and reports how far model and chain differ.
 */
import { Command, Option } from "commander";
import { join, resolve } from "node:path";
import {
  POLICY_NAMES,
  SCENARIO_DIR,
  ScenarioError,
  builtInScenarioNames,
  loadScenario,
  pegTableMarkdown,
  plan,
  runAll,
  writeReports,
  type PolicyName,
} from "../keeper/sim";
import { ProgressBar } from "./progress";
import { writeSimHtmlReport } from "../keeper/sim/report/html";
import { LOCAL_PARAMS } from "../deploy/parameters";

interface Options {
  scenario?: string[];
  policy?: PolicyName[];
  out: string;
  chart?: string;
  onChain?: boolean | string;
  onChainBlocks: string;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("simulate")
    .description("Market scenarios, all policies side by side: CSV + chart + summary")
    .option("--scenario <name|file.json...>", `scenario name or JSON file, repeatable (built in: ${builtInScenarioNames().join(", ")})`)
    .addOption(new Option("--policy <name...>", "policy, repeatable (default: all)").choices([...POLICY_NAMES]))
    .option("--out <dir>", "output directory", "reports/sim")
    .option("--chart <scenario>", "scenario to chart (default: the first one run, or selloff when all run)")
    .option("--on-chain [file.json]", "also replay a scenario without noise or arbitrage on the real contracts with the real keeper (in-process Hardhat network); default keeper/sim/scenarios/onchain/parity-short.json")
    .option("--on-chain-blocks <n>", "blocks of the scenario to replay on chain", "120")
    .parse(argv);
  const opts = program.opts<Options>();

  const names = opts.scenario ?? builtInScenarioNames();
  const scenarios = names.map((n) => loadScenario(n));
  const policies = opts.policy ?? [...POLICY_NAMES];
  const items = plan(scenarios, policies);
  const bar = new ProgressBar("simulate");
  process.stderr.write(`simulate: ${scenarios.length} scenario(s) × ${policies.length} polic${policies.length === 1 ? "y" : "ies"} = ${items.length} runs\n`);
  const result = runAll(items, (p) => bar.update(p.blocksDone, p.blocksTotal, `${p.item.scenario.name} / ${p.item.policy}`));
  bar.done(`simulate: ${items.length} runs done`);

  const defaultChart = opts.scenario ? result.runs[0]?.label : scenarios.some((s) => s.name === "selloff") ? "selloff" : result.runs[0]?.label;
  const outDir = resolve(opts.out);
  const files = writeReports({ runs: result.runs, summaries: result.summaries, chartScenario: opts.chart ?? defaultChart ?? "" }, outDir);
  // The status page's charts for every scenario, all policies side by side (the model runs the local parameters).
  files.push(...writeSimHtmlReport(result, outDir, { bandBps: LOCAL_PARAMS.operator.bandBps }));
  process.stdout.write(pegTableMarkdown(result.summaries));
  process.stderr.write(`wrote ${files.length} files to ${outDir}\n`);

  if (opts.onChain) {
    const hre = (await import("hardhat")).default;
    await hre.run("compile", { quiet: true });
    const { replayOnChain, parityReportMarkdown } = await import("./simOnChain");
    const scenario = loadScenario(typeof opts.onChain === "string" ? opts.onChain : join(SCENARIO_DIR, "onchain", "parity-short.json"));
    process.stderr.write(`on-chain: replaying ${opts.onChainBlocks} blocks of ${scenario.name} on the in-process Hardhat network…\n`);
    const chainBar = new ProgressBar("on-chain");
    const parity = await replayOnChain(scenario, Number(opts.onChainBlocks), (done, total) => chainBar.update(done, total, scenario.name));
    chainBar.done("on-chain: done");
    process.stdout.write(parityReportMarkdown(parity));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(resolve(outDir, `${scenario.name}.onchain.json`), JSON.stringify(parity, null, 2) + "\n");
  }
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof ScenarioError) process.stderr.write(`simulate: ${e.message}\n`);
  else process.stderr.write(`simulate: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
