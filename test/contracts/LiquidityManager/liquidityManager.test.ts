/**
 * LiquidityManager on the real Uniswap V3 pool: the protocol's position sits around the peg, is
 * paid through the pool's callback (tokens minted, quote from the Reserve), is capped and keeps
 * rule 7, returns everything to the Reserve on removal, collects fees into the Reserve, and is
 * valued at the lower of spot and the peg with the token side at zero.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ZeroHash, parseUnits } from "ethers";
import { LiquidityManager__factory } from "../../../typechain-types";
import * as v3 from "../../../keeper/src/policy/v3";
import {
  FIXTURE_POL_QUOTE,
  WAD,
  deployV3SystemFixture,
  deployV3Tier500Fixture,
  polLiquidityFor,
  positionQuote,
  pushV3PriceTo,
} from "../../support/systemV3";

const USDC = (v: string) => parseUnits(v, 6);

describe("LiquidityManager", () => {
  it("holds the seeded position in ±rangeBps ticks around the peg's tick, which lies inside", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const pegTick = v3.getTickAtSqrtRatio(v3.sqrtPriceForQuotePerToken(WAD, f.v3.tokenIsToken0, WAD, 10n ** 6n));
    const [lower, upper] = [Number(await lm.tickLower()), Number(await lm.tickUpper())];
    expect(lower).to.be.at.most(pegTick);
    expect(upper).to.be.greaterThan(pegTick);
    expect(upper - lower).to.equal(2 * Number(await lm.rangeBps()));
    expect(await lm.positionLiquidity()).to.be.greaterThan(0n);
    expect(await lm.quoteDeployedWad()).to.be.closeTo(parseUnits(FIXTURE_POL_QUOTE, 18), parseUnits("1", 12));
  });

  it("addLiquidity mints the token side and draws the quote side from the Reserve, exactly what the pool asked", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdcAddress = await f.usdc.token.getAddress();
    const liquidity = await polLiquidityFor(f, USDC("1000"));
    const supplyBefore = await f.stable.totalSupply();
    const reserveBefore = await f.reserve.accountedAmount(usdcAddress);
    const tx = await lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("2000", 18), USDC("2000"));
    const receipt = await tx.wait();
    const event = receipt!.logs.map((l) => lm.interface.parseLog(l)).find((e) => e?.name === "LiquidityAdded")!;
    const [, , , , tokensMinted, quoteSpent] = event.args;
    expect(quoteSpent).to.be.closeTo(USDC("1000"), 1n);
    expect(await f.stable.totalSupply()).to.equal(supplyBefore + tokensMinted);
    expect(await f.reserve.accountedAmount(usdcAddress)).to.equal(reserveBefore - quoteSpent);
  });

  it("only OPERATOR_ROLE adds or removes liquidity", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await expect(lm.connect(f.stranger).addLiquidity(1n, 1n, 1n)).to.be.revertedWithCustomError(
      lm,
      "AccessControlUnauthorizedAccount",
    );
    await expect(lm.connect(f.stranger).removeLiquidity(1n, 0n, 0n)).to.be.revertedWithCustomError(
      lm,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("refuses a mint callback from anyone but the pool", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await expect(lm.connect(f.stranger).uniswapV3MintCallback(1n, 1n, "0x"))
      .to.be.revertedWithCustomError(lm, "NotPool")
      .withArgs(f.stranger.address);
  });

  it("refuses to pay more than the caller's maximum on either side", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const liquidity = await polLiquidityFor(f, USDC("1000"));
    await expect(
      lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("2000", 18), USDC("999")),
    ).to.be.revertedWithCustomError(lm, "OwedAboveMax");
    await expect(
      lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("1", 18), USDC("2000")),
    ).to.be.revertedWithCustomError(lm, "OwedAboveMax");
  });

  it("caps the quote held in the pool (CapExceeded) and bounds the cap itself", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await expect(lm.setMaxQuoteDeployedWad(parseUnits("21000", 18))).to.emit(lm, "CapSet");
    const liquidity = await polLiquidityFor(f, USDC("2000"));
    await expect(
      lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("3000", 18), USDC("3000")),
    ).to.be.revertedWithCustomError(lm, "CapExceeded");
    await expect(lm.setMaxQuoteDeployedWad(parseUnits("10000001", 24))).to.be.revertedWithCustomError(
      lm,
      "ParameterOutOfBounds",
    );
    // Only the admin sets the cap: the keeper (the manager's operator) cannot lift it, and it stays as set.
    await expect(lm.connect(f.keeper).setMaxQuoteDeployedWad(parseUnits("1000000", 18)))
      .to.be.revertedWithCustomError(lm, "AccessControlUnauthorizedAccount")
      .withArgs(f.keeper.address, ZeroHash);
    expect(await lm.maxQuoteDeployedWad()).to.equal(parseUnits("21000", 18));
  });

  it("keeps rule 7: an add that takes the ratio below min(before, target) reverts RatioBelowBound", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const liquidity = await polLiquidityFor(f, USDC("400000"));
    await expect(
      lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("500000", 18), USDC("500000")),
    ).to.be.revertedWithCustomError(lm, "RatioBelowBound");
  });

  it("removeLiquidity burns the tokens it gets back and returns the quote to the Reserve", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdcAddress = await f.usdc.token.getAddress();
    const held = await lm.positionLiquidity();
    const reserveBefore = await f.reserve.accountedAmount(usdcAddress);
    const supplyBefore = await f.stable.totalSupply();
    const half = held / 2n;
    await expect(lm.connect(f.keeper).removeLiquidity(held + 1n, 0n, 0n))
      .to.be.revertedWithCustomError(lm, "InsufficientLiquidity")
      .withArgs(held, held + 1n);
    await expect(
      lm.connect(f.keeper).removeLiquidity(half, parseUnits("1000000", 18), 0n),
    ).to.be.revertedWithCustomError(lm, "OutBelowMin");
    const receipt = await (await lm.connect(f.keeper).removeLiquidity(half, 0n, 0n)).wait();
    const [, , tokensBurned, quoteReturned] = receipt!.logs
      .map((l) => lm.interface.parseLog(l))
      .find((e) => e?.name === "LiquidityRemoved")!.args;
    expect(await lm.positionLiquidity()).to.equal(held - half);
    // Half the seeded 20,000 quote side (the peg sits within one tick of the range's centre).
    expect(quoteReturned).to.be.closeTo(USDC("10000"), USDC("1"));
    expect(await f.reserve.accountedAmount(usdcAddress)).to.equal(reserveBefore + quoteReturned);
    expect(tokensBurned).to.be.greaterThan(parseUnits("8000", 18));
    expect(await f.stable.totalSupply()).to.equal(supplyBefore - tokensBurned);
    expect(await f.stable.balanceOf(await lm.getAddress())).to.equal(0n);
    expect(await f.usdc.token.balanceOf(await lm.getAddress())).to.equal(0n);
  });

  it("collectFees (anyone) sends quote fees to the Reserve and burns token fees", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdcAddress = await f.usdc.token.getAddress();
    // Trade through the position both ways: it earns the 0.01% fee on each side.
    await pushV3PriceTo(f, parseUnits("1.001", 18));
    await pushV3PriceTo(f, parseUnits("0.999", 18));
    const reserveBefore = await f.reserve.accountedAmount(usdcAddress);
    const supplyBefore = await f.stable.totalSupply();
    const tx = await lm.connect(f.stranger).collectFees();
    const event = (await tx.wait())!.logs
      .map((l) => lm.interface.parseLog(l))
      .find((e) => e?.name === "FeesCollected")!;
    const [, tokensBurned, quoteToReserve] = event.args;
    expect(quoteToReserve).to.be.greaterThan(0n);
    expect(tokensBurned).to.be.greaterThan(0n);
    expect(await f.reserve.accountedAmount(usdcAddress)).to.equal(reserveBefore + quoteToReserve);
    expect(await f.stable.totalSupply()).to.equal(supplyBefore - tokensBurned);
  });

  it("a top-up collects the fees owed first and says so (FeesCollected): supply moves by the add's mint less the burned fees", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await pushV3PriceTo(f, parseUnits("1.001", 18));
    await pushV3PriceTo(f, parseUnits("0.999", 18));
    const supplyBefore = await f.stable.totalSupply();
    const receipt = await (
      await lm.connect(f.keeper).addLiquidity((await lm.positionLiquidity()) / 10n, MaxUint256, MaxUint256)
    ).wait();
    const events = receipt!.logs.map((l) => lm.interface.parseLog(l));
    const [, feeTokensBurned, feeQuote] = events.find((e) => e?.name === "FeesCollected")!.args;
    const [, , , , tokensMinted] = events.find((e) => e?.name === "LiquidityAdded")!.args;
    expect(feeTokensBurned).to.be.greaterThan(0n);
    expect(feeQuote).to.be.greaterThan(0n);
    expect(await f.stable.totalSupply()).to.equal(supplyBefore + tokensMinted - feeTokensBurned);
  });

  it("values the position's quote at the feed price, at most its value at the peg, tokens at zero", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const atPeg = await lm.positionValueWad();
    expect(atPeg).to.be.closeTo(parseUnits(FIXTURE_POL_QUOTE, 18), parseUnits("1", 15));
    expect(atPeg).to.equal((await positionQuote(f)) * 10n ** 12n);
    // Above the peg the position holds more quote, but the valuation stays at the peg's.
    await pushV3PriceTo(f, parseUnits("1.0015", 18));
    expect((await positionQuote(f)) * 10n ** 12n).to.be.greaterThan(atPeg);
    expect(await lm.positionValueWad()).to.equal(atPeg);
    // Below the peg it holds less quote and is valued at what it holds.
    await pushV3PriceTo(f, parseUnits("0.999", 18));
    expect(await lm.positionValueWad()).to.equal((await positionQuote(f)) * 10n ** 12n);
    expect(await lm.positionValueWad()).to.be.lessThan(atPeg);
    // The quote side follows the USDC feed.
    await f.usdc.feed.updateAnswer(parseUnits("0.98", 8));
    expect(await lm.positionValueWad()).to.equal(((await positionQuote(f)) * 10n ** 12n * 98n) / 100n);
  });

  it("bounds the range (ParameterOutOfBounds) and refuses one narrower than a tick spacing", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    await expect(lm.setRangeBps(0)).to.be.revertedWithCustomError(lm, "ParameterOutOfBounds");
    await expect(lm.setRangeBps(201)).to.be.revertedWithCustomError(lm, "ParameterOutOfBounds");
    await expect(lm.setRangeBps(30)).to.emit(lm, "RangeSet").withArgs(20n, 30n);
    await expect(lm.connect(f.stranger).setRangeBps(30)).to.be.revertedWithCustomError(
      lm,
      "AccessControlUnauthorizedAccount",
    );
    const g = await loadFixture(deployV3Tier500Fixture);
    await expect(g.v3.liquidityManager.setRangeBps(5))
      .to.be.revertedWithCustomError(g.v3.liquidityManager, "RangeNarrowerThanSpacing")
      .withArgs(5n, 10n);
  });

  it("refuses a pool that does not trade the token", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const factory = new LiquidityManager__factory(f.admin);
    await expect(
      factory.deploy(
        f.admin.address,
        await f.usdc.token.getAddress(),
        await f.oracle.getAddress(),
        await f.reserve.getAddress(),
        20,
        0,
      ),
    ).to.be.revertedWithCustomError(factory, "PoolTokenMismatch");
  });
});
