/**
 * The Reserve's strategy exits at their edges: an emergency withdrawal from a vault that holds
 * nothing of the reserve's yet redeems nothing and only detaches it, and an asset whose whole
 * holding sits in its strategy (a 0% buffer) is not empty: delistAsset names the shares it holds.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import { TestVault__factory } from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";
import { setBufferBps } from "../../support/reserveConfig";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

/** `asset` with a fresh ERC-4626 strategy attached (nothing parked in it yet). */
async function withStrategy(f: Fixture, asset: "usdc" | "weth") {
  const token = await addr(f[asset].token);
  const vault = await new TestVault__factory(f.admin).deploy(token, "Strategy", "bSTRAT");
  await f.reserve.connect(f.admin).setStrategy(token, await addr(vault));
  return { token, vault };
}

describe("Reserve strategy exits at their edges", function () {
  it("emergencyWithdraw from a vault holding none of the reserve's shares redeems nothing, writes nothing off and detaches it", async function () {
    const f = await loadFixture(deploySystemFixture);
    const { token: weth, vault } = await withStrategy(f, "weth");
    const before = await f.reserve.holdings(weth);
    expect(before.strategyShares).to.equal(0n);
    await expect(f.reserve.connect(f.admin).emergencyWithdraw(weth))
      .to.emit(f.reserve, "StrategyEmergencyWithdrawn")
      .withArgs(weth, await addr(vault), 0n, 0n, 0n)
      .and.to.emit(f.reserve, "StrategySet")
      .withArgs(weth, await addr(vault), ZeroAddress);
    expect(await f.reserve.holdings(weth)).to.deep.equal(before);
    expect(await f.reserve.strategyOf(weth)).to.equal(ZeroAddress);
  });

  it("with a 0% buffer everything is parked: idle is 0 yet delistAsset reverts AssetNotEmpty naming the strategy shares", async function () {
    const f = await loadFixture(deploySystemFixture);
    const { token: usdc } = await withStrategy(f, "usdc");
    await setBufferBps(f, usdc, 0);
    await f.operator.connect(f.keeper).rebalance();
    const h = await f.reserve.holdings(usdc);
    expect(h.idle).to.equal(0n);
    expect(h.strategyShares).to.be.gt(0n);
    await expect(f.reserve.connect(f.admin).delistAsset(usdc))
      .to.be.revertedWithCustomError(f.reserve, "AssetNotEmpty")
      .withArgs(usdc, 0n, h.strategyShares);
  });
});
