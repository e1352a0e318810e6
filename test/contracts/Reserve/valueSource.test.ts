/**
 * Reserve: protocol-owned liquidity counts in the reserve's value (issue 15 item 2). On the real V3
 * venue, the LiquidityManager is the Reserve's value source: every valuation (strict, degraded, the
 * cache's whole passes, the ratios) adds the position's quote at the quote feed's price, its token
 * side at zero; the link is the admin's, named and evented; a redemption is priced on that value
 * but paid from idle (and strategy) holdings only, so it can never be promised quote that sits in
 * the pool.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseUnits } from "ethers";
import { TestValueSource__factory } from "../../../typechain-types";
import { WAD, deployV3SystemFixture, pushV3PriceTo, type V3Fixture } from "../../support/systemV3";

const QUOTE_UNIT = 10n ** 6n;
const BPS = 10_000n;

/** The reserve's whole valuation computed here from its parts: each asset's accounted amount (the
 * quote asset's plus the position's quote) at its feed price, rounded down term by term. */
async function expectedValuation(f: V3Fixture, withPosition: boolean): Promise<[bigint, bigint]> {
  const usdc = await f.usdc.token.getAddress();
  let gross = 0n;
  let haircut = 0n;
  for (const asset of await f.reserve.assets()) {
    const price = await f.oracle.price(asset);
    const config = await f.reserve.assetConfig(asset);
    let amount = await f.reserve.accountedAmount(asset);
    if (withPosition && asset === usdc) amount += await f.v3.liquidityManager.quoteAmountAt(price);
    const unit = asset === usdc ? QUOTE_UNIT : WAD;
    const value = (amount * price) / unit;
    gross += value;
    haircut += (value * (BPS - config.haircutBps)) / BPS;
  }
  return [gross, haircut];
}

