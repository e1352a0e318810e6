/**
 * A Uniswap V3 swap across any number of ticks, in bigint, step for step as the pool runs it: the
 * same tick-bitmap word boundaries (each is a step of its own, and steps round separately), the
 * same liquidity crossings, the same fee. Given the pool's state it returns what the pool's
 * `swap` would return, to the wei, and where the price ends.
 */
import { MAX_UINT128, V3MathError, mulDiv } from "./fullMath";
import { computeSwapStep } from "./swapMath";
import { MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK, getSqrtRatioAtTick, getTickAtSqrtRatio } from "./tickMath";

const Q128 = 1n << 128n;
const MAX_INT256 = (1n << 255n) - 1n;
const WORD_BITS = 256;

/** The pool state a swap reads: slot0's price and tick, in-range liquidity, and the initialized ticks. */
export interface V3PoolState {
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Fee in pips (1e-6): 100 for the 0.01% tier. */
  feePips: bigint;
  tickSpacing: number;
  /** liquidityNet of every initialized tick (added when the price crosses it upward). */
  ticks: ReadonlyMap<number, bigint>;
}

export interface V3SwapResult {
  /** The pool's balance changes: positive is paid in by the swapper, negative paid out. */
  amount0: bigint;
  amount1: bigint;
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Fees charged in the input token (all to LPs when the protocol fee is off). */
  feeAmount: bigint;
  /** Ticks crossed, in order. */
  crossed: number[];
  /** Fee growth per unit of liquidity (Q128) the swap added to the input token's global, and the
   * global's increase at each crossing (for a model that keeps per-tick fee growth as the pool does). */
  feeGrowthDeltaX128: bigint;
  feeGrowthAtCrossX128: bigint[];
}

/** Floor division of a tick by the spacing (the pool's `compressed`, rounded toward −∞). */
function compress(tick: number, spacing: number): number {
  return Math.floor(tick / spacing);
}

/**
 * The pool's `nextInitializedTickWithinOneWord`: the next initialized tick in the direction of the
 * swap, but never beyond the current 256-tick-spacing word of the bitmap.
 */
export function nextInitializedTickWithinOneWord(
  ticks: ReadonlyMap<number, bigint>,
  tick: number,
  spacing: number,
  lte: boolean,
): { next: number; initialized: boolean } {
  const compressed = compress(tick, spacing);
  const isInit = (c: number) => ticks.has(c * spacing);
  if (lte) {
    const wordStart = Math.floor(compressed / WORD_BITS) * WORD_BITS;
    for (let c = compressed; c >= wordStart; c--) if (isInit(c)) return { next: c * spacing, initialized: true };
    return { next: wordStart * spacing, initialized: false };
  }
  const from = compressed + 1;
  const wordEnd = Math.floor(from / WORD_BITS) * WORD_BITS + WORD_BITS - 1;
  for (let c = from; c <= wordEnd; c++) if (isInit(c)) return { next: c * spacing, initialized: true };
  return { next: wordEnd * spacing, initialized: false };
}

/** The pool's guard on the price limit ("SPL"). */
function checkLimit(state: V3PoolState, zeroForOne: boolean, limit: bigint): void {
  const ok = zeroForOne
    ? limit < state.sqrtPriceX96 && limit > MIN_SQRT_RATIO
    : limit > state.sqrtPriceX96 && limit < MAX_SQRT_RATIO;
  if (!ok)
    throw new V3MathError(
      `sqrtPriceLimitX96 ${limit} is not ${zeroForOne ? "below" : "above"} the price ${
        state.sqrtPriceX96
      } within the tick range`,
    );
}

/**
 * The pool's `swap(zeroForOne, amountSpecified, sqrtPriceLimitX96)` (positive amountSpecified:
 * exact input; negative: exact output), with the protocol fee off.
 */
export function swap(
  state: V3PoolState,
  zeroForOne: boolean,
  amountSpecified: bigint,
  sqrtPriceLimitX96: bigint,
): V3SwapResult {
  if (amountSpecified === 0n) throw new V3MathError("amountSpecified must not be zero");
  checkLimit(state, zeroForOne, sqrtPriceLimitX96);
  const exactInput = amountSpecified > 0n;
  let remaining = amountSpecified;
  let calculated = 0n;
  let sqrtPrice = state.sqrtPriceX96;
  let tick = state.tick;
  let liquidity = state.liquidity;
  let feeAmount = 0n;
  let feeGrowthDeltaX128 = 0n;
  const crossed: number[] = [];
  const feeGrowthAtCrossX128: bigint[] = [];

  while (remaining !== 0n && sqrtPrice !== sqrtPriceLimitX96) {
    const start = sqrtPrice;
    const found = nextInitializedTickWithinOneWord(state.ticks, tick, state.tickSpacing, zeroForOne);
    const next = Math.min(Math.max(found.next, MIN_TICK), MAX_TICK);
    const initialized = found.initialized;
    const sqrtNext = getSqrtRatioAtTick(next);
    const target = (zeroForOne ? sqrtNext < sqrtPriceLimitX96 : sqrtNext > sqrtPriceLimitX96)
      ? sqrtPriceLimitX96
      : sqrtNext;
    const step = computeSwapStep(sqrtPrice, target, liquidity, remaining, state.feePips);
    sqrtPrice = step.sqrtRatioNextX96;
    if (exactInput) {
      remaining -= step.amountIn + step.feeAmount;
      calculated -= step.amountOut;
    } else {
      remaining += step.amountOut;
      calculated += step.amountIn + step.feeAmount;
    }
    feeAmount += step.feeAmount;
    feeGrowthDeltaX128 += feeGrowthX128(step.feeAmount, liquidity);

    if (sqrtPrice === sqrtNext) {
      if (initialized) {
        const net = state.ticks.get(next) ?? 0n;
        liquidity += zeroForOne ? -net : net;
        if (liquidity < 0n || liquidity > MAX_UINT128)
          throw new V3MathError(`liquidity ${liquidity} out of range after crossing tick ${next}`);
        crossed.push(next);
        feeGrowthAtCrossX128.push(feeGrowthDeltaX128);
      }
      tick = zeroForOne ? next - 1 : next;
    } else if (sqrtPrice !== start) {
      tick = getTickAtSqrtRatio(sqrtPrice);
    }
  }

  const [amount0, amount1] =
    zeroForOne === exactInput ? [amountSpecified - remaining, calculated] : [calculated, amountSpecified - remaining];
  return {
    amount0,
    amount1,
    sqrtPriceX96: sqrtPrice,
    tick,
    liquidity,
    feeAmount,
    crossed,
    feeGrowthDeltaX128,
    feeGrowthAtCrossX128,
  };
}

/**
 * The exact trade that moves the price to `sqrtPriceLimitX96` (as far as the liquidity allows):
 * an exact-input swap of "everything", which the pool stops at the limit. What an operation with
 * `sqrtPriceLimitX96` at the peg will trade.
 */
export function swapToPrice(state: V3PoolState, sqrtPriceLimitX96: bigint): V3SwapResult | null {
  if (sqrtPriceLimitX96 === state.sqrtPriceX96) return null;
  const zeroForOne = sqrtPriceLimitX96 < state.sqrtPriceX96;
  return swap(state, zeroForOne, MAX_INT256, sqrtPriceLimitX96);
}

/** The fee growth a swap adds per unit of in-range liquidity (Q128), as the pool accumulates it. */
export function feeGrowthX128(feeAmount: bigint, liquidity: bigint): bigint {
  return liquidity === 0n ? 0n : mulDiv(feeAmount, Q128, liquidity);
}
