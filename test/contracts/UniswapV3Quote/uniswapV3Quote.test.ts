/**
 * UniswapV3Quote (the operator's linked quote library) called directly, against the real Uniswap V3
 * pool bytecode: a quote to either end of the price range walks every empty bitmap word past the
 * last position, clamps at the end tick and stops on the limit with the pool's own amounts and
 * price; a 1-wei input is all fee and leaves the price where it was, as in the pool; and
 * `sqrtPriceAt` clamps fractions outside the pool's price range to its open ends on both token sides;
 * `sourceQuotes` counts the deployed protocol position's quote only for its own quote asset.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import { UniswapV3Quote__factory } from "../../../typechain-types";
import * as v3 from "../../../keeper/src/policy/v3";
import { freshV3Pool } from "../../support/v3Pool";
import { deployV3SystemFixture } from "../../support/systemV3";

/** The 1% tier: 200-tick spacing, so a bitmap word spans 51,200 ticks and a walk to the end is ~20 steps. */
const FEE_PIPS = 10_000;
const LIQUIDITY = 10n ** 20n;
const AMPLE_IN = 10n ** 30n;

/** One position of ±2 spacings around a price of 1, nothing beyond it, and the library deployed. */
async function quoteFixture() {
  const f = await freshV3Pool(FEE_PIPS);
  await (
    await f.trader.mint(f.poolAddress, f.snap(f.pegTick) - 2 * f.spacing, f.snap(f.pegTick) + 2 * f.spacing, LIQUIDITY)
  ).wait();
  const quote = await new UniswapV3Quote__factory(f.admin).deploy();
  return { ...f, quote };
}

type QuoteFixture = Awaited<ReturnType<typeof quoteFixture>>;

/** The library's quote, then the pool's own swap with the same input and limit: (used, out, price after) of each. */
async function quoteThenSwap(f: QuoteFixture, zeroForOne: boolean, amountIn: bigint, limit: bigint) {
  const quoted = await f.quote.exactInput(f.poolAddress, FEE_PIPS, f.spacing, zeroForOne, amountIn, limit);
  const [amount0, amount1] = await f.trader.swap.staticCall(f.poolAddress, zeroForOne, amountIn, limit);
  await (await f.trader.swap(f.poolAddress, zeroForOne, amountIn, limit)).wait();
  const [used, out] = zeroForOne ? [amount0, -amount1] : [amount1, -amount0];
  return { quoted: [...quoted], swapped: [used, out, (await f.pool.slot0()).sqrtPriceX96] };
}

describe("UniswapV3Quote against the real V3 pool", () => {
  for (const zeroForOne of [true, false]) {
    const [end, limit] = zeroForOne ? ["lowest", v3.MIN_SQRT_RATIO + 1n] : ["highest", v3.MAX_SQRT_RATIO - 1n];
    it(`a quote to the ${end} price walks the empty words past the position to the end tick and stops on the limit, as the pool does`, async () => {
      const f = await loadFixture(quoteFixture);
      const { quoted, swapped } = await quoteThenSwap(f, zeroForOne, AMPLE_IN, limit);
      expect(quoted).to.deep.equal(swapped);
      const [used, out, after] = quoted;
      expect(after).to.equal(limit);
      // Only the position's depth traded: some input was left over, and the output is all it held of that side.
      expect(used > 0n && used < AMPLE_IN).to.equal(true);
      expect(out).to.be.greaterThan(0n);
      expect(await f.pool.liquidity()).to.equal(0n);
    });
  }

  it("a 1-wei input is all fee: the pool takes it and pays nothing, and the price does not move", async () => {
    const f = await loadFixture(quoteFixture);
    const before = (await f.pool.slot0()).sqrtPriceX96;
    for (const zeroForOne of [true, false]) {
      const limit = zeroForOne ? v3.MIN_SQRT_RATIO + 1n : v3.MAX_SQRT_RATIO - 1n;
      const { quoted, swapped } = await quoteThenSwap(f, zeroForOne, 1n, limit);
      expect(quoted).to.deep.equal([1n, 0n, before]);
      expect(swapped).to.deep.equal([1n, 0n, before]);
    }
  });

  it("sqrtPriceAt clamps a fraction beyond the pool's price range to its open ends, for either token side, as the keeper's mirror does", async () => {
    const f = await loadFixture(quoteFixture);
    const cases: [bigint, bigint, boolean, boolean, bigint][] = [
      // token0: the raw price is num/den; 2^64 and beyond clamp below the maximum.
      [1n << 64n, 1n, true, false, v3.MAX_SQRT_RATIO - 1n],
      // token1: the raw price is den/num.
      [1n, 1n << 64n, false, true, v3.MAX_SQRT_RATIO - 1n],
      // 2^-130: its square root (2^31 in Q64.96) is below the minimum.
      [1n, 1n << 130n, true, true, v3.MIN_SQRT_RATIO + 1n],
      [1n << 130n, 1n, false, false, v3.MIN_SQRT_RATIO + 1n],
    ];
    for (const [num, den, tokenIsToken0, roundUp, expected] of cases) {
      expect(await f.quote.sqrtPriceAt(num, den, tokenIsToken0, roundUp)).to.equal(expected);
      expect(v3.sqrtPriceAt(num, den, tokenIsToken0, roundUp)).to.equal(expected);
    }
    // Inside the range both sides and roundings agree with the mirror (the peg: 1e6 quote units per 1e18 token units).
    for (const tokenIsToken0 of [true, false]) {
      for (const roundUp of [true, false]) {
        expect(await f.quote.sqrtPriceAt(10n ** 6n, 10n ** 18n, tokenIsToken0, roundUp)).to.equal(
          v3.sqrtPriceAt(10n ** 6n, 10n ** 18n, tokenIsToken0, roundUp),
        );
      }
    }
  });
});

describe("UniswapV3Quote.sourceQuotes on the deployed V3 system", () => {
  it("counts the protocol position's quote in its quote asset; no source, or another asset, counts (0, 0)", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const quote = await new UniswapV3Quote__factory(f.admin).deploy();
    const [lm, pool] = [await f.v3.liquidityManager.getAddress(), await f.v3.pool.getAddress()];
    const usdc = await f.usdc.token.getAddress();
    const other = await f.collaterals.find((c) => c.token.target !== f.usdc.token.target)!.token.getAddress();
    const spot = (await f.v3.pool.slot0()).sqrtPriceX96;
    const usdcPriceWad = await f.oracle.price(usdc);
    const [before, after] = await quote.sourceQuotes(lm, pool, usdc, spot, spot, usdcPriceWad);
    expect(before).to.be.greaterThan(0n);
    expect(after).to.equal(before); // the same price before and after
    expect(await quote.sourceQuotes(ZeroAddress, pool, usdc, spot, spot, usdcPriceWad)).to.deep.equal([0n, 0n]);
    expect(await quote.sourceQuotes(lm, pool, other, spot, spot, usdcPriceWad)).to.deep.equal([0n, 0n]);
  });
});
