/**
 * MarketOperator as a Chainlink Automation target, driven the way the network drives it:
 * checkUpkeep by eth_call, then performUpkeep(performData) from the upkeep's forwarder. Covers
 * stale and forged performData, two performs racing in one block, and the forwarder restriction.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits, type TransactionReceipt } from "ethers";
import {
  deploySystemFixture,
  equityWad,
  passTime,
  poolPrice,
  pushSpotTo,
  settleAt,
  WAD,
  limitsOf,
} from "../../support/system";
import { automationFixture, operatorState, type AutomationFixture } from "../../support/automationFixture";
import { Action, decodePerformData, encodePerformData } from "../../support/registryHarness";
import { Action as TsAction, limitPriceWad } from "../../../keeper/src/policy";

const price = (s: string) => parseUnits(s, 18);
const ONE_BPS_WAD = WAD / 10_000n;
const Blocker = { None: 0n, InsideBand: 4n, Cooldown: 5n };
const GAS = 1_500_000n;
const DECIMALS = { tokenDecimals: 18, quoteDecimals: 6 };

/** The revert data of a mined, failed transaction, from the node's own trace. */
async function revertData(hash: string): Promise<string> {
  const trace = (await network.provider.send("debug_traceTransaction", [
    hash,
    { disableStorage: true, disableMemory: true, disableStack: true },
  ])) as {
    failed: boolean;
    returnValue: string;
  };
  expect(trace.failed, "transaction should have failed").to.equal(true);
  return trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`;
}

async function receipt(hash: string): Promise<TransactionReceipt> {
  const r = await ethers.provider.getTransactionReceipt(hash);
  if (!r) throw new Error(`no receipt for ${hash}`);
  return r;
}

describe("Chainlink Automation: the registry's cycle against MarketOperator", function () {
  it("at the peg the simulation says no upkeep is needed and gives no performData", async function () {
    const f = await loadFixture(automationFixture);
    const sim = await f.registry.simulate();
    expect(sim.upkeepNeeded).to.equal(false);
    expect(sim.performData).to.equal("0x");
  });

  it("above the band: checkUpkeep asks for an expansion of preview's size; performUpkeep from the forwarder lands the pool on the peg", async function () {
    const f = await loadFixture(automationFixture);
    await settleAt(f, price("1.03"));
    const preview = await f.operator.preview();
    const sim = await f.registry.simulate();
    expect(sim.upkeepNeeded).to.equal(true);
    const request = decodePerformData(sim.performData);
    expect(request.action).to.equal(Action.Expand);
    expect(request.amount).to.equal(preview.amount);
    expect(request.limitPriceWad).to.equal(
      limitPriceWad(TsAction.Expand, preview.amount, preview.expectedOut, 50n, DECIMALS),
    );

    const equityBefore = await equityWad(f);
    await expect(f.registry.perform(sim.performData))
      .to.emit(f.operator, "SupplyExpanded")
      .withArgs(
        f.forwarder.address,
        request.amount,
        preview.expectedOut,
        (s: bigint) => s > price("1.02"),
        (s: bigint) => s >= WAD,
      );
    const after = await poolPrice(f);
    expect(after).to.be.gte(WAD);
    expect(after).to.be.lt(WAD + ONE_BPS_WAD);
    expect(await equityWad(f)).to.be.gt(equityBefore);
    expect((await f.registry.simulate()).upkeepNeeded).to.equal(false);
  });

  it("below the band: checkUpkeep asks for a contraction; performUpkeep from the forwarder buys back to the peg", async function () {
    const f = await loadFixture(automationFixture);
    await settleAt(f, price("0.96"));
    const sim = await f.registry.simulate();
    const request = decodePerformData(sim.performData);
    expect(request.action).to.equal(Action.Contract);
    const supplyBefore = await f.stable.totalSupply();
    await expect(f.registry.perform(sim.performData)).to.emit(f.operator, "SupplyContracted");
    const after = await poolPrice(f);
    expect(after).to.be.lte(WAD);
    expect(after).to.be.gt(WAD - ONE_BPS_WAD);
    expect(await f.stable.totalSupply()).to.be.lt(supplyBefore);
    expect((await f.registry.simulate()).upkeepNeeded).to.equal(false);
  });

  describe("stale performData (simulated at an earlier block) never harms", function () {
    it("the market corrected the price meanwhile: performUpkeep reverts UpkeepNotNeeded and changes nothing", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const stale = await f.registry.simulate();
      await settleAt(f, price("1.001")); // arbitrage brought it back inside the band
      const before = await operatorState(f);
      await expect(f.registry.perform(stale.performData))
        .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
        .withArgs(Action.Expand, Action.None, Blocker.InsideBand);
      expect(await operatorState(f)).to.deep.equal(before);
    });

    it("the price partly corrected: the trade shrinks to what the pool gives at the requested price, never below it, short of the peg", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.04"));
      const stale = await f.registry.simulate();
      const { limitPriceWad: limit } = decodePerformData(stale.performData);
      await pushSpotTo(f, price("1.02")); // still above the band, within the spot/TWAP guard
      const equityBefore = await equityWad(f);
      const receipt = await (await f.registry.perform(stale.performData)).wait();
      const event = receipt!.logs
        .map((l) => f.operator.interface.parseLog(l))
        .find((e) => e?.name === "SupplyExpanded")!;
      const [, sold, quote] = event.args as unknown as [string, bigint, bigint];
      // Average price received, quote per token (WAD), at least the limit less the pair's one-unit rounding.
      expect(((quote + 1n) * 10n ** 12n * WAD) / sold).to.be.gte(limit);
      expect(await poolPrice(f)).to.be.gt(WAD + ONE_BPS_WAD);
      expect(await equityWad(f)).to.be.gt(equityBefore);
    });

    it("the price moved further away: only the stale amount is sold, the pool ends short of the peg (not past it) and protocol value grows", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.02"));
      const stale = await f.registry.simulate();
      const staleRequest = decodePerformData(stale.performData);
      await pushSpotTo(f, price("1.035"));
      await passTime(f, 600, 4);
      const equityBefore = await equityWad(f);
      await expect(f.registry.perform(stale.performData))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(
          f.forwarder.address,
          staleRequest.amount,
          (q: bigint) => (q * 10n ** 12n * WAD) / staleRequest.amount >= staleRequest.limitPriceWad,
          (s: bigint) => s > 0n,
          (s: bigint) => s > WAD,
        );
      expect(await poolPrice(f)).to.be.gt(WAD + 50n * ONE_BPS_WAD);
      expect(await equityWad(f)).to.be.gt(equityBefore);
    });

    it("performData replayed after it was performed reverts, both inside the cooldown and after it", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const sim = await f.registry.simulate();
      await f.registry.perform(sim.performData);
      let before = await operatorState(f);
      await expect(f.registry.perform(sim.performData)).to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded");
      expect(await operatorState(f)).to.deep.equal(before);
      await passTime(f, Number((await f.operator.limits()).cooldownSec) + 1, 1);
      before = await operatorState(f);
      await expect(f.registry.perform(sim.performData))
        .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
        .withArgs(Action.Expand, Action.None, (b: bigint) => b === Blocker.InsideBand || b === Blocker.Cooldown);
      expect(await operatorState(f)).to.deep.equal(before);
    });

    it("an expansion request after the price fell below the band reverts UpkeepNotNeeded(Expand, Contract) and changes nothing", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const stale = await f.registry.simulate();
      await settleAt(f, price("0.97"));
      const before = await operatorState(f);
      await expect(f.registry.perform(stale.performData))
        .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
        .withArgs(Action.Expand, Action.Contract, Blocker.None);
      expect(await operatorState(f)).to.deep.equal(before);
    });
  });

  describe("performData is a request, never trusted beyond what is re-checked", function () {
    it("an amount far above what the peg allows is clamped: the pool lands on the peg, not past it", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const preview = await f.operator.preview();
      const forged = encodePerformData({ action: Action.Expand, amount: MaxUint256, limitPriceWad: 0n });
      await expect(f.registry.perform(forged))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(
          f.forwarder.address,
          preview.amount,
          preview.expectedOut,
          (s: bigint) => s > 0n,
          (s: bigint) => s >= WAD,
        );
      expect(await poolPrice(f)).to.be.lt(WAD + ONE_BPS_WAD);
    });

    it("action None, or the wrong action, reverts UpkeepNotNeeded", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      await expect(f.registry.perform(encodePerformData({ action: Action.None, amount: 1n, limitPriceWad: 0n })))
        .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
        .withArgs(Action.None, Action.Expand, Blocker.None);
      await expect(
        f.registry.perform(encodePerformData({ action: Action.Contract, amount: MaxUint256, limitPriceWad: 0n })),
      )
        .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
        .withArgs(Action.Contract, Action.Expand, Blocker.None);
    });

    it("performData that is not abi.encode(action, amount, limitPriceWad) reverts without effect", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const before = await operatorState(f);
      await expect(f.registry.perform("0x1234")).to.be.reverted;
      expect(await operatorState(f)).to.deep.equal(before);
    });
  });

  describe("two performs in the same block", function () {
    afterEach(async function () {
      await network.provider.send("evm_setAutomine", [true]);
    });

    async function raceInOneBlock(f: AutomationFixture, send: () => Promise<string[]>) {
      await settleAt(f, price("1.03"));
      const before = await operatorState(f);
      await network.provider.send("evm_setAutomine", [false]);
      const hashes = await send();
      await network.provider.send("evm_mine", []);
      await network.provider.send("evm_setAutomine", [true]);
      const receipts = await Promise.all(hashes.map(receipt));
      expect(new Set(receipts.map((r) => r.blockNumber)).size, "all in one block").to.equal(1);
      return { before, receipts };
    }

    for (const capped of [false, true]) {
      const blocker = capped ? Blocker.Cooldown : Blocker.InsideBand;
      const why = capped
        ? "a per-op cap left the price off peg: the cooldown stops the second"
        : "the first reached the peg";
      it(`the forwarder performs twice (${why}): the first expands, the second reverts UpkeepNotNeeded with no effect`, async function () {
        const f = await loadFixture(automationFixture);
        if (capped)
          await f.operator
            .connect(f.admin)
            .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: parseUnits("5000", 18) });
        const { before, receipts } = await raceInOneBlock(f, async () => {
          const sim = await f.registry.simulate();
          const nonce = await ethers.provider.getTransactionCount(f.forwarder.address, "latest");
          const a = await f.registry.perform(sim.performData, { gasLimit: GAS, nonce });
          const b = await f.registry.perform(sim.performData, { gasLimit: GAS, nonce: nonce + 1 });
          return [a.hash, b.hash];
        });
        expect(receipts.map((r) => r.status)).to.deep.equal([1, 0]);
        expect(receipts[1].logs).to.have.length(0);
        const reason = f.operator.interface.parseError(await revertData(receipts[1].hash));
        expect(reason?.name).to.equal("UpkeepNotNeeded");
        expect([...reason!.args]).to.deep.equal([Action.Expand, Action.None, blocker]);

        // The state is exactly what the first perform alone produced.
        const expanded = receipts[0].logs
          .map((l) => f.operator.interface.parseLog(l))
          .find((l) => l?.name === "SupplyExpanded");
        const after = await operatorState(f);
        expect(after.supply - before.supply).to.equal(expanded!.args.tokensSold);
        expect(after.netMinted - before.netMinted).to.equal(expanded!.args.tokensSold);
        expect(after.lastOperationAt).to.equal(
          BigInt((await ethers.provider.getBlock(receipts[0].blockNumber))!.timestamp),
        );
        if (capped) expect(expanded!.args.tokensSold).to.equal(parseUnits("5000", 18));
      });
    }

    it("the keeper and the forwarder in one block: whichever comes first acts, the other reverts and pays for nothing it changed", async function () {
      const f = await loadFixture(automationFixture);
      const { before, receipts } = await raceInOneBlock(f, async () => {
        const sim = await f.registry.simulate();
        const a = await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0, { gasLimit: GAS });
        const b = await f.registry.perform(sim.performData, { gasLimit: GAS });
        return [a.hash, b.hash];
      });
      expect(receipts.map((r) => r.status).sort()).to.deep.equal([0, 1]);
      const failed = receipts.find((r) => r.status === 0)!;
      expect(failed.logs).to.have.length(0);
      const after = await operatorState(f);
      expect(after.netMinted - before.netMinted).to.equal(after.supply - before.supply);
      expect(await poolPrice(f)).to.be.lt(WAD + ONE_BPS_WAD);
    });
  });

  describe("who may perform", function () {
    it("a stranger cannot performUpkeep, even with the registry's own performData", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const sim = await f.registry.simulate();
      await expect(f.operator.connect(f.outsider).performUpkeep(sim.performData))
        .to.be.revertedWithCustomError(f.operator, "NotKeeper")
        .withArgs(f.outsider.address);
    });

    it("the forwarder may only performUpkeep: the direct operations refuse it", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const asForwarder = f.operator.connect(f.forwarder);
      await expect(asForwarder.expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(f.operator, "NotKeeper");
      await expect(asForwarder.contractSupply(MaxUint256, 0)).to.be.revertedWithCustomError(f.operator, "NotKeeper");
      await expect(asForwarder.rebalance()).to.be.revertedWithCustomError(f.operator, "NotKeeper");
    });

    it("KEEPER_ROLE still performs alongside the forwarder", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.03"));
      const sim = await f.registry.simulate();
      await expect(f.operator.connect(f.keeper).performUpkeep(sim.performData)).to.emit(f.operator, "SupplyExpanded");
    });

    it("only the admin sets the forwarder (evented); replacing it locks the old one out, zero disables it", async function () {
      const f = await loadFixture(automationFixture);
      await expect(
        f.operator.connect(f.keeper).setAutomationForwarder(f.outsider.address),
      ).to.be.revertedWithCustomError(f.operator, "AccessControlUnauthorizedAccount");
      await expect(f.operator.connect(f.admin).setAutomationForwarder(f.outsider.address))
        .to.emit(f.operator, "AutomationForwarderSet")
        .withArgs(f.forwarder.address, f.outsider.address);
      expect(await f.operator.automationForwarder()).to.equal(f.outsider.address);
      await settleAt(f, price("1.03"));
      const sim = await f.registry.simulate();
      await expect(f.registry.perform(sim.performData))
        .to.be.revertedWithCustomError(f.operator, "NotKeeper")
        .withArgs(f.forwarder.address);
      await expect(f.operator.connect(f.admin).setAutomationForwarder(ethers.ZeroAddress))
        .to.emit(f.operator, "AutomationForwarderSet")
        .withArgs(f.outsider.address, ethers.ZeroAddress);
      await expect(f.operator.connect(f.outsider).performUpkeep(sim.performData)).to.be.revertedWithCustomError(
        f.operator,
        "NotKeeper",
      );
    });

    it("with no forwarder configured (the deploy default) performUpkeep needs KEEPER_ROLE", async function () {
      const f = await loadFixture(deploySystemFixture);
      expect(await f.operator.automationForwarder()).to.equal(ethers.ZeroAddress);
      await settleAt(f, price("1.03"));
      const [, performData] = await f.operator.checkUpkeep.staticCall("0x");
      await expect(f.operator.connect(f.stranger).performUpkeep(performData)).to.be.revertedWithCustomError(
        f.operator,
        "NotKeeper",
      );
      await expect(f.operator.connect(f.keeper).performUpkeep(performData)).to.emit(f.operator, "SupplyExpanded");
    });
  });

  describe("Gelato resolver", function () {
    it("checker() at the peg: canExec false with a readable reason", async function () {
      const f = await loadFixture(automationFixture);
      const [canExec, execPayload] = await f.operator.checker();
      expect(canExec).to.equal(false);
      expect(ethers.toUtf8String(execPayload)).to.equal("Ballast: nothing to do");
    });

    it("checker() off peg: execPayload is performUpkeep(checkUpkeep's performData); Gelato's sender with KEEPER_ROLE executes it", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("0.97"));
      const [canExec, execPayload] = await f.operator.checker();
      expect(canExec).to.equal(true);
      const [, performData] = await f.operator.checkUpkeep.staticCall("0x");
      expect(execPayload).to.equal(f.operator.interface.encodeFunctionData("performUpkeep", [performData]));

      const target = await f.operator.getAddress();
      await expect(f.gelatoSender.sendTransaction({ to: target, data: execPayload })).to.be.revertedWithCustomError(
        f.operator,
        "NotKeeper",
      );
      await f.operator.connect(f.admin).grantRole(await f.operator.KEEPER_ROLE(), f.gelatoSender.address);
      await expect(f.gelatoSender.sendTransaction({ to: target, data: execPayload })).to.emit(
        f.operator,
        "SupplyContracted",
      );
      expect(await poolPrice(f)).to.be.gt(WAD - ONE_BPS_WAD);
      expect((await f.operator.checker())[0]).to.equal(false);
    });
  });

  it("checkUpkeep and checker agree with preview block by block across a cooldown", async function () {
    const f = await loadFixture(automationFixture);
    await settleAt(f, price("1.06"));
    await f.operator
      .connect(f.admin)
      .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: parseUnits("5000", 18) });
    for (let i = 0; i < 3; i++) {
      const sim = await f.registry.simulate();
      const [canExec] = await f.operator.checker();
      const preview = await f.operator.preview();
      expect(sim.upkeepNeeded).to.equal(preview.action !== Action.None);
      expect(canExec).to.equal(sim.upkeepNeeded);
      await f.registry.perform(sim.performData);
      expect((await f.registry.simulate()).upkeepNeeded, "cooldown blocks the next perform").to.equal(false);
      await time.increase(Number((await f.operator.limits()).cooldownSec));
    }
  });
});
