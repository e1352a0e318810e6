/**
 * The simulator's concentrated-liquidity market (keeper/sim/venues/v3.ts) against the real
 * Uniswap V3 pool: the same positions (a market maker's and the protocol's), then a replayed
 * sequence — noise trades, a sell-off, an operation that trades back to the peg with a price
 * limit — one trade per 12 s block on both. Spot must agree within 1 bps every block (it agrees
 * to the wei: same integer maths), the TWAP (the pool's own oracle, read by PriceOracleV3) within
 * 1 bps once its window lies inside the replay, and the protocol position's fees to the wei.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { Rng } from "../../keeper/sim/rng";
import { V3Venue } from "../../keeper/sim/venues/v3";
import { POL_OWNER } from "../../keeper/sim/venues/v3Pool";
import { v3PoolFromChain } from "../../scripts/simOnChainV3";
import * as v3 from "../../keeper/src/policy/v3";
import { refreshFeeds } from "../support/system";
import { WAD, deployV3SystemsByTokenOrder, v3Spot, type V3Fixture } from "../support/systemV3";

const BLOCK_SEC = 12;
const TOLERANCE_BPS = 1;

const bpsApart = (a: bigint, b: bigint): number => (Math.abs(Number(a - b)) / Number(b)) * 10_000;

/** The model built from the chain's pool (the on-chain replay's own): price, the two positions, the oracle, the clock. */
async function modelOf(f: V3Fixture): Promise<V3Venue> {
  const venue = (await v3PoolFromChain(f, f.params.oracle.twapWindowSec)).venue;
  expect(venue.sqrtPriceX96).to.equal((await f.v3.pool.slot0()).sqrtPriceX96);
  return venue;
}

describe("Simulator V3 venue: parity with the real pool on a replayed sequence", () => {
  it("spot and TWAP within 1 bps every block (spot to the wei), the protocol's fees to the wei", async () => {
    const f = (await loadFixture(deployV3SystemsByTokenOrder)).token0;
    const model = await modelOf(f);
    const poolAddress = await f.v3.pool.getAddress();
    // The trader holds tokens to sell, minted through the Reserve at the peg.
    await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), parseUnits("2000000", 6));
    await f.reserve
      .connect(f.trader)
      .mint(await f.usdc.token.getAddress(), parseUnits("2000000", 6), 0, f.trader.address);

    const rng = new Rng(42);
    const lowLimit = parseUnits("0.9", 18);
    const highLimit = parseUnits("1.1", 18);
    const sqrt = (p: bigint) => v3.sqrtPriceForQuotePerToken(p, f.v3.tokenIsToken0, WAD, 10n ** 6n);
    let t = BigInt(await time.latest());
    let maxSpotBps = 0;
    let maxTwapBps = 0;
    let twapCompared = 0;
    let lowest = WAD;
    const blocks = 170;
    for (let b = 0; b < blocks; b++) {
      t += BigInt(BLOCK_SEC);
      model.setTime(t);
      await time.setNextBlockTimestamp(t);
      // Sell-off in blocks 60–69, an operation back to the peg at 100, noise otherwise.
      const sells = b >= 60 && b < 70 ? true : rng.next() < 0.5;
      const size = b >= 60 && b < 70 ? 60_000 : Math.abs(rng.normal()) * 15_000;
      if (b === 100) {
        const target = WAD;
        const zeroForOne = sqrt(target) < model.sqrtPriceX96;
        model.tradeToPrice(target);
        await f.router.connect(f.trader).swap(poolAddress, zeroForOne, (1n << 255n) - 1n, sqrt(target));
      } else if (sells) {
        const amount = parseUnits(size.toFixed(6), 18);
        model.sellTokens(amount, lowLimit);
        await f.router.connect(f.trader).swap(poolAddress, f.v3.tokenIsToken0, amount, sqrt(lowLimit));
      } else {
        const amount = parseUnits(size.toFixed(6), 6);
        model.buyTokens(amount, highLimit);
        await f.router.connect(f.trader).swap(poolAddress, !f.v3.tokenIsToken0, amount, sqrt(highLimit));
      }
      if (model.priceWad() < lowest) lowest = model.priceWad();
      const slot0 = await f.v3.pool.slot0();
      expect(model.sqrtPriceX96, `block ${b} sqrtPriceX96`).to.equal(slot0.sqrtPriceX96);
      expect(model.tick, `block ${b} tick`).to.equal(Number(slot0.tick));
      if (b % 10 === 9) {
        await refreshFeeds(f); // a block of its own: the pool does not trade in it
        t = BigInt(await time.latest());
        model.setTime(t);
        const [spot, twap] = await f.oracle.marketPrice();
        const m = model.marketPrice(WAD);
        maxSpotBps = Math.max(maxSpotBps, bpsApart(m.spotWad, spot));
        if (m.ok) {
          maxTwapBps = Math.max(maxTwapBps, bpsApart(m.twapWad, twap));
          twapCompared++;
        }
      }
    }
    expect(maxSpotBps).to.be.at.most(TOLERANCE_BPS);
    expect(maxTwapBps).to.be.at.most(TOLERANCE_BPS);
    expect(twapCompared, "TWAP readings inside the replay").to.be.greaterThan(2);
    // Not vacuous: the sell-off moved the price well off the peg and the operation brought it back.
    expect(lowest).to.be.lessThan(parseUnits("0.999", 18));
    expect(model.priceWad()).to.be.closeTo(WAD, parseUnits("0.002", 18));

    const lm = f.v3.liquidityManager;
    const modelFees = model.collect(POL_OWNER, Number(await lm.tickLower()), Number(await lm.tickUpper()));
    const [, tokensBurned, quoteToReserve] = (await (await lm.collectFees()).wait())!.logs
      .map((l) => lm.interface.parseLog(l))
      .find((e) => e?.name === "FeesCollected")!.args;
    expect(modelFees.quote).to.be.greaterThan(0n);
    expect([modelFees.token, modelFees.quote]).to.deep.equal([tokensBurned, quoteToReserve]);
  });
});

