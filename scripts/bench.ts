/**
 * `npm run bench -- [outDir] [--seeds N] [--workers N] [--sweep <param=a:b:step>] [--venue v2|v3|both] [--no-readme] [--gas-only]`
 *
 * Gas of each operation against a floor deployed and measured in the same run (the market
 * operations on both venues, each row naming its venue), then the
 * simulator's peg benchmark: every scenario × policy over N seeds (default 12) on worker threads,
 * mean ± 95% CI per metric, and Ballast swept over its band for the cost-vs-tightness frontier.
 * Writes reports/bench.json (gas rows with `target`/`meetsTarget`; peg rows with the Monte Carlo
 * keys), reports/bench.md, the selloff chart, frontier.html with one SVG per scenario, and the
 * README's generated sections (between the bench:gas and bench:peg markers). `--venue` (default
 * both): the peg benchmark on the V2 pair (with the sweep, chart and frontier) and on the V3 pool
 * (every scenario × policy, its own tables in bench.md, its rows in bench.json with `venue: "v3"`;
 * the README links them). Inputs are checked before anything runs; a bad one fails naming it and
 * writes nothing.
 * `--gas-only` measures the gas and rewrites only the gas parts (bench.json's `gas`, bench.md's and
 * the README's gas tables).
 */
import { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import {
  ScenarioError,
  builtInScenarioNames,
  loadScenario,
  orderRows,
  pegJsonRow,
  pegMonteCarloMarkdown,
  priceChartSvg,
  POLICY_NAMES,
} from "../keeper/sim";
import { SimInputError, parseSeeds, parseVenues, parseWorkers } from "../keeper/sim/inputs";
import type { PegRow } from "../keeper/sim/aggregate";
import { defaultWorkers } from "../keeper/sim/montecarlo";
import { frontierScenarios, runMonteCarlo, writeFrontier } from "../keeper/sim/pipeline";
import { readmePegSection } from "../keeper/sim/report/peg";
import { hasSection, replaceSection } from "../keeper/sim/report/readme";
import { parseSweep, settingLabel } from "../keeper/sim/sweep";
import type { GasRow } from "./benchGas";
import { ProgressBar } from "./progress";

const CHART_SCENARIO = "selloff";
const DEFAULT_BENCH_SEEDS = 12;
/** The frontier's default sweep: Ballast's operator band around its default of 50 bps. */
const DEFAULT_BENCH_SWEEP = "band=20:80:30";

function gasTableMarkdown(rows: GasRow[]): string {
  const lines = [
    "| venue | operation | gas | floor | floor gas | ratio | target | met |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.venue} | ${r.operation} | ${r.gas.toLocaleString("en-US")} | ${
          r.baseline
        } | ${r.baselineGas.toLocaleString("en-US")} | ${r.ratio} | ${r.target} | ${
          r.meetsTarget ? "yes" : "**no**"
        } |`,
    ),
  ];
  return lines.join("\n") + "\n";
}

interface Options {
  seeds: string;
  workers?: string;
  sweep: string[];
  venue: string;
  readme: boolean | string;
  gasOnly: boolean;
}

/** Both venues' rows: every operation on the default deploy, then MarketOperatorV3's. */
async function measureAllGas(log: (line: string) => void): Promise<GasRow[]> {
  // Loaded after compiling: they need the TypeChain bindings the compile generates (clean clone).
  const { measureGas } = await import("./benchGas");
  const { measureV3OperationRows } = await import("./benchGasV3");
  return [...(await measureGas(log)), ...(await measureV3OperationRows(log))];
}

const GAS_MD_SECTION = /## Gas\n\n[\s\S]*?(?=## Peg)/;

/** `--gas-only`: the gas rows into an existing bench.json, bench.md and README; the peg parts stay. */
function writeGasOnly(outDir: string, readmeFile: string | null, gas: GasRow[]): void {
  const jsonFile = resolve(outDir, "bench.json");
  if (!existsSync(jsonFile))
    throw new SimInputError("--gas-only", `${jsonFile} does not exist: run the whole bench once first`);
  const report = JSON.parse(readFileSync(jsonFile, "utf8")) as Record<string, unknown>;
  writeFileSync(jsonFile, JSON.stringify({ ...report, gas }, null, 2) + "\n");
  const mdFile = resolve(outDir, "bench.md");
  if (existsSync(mdFile))
    writeFileSync(mdFile, readFileSync(mdFile, "utf8").replace(GAS_MD_SECTION, `## Gas\n\n${gasTableMarkdown(gas)}\n`));
  if (readmeFile) {
    const text = readFileSync(readmeFile, "utf8");
    if (hasSection(text, "gas")) writeFileSync(readmeFile, replaceSection(text, "gas", gasTableMarkdown(gas)));
  }
}

/** bench.md's heading of the V3 pool's comparison, and its anchor (the README links it). */
const V3_HEADING = "Peg on the V3 pool: Ballast against the best reference";
const V3_ANCHOR = "peg-on-the-v3-pool-ballast-against-the-best-reference";

async function main(argv: string[]): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const program = new Command()
    .name("bench")
    .argument("[outDir]", "output directory", "reports")
    .option("--seeds <n>", "seeds per scenario × policy", String(DEFAULT_BENCH_SEEDS))
    .option("--workers <n>", "worker threads (0: run in this thread; default: the available CPU cores)")
    .option("--sweep <param=a:b:step...>", "Ballast's parameter sweep for the frontier", [DEFAULT_BENCH_SWEEP])
    .option("--venue <v2|v3|both>", "the pools to benchmark the peg on", "both")
    .option("--readme [file]", "rewrite the generated sections of this README", "README.md")
    .option("--no-readme", "leave the README alone")
    .option("--gas-only", "measure only the gas and rewrite only the gas parts of the reports", false)
    .parse(argv);
  const opts = program.opts<Options>();

  // Every input is checked before anything runs or is written.
  const outDir = resolve(program.args[0] ?? "reports");
  const seeds = parseSeeds(opts.seeds);
  const workers = opts.workers === undefined ? defaultWorkers() : parseWorkers(opts.workers);
  const sweep = parseSweep(opts.sweep);
  const venues = parseVenues(opts.venue);
  const scenarios = builtInScenarioNames().map((n) => loadScenario(n));
  const readmeFile = opts.readme === false ? null : resolve(opts.readme === true ? "README.md" : opts.readme);
  if (readmeFile) {
    if (!existsSync(readmeFile)) throw new SimInputError("--readme", `${readmeFile} does not exist`);
    const text = readFileSync(readmeFile, "utf8");
    if (!hasSection(text, "peg"))
      throw new SimInputError(
        "--readme",
        `${readmeFile} has no <!-- bench:peg:start --> … <!-- bench:peg:end --> markers`,
      );
  }

  process.stderr.write("bench: compiling…\n");
  const hre = (await import("hardhat")).default;
  await hre.run("compile", { quiet: true });
  const gas = await measureAllGas((line) => process.stderr.write(`bench: ${line}\n`));
  const gasDone = Date.now();
  if (opts.gasOnly) {
    writeGasOnly(outDir, readmeFile, gas);
    process.stdout.write(gasTableMarkdown(gas));
    process.stderr.write(
      `bench: wrote the gas rows into ${outDir}/bench.json, bench.md${
        readmeFile ? ` and ${readmeFile}` : ""
      } in ${Math.round((gasDone - started) / 1000)} s\n`,
    );
    return;
  }

  const policies = [...POLICY_NAMES];
  // The README stays within its length: the V3 comparison is one sentence linking bench.md.
  // The sweep, chart and frontier run on the first venue (the V2 pair unless only V3 is asked for).
  const bar = new ProgressBar(`bench: peg ${venues[0]}`);
  const outcome = await runMonteCarlo(
    {
      scenarios,
      policies,
      seeds,
      workers,
      sweep,
      traceSeed0: true,
      traceScenarios: [CHART_SCENARIO],
      venue: venues[0],
    },
    (done, total, last) =>
      bar.update(done, total, last ? `${last.scenario.name} / ${last.policy} / seed ${last.seedIndex}` : ""),
  );
  bar.done(`bench: ${outcome.runs} simulator runs on ${venues[0]} done (${seeds} seeds, ${workers} workers)`);
  let v3Rows: PegRow[] = [];
  if (venues.length > 1) {
    const barV3 = new ProgressBar("bench: peg v3");
    const v3 = await runMonteCarlo(
      { scenarios, policies, seeds, workers, traceSeed0: false, venue: "v3" },
      (done, total, last) =>
        barV3.update(done, total, last ? `${last.scenario.name} / ${last.policy} / seed ${last.seedIndex}` : ""),
    );
    barV3.done(`bench: ${v3.runs} simulator runs on v3 done`);
    v3Rows = orderRows(v3.rows);
  }
  const wallSec = Math.round((Date.now() - started) / 1000);
  const timing = {
    wallTimeSec: wallSec,
    gasSec: Math.round((gasDone - started) / 1000),
    simulatorSec: Math.round((Date.now() - gasDone) / 1000),
    workers,
    loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)) },
  };

  mkdirSync(outDir, { recursive: true });
  const rows = orderRows(outcome.rows);
  const frontier = outcome.sweepRows.map((s) => ({
    setting: s.row.setting ?? {},
    label: s.label,
    ...pegJsonRow(s.row),
  }));
  writeFileSync(
    resolve(outDir, "bench.json"),
    JSON.stringify(
      {
        gas,
        peg: [...rows, ...v3Rows].map(pegJsonRow),
        frontier,
        meta: { seeds, venues, sweep: sweep.params.map((p) => p.name), timing },
      },
      null,
      2,
    ) + "\n",
  );
  const chartFile = resolve(outDir, `bench-${CHART_SCENARIO}.svg`);
  writeFileSync(
    chartFile,
    priceChartSvg(
      outcome.traces.filter((r) => r.label === CHART_SCENARIO),
      { title: `${CHART_SCENARIO}: price vs $1 peg, all policies (seed 0)` },
    ),
  );
  const generatedBy = `npm run bench${seeds === DEFAULT_BENCH_SEEDS ? "" : ` -- --seeds ${seeds}`}`;
  const frontierFiles = writeFrontier(outDir, frontierScenarios(outcome.rows, outcome.sweepRows), {
    sweep: sweep.settings.map((s) => settingLabel(s)).join(" · "),
    seeds,
    generatedBy,
  });
  const pegSection = readmePegSection(rows, { seeds, generatedBy });
  const v3Section = v3Rows.length ? readmePegSection(v3Rows, { seeds, generatedBy }) : "";
  const readmeSection = v3Rows.length
    ? `${pegSection.trimEnd()} The same comparison on the V3 pool (0.01% tier, protocol-owned liquidity ±20 bps; Ballast's cost net of its position's LP fees): [reports/bench.md](reports/bench.md#${V3_ANCHOR}).\n`
    : pegSection;
  const md = [
    "# Ballast benchmark",
    "",
    `Generated by \`${generatedBy}\` in ${wallSec} s (gas ${timing.gasSec} s, simulator ${timing.simulatorSec} s on ${workers} worker threads; 1-minute load average ${timing.loadAverage1m.before} before, ${timing.loadAverage1m.after} after). Gas: receipt gas on the in-process Hardhat network, the second of two identical calls, each against its floor deployed in the same run.`,
    "",
    "## Gas",
    "",
    gasTableMarkdown(gas),
    `## Peg${venues.length > 1 ? " on the V2 pair" : ""}: Ballast against the best reference`,
    "",
    pegSection,
    "## Peg: every scenario × policy",
    "",
    `Mean ± 95% CI over ${seeds} seeds. Worst blocks outside ±50/±10 bps: the longest run of consecutive blocks outside the band (the slowest recovery). Max dev after shock leaves out each one-block shock's first blocks (the scenario's \`shockBlocks\`). Total cost = gas + subsidies − trading P&L of the protocol's operations, per run, USD. Cost per bps removed: extra cost over \`none\` per bps of RMS removed, paired by seed (— where the policy removes none). Min ratio: the lowest collateral ratio at true prices, with the 5% expected shortfall across seeds in brackets. Definitions: docs/simulation.md. The frontier (Ballast swept over ${sweep.params
      .map((p) => p.name)
      .join(", ")}): frontier.html.`,
    "",
    pegMonteCarloMarkdown(rows),
    ...(v3Rows.length
      ? [
          `## ${V3_HEADING}`,
          "",
          "The same scenarios and policies on the Uniswap V3 pool (venue parameters and the LPs' spread: docs/simulation.md), Ballast under its V3 peg control. Ballast owns the protocol position: its total cost is net of the position's LP fees and mark-to-market; the references trade against the same liquidity as a third party's and earn none of it.",
          "",
          v3Section,
          "## Peg on the V3 pool: every scenario × policy",
          "",
          pegMonteCarloMarkdown(v3Rows),
        ]
      : []),
  ].join("\n");
  writeFileSync(resolve(outDir, "bench.md"), md);
  if (readmeFile) {
    let text = readFileSync(readmeFile, "utf8");
    text = replaceSection(text, "peg", readmeSection);
    if (hasSection(text, "gas")) text = replaceSection(text, "gas", gasTableMarkdown(gas));
    writeFileSync(readmeFile, text);
  }
  process.stdout.write(gasTableMarkdown(gas));
  process.stderr.write(
    `bench: wrote bench.json, bench.md, ${chartFile}, ${frontierFiles.length} frontier files${
      readmeFile ? ` and ${readmeFile}'s sections` : ""
    } in ${wallSec} s\n`,
  );
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof ScenarioError || e instanceof SimInputError) process.stderr.write(`bench: ${e.message}\n`);
  else process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
