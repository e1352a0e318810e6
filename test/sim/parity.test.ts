import { expect } from "chai";
import { join } from "node:path";
import { SCENARIO_DIR, loadScenario } from "../../keeper/sim";
import { PARITY_TOLERANCE, replayOnChain } from "../../scripts/simOnChain";

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
