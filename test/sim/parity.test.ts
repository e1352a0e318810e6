import { expect } from "chai";
import { join } from "node:path";
import { SCENARIO_DIR, loadScenario } from "../../keeper/sim";
import { PARITY_TOLERANCE, replayOnChain, type ReplayVenue } from "../../scripts/simOnChain";
import { v3ReplayVenue } from "../../scripts/simOnChainV3";
import { deployV3SystemsByTokenOrder } from "../support/systemV3";

describe("Model / chain parity (--on-chain)", function () {
  this.timeout(300_000);

  it("the model and the real contracts driven by the real keeper agree on a short sell-off, within the stated tolerance", async function () {
    const s = loadScenario(join(SCENARIO_DIR, "onchain", "parity-short.json"));
    const r = await replayOnChain(s, s.blocks);
    // Not a vacuous comparison: the sell-off moved the price out of the band and the keeper brought it back.
    const lowest = Math.min(...r.rows.map((x) => x.chainPrice));
    expect(lowest).to.be.lessThan(0.97);
    expect(r.rows[r.rows.length - 1].chainPrice).to.be.closeTo(1, 0.0001);
    expect(r.chainActions).to.be.greaterThan(1);
    expect(r.modelActions).to.equal(r.chainActions);
    // Nobody else watches the pool: the keeper keeps the TWAP's clock, in the model as on chain.
    expect(r.chainObservations).to.be.greaterThan(0);
    expect(r.modelObservations).to.equal(r.chainObservations);
    expect(r.maxPriceDiffBps).to.be.at.most(PARITY_TOLERANCE.priceBps);
    expect(r.finalSupplyDiffPct).to.be.at.most(PARITY_TOLERANCE.finalSupplyPct);
    expect(r.withinTolerance).to.equal(true);
  });
});

describe("Model / chain parity on the V3 pool (--on-chain --venue v3)", function () {
  this.timeout(300_000);
  // One deploy per token order, shared: each replay reverts the chain to the system as deployed.
  let systems: Record<"token0" | "token1", ReplayVenue>;
  before(async function () {
    const { token0, token1 } = await deployV3SystemsByTokenOrder();
    systems = { token0: await v3ReplayVenue(token0), token1: await v3ReplayVenue(token1) };
  });

  it("a system deployed beforehand on another venue is refused, naming both", async function () {
    const s = loadScenario(join(SCENARIO_DIR, "onchain", "parity-short.json"));
    let error: unknown;
    await replayOnChain(s, s.blocks, undefined, "v2", { venue: systems.token0 }).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("options.venue is a v3 system, the replay is on v2");
  });

  // The pool sorts its tokens by address, so a deploy may land the stable token on either side: the
  // model built from the chain must trade the same way round on both (a model that took the token
  // for token0 sold the quote side on a token1 pool, through all its liquidity).
  for (const [side, tokenIsToken0] of [
    ["token0", true],
    ["token1", false],
  ] as const) {
    it(`the model's V3 pool and the real one (v3-core bytecode), driven by the real keeper, agree within 1 bps every block (stable token as ${side})`, async function () {
      const s = loadScenario(join(SCENARIO_DIR, "onchain", "parity-short-v3.json"));
      const r = await replayOnChain(s, s.blocks, undefined, "v3", { venue: systems[side] });
      expect(r.venue).to.equal("v3");
      expect(systems[side].pool.tokenIsToken0).to.equal(tokenIsToken0);
      // Not vacuous: the sale and the purchase took the price past the 10 bps band both ways, and the
      // keeper contracted and then expanded on the real pool (the supply fell, then rose).
      expect(Math.min(...r.rows.map((x) => x.chainPrice))).to.be.lessThan(0.999);
      expect(Math.max(...r.rows.map((x) => x.chainPrice))).to.be.greaterThan(1.001);
      const supply = r.rows.map((x) => x.chainSupply);
      const lowestSupply = Math.min(...supply);
      expect(lowestSupply).to.be.lessThan(supply[0]);
      expect(supply[supply.length - 1]).to.be.greaterThan(lowestSupply);
      for (const x of r.rows) expect(x.modelSupply, `block ${x.block} supply`).to.be.closeTo(x.chainSupply, 1e-6);
      expect(r.modelActions).to.equal(r.chainActions);
      // The pool observes itself: the keeper writes no observations on V3.
      expect(r.chainObservations).to.equal(0);
      expect(r.modelObservations).to.equal(0);
      expect(r.maxPriceDiffBps).to.be.at.most(1);
      expect(r.finalSupplyDiffPct).to.be.at.most(PARITY_TOLERANCE.finalSupplyPct);
      expect(r.withinTolerance).to.equal(true);
    });
  }
});
