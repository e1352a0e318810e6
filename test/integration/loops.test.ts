import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits, MaxUint256 } from "ethers";
import { deploySystemFixture, mintWithUsdc, passTime, poolPrice, swapIntoPool, WAD } from "../fixtures/system";

describe("Full loops on the real Uniswap V2 pair", function () {
  it("price pushed above peg by a trader: expansion brings it back to the peg, the reserve grows", async function () {
    const f = await loadFixture(deploySystemFixture);
    await swapIntoPool(f, f.trader, false, parseUnits("30000", 6)); // buy tokens with USDC
    expect(await poolPrice(f)).to.be.gt(parseUnits("1.05", 18));
    await passTime(f, 2 * f.params.oracle.twapWindowSec, 8);
    const preview = await f.operator.preview();
    expect(preview.action).to.equal(1n);
    const reserveBefore = await f.reserve.reserveValue();
    const supplyBefore = await f.stable.totalSupply();
    await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyExpanded");
    const price = await poolPrice(f);
    expect(price).to.be.gte(WAD);
    expect(price).to.be.lt(WAD + WAD / 10_000n); // within 1 bps of the peg
    expect(await f.reserve.reserveValue()).to.be.gt(reserveBefore);
    expect(await f.stable.totalSupply()).to.be.gt(supplyBefore);
  });

  it("price pushed below peg: contraction brings it back, supply shrinks, the ratio improves", async function () {
    const f = await loadFixture(deploySystemFixture);
    const minted = await mintWithUsdc(f, f.trader, parseUnits("40000", 6));
    await swapIntoPool(f, f.trader, true, minted);
    expect(await poolPrice(f)).to.be.lt(parseUnits("0.95", 18));
    await passTime(f, 2 * f.params.oracle.twapWindowSec, 8);
    const ratioBefore = await f.reserve.collateralRatio();
    const supplyBefore = await f.stable.totalSupply();
    await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyContracted");
    const price = await poolPrice(f);
    expect(price).to.be.lte(WAD);
    expect(price).to.be.gt(WAD - WAD / 10_000n);
    expect(await f.stable.totalSupply()).to.be.lt(supplyBefore);
    expect(await f.reserve.collateralRatio()).to.be.gt(ratioBefore);
  });
});
