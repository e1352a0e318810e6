import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PEG_METRICS, aggregate } from "../../keeper/sim/aggregate";
import type { PegSummary } from "../../keeper/sim/metrics";
import type { McResult } from "../../keeper/sim/montecarlo";
import { frontierHtml, frontierPoints, paretoOptimal } from "../../keeper/sim/report/frontier";
import {
  compareWithReferences,
  pegJsonRow,
  pegMonteCarloMarkdown,
  readmePegSection,
} from "../../keeper/sim/report/peg";
import { replaceSection } from "../../keeper/sim/report/readme";
import type { PolicyName } from "../../keeper/sim";
import { scenario } from "../support/sim";

const ROOT = resolve(__dirname, "../..");
const S = scenario();

/** A handmade run summary: every metric 0 unless given. */
function summary(policy: string, over: Partial<PegSummary> = {}): PegSummary {
  return {
    scenario: "quiet",
    policy,
    keeperLatencyBlocks: 1,
    maxDeviationBps: 0,
    maxDeviationAfterShockBps: 0,
    blocksTo50Bps: 0,
    blocksTo10Bps: 0,
    timeOutside50BpsPct: 0,
    rmsBps: 0,
    reserveSpent: 0,
    profit: 0,
    gasUsd: 0,
    subsidyUsd: 0,
    lpFeesUsd: 0,
    polPnlUsd: 0,
    totalCostUsd: 0,
    minCollateralRatio: 1.5,
    supplyChurnPct: 0,
    actions: 0,
    failedTx: 0,
    gas: 0,
    failures: [],
    ...over,
  };
}

/** Results of `policy` over seeds with the given RMS (and cost) per seed. */
function runs(policy: string, rms: number[], cost: number[] = rms.map(() => 0)): McResult[] {
  return rms.map((r, i) => ({
    task: { id: 0, scenario: S, policy: policy as PolicyName, seedIndex: i, keepTrace: false },
    summary: summary(policy, { rmsBps: r, totalCostUsd: cost[i], failures: i === 0 ? ["reserveExhausted"] : [] }),
  }));
}