/** The market's view of the model's pool (keeper/sim/venues/v3Pool.ts), on a chain's pool with either token order. */
for (const [side, tokenIsToken0] of [
  ["token0", true],
  ["token1", false],
] as const) {
  describe(`Simulator V3 pool built from a chain whose stable token is the pool's ${side}`, () => {
    it("its sales, purchases, previews, inputs to a price and virtual reserves match the real pool", async () => {
      const f = (await loadFixture(deployV3SystemsByTokenOrder))[side];
      expect(f.v3.tokenIsToken0).to.equal(tokenIsToken0);
      const pool = await v3PoolFromChain(f, f.params.oracle.twapWindowSec);
      const poolAddress = await f.v3.pool.getAddress();
      await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), parseUnits("500000", 6));
      await f.reserve
        .connect(f.trader)
        .mint(await f.usdc.token.getAddress(), parseUnits("500000", 6), 0, f.trader.address);
      const balances = async () => ({
        token: await f.stable.balanceOf(f.trader.address),
        quote: await f.usdc.token.balanceOf(f.trader.address),
      });
      /** The same exact-input trade on chain: what the trader paid in and took out. */
      const chainTrade = async (sell: boolean, amountIn: bigint) => {
        const zeroForOne = sell === tokenIsToken0;
        const before = await balances();
        await f.router
          .connect(f.trader)
          .swap(poolAddress, zeroForOne, amountIn, zeroForOne ? v3.MIN_SQRT_RATIO + 1n : v3.MAX_SQRT_RATIO - 1n);
        const after = await balances();
        return sell
          ? { amountIn: before.token - after.token, amountOut: after.quote - before.quote }
          : { amountIn: before.quote - after.quote, amountOut: after.token - before.token };
      };
      const expectSamePool = async (label: string) => {
        expect(pool.venue.sqrtPriceX96, `${label}: sqrtPriceX96`).to.equal((await f.v3.pool.slot0()).sqrtPriceX96);
        const spot = await v3Spot(f);
        expect(bpsApart(pool.venue.priceWad(), spot), `${label}: spot`).to.be.at.most(TOLERANCE_BPS);
        // The virtual reserves are the token and quote sides of the in-range liquidity: their ratio is the spot.
        const r = pool.virtualReserves();
        expect(bpsApart((r.quote * WAD * WAD) / (r.token * 10n ** 6n), spot), `${label}: reserves`).to.be.at.most(
          TOLERANCE_BPS,
        );
      };

      for (const [sell, amount] of [
        [true, parseUnits("150000", 18)],
        [false, parseUnits("300000", 6)],
        [true, parseUnits("100000", 18)],
      ] as const) {
        const label = `${sell ? "sale" : "purchase"} of ${amount}`;
        const preview = pool.preview(sell, amount);
        const model = pool.trade(sell, amount);
        expect(model, `${label}: preview`).to.deep.equal({ amountIn: preview.amountIn, amountOut: preview.amountOut });
        expect(model, label).to.deep.equal(await chainTrade(sell, amount));
        await expectSamePool(label);
      }
      // The input to a price, sold then bought: the chain trading that input lands on the price.
      for (const [sell, target] of [
        [true, parseUnits("0.998", 18)],
        [false, parseUnits("1.002", 18)],
      ] as const) {
        const amount = pool.inToPrice(sell, target, WAD * 10n ** 12n);
        expect(amount, `input to ${target}`).to.be.greaterThan(0n);
        expect(pool.trade(sell, amount)).to.deep.equal(await chainTrade(sell, amount));
        await expectSamePool(`input to ${target}`);
        expect(bpsApart(await v3Spot(f), target), `chain at ${target}`).to.be.at.most(TOLERANCE_BPS);
      }
    });
  });
}
