/**
 * LiquidityManager's bad inputs and the life of a position on the real Uniswap V3 pool: zero
 * liquidity is refused, a removal names the side that paid too little, the mint callback runs only
 * inside the manager's own mint (even the pool's address cannot call it otherwise), an open
 * position keeps its range while a new one takes the current range around the peg, and with no
 * position open there is nothing to value or collect.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  impersonateAccount,
  loadFixture,
  setBalance,
  stopImpersonatingAccount,
} from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { deployV3SystemFixture, polAmounts, polLiquidityFor } from "../../support/systemV3";

const USDC = (v: string) => parseUnits(v, 6);

describe("LiquidityManager positions and bad inputs", () => {
  it("addLiquidity and removeLiquidity refuse zero liquidity (ZeroAmount)", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await expect(
      lm.connect(f.keeper).addLiquidity(0n, parseUnits("1000", 18), USDC("1000")),
    ).to.be.revertedWithCustomError(lm, "ZeroAmount");
    await expect(lm.connect(f.keeper).removeLiquidity(0n, 0n, 0n)).to.be.revertedWithCustomError(lm, "ZeroAmount");
  });

  it("a removal paying less quote than the minimum reverts OutBelowMin naming the quote asset, what it paid and the minimum", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const half = (await lm.positionLiquidity()) / 2n;
    const paid = await polAmounts(f, half);
    await expect(lm.connect(f.keeper).removeLiquidity(half, paid.token, paid.quote + 1n))
      .to.be.revertedWithCustomError(lm, "OutBelowMin")
      .withArgs(await f.usdc.token.getAddress(), paid.quote, paid.quote + 1n);
    // Exactly the minimum on both sides goes through.
    await expect(lm.connect(f.keeper).removeLiquidity(half, paid.token, paid.quote)).to.emit(lm, "LiquidityRemoved");
  });

  it("the mint callback from the pool's own address outside the manager's mint reverts UnexpectedCallback", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const poolAddress = await f.v3.pool.getAddress();
    // A pool that called back on its own (a hostile or broken pool) must not be paid.
    await impersonateAccount(poolAddress);
    await setBalance(poolAddress, parseUnits("1", 18));
    const pool = await ethers.getSigner(poolAddress);
    await expect(lm.connect(pool).uniswapV3MintCallback(1n, 1n, "0x")).to.be.revertedWithCustomError(
      lm,
      "UnexpectedCallback",
    );
    await stopImpersonatingAccount(poolAddress);
  });

  it("an open position keeps its range when rangeBps changes; once emptied, the next add opens the new range around the peg", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const opened = [await lm.tickLower(), await lm.tickUpper()];
    await expect(lm.setRangeBps(30)).to.emit(lm, "RangeSet").withArgs(20n, 30n);
    const wider = await lm.rangeAtPeg();
    expect(wider[1] - wider[0]).to.equal(60n);

    await expect(
      lm.connect(f.keeper).addLiquidity(await polLiquidityFor(f, USDC("100")), parseUnits("1000", 18), USDC("1000")),
    )
      .to.emit(lm, "LiquidityAdded")
      .withArgs(f.keeper.address, opened[0], opened[1], anyValue, anyValue, anyValue);
    expect([await lm.tickLower(), await lm.tickUpper()]).to.deep.equal(opened);

    await lm.connect(f.keeper).removeLiquidity(await lm.positionLiquidity(), 0n, 0n);
    const liquidity = await polLiquidityFor(f, USDC("100")); // still priced on the old range: any positive amount will do
    await expect(lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("1000", 18), USDC("1000")))
      .to.emit(lm, "LiquidityAdded")
      .withArgs(f.keeper.address, wider[0], wider[1], liquidity, anyValue, anyValue);
    expect([await lm.tickLower(), await lm.tickUpper()]).to.deep.equal([...wider]);
    expect(await lm.positionLiquidity()).to.equal(liquidity);
  });

  it("with no position open it is worth nothing and collectFees (anyone) collects nothing, burning and depositing nothing", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await lm.connect(f.keeper).removeLiquidity(await lm.positionLiquidity(), 0n, 0n);
    expect(await lm.positionValueWad()).to.equal(0n);
    const usdc = await f.usdc.token.getAddress();
    const [supply, reserveQuote] = [await f.stable.totalSupply(), await f.reserve.accountedAmount(usdc)];
    await expect(lm.connect(f.stranger).collectFees())
      .to.emit(lm, "FeesCollected")
      .withArgs(f.stranger.address, 0n, 0n);
    expect(await f.stable.totalSupply()).to.equal(supply);
    expect(await f.reserve.accountedAmount(usdc)).to.equal(reserveQuote);
  });
});
