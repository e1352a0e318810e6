/**
 * Pool prices ↔ token prices, mirror of contracts/venues/UniswapV3Price.sol: WAD quote per whole
 * token from a sqrt price (for a token that is token0 or token1), and the sqrt price of a WAD price.
 */
import { WAD, isqrt } from "../units";
import { mulDiv, mulDivRoundingUp } from "./fullMath";
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, Q96, getSqrtRatioAtTick } from "./tickMath";

/** WAD quote per whole token at `sqrtPriceX96`, rounded down. */
export function quotePerTokenWad(
  sqrtPriceX96: bigint,
  tokenIsToken0: boolean,
  tokenUnit: bigint,
  quoteUnit: bigint,
): bigint {
  if (tokenIsToken0) return mulDiv(mulDiv(sqrtPriceX96, sqrtPriceX96, Q96), WAD * tokenUnit, Q96 * quoteUnit);
  return mulDiv(mulDiv(Q96, Q96, sqrtPriceX96), WAD * tokenUnit, sqrtPriceX96 * quoteUnit);
}

/** The sqrt price at which a whole token is worth `priceWad` quote, rounded down. */
export function sqrtPriceForQuotePerToken(
  priceWad: bigint,
  tokenIsToken0: boolean,
  tokenUnit: bigint,
  quoteUnit: bigint,
): bigint {
  const ratioX192 = tokenIsToken0
    ? mulDiv(priceWad * quoteUnit, 1n << 192n, WAD * tokenUnit)
    : mulDiv(WAD * tokenUnit, 1n << 192n, priceWad * quoteUnit);
  return isqrt(ratioX192);
}

export function quotePerTokenWadAtTick(
  tick: number,
  tokenIsToken0: boolean,
  tokenUnit: bigint,
  quoteUnit: bigint,
): bigint {
  return quotePerTokenWad(getSqrtRatioAtTick(tick), tokenIsToken0, tokenUnit, quoteUnit);
}

/**
 * Mirror of UniswapV3Quote.sqrtPriceAt: the sqrt price at which the token trades at `num / den`
 * quote units per token unit, rounded up (`roundUp`, a limit for a trade that lowers the raw price)
 * or down, clamped inside the pool's open price range.
 */
export function sqrtPriceAt(num: bigint, den: bigint, tokenIsToken0: boolean, roundUp: boolean): bigint {
  const [n, d] = tokenIsToken0 ? [num, den] : [den, num];
  if (n >= d << 64n) return MAX_SQRT_RATIO - 1n;
  const ratioX192 = roundUp ? mulDivRoundingUp(n, 1n << 192n, d) : mulDiv(n, 1n << 192n, d);
  let root = isqrt(ratioX192);
  if (roundUp && root * root < ratioX192) root += 1n;
  if (root <= MIN_SQRT_RATIO) return MIN_SQRT_RATIO + 1n;
  if (root >= MAX_SQRT_RATIO) return MAX_SQRT_RATIO - 1n;
  return root;
}
