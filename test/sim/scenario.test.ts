import { expect } from "chai";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCENARIO_DIR, ScenarioError, builtInScenarioNames, loadScenario, valueAt } from "../../keeper/sim";
import { longestExcursion } from "../../keeper/sim/metrics";

const dir = mkdtempSync(join(tmpdir(), "ballast-scenario-"));
const good = JSON.parse(readFileSync(join(SCENARIO_DIR, "onchain", "parity-short.json"), "utf8"));

function rejects(mutate: (s: Record<string, unknown>) => void, field: string): void {
  const s = structuredClone(good);
  mutate(s);
  const file = join(dir, `bad-${field.replace(/\W/g, "_")}.json`);
  writeFileSync(file, JSON.stringify(s));
  let error: unknown;
  try {
    loadScenario(file);
  } catch (e) {
    error = e;
  }
  expect(error, `a bad ${field} must be rejected`).to.be.instanceOf(ScenarioError);
  expect((error as ScenarioError).field).to.equal(field);
  expect((error as ScenarioError).message).to.contain(`field "${field}"`);
}

describe("Scenario files", function () {
  it("every built-in scenario loads and says what real-world episode it is modelled on", function () {
    const names = builtInScenarioNames();
    expect(names).to.include.members([
      "quiet",
      "selloff",
      "sustained",
      "usdc-depeg",
      "eth-crash",
      "upward-spike",
      "chronic-discount",
      "stale-oracle",
      "keeper-outage",
    ]);
    expect(names).to.include.members([
      "competing-arbs",
      "holder-run",
      "lp-flight",
      "correlated-crash",
      "front-run",
      "oracle-jitter",
    ]);
    for (const n of names) {
      const s = loadScenario(n);
      expect(s.name).to.equal(n);
      expect(s.modelledOn.length).to.be.greaterThan(40);
    }
    expect(loadScenario("keeper-outage").sweep?.keeperLatencyBlocks).to.deep.equal([0, 1, 5, 300]);
  });

  it("an unknown field, at any depth, is rejected naming it (a typo is not silently ignored)", function () {
    rejects((s) => (s.shockBlock = 5), "shockBlock");
    rejects((s) => ((s.agents as Record<string, unknown>).keeperLatencyBlock = 1), "agents.keeperLatencyBlock");
    rejects((s) => ((s.feeds as Record<string, Record<string, unknown>>).WETH.heartbeat = 60), "feeds.WETH.heartbeat");
  });

  it("shockBlocks defaults to 10 and must be a whole number of blocks within the run", function () {
    expect(loadScenario("selloff").shockBlocks).to.equal(10);
    rejects((s) => (s.shockBlocks = -1), "shockBlocks");
    rejects((s) => (s.shockBlocks = 2.5), "shockBlocks");
    rejects((s) => (s.shockBlocks = (s.blocks as number) + 1), "shockBlocks");
  });

  it("a bad file is rejected naming the field", function () {
    rejects((s) => (s.blocks = -5), "blocks");
    rejects((s) => delete s.modelledOn, "modelledOn");
    rejects((s) => ((s.initial as Record<string, unknown>).poolQuote = "lots"), "initial.poolQuote");
    rejects((s) => ((s.flows as Record<string, unknown>[])[0].toBlock = 1), "flows.0.toBlock");
    rejects(
      (s) => ((s.feeds as Record<string, Record<string, unknown>>).USDC.heartbeatSec = 0),
      "feeds.USDC.heartbeatSec",
    );
    rejects(
      (s) =>
        ((s.prices as Record<string, unknown>).USDC = [
          [0, 1],
          [0, 0.9],
        ]),
      "prices.USDC.1",
    );
    rejects((s) => ((s.initial as Record<string, unknown>).supply = 10), "initial.supply");
  });

  it("an unknown field is rejected naming it, at any depth, and the stress fields are bounded", function () {
    rejects((s) => (s.shockBlock = 10), "shockBlock");
    rejects((s) => ((s.agents as Record<string, unknown>).frontRuner = { capitalUsd: 1 }), "agents.frontRuner");
    rejects((s) => ((s.feeds as Record<string, Record<string, unknown>>).USDC.jitter = 3), "feeds.USDC.jitter");
    rejects(
      (s) => ((s.feeds as Record<string, Record<string, unknown>>).WETH.jitterBlocks = -1),
      "feeds.WETH.jitterBlocks",
    );
    rejects(
      (s) => ((s.agents as Record<string, unknown>).arbitrageurs = [{ latencyBlocks: 0, capitalUsd: 0 }]),
      "agents.arbitrageurs.0.capitalUsd",
    );
    rejects(
      (s) =>
        ((s.agents as Record<string, unknown>).lpWithdrawal = {
          thresholdBps: 50,
          fractionPerBpsPerBlock: 0.001,
          maxFraction: 1,
        }),
      "agents.lpWithdrawal.maxFraction",
    );
    rejects(
      (s) => ((s.agents as Record<string, unknown>).reflexiveHolders = { tokens: 10, thresholdBps: 30 }),
      "agents.reflexiveHolders.fractionPerBpsPerBlock",
    );
  });

  it("each new stress scenario names the actor it adds", function () {
    expect(loadScenario("competing-arbs").agents.arbitrageurs).to.have.length(2);
    expect(loadScenario("holder-run").agents.reflexiveHolders?.tokens).to.equal(2_000_000);
    expect(loadScenario("lp-flight").agents.lpWithdrawal?.maxFraction).to.equal(0.6);
    expect(loadScenario("front-run").agents.frontRunner?.capitalUsd).to.equal(1_000_000);
    expect(loadScenario("oracle-jitter").feeds.WETH.jitterBlocks).to.equal(25);
    const crash = loadScenario("correlated-crash");
    expect(valueAt(crash.prices.USDC, 1800)).to.equal(0.97);
    expect(valueAt(crash.prices.WETH, 1800) / valueAt(crash.prices.WETH, 0)).to.equal(0.6);
    expect(valueAt(crash.gas.multiplier, 1000)).to.equal(5);
  });

  it("an unknown name and a file that is not JSON get readable errors", function () {
    expect(() => loadScenario("no-such-scenario")).to.throw(ScenarioError, /unknown scenario "no-such-scenario"/);
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    expect(() => loadScenario(file)).to.throw(ScenarioError, /not valid JSON/);
  });

  it("keyframes interpolate linearly and hold outside their range", function () {
    const frames: [number, number][] = [
      [10, 1],
      [20, 0.8],
    ];
    expect(valueAt(frames, 0)).to.equal(1);
    expect(valueAt(frames, 15)).to.be.closeTo(0.9, 1e-12);
    expect(valueAt(frames, 99)).to.equal(0.8);
  });

  it("the worst excursion counts the longest run of blocks outside the band", function () {
    expect(longestExcursion([0, 60, 70, 10, 80, 90, 55, 0], 50)).to.equal(3);
    expect(longestExcursion([0, 10, -20], 50)).to.equal(0);
  });
});
