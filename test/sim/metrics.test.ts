import { expect } from "chai";
import { maxDeviationAfterShocks, rmsOf, shockBlocksOf, summarise, totalCostUsd } from "../../keeper/sim/metrics";
import { runScenario } from "../../keeper/sim";
import { scenario } from "../support/sim";

describe("Peg metrics", function () {
  it("the shock window leaves out each one-block shock's first blocks and nothing else", function () {
    //            0  1  2    3    4   5   6  7  8   9
    const dev = [5, -8, 2, -900, 400, 60, 30, 9, -70, 3];
    expect(maxDeviationAfterShocks(dev, [], 3)).to.equal(900);
    expect(maxDeviationAfterShocks(dev, [3], 0)).to.equal(900);
    expect(maxDeviationAfterShocks(dev, [3], 1)).to.equal(400);
    expect(maxDeviationAfterShocks(dev, [3], 3)).to.equal(70);
    // Two shocks, windows of 2: blocks 3–4 and 8–9 are left out.
    expect(maxDeviationAfterShocks(dev, [3, 8], 2)).to.equal(60);
    expect(rmsOf([3, -4])).to.be.closeTo(Math.sqrt(12.5), 1e-12);
  });

  it("shocks are the flows that land in one block", function () {
    const s = scenario({
      flows: [
        { fromBlock: 30, toBlock: 30, sellTokensPerBlock: 1000 },
        { fromBlock: 10, toBlock: 10, sellTokensPerBlock: -500 },
        { fromBlock: 11, toBlock: 40, sellTokensPerBlock: 5 },
      ],
    });
    expect(shockBlocksOf(s)).to.deep.equal([10, 30]);
    expect(s.shockBlocks).to.equal(10);
  });

  it("total cost is gas plus subsidies minus the protocol's trading P&L", function () {
    expect(totalCostUsd({ gasUsd: 120, subsidyUsd: 30, profitUsd: 200 })).to.equal(-50);
    expect(totalCostUsd({ gasUsd: 120, subsidyUsd: 0, profitUsd: -10 })).to.equal(130);
  });

  it("a run's summary carries the cost, the shock-window max and the lowest ratio", function () {
    const s = scenario({
      blocks: 40,
      shockBlocks: 4,
      flows: [{ fromBlock: 5, toBlock: 5, sellTokensPerBlock: 200_000 }],
    });
    const r = runScenario(s, "ballast");
    const sum = summarise(r);
    const dev = r.samples.map((x) => Math.abs(x.deviationBps));
    expect(sum.maxDeviationBps).to.equal(Math.round(Math.max(...dev) * 100) / 100);
    expect(sum.maxDeviationAfterShockBps).to.equal(
      Math.round(Math.max(...dev.filter((_, i) => i < 5 || i > 8)) * 100) / 100,
    );
    expect(sum.maxDeviationAfterShockBps).to.be.lessThan(sum.maxDeviationBps);
    const st = r.policyState.stats;
    expect(sum.totalCostUsd).to.equal(Math.round((st.gasUsd + st.subsidyUsd - st.profitUsd) * 100) / 100);
    expect(sum.minCollateralRatio).to.equal(
      Math.round(Math.min(...r.samples.map((x) => x.ratio as number)) * 1e4) / 1e4,
    );
    expect(summarise(runScenario(s, "ampleforth")).minCollateralRatio).to.equal(null);
  });
});
