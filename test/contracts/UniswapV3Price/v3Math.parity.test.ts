/**
 * The keeper's Uniswap V3 maths (keeper/src/policy/v3) against the real thing: tick maths against
 * the on-chain TickMath, and multi-tick swaps against the real V3 pool bytecode (@uniswap/v3-core),
 * to the wei — amounts, final price, tick and in-range liquidity — across tick boundaries, bitmap
 * word boundaries, both directions, exact input and exact output, with and without a price limit.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { TickMathHarness__factory } from "../../../typechain-types";
import { connectV3Pool } from "../../../deploy/uniswapV3";
import * as v3 from "../../../keeper/src/policy/v3";
import { KeeperError } from "../../../keeper/src/errors";
import { between, rng } from "../../support/bigRng";
import { freshV3Pool } from "../../support/v3Pool";

const WAD = 10n ** 18n;

async function poolFixture(feePips: number) {
  const fresh = await freshV3Pool(feePips);
  const { trader, spacing, pegTick, snap } = fresh;
  // A wide base and narrow positions around the peg, some straddling the bitmap's word boundaries.
  const ranges: [number, number, bigint][] = [
    [snap(-887_272) + spacing, snap(887_272), 10n ** 15n],
    [snap(pegTick - 20), snap(pegTick + 20) + spacing, 10n ** 20n],
    [snap(pegTick - 3 * spacing), snap(pegTick + 2 * spacing), 3n * 10n ** 19n],
    [snap(pegTick - 300 * spacing), snap(pegTick - 5 * spacing), 5n * 10n ** 18n],
    [snap(pegTick + 7 * spacing), snap(pegTick + 520 * spacing), 2n * 10n ** 18n],
  ];
  for (const [lower, upper, liquidity] of ranges)
    await (await trader.mint(fresh.poolAddress, lower, upper, liquidity)).wait();
  const tickSet = [...new Set(ranges.flatMap(([l, u]) => [l, u]))];
  return { ...fresh, tickSet };
}

type Fx = Awaited<ReturnType<typeof poolFixture>>;
const tier100Fixture = () => poolFixture(100);
const tier500Fixture = () => poolFixture(500);
const FIXTURES: Record<number, () => Promise<Fx>> = { 100: tier100Fixture, 500: tier500Fixture };
/** How far a random swap may move the price: far enough to cross every position, near enough that
 * the empty bitmap words it walks (one step each) fit a block's gas. */
const LIMIT_TICKS = 3_000;

async function readState(f: Fx): Promise<v3.V3PoolState> {
  const slot0 = await f.pool.slot0();
  const ticks = new Map<number, bigint>();
  for (const t of f.tickSet) {
    const info = await f.pool.ticks(t);
    if (info.initialized) ticks.set(t, info.liquidityNet);
  }
  return {
    sqrtPriceX96: slot0.sqrtPriceX96,
    tick: Number(slot0.tick),
    liquidity: await f.pool.liquidity(),
    feePips: BigInt(f.feePips),
    tickSpacing: f.spacing,
    ticks,
  };
}

async function swapAndCompare(
  f: Fx,
  zeroForOne: boolean,
  amountSpecified: bigint,
  limit: bigint,
): Promise<v3.V3SwapResult> {
  const state = await readState(f);
  const mirror = v3.swap(state, zeroForOne, amountSpecified, limit);
  const [amount0, amount1] = await f.trader.swap.staticCall(f.poolAddress, zeroForOne, amountSpecified, limit);
  await (await f.trader.swap(f.poolAddress, zeroForOne, amountSpecified, limit)).wait();
  const after = await f.pool.slot0();
  expect([mirror.amount0, mirror.amount1], "amounts").to.deep.equal([amount0, amount1]);
  expect(mirror.sqrtPriceX96, "sqrtPriceX96").to.equal(after.sqrtPriceX96);
  expect(mirror.tick, "tick").to.equal(Number(after.tick));
  expect(mirror.liquidity, "liquidity").to.equal(await f.pool.liquidity());
  return mirror;
}

