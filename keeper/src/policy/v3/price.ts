/**
 * Pool prices ↔ token prices, mirror of contracts/venues/UniswapV3Price.sol: WAD quote per whole
 * token from a sqrt price (for a token that is token0 or token1), and the sqrt price of a WAD price.
 */
import { WAD, isqrt } from "../units";
import { mulDiv } from "./fullMath";
import { Q96, getSqrtRatioAtTick } from "./tickMath";

/** WAD quote per whole token at `sqrtPriceX96`, rounded down. */
export function quotePerTokenWad(sqrtPriceX96: bigint, tokenIsToken0: boolean, tokenUnit: bigint, quoteUnit: bigint): bigint {
  if (tokenIsToken0) return mulDiv(mulDiv(sqrtPriceX96, sqrtPriceX96, Q96), WAD * tokenUnit, Q96 * quoteUnit);
  return mulDiv(mulDiv(Q96, Q96, sqrtPriceX96), WAD * tokenUnit, sqrtPriceX96 * quoteUnit);
}

/** The sqrt price at which a whole token is worth `priceWad` quote, rounded down. */
export function sqrtPriceForQuotePerToken(priceWad: bigint, tokenIsToken0: boolean, tokenUnit: bigint, quoteUnit: bigint): bigint {
  const ratioX192 = tokenIsToken0
    ? mulDiv(priceWad * quoteUnit, 1n << 192n, WAD * tokenUnit)
    : mulDiv(WAD * tokenUnit, 1n << 192n, priceWad * quoteUnit);
  return isqrt(ratioX192);
}

export function quotePerTokenWadAtTick(tick: number, tokenIsToken0: boolean, tokenUnit: bigint, quoteUnit: bigint): bigint {
  return quotePerTokenWad(getSqrtRatioAtTick(tick), tokenIsToken0, tokenUnit, quoteUnit);
}