describe("Reserve: the protocol's V3 position counts in the reserve's value (value source)", () => {
  it("the deploy registers the LiquidityManager; every valuation adds its quote at the feed price, to the wei", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    expect(await f.reserve.valueSource()).to.equal(await lm.getAddress());
    const position = await lm.quoteAmountAt(await f.oracle.price(await f.usdc.token.getAddress()));
    expect(position).to.be.greaterThan(parseUnits("19000", 6)); // the launch's 20,000 USDC, at the peg

    const [gross, haircut] = await f.reserve.valuation();
    expect([gross, haircut]).to.deep.equal(await expectedValuation(f, true));
    const [grossWithout] = await expectedValuation(f, false);
    expect(gross - grossWithout).to.be.closeTo(position * 10n ** 12n, 10n ** 12n);
    expect(await f.reserve.reserveValue()).to.equal(haircut);
    const supply = await f.stable.totalSupply();
    expect(await f.reserve.collateralRatio()).to.equal((haircut * WAD) / supply);
    // Fresh feeds: the degraded-mode ratios read the same pass.
    expect(await f.reserve.conservativeRatio()).to.equal((haircut * WAD) / supply);
    expect(await f.reserve.redemptionRatio()).to.equal((gross * WAD) / supply);
    await f.reserve.poke();
    const cached = await f.reserve.cachedValuation();
    expect([cached.grossWad, cached.haircutWad]).to.deep.equal([gross, haircut]);
  });

  it("the token side counts zero: with the pool below the range the position adds nothing; above it, only the peg's share", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    await pushV3PriceTo(f, parseUnits("0.997", 18));
    expect(await f.v3.liquidityManager.positionValueWad()).to.equal(0n);
    expect(await f.reserve.valuation()).to.deep.equal(await expectedValuation(f, false));
    await pushV3PriceTo(f, parseUnits("1.003", 18));
    const [gross] = await f.reserve.valuation();
    expect([gross, (await f.reserve.valuation())[1]]).to.deep.equal(await expectedValuation(f, true));
  });

  it("setValueSource: admin only, evented; zero stops counting and the cache follows", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdc = await f.usdc.token.getAddress();
    await expect(f.reserve.connect(f.user).setValueSource(ZeroAddress)).to.be.revertedWithCustomError(
      f.reserve,
      "AccessControlUnauthorizedAccount",
    );
    const [withPosition] = await f.reserve.valuation();
    await expect(f.reserve.connect(f.admin).setValueSource(ZeroAddress))
      .to.emit(f.reserve, "ValueSourceSet")
      .withArgs(ZeroAddress, ZeroAddress);
    expect(await f.reserve.valueSource()).to.equal(ZeroAddress);
    const [without] = await f.reserve.valuation();
    expect(without).to.equal((await expectedValuation(f, false))[0]);
    expect(withPosition).to.be.greaterThan(without);
    // The cache was priced again at once: it no longer counts the position either.
    expect((await f.reserve.cachedValuation()).grossWad).to.equal(without);
    await expect(f.reserve.connect(f.admin).setValueSource(await lm.getAddress()))
      .to.emit(f.reserve, "ValueSourceSet")
      .withArgs(await lm.getAddress(), usdc);
    expect((await f.reserve.cachedValuation()).grossWad).to.equal(withPosition);
  });

  it("a redemption is priced on the value with the position but paid from idle only: too large reverts InsufficientLiquidity, and after the position is removed the same redemption pays", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdc = await f.usdc.token.getAddress();
    // The user holds tokens; then a short reserve with most of its quote in the pool: the admin,
    // acting as an operator, takes the idle quote out down to 10 USDC.
    const reserveAddress = await f.reserve.getAddress();
    await f.usdc.token.connect(f.user).approve(reserveAddress, 2n ** 255n);
    await f.stable.connect(f.user).approve(reserveAddress, 2n ** 255n);
    await f.reserve.connect(f.user).mint(usdc, parseUnits("20000", 6), 0n, f.user.address);
    await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), f.admin.address);
    const idle = (await f.reserve.holdings(usdc)).idle;
    await f.reserve.connect(f.admin).releaseToOperator(usdc, idle - parseUnits("10", 6), f.admin.address);
    const ratio = await f.reserve.redemptionRatio();
    const [grossWithout] = await expectedValuation(f, false);
    const supply = await f.stable.totalSupply();
    expect(ratio).to.be.lessThan(WAD);
    expect(ratio).to.be.greaterThan((grossWithout * WAD) / supply); // the position counts

    // Priced on the gross value with the position, but more than the reserve holds of USDC itself.
    const tokens = parseUnits("19000", 18);
    const wanted = await f.reserve.previewRedeem(usdc, tokens);
    expect(wanted).to.be.greaterThan(await f.reserve.accountedAmount(usdc));
    await expect(f.reserve.connect(f.user).redeem(usdc, tokens, 0n, f.user.address)).to.be.revertedWithCustomError(
      f.reserve,
      "InsufficientLiquidity",
    );

    // Removing the position brings its quote back to idle and burns its tokens: the ratio can only
    // rise, and the same redemption now pays at least what it was quoted.
    await lm.connect(f.keeper).removeLiquidity(await lm.positionLiquidity(), 0n, 0n);
    expect(await f.reserve.redemptionRatio()).to.be.greaterThanOrEqual(ratio);
    const before = await f.usdc.token.balanceOf(f.user.address);
    await f.reserve.connect(f.user).redeem(usdc, tokens, wanted, f.user.address);
    expect((await f.usdc.token.balanceOf(f.user.address)) - before).to.be.greaterThanOrEqual(wanted);
  });

  it("a failing source counts zero and an absurd answer counts at most MAX_VALUE_SOURCE_AMOUNT: valuations and redemptions go on", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const usdc = await f.usdc.token.getAddress();
    const source = await new TestValueSource__factory(f.admin).deploy(usdc);
    await f.reserve.connect(f.admin).setValueSource(await source.getAddress());
    const [grossWithout] = await expectedValuation(f, false);
    await source.set(parseUnits("1000", 6), true);
    expect((await f.reserve.valuation())[0]).to.equal(grossWithout);
    await source.set(2n ** 255n, false);
    const price = await f.oracle.price(usdc);
    const maxAmount = 2n ** 104n - 2n; // MAX_VALUE_SOURCE_AMOUNT
    const amount = (await f.reserve.accountedAmount(usdc)) + maxAmount;
    const [gross] = await f.reserve.valuation();
    expect(gross - grossWithout).to.equal((amount * price) / QUOTE_UNIT - ((amount - maxAmount) * price) / QUOTE_UNIT);
    await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), 2n ** 255n);
    await f.stable.connect(f.user).approve(await f.reserve.getAddress(), 2n ** 255n);
    await f.reserve.connect(f.user).mint(usdc, parseUnits("100", 6), 0n, f.user.address);
    await expect(f.reserve.connect(f.user).redeem(usdc, parseUnits("50", 18), 0n, f.user.address)).to.emit(
      f.reserve,
      "Redeemed",
    );
  });
});