describe("V3 maths mirror: parity with the on-chain TickMath", () => {
  it("getSqrtRatioAtTick and getTickAtSqrtRatio equal the contract's on 300 ticks and prices, ends included", async () => {
    const [admin] = await ethers.getSigners();
    const harness = await new TickMathHarness__factory(admin).deploy();
    const next = rng(7n);
    const ticks = [v3.MIN_TICK, v3.MAX_TICK, 0, -1, 1, -276_325, -276_324];
    for (let i = 0; i < 150; i++) ticks.push(Number(between(next, BigInt(v3.MIN_TICK), BigInt(v3.MAX_TICK))));
    for (const t of ticks) expect(v3.getSqrtRatioAtTick(t), `tick ${t}`).to.equal(await harness.getSqrtPriceAtTick(t));
    const prices = [v3.MIN_SQRT_RATIO, v3.MAX_SQRT_RATIO - 1n];
    for (let i = 0; i < 150; i++) {
      const exact = v3.getSqrtRatioAtTick(Number(between(next, BigInt(v3.MIN_TICK), BigInt(v3.MAX_TICK - 1))));
      prices.push(exact, exact - 1n, exact + between(next, 0n, 1n << 40n));
    }
    for (const p of prices.filter((x) => x >= v3.MIN_SQRT_RATIO && x < v3.MAX_SQRT_RATIO)) {
      expect(v3.getTickAtSqrtRatio(p), `sqrtPrice ${p}`).to.equal(Number(await harness.getTickAtSqrtPrice(p)));
    }
  });

  it("price conversions equal UniswapV3Price's for both token orders and 6/18 decimals", async () => {
    const [admin] = await ethers.getSigners();
    const harness = await new TickMathHarness__factory(admin).deploy();
    const next = rng(11n);
    for (let i = 0; i < 40; i++) {
      const priceWad = between(next, WAD / 2n, 2n * WAD);
      for (const token0 of [true, false]) {
        const sqrtP = v3.sqrtPriceForQuotePerToken(priceWad, token0, WAD, 10n ** 6n);
        expect(sqrtP).to.equal(await harness.sqrtPriceForQuotePerToken(priceWad, token0, WAD, 10n ** 6n));
        expect(v3.quotePerTokenWad(sqrtP, token0, WAD, 10n ** 6n)).to.equal(
          await harness.quotePerTokenWad(sqrtP, token0, WAD, 10n ** 6n),
        );
      }
    }
  });

  it("rejects a tick outside the range and a price outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO) by name, under the keeper's one error root", () => {
    expect(() => v3.getSqrtRatioAtTick(v3.MAX_TICK + 1)).to.throw(v3.TickMathError, /outside/);
    expect(() => v3.getTickAtSqrtRatio(v3.MAX_SQRT_RATIO)).to.throw(v3.TickMathError, /outside/);
    const error = (() => {
      try {
        v3.getSqrtRatioAtTick(v3.MIN_TICK - 1);
      } catch (e) {
        return e;
      }
    })();
    expect(error).to.be.instanceOf(v3.V3MathError).and.instanceOf(KeeperError);
    expect((error as Error).name).to.equal("TickMathError");
  });
});

for (const feePips of [100, 500]) {
  describe(`V3 maths mirror: swaps equal the real pool's to the wei (tier ${feePips})`, () => {
    it("40 random exact-input and exact-output swaps in both directions, crossing initialized ticks and word boundaries", async () => {
      const f = await loadFixture(FIXTURES[feePips]);
      const next = rng(BigInt(feePips));
      let crossed = 0;
      for (let i = 0; i < 40; i++) {
        const zeroForOne = next() % 2n === 0n;
        const exactIn = next() % 3n !== 0n;
        // Sizes from dust to beyond the narrow ranges' depth (token0 is 18 or 6 decimals).
        const size = between(next, 1n, 10n ** BigInt(Number(between(next, 3n, 22n))));
        const tick = Number((await f.pool.slot0()).tick);
        const limit = v3.getSqrtRatioAtTick(
          tick + (zeroForOne ? -LIMIT_TICKS : LIMIT_TICKS) * (feePips === 100 ? 1 : 10),
        );
        try {
          crossed += (await swapAndCompare(f, zeroForOne, exactIn ? size : -size, limit)).crossed.length;
        } catch (error) {
          // A size the pool cannot fill in exact output must fail in the mirror too.
          if (!(error instanceof v3.V3MathError)) throw error;
          await expect(f.trader.swap(f.poolAddress, zeroForOne, exactIn ? size : -size, limit)).to.be.reverted;
        }
      }
      expect(crossed, "ticks crossed over the run").to.be.greaterThan(3);
    });

    it("swapToPrice lands exactly on a price limit many ticks away, both directions", async () => {
      const f = await loadFixture(FIXTURES[feePips]);
      const start = await readState(f);
      for (const offset of [-700, 350, -3, 2, 1_000]) {
        const state = await readState(f);
        const target = v3.getSqrtRatioAtTick(start.tick + offset * (feePips === 100 ? 1 : 10)) + 12_345n;
        const expected = v3.swapToPrice(state, target);
        if (!expected) continue;
        const zeroForOne = target < state.sqrtPriceX96;
        const result = await swapAndCompare(f, zeroForOne, (1n << 255n) - 1n, target);
        expect(result.sqrtPriceX96).to.equal(target);
        expect(result).to.deep.equal(expected);
      }
    });
  });
}

describe("V3 pool reader (keeper/src/chain/v3Pool.ts)", () => {
  it("finds every initialized tick from the bitmap, and the mirror's swap to a limit on that snapshot equals the pool's", async () => {
    const f = await loadFixture(tier100Fixture);
    const { readV3PoolState } = await import("../../../keeper/src/chain/v3Pool");
    const snapshot = await readV3PoolState(f.pool, 3);
    const known = await readState(f);
    const inCover = [...known.ticks.keys()].filter(
      (t) => t >= snapshot.coveredTicks[0] && t <= snapshot.coveredTicks[1],
    );
    expect([...snapshot.state.ticks.keys()].sort((a, b) => a - b)).to.deep.equal(inCover.sort((a, b) => a - b));
    expect(inCover.length).to.be.greaterThan(4);
    const target = v3.getSqrtRatioAtTick(snapshot.state.tick - 400) + 99n;
    const expected = v3.swapToPrice(snapshot.state, target)!;
    expect(expected.crossed.length).to.be.greaterThan(0);
    const [amount0, amount1] = await f.trader.swap.staticCall(f.poolAddress, true, (1n << 255n) - 1n, target);
    expect([expected.amount0, expected.amount1]).to.deep.equal([amount0, amount1]);
  });
});

describe("V3 deploy helpers", () => {
  it("raises the observation cardinality in block-sized steps", async () => {
    const [admin] = await ethers.getSigners();
    const f = await loadFixture(tier100Fixture);
    const { raiseCardinality } = await import("../../../deploy/uniswapV3");
    await raiseCardinality(connectV3Pool(f.poolAddress, admin), 901);
    expect((await f.pool.slot0()).observationCardinalityNext).to.equal(901n);
  });
});
