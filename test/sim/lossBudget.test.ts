import { expect } from "chai";
import { SIM_PARAMS } from "../../deploy/parameters";
import { builtInScenarioNames, loadScenario, runScenario } from "../../keeper/sim";
import type { BallastPolicy } from "../../keeper/sim/policies/ballast";
import { parseUnits } from "ethers";

// Peg control v2 may pay to hold the peg, but only what its budget allows: per operation at most
// maxLossBps of the trade's value at the peg, per epoch at most maxLossPerEpochUsd (rule 7).
describe("the loss budget holds in every scenario of the bench (default peg control, one seed)", function () {
  const { maxLossBps, maxLossPerEpochUsd } = SIM_PARAMS.operator.sizing;
  const epochCapWad = parseUnits(maxLossPerEpochUsd, 18);
  const spent: bigint[] = [];

  it("the defaults give the AMO a budget to spend (otherwise this suite proves nothing)", function () {
    expect(maxLossBps).to.be.greaterThan(0);
    expect(epochCapWad).to.be.greaterThan(0n);
  });

  for (const name of builtInScenarioNames()) {
    it(`${name}: no operation loses more than ${maxLossBps} bps of its trade, no epoch more than $${maxLossPerEpochUsd}`, function () {
      const result = runScenario(loadScenario(name), "ballast");
      const { book } = result.policyState as BallastPolicy;
      spent.push(book.worstEpochLossWad);
      expect(book.worstOperationLossBps, "worst operation's loss (bps of the trade)").to.be.at.most(BigInt(maxLossBps));
      expect(book.worstEpochLossWad, "worst epoch's loss (WAD USD)").to.be.at.most(epochCapWad);
    });
  }

  it("the budget is used somewhere (a bound nobody reaches would pass vacuously)", function () {
    expect(spent.some((wad) => wad > 0n)).to.equal(true);
  });
});