describe("Benchmark reports", function () {
  it("every bench.json peg row keeps the existing keys and adds the Monte Carlo ones, ci95 with the same metric names", function () {
    const [row] = aggregate([...runs("ballast", [10, 12, 14]), ...runs("none", [20, 20, 20])]);
    const json = pegJsonRow(row);
    for (const k of [
      "scenario",
      "policy",
      "maxDeviationBps",
      "blocksTo50Bps",
      "blocksTo10Bps",
      "timeOutside50BpsPct",
      "rmsBps",
      "reserveSpent",
      "actions",
      "gas",
      "failures",
      "profit",
      "supplyChurnPct",
    ]) {
      expect(json, k).to.have.property(k);
    }
    for (const k of [
      "seeds",
      "ci95",
      "maxDeviationAfterShockBps",
      "totalCostUsd",
      "minCollateralRatio",
      "costPerBpsRemovedUsd",
      "minCollateralRatioEs5",
    ])
      expect(json, k).to.have.property(k);
    expect(json.venue).to.equal("v2");
    expect(json.seeds).to.equal(3);
    expect(json.rmsBps).to.equal(12);
    expect(json.failures).to.deep.equal(["reserveExhausted"]);
    expect(Object.keys(json.ci95 as object)).to.have.members([...PEG_METRICS, "costPerBpsRemovedUsd"]);
    expect((json.ci95 as Record<string, number>).rmsBps).to.equal(4.97); // t(0.975, 2) · 2 / √3
    expect(json).to.not.have.property("perSeed");
  });

  it("the verdict is computed from the paired difference: behind, tied within noise, ahead", function () {
    const rows = aggregate([
      ...runs("ballast", [10, 11, 12, 13], [5, 7, 5, 7]),
      ...runs("psm", [5, 6, 7, 8], [6, 6, 6, 6]),
      ...runs("pegkeeper", [9, 9.5, 10, 30], [50, 50, 50, 50]),
      ...runs("ideal", [0, 0, 0, 0], [-1000, -1000, -1000, -1000]),
    ]);
    const byMetric = Object.fromEntries(compareWithReferences(rows).map((c) => [c.metric, c]));
    expect(byMetric.rmsBps.best.policy).to.equal("psm");
    expect(byMetric.rmsBps.verdict).to.equal("behind");
    expect(byMetric.totalCostUsd.best.policy).to.equal("psm");
    expect(byMetric.totalCostUsd.verdict).to.equal("tied");
    const md = readmePegSection(rows, { seeds: 4, generatedBy: "npm run bench" });
    expect(md).to.contain("**Where Ballast is behind** the best reference");
    expect(md).to.contain("**quiet**: RMS bps (11.5 ± 2.05 against psm 6.5 ± 2.05)");
    expect(md).to.contain("**11.5 ± 2.05**");
    // The unconstrained policy is never the best reference, though it is the cheapest and tightest.
    expect(compareWithReferences(rows).some((c) => c.best.policy === "ideal")).to.equal(false);
    expect(md).to.contain("ideal (unconstrained");
  });

  it("the V3 table states the total cost net of Ballast's LP fees and shows the fees beside it; the V2 table keeps its columns", function () {
    const onV3 = (rs: McResult[]) =>
      rs.map((r) => ({
        ...r,
        task: { ...r.task, venue: "v3" as const },
        summary: { ...r.summary, lpFeesUsd: r.summary.policy === "ballast" ? 38 : 0 },
      }));
    const cellsOf = (line: string) =>
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
    const [v3Header, , ...v3Lines] = pegMonteCarloMarkdown(
      aggregate(onV3([...runs("ballast", [1, 1, 1]), ...runs("psm", [1, 1, 1])])),
    )
      .trim()
      .split("\n");
    const columns = cellsOf(v3Header);
    expect(columns).to.include("total cost $ (net of LP fees)");
    const fees = columns.indexOf("LP fees earned $");
    expect(fees).to.be.greaterThan(0);
    expect(v3Lines.map((l) => cellsOf(l)[fees])).to.deep.equal(["38 ± 0", "0 ± 0"]);
    for (const l of v3Lines) expect(cellsOf(l)).to.have.length(columns.length);
    const [v2Header] = pegMonteCarloMarkdown(aggregate(runs("ballast", [1, 1]))).split("\n");
    expect(cellsOf(v2Header)).to.have.length(14).and.to.include("total cost $").and.not.include("LP fees earned $");
  });

  it("README sections are replaced between their markers only; missing markers are an error", function () {
    const text = "# T\nbefore\n<!-- bench:peg:start -->\nold\n<!-- bench:peg:end -->\nafter\n";
    expect(replaceSection(text, "peg", "| new |\n")).to.equal(
      "# T\nbefore\n<!-- bench:peg:start -->\n| new |\n<!-- bench:peg:end -->\nafter\n",
    );
    expect(() => replaceSection(text, "gas", "x")).to.throw(/section "gas"/);
    expect(() => replaceSection("<!-- bench:peg:end --> <!-- bench:peg:start -->", "peg", "x")).to.throw(/before/);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).to.contain("<!-- bench:peg:start -->").and.to.contain("<!-- bench:gas:end -->");
  });

  it("the frontier marks Pareto-optimal points and leaves the unconstrained out", function () {
    expect(
      paretoOptimal([
        { x: 1, y: 5 },
        { x: 2, y: 2 },
        { x: 3, y: 3 },
        { x: 0, y: 9 },
        { x: null, y: 0 },
        { x: 2, y: 2 },
      ]),
    ).to.deep.equal([true, true, false, true, false, true]);
    const rows = aggregate([...runs("ballast", [10, 11]), ...runs("psm", [5, 6]), ...runs("ideal", [0, 0])]);
    const sweep = [{ label: "band=30 bps", row: rows[0] }];
    const points = frontierPoints("quiet", sweep, rows);
    expect(points.map((p) => p.label)).to.deep.equal(["band=30 bps", "ballast (defaults)", "psm"]);
    const html = frontierHtml([{ scenario: "quiet", points }], {
      title: "t",
      sweep: "band",
      seeds: 2,
      generatedBy: "test",
    });
    expect(html).to.contain("<svg").and.to.contain("Pareto-optimal").and.to.contain("band=30 bps");
    expect(html).to.not.contain("<script");
  });

  describe("bad command-line input fails before running and writes nothing", function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), "ballast-bench-"));
    const badScenario = join(dir, "bad.json");
    const good = JSON.parse(readFileSync(join(ROOT, "keeper/sim/scenarios/onchain/parity-short.json"), "utf8"));
    writeFileSync(badScenario, JSON.stringify({ ...good, agents: { ...good.agents, arbCapitalUSD: 5 } }));
    const run = (script: string, args: string[]): { status: number | null; stderr: string } => {
      const r = spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin"), "--transpile-only", join(ROOT, "scripts", script), ...args],
        { cwd: ROOT, encoding: "utf8" },
      );
      return { status: r.status, stderr: r.stderr };
    };
    const cases: [string, string[], string][] = [
      ["simulate.ts", ["--seeds", "0"], "--seeds"],
      ["simulate.ts", ["--sweep", "band=80:20:10"], "--sweep band: empty range"],
      ["simulate.ts", ["--policy", "makerdao"], '--policy: unknown policy "makerdao"'],
      ["simulate.ts", ["--scenario", badScenario], 'field "agents.arbCapitalUSD": unknown field'],
      ["bench.ts", ["--sweep", "bandwidth=1:2:1"], '--sweep bandwidth: unknown parameter "bandwidth"'],
    ];
    for (const [script, args, message] of cases) {
      it(`${script} ${args.join(" ")}`, function () {
        const out = join(dir, `out-${script}-${args.join("_").replace(/\W/g, "_")}`);
        const r = run(script, script === "bench.ts" ? [out, ...args, "--no-readme"] : [...args, "--out", out]);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain(message);
        expect(existsSync(out), "nothing written").to.equal(false);
      });
    }
  });
});
