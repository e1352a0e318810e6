/**
 * Token amounts of a V3 position, and the liquidity that given amounts buy, with the pool's rounding:
 * a mint pays amounts rounded up, a burn returns them rounded down.
 */
import { mulDiv } from "./fullMath";
import { getAmount0Delta, getAmount1Delta } from "./sqrtPriceMath";
import { Q96, getSqrtRatioAtTick } from "./tickMath";

export interface PositionAmounts {
  amount0: bigint;
  amount1: bigint;
}

/** What the pool charges (`roundUp`, a mint) or pays (a burn) for `liquidity` in [tickLower, tickUpper). */
export function amountsForLiquidity(
  sqrtPriceX96: bigint,
  tick: number,
  tickLower: number,
  tickUpper: number,
  liquidity: bigint,
  roundUp: boolean,
): PositionAmounts {
  const sqrtLower = getSqrtRatioAtTick(tickLower);
  const sqrtUpper = getSqrtRatioAtTick(tickUpper);
  if (tick < tickLower) return { amount0: getAmount0Delta(sqrtLower, sqrtUpper, liquidity, roundUp), amount1: 0n };
  if (tick < tickUpper) {
    return {
      amount0: getAmount0Delta(sqrtPriceX96, sqrtUpper, liquidity, roundUp),
      amount1: getAmount1Delta(sqrtLower, sqrtPriceX96, liquidity, roundUp),
    };
  }
  return { amount0: 0n, amount1: getAmount1Delta(sqrtLower, sqrtUpper, liquidity, roundUp) };
}

/** Liquidity that `amount0` of token0 buys between two prices, rounded down. */
export function liquidityForAmount0(sqrtA: bigint, sqrtB: bigint, amount0: bigint): bigint {
  const [lower, upper] = sqrtA > sqrtB ? [sqrtB, sqrtA] : [sqrtA, sqrtB];
  return mulDiv(amount0, mulDiv(lower, upper, Q96), upper - lower);
}

/** Liquidity that `amount1` of token1 buys between two prices, rounded down. */
export function liquidityForAmount1(sqrtA: bigint, sqrtB: bigint, amount1: bigint): bigint {
  const [lower, upper] = sqrtA > sqrtB ? [sqrtB, sqrtA] : [sqrtA, sqrtB];
  return mulDiv(amount1, Q96, upper - lower);
}

/**
 * Liquidity in [tickLower, tickUpper) whose quote side at `sqrtPriceX96` is `quoteAmount` (the range
 * holds the price): the quote asset is token1 below the price (range [lower, price]), token0 above it
 * ([price, upper]).
 */
export function liquidityForQuote(
  sqrtPriceX96: bigint,
  tickLower: number,
  tickUpper: number,
  tokenIsToken0: boolean,
  quoteAmount: bigint,
): bigint {
  return tokenIsToken0
    ? liquidityForAmount1(getSqrtRatioAtTick(tickLower), sqrtPriceX96, quoteAmount)
    : liquidityForAmount0(sqrtPriceX96, getSqrtRatioAtTick(tickUpper), quoteAmount);
}
