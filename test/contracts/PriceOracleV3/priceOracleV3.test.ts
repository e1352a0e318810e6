/**
 * PriceOracleV3 on the real V3 pool: spot from slot0, the TWAP from the pool's own observations
 * (time-weighted with no keeper writing anything), both scaled by the quote feed; fails closed
 * while the observations do not reach a window back; never due for an observation of its own.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { PriceOracleV3__factory } from "../../../typechain-types";
import { connectV3Pool, createV3Pool, deployV3Factory, enableLocalTier } from "../../../deploy/uniswapV3";
import { pegSqrtPriceX96 } from "../../../deploy/v3Launch";
import * as v3 from "../../../keeper/src/policy/v3";
import { refreshFeeds } from "../../support/system";
import {
  WAD,
  deployV3SystemFixture,
  deployV3SystemWithTokenOrder,
  pushV3PriceTo,
  v3Spot,
  type V3Fixture,
} from "../../support/systemV3";

const tokenFirstFixture = () => deployV3SystemWithTokenOrder(true);

/** One tick of price, in WAD around $1: the resolution of the pool's mean-tick TWAP. */
const ONE_TICK_WAD = parseUnits("0.0001", 18);

/** A PriceOracleV3 with a 1,800 s window on another pool of the fixture's token and USDC, USDC priced by the fixture's feed. */
async function oracleOn(f: V3Fixture, poolAddress: string) {
  const oracle = await new PriceOracleV3__factory(f.admin).deploy(
    f.admin.address,
    poolAddress,
    await f.stable.getAddress(),
    await f.usdc.token.getAddress(),
    1_800,
  );
  await oracle.setFeed(
    await f.usdc.token.getAddress(),
    await f.usdc.feed.getAddress(),
    90_000,
    parseUnits("0.5", 18),
    parseUnits("2", 18),
  );
  return oracle;
}

