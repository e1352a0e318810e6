/**
 * Uniswap V3 tick maths in exact bigint arithmetic: the same integer operations, in the same order,
 * as the pool's TickMath (so a price computed here equals the pool's to the wei).
 * sqrtPriceX96 = sqrt(1.0001^tick) · 2^96, where price = token1 units per token0 unit.
 */
import { MAX_UINT256, V3MathError } from "./fullMath";

export const MIN_TICK = -887_272;
export const MAX_TICK = 887_272;
export const MIN_SQRT_RATIO = 4_295_128_739n;
export const MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342n;
export const Q96 = 1n << 96n;

/** 2^128 / sqrt(1.0001)^(2^i), the pool's constants for bit i of |tick|. */
const RATIOS: readonly bigint[] = [
  0xfffcb933bd6fad37aa2d162d1a594001n,
  0xfff97272373d413259a46990580e213an,
  0xfff2e50f5f656932ef12357cf3c7fdccn,
  0xffe5caca7e10e4e61c3624eaa0941cd0n,
  0xffcb9843d60f6159c9db58835c926644n,
  0xff973b41fa98c081472e6896dfb254c0n,
  0xff2ea16466c96a3843ec78b326b52861n,
  0xfe5dee046a99a2a811c461f1969c3053n,
  0xfcbe86c7900a88aedcffc83b479aa3a4n,
  0xf987a7253ac413176f2b074cf7815e54n,
  0xf3392b0822b70005940c7a398e4b70f3n,
  0xe7159475a2c29b7443b29c7fa6e889d9n,
  0xd097f3bdfd2022b8845ad8f792aa5825n,
  0xa9f746462d870fdf8a65dc1f90e061e5n,
  0x70d869a156d2a1b890bb3df62baf32f7n,
  0x31be135f97d08fd981231505542fcfa6n,
  0x9aa508b5b7a84e1c677de54f3e99bc9n,
  0x5d6af8dedb81196699c329225ee604n,
  0x2216e584f5fa1ea926041bedfe98n,
  0x48a170391f7dc42444e8fa2n,
];

/** A tick or sqrt price outside the pool's range. */
export class TickMathError extends V3MathError {}

/**
 * Ratios already computed, by tick: a pure function of the tick, and a pool near its peg (or the
 * simulator's many swaps) asks for the same few thousand ticks over and over. Bounded, so a walk
 * across the whole tick range cannot grow it without limit.
 */
const SQRT_RATIO_MEMO = new Map<number, bigint>();
const SQRT_RATIO_MEMO_MAX = 1 << 16;

/** sqrt(1.0001^tick) · 2^96, rounded up to the next integer as the pool rounds. */
export function getSqrtRatioAtTick(tick: number): bigint {
  const known = SQRT_RATIO_MEMO.get(tick);
  if (known !== undefined) return known;
  const ratio = sqrtRatioAtTick(tick);
  if (SQRT_RATIO_MEMO.size < SQRT_RATIO_MEMO_MAX) SQRT_RATIO_MEMO.set(tick, ratio);
  return ratio;
}

function sqrtRatioAtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK)
    throw new TickMathError(`tick ${tick} is outside [${MIN_TICK}, ${MAX_TICK}]`);
  const absTick = BigInt(Math.abs(tick));
  let ratio = (absTick & 1n) !== 0n ? RATIOS[0] : 1n << 128n;
  for (let i = 1; i < RATIOS.length; i++) {
    if ((absTick & (1n << BigInt(i))) !== 0n) ratio = (ratio * RATIOS[i]) >> 128n;
  }
  if (tick > 0) ratio = MAX_UINT256 / ratio;
  // Q128.128 → Q64.96, rounding up so getTickAtSqrtRatio is consistent.
  return (ratio >> 32n) + (ratio % (1n << 32n) === 0n ? 0n : 1n);
}

/** The greatest tick whose sqrt ratio is ≤ `sqrtPriceX96` (the pool's getTickAtSqrtRatio). */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new TickMathError(`sqrtPriceX96 ${sqrtPriceX96} is outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)`);
  }
  // The pool computes log2 in Q64.64 then rounds; an exact search over the monotone
  // getSqrtRatioAtTick gives the same greatest tick with no floating point.
  let lo = MIN_TICK;
  let hi = MAX_TICK;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (getSqrtRatioAtTick(mid) <= sqrtPriceX96) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
