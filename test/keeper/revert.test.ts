/** The executor's simulation names a revert by the contract's custom error (real contracts). */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySystemFixture } from "../fixtures/system";
import { DirectTxSender } from "../../keeper/src/chain/executor";
import { SimulationRevertedError } from "../../keeper/src/errors";
import { Action } from "../../keeper/src/policy";

describe("keeper executor: simulation decodes custom errors by name", function () {
  it("expandSupply at the peg: PriceInsideBand; a stranger: NotKeeper", async function () {
    const f = await loadFixture(deploySystemFixture);
    const req = { action: Action.Expand as const, amount: 10n ** 18n, minOut: 0n, limitPriceWad: 0n, maxFeePerGasWei: 10n ** 10n, maxPriorityFeePerGasWei: 10n ** 9n };
    const options = { operator: await f.operator.getAddress(), confirmations: 1, timeoutMs: 10_000, gasLimitBufferBps: 2_000 };
    const asKeeper = new DirectTxSender(f.keeper, ethers.provider, f.keeper.address, options);
    const asStranger = new DirectTxSender(f.stranger, ethers.provider, f.stranger.address, options);
    for (const [sender, name] of [[asKeeper, "PriceInsideBand"], [asStranger, "NotKeeper"]] as const) {
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