describe("PriceOracleV3", () => {
  it("a fresh one is never due for an observation, records none on update(), and its TWAP spans exactly the window", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const oracle = await oracleOn(f, await f.v3.pool.getAddress());
    // The V2 oracle's span is 0 until its own first observation is a window old; the pool's is whole.
    expect(await oracle.twapSpan()).to.deep.equal([1_800n, 1_800n]);
    expect(await oracle.observationDue()).to.equal(false);
    expect(await oracle.update.staticCall()).to.equal(false); // pure: it cannot write an observation
    await (await oracle.setTwapWindow(3_600)).wait();
    expect(await oracle.twapSpan()).to.deep.equal([3_600n, 3_600n]);
    expect(await oracle.observationDue()).to.equal(false);
  });

  it("reads spot from slot0 and the TWAP from observe() at the peg", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const [spot, twap] = await f.oracle.marketPrice();
    expect(spot).to.equal(await v3Spot(f));
    expect(spot).to.be.closeTo(WAD, 10n ** 6n);
    expect(twap).to.be.closeTo(WAD, ONE_TICK_WAD);
  });

  it("the TWAP lags a price move and catches up over the window with no update() calls", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const target = parseUnits("1.004", 18);
    await pushV3PriceTo(f, target);
    const [spotNow, twapNow] = await f.oracle.marketPrice();
    expect(spotNow).to.be.closeTo(target, 10n ** 6n);
    expect(twapNow).to.be.closeTo(WAD, ONE_TICK_WAD);
    // Half a window later the geometric mean sits about half way.
    await time.increase(f.params.oracle.twapWindowSec / 2);
    await refreshFeeds(f);
    const [, twapHalf] = await f.oracle.marketPrice();
    expect(twapHalf).to.be.closeTo(parseUnits("1.002", 18), 2n * ONE_TICK_WAD);
    await time.increase(f.params.oracle.twapWindowSec);
    await refreshFeeds(f);
    const [, twapLater] = await f.oracle.marketPrice();
    expect(twapLater).to.be.closeTo(target, ONE_TICK_WAD);
    expect(await f.oracle.update.staticCall()).to.equal(false);
  });

  it("scales both prices by the quote feed", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const [spot] = await f.oracle.marketPrice();
    await f.usdc.feed.updateAnswer(parseUnits("0.99", 8));
    const [spotScaled, twapScaled] = await f.oracle.marketPrice();
    expect(spotScaled).to.equal((spot * 99n) / 100n);
    expect(twapScaled).to.be.closeTo(parseUnits("0.99", 18), ONE_TICK_WAD);
    // marketState: the same prices and span, with the quote price they were scaled by.
    const window = await f.oracle.twapWindowSec();
    expect([...(await f.oracle.marketState())]).to.deep.equal([
      spotScaled,
      twapScaled,
      window,
      window,
      parseUnits("0.99", 18),
    ]);
  });

  it("fails closed with TwapUnavailable until the pool's observations reach a window back", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const factory = await deployV3Factory(f.admin);
    await enableLocalTier(factory, 100);
    const [a, b] = [await f.stable.getAddress(), await f.usdc.token.getAddress()];
    const pool = await createV3Pool(
      factory,
      f.admin,
      a,
      b,
      100,
      pegSqrtPriceX96(a.toLowerCase() < b.toLowerCase(), 6),
      4,
    );
    const oracle = await oracleOn(f, await pool.getAddress());
    await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "TwapUnavailable").withArgs(0n, 1_800n);
    await time.increase(1_800);
    await refreshFeeds(f);
    const [spot, twap] = await oracle.marketPrice();
    expect(spot).to.be.closeTo(WAD, 10n ** 6n);
    expect(twap).to.be.closeTo(WAD, ONE_TICK_WAD);
  });

  it("after a full window at one tick, the TWAP is exactly the keeper mirror's price at that tick", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    await pushV3PriceTo(f, parseUnits("0.997", 18));
    await time.increase(2 * f.params.oracle.twapWindowSec);
    await refreshFeeds(f);
    const tick = Number((await f.v3.pool.slot0()).tick);
    const [, twap] = await f.oracle.marketPrice();
    expect(twap).to.equal(v3.quotePerTokenWadAtTick(tick, f.v3.tokenIsToken0, WAD, 10n ** 6n));
  });

  it("a pool created but never initialised (sqrt price 0) reverts EmptyPool", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const factory = await deployV3Factory(f.admin);
    await enableLocalTier(factory, 100);
    const [a, b] = [await f.stable.getAddress(), await f.usdc.token.getAddress()];
    await (await factory.createPool(a, b, 100)).wait();
    const pool = connectV3Pool(await factory.getPool(a, b, 100), f.admin);
    expect((await pool.slot0()).sqrtPriceX96).to.equal(0n);
    const oracle = await oracleOn(f, await pool.getAddress());
    await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "EmptyPool");
  });

  it("with the token as token0 (negative ticks), a mean tick with a remainder rounds toward −∞ as Uniswap's OracleLibrary does", async () => {
    const f = await loadFixture(tokenFirstFixture);
    expect(f.v3.tokenIsToken0).to.equal(true);
    await pushV3PriceTo(f, parseUnits("0.997", 18));
    // A third of a window at the new tick: the cumulative delta is negative and not a multiple of the window.
    await time.increase(Math.floor(f.params.oracle.twapWindowSec / 3));
    await refreshFeeds(f);
    const blockTag = await ethers.provider.getBlockNumber();
    const window = BigInt(f.params.oracle.twapWindowSec);
    // The pool's own observe() at the same block as the oracle's read below.
    const pool = connectV3Pool(await f.v3.pool.getAddress(), f.admin);
    const [cumulatives]: [bigint[]] = await pool.getFunction("observe").staticCall([window, 0n], { blockTag });
    const delta = cumulatives[1] - cumulatives[0];
    expect(delta < 0n && delta % window !== 0n, "a negative, inexact mean").to.equal(true);
    const truncated = delta / window; // BigInt division rounds toward zero
    const floorTick = Number(truncated - 1n);
    const [, twap] = await f.oracle.marketPrice({ blockTag });
    expect(twap).to.equal(v3.quotePerTokenWadAtTick(floorTick, true, WAD, 10n ** 6n));
    expect(twap).to.not.equal(v3.quotePerTokenWadAtTick(Number(truncated), true, WAD, 10n ** 6n));
  });
});
