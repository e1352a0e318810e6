/** The daemon's sender's simulation names a revert by the contract's custom error (real contracts). */
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySystemFixture } from "../../support/system";
import { inProcessSender, type InProcessSender } from "../../support/inProcessSender";
import { SimulationRevertedError } from "../../../keeper/src/errors";
import { Action } from "../../../keeper/src/policy";

describe("keeper sender: simulation decodes custom errors by name", function () {
  const senders: InProcessSender[] = [];
  after(() => senders.forEach((s) => s.close()));

  it("expandSupply at the peg: PriceInsideBand; a stranger: NotKeeper", async function () {
    const f = await loadFixture(deploySystemFixture);
    const req = {
      action: Action.Expand as const,
      amount: 10n ** 18n,
      minOut: 0n,
      limitPriceWad: 0n,
      maxFeePerGasWei: 10n ** 10n,
      maxPriorityFeePerGasWei: 10n ** 9n,
    };
    const operator = await f.operator.getAddress();
    // Hardhat's development accounts: the fixture's keeper is #2, its stranger #6.
    const asKeeper = inProcessSender(network.provider, 31337n, 2, operator);
    const asStranger = inProcessSender(network.provider, 31337n, 6, operator);
    senders.push(asKeeper, asStranger);
    expect([asKeeper.sender.address, asStranger.sender.address]).to.deep.equal([f.keeper.address, f.stranger.address]);
    for (const [{ sender }, name] of [
      [asKeeper, "PriceInsideBand"],
      [asStranger, "NotKeeper"],
    ] as const) {
      try {
        await sender.simulate(req);
        expect.fail("simulation should revert");
      } catch (err) {
        expect(err).to.be.instanceOf(SimulationRevertedError);
        expect((err as SimulationRevertedError).errorName).to.equal(name);
        expect((err as SimulationRevertedError).detail).to.match(new RegExp(`^${name}\\(`));
      }
    }
  });
});
