/**
 * Trade sizing against a Uniswap V2 pair: the exact mirror of contracts/libraries/PegMath.sol.
 * Prices are raw pool prices (quote units per token unit) as the fraction priceNum / priceDen.
 */
import { UNI_V2_FEE_DENOMINATOR as FEE_D, UNI_V2_FEE_NUMERATOR as FEE_N, isqrt, mulDiv } from "./units";

/** Positive root of 997·x² + 1997·r·x + 1000·(r² − k) = 0, rounded down; 0 when k ≤ r². */
function solve(r: bigint, k: bigint): bigint {
  const rSquared = r * r;
  if (k <= rSquared) return 0n;
  const b = (FEE_D + FEE_N) * r;
  const disc = b * b + 4n * FEE_N * FEE_D * (k - rSquared);
  return (isqrt(disc) - b) / (2n * FEE_N);
}

/** Tokens to sell so the pair's price falls to priceNum/priceDen (0 if already there). */
export function tokensToSellForPrice(
  reserveToken: bigint,
  reserveQuote: bigint,
  priceNum: bigint,
  priceDen: bigint,
): bigint {
  return solve(reserveToken, mulDiv(reserveToken * reserveQuote, priceDen, priceNum));
}

/** Quote to spend so the pair's price rises to priceNum/priceDen (0 if already there). */
export function quoteToSpendForPrice(
  reserveToken: bigint,
  reserveQuote: bigint,
  priceNum: bigint,
  priceDen: bigint,
): bigint {
  return solve(reserveQuote, mulDiv(reserveToken * reserveQuote, priceNum, priceDen));
}

/** Uniswap V2's getAmountOut, rounded down. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  if (amountIn === 0n) return 0n;
  const withFee = amountIn * FEE_N;
  return (withFee * reserveOut) / (reserveIn * FEE_D + withFee);
}

/** The peg as a raw pool price: peg / quoteUsd, scaled by the two tokens' decimals. */
export function pegPoolPrice(
  quoteUsdWad: bigint,
  tokenUnit: bigint,
  quoteUnit: bigint,
  pegWad: bigint,
): { num: bigint; den: bigint } {
  return { num: pegWad * quoteUnit, den: quoteUsdWad * tokenUnit };
}

/** Largest token input whose average price (quote out per token in, fee included) is ≥ priceNum/priceDen; rounded down. */
export function maxTokensInAtPrice(
  reserveToken: bigint,
  reserveQuote: bigint,
  priceNum: bigint,
  priceDen: bigint,
): bigint {
  const scaled = mulDiv(FEE_N * reserveQuote, priceDen, priceNum);
  const base = FEE_D * reserveToken;
  return scaled <= base ? 0n : (scaled - base) / FEE_N;
}

/** Largest quote input whose average price paid (quote in per token out, fee included) is ≤ priceNum/priceDen; rounded down. */
export function maxQuoteInAtPrice(
  reserveToken: bigint,
  reserveQuote: bigint,
  priceNum: bigint,
  priceDen: bigint,
): bigint {
  const scaled = mulDiv(FEE_N * reserveToken, priceNum, priceDen);
  const base = FEE_D * reserveQuote;
  return scaled <= base ? 0n : (scaled - base) / FEE_N;
}
