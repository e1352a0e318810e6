/**
 * Chainlink Automation through KEEPER_ROLE (checkUpkeep → performUpkeep) and preview()'s standing-
 * still reasons that the rule tests do not already reach. The forwarder, Gelato and the registry
 * cycle in depth live in test/system/automation/.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, parseUnits } from "ethers";
import { deploySystemFixture, limitsOf, poolPrice, settleAt, WAD, type Fixture } from "../support/system";

const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n };
const Blocker = { None: 0n, InsideBand: 4n, Cooldown: 5n };

async function parked(): Promise<Fixture> {
  const f = await deploySystemFixture();
  await f.operator.connect(f.keeper).rebalance(); // nothing left to do at the peg
  return f;
}

describe("Automation entry points and preview()", function () {
  it("checkUpkeep asks for preview's expansion at its average price less 0.5%; performUpkeep by the keeper lands the pool on the peg [INV-8]", async function () {
    const f = await loadFixture(parked);
    await settleAt(f, parseUnits("1.05", 18));
    const p = await f.operator.preview();
    const [needed, performData] = await f.operator.checkUpkeep("0x");
    expect(needed).to.equal(true);
    const [action, amount, minPrice] = AbiCoder.defaultAbiCoder().decode(["uint8", "uint256", "uint256"], performData);
    const averageWad = (p.expectedOut * 10n ** 18n * WAD) / (p.amount * 10n ** 6n); // quote per token, WAD
    expect([action, amount, minPrice]).to.deep.equal([Action.Expand, p.amount, (averageWad * 9950n) / 10000n]);
    await expect(f.operator.connect(f.keeper).performUpkeep(performData)).to.emit(f.operator, "SupplyExpanded");
    expect(await poolPrice(f))
      .to.be.gte(WAD)
      .and.lt(WAD + WAD / 10_000n);
  });

  it("stale performData, replayed once the pool is back at the peg, reverts UpkeepNotNeeded(Expand, None, …) [INV-8]", async function () {
    const f = await loadFixture(parked);
    await settleAt(f, parseUnits("1.05", 18));
    const [, performData] = await f.operator.checkUpkeep("0x");
    await f.operator.connect(f.keeper).performUpkeep(performData);
    await time.increase(Number((await f.operator.limits()).cooldownSec));
    await expect(f.operator.connect(f.keeper).performUpkeep(performData))
      .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
      .withArgs(Action.Expand, Action.None, (b: bigint) => b !== Blocker.None);
  });

  it("preview stands still with InsideBand at the peg and Cooldown right after an operation, never reverting [INV-8]", async function () {
    const f = await loadFixture(parked);
    let p = await f.operator.preview();
    expect([p.action, p.blocker, p.amount]).to.deep.equal([Action.None, Blocker.InsideBand, 0n]);
    expect((await f.operator.checkUpkeep("0x")).upkeepNeeded).to.equal(false);
    await settleAt(f, parseUnits("1.05", 18));
    await f.operator
      .connect(f.admin)
      .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: parseUnits("100", 18) });
    await f.operator.connect(f.keeper).expandSupply(parseUnits("100", 18), 0);
    p = await f.operator.preview();
    expect([p.action, p.blocker]).to.deep.equal([Action.None, Blocker.Cooldown]);
    expect(p.deviationBps).to.be.gt(300n); // still far above the peg: only the cooldown holds it
  });

  it("preview's amount and expectedOut are what the operation then does, for expansion and contraction [INV-8]", async function () {
    const f = await loadFixture(parked);
    await settleAt(f, parseUnits("1.07", 18));
    const up = await f.operator.preview();
    await expect(f.operator.connect(f.keeper).expandSupply(up.amount, up.expectedOut))
      .to.emit(f.operator, "SupplyExpanded")
      .withArgs(f.keeper.address, up.amount, up.expectedOut, up.spotWad, (s: bigint) => s >= WAD);
    await settleAt(f, parseUnits("0.93", 18));
    const down = await f.operator.preview();
    expect(down.action).to.equal(Action.Contract);
    await expect(f.operator.connect(f.keeper).contractSupply(down.amount, down.expectedOut))
      .to.emit(f.operator, "SupplyContracted")
      .withArgs(f.keeper.address, down.amount, down.expectedOut, down.spotWad, (s: bigint) => s <= WAD);
  });
});
