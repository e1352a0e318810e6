/**
 * The pool-specific half of the operator mirror, as MarketOperator's venue hooks: the V2 pair's
 * closed forms (PegMath) or, on a Uniswap V3 pool, the pool's own swap loop (policy/v3) with the
 * operator's peg limit, as MarketOperatorV3 quotes with UniswapV3Quote. `sellToken`: the trade
 * sells tokens for quote (an expansion); else it buys tokens with quote. Prices are raw pool
 * prices (quote units per token unit) as fractions num/den.
 */
import {
  amountOut,
  maxQuoteInAtPrice,
  maxTokensInAtPrice,
  pegPoolPrice,
  quoteToSpendForPrice,
  tokensToSellForPrice,
} from "./pegMath";
import { BPS, PEG_WAD, UNI_V2_FEE_DENOMINATOR, UNI_V2_FEE_NUMERATOR, WAD, mulDiv, mulDivUp } from "./units";
import { quotePerTokenWad, sqrtPriceAt, swap, type V3PoolState } from "./v3";

export interface PoolMath {
  /** The share a trade keeps after the pool fee, keepNum / feeDen. */
  readonly keepNum: bigint;
  readonly feeDen: bigint;
  /** Input that moves the pool's price to num/den, rounded down. */
  inToPrice(sellToken: boolean, num: bigint, den: bigint): bigint;
  /** Output of a trade of `amountIn`, fee included. */
  amountOut(sellToken: boolean, amountIn: bigint): bigint;
  /** The largest input whose price, fee included, is at least (sale) or at most (purchase) num/den. */
  maxInAtPrice(sellToken: boolean, num: bigint, den: bigint): bigint;
  /**
   * MarketOperator._upkeepLimitPriceWad: the limit price (quote whole units per token, WAD) to send
   * with the previewed trade (`amountIn` → `expectedOut`), `slippageBps` worse than the trade's own
   * price: a floor for a sale (rounded down), a ceiling for a purchase (rounded up).
   */
  limitPriceWad(sellToken: boolean, amountIn: bigint, expectedOut: bigint, slippageBps: bigint): bigint;
}

/**
 * The V2 form of the limit: the trade's average price (fee included). A V2 price-bounded trade is
 * bounded on its average, so the previewed trade passes its own limit.
 */
export function averageLimitPriceWad(
  sellToken: boolean,
  amountIn: bigint,
  expectedOut: bigint,
  slippageBps: bigint,
  tokenUnit: bigint,
  quoteUnit: bigint,
): bigint {
  if (sellToken) return mulDiv(mulDiv(expectedOut * tokenUnit, WAD, amountIn * quoteUnit), BPS - slippageBps, BPS);
  return mulDivUp(mulDivUp(amountIn * tokenUnit, WAD, expectedOut * quoteUnit), BPS + slippageBps, BPS);
}

/** The V2 pair: closed forms on the reserves (token, quote); whole units for the limit price. */
export function v2PoolMath(reserveToken: bigint, reserveQuote: bigint, tokenUnit: bigint, quoteUnit: bigint): PoolMath {
  return {
    keepNum: UNI_V2_FEE_NUMERATOR,
    feeDen: UNI_V2_FEE_DENOMINATOR,
    inToPrice: (sell, num, den) =>
      sell
        ? tokensToSellForPrice(reserveToken, reserveQuote, num, den)
        : quoteToSpendForPrice(reserveToken, reserveQuote, num, den),
    amountOut: (sell, amountIn) =>
      sell ? amountOut(amountIn, reserveToken, reserveQuote) : amountOut(amountIn, reserveQuote, reserveToken),
    maxInAtPrice: (sell, num, den) =>
      sell
        ? maxTokensInAtPrice(reserveToken, reserveQuote, num, den)
        : maxQuoteInAtPrice(reserveToken, reserveQuote, num, den),
    limitPriceWad: (sell, amountIn, expectedOut, slippageBps) =>
      averageLimitPriceWad(sell, amountIn, expectedOut, slippageBps, tokenUnit, quoteUnit),
  };
}

/** What the operator knows of a V3 pool: its state (policy/v3) and the token's side. */
export interface V3OperatorVenue {
  pool: V3PoolState;
  tokenIsToken0: boolean;
}

const UNBOUNDED_IN = (1n << 255n) - 1n;
const FEE_DEN_PIPS = 1_000_000n;

/**
 * A V3 pool: MarketOperatorV3's hooks. Outputs are quoted with the swap's own limit (the peg), as
 * the contract does; every unit of a price-bounded trade trades at the limit or better (the
 * pool's marginal price after the fee bounds it).
 */
export function v3PoolMath(
  venue: V3OperatorVenue,
  quoteUsdWad: bigint,
  tokenUnit: bigint,
  quoteUnit: bigint,
): PoolMath {
  const { pool, tokenIsToken0 } = venue;
  const keepNum = FEE_DEN_PIPS - pool.feePips;
  const zeroForOne = (sell: boolean) => sell === tokenIsToken0;
  const limitAt = (sell: boolean, num: bigint, den: bigint) => sqrtPriceAt(num, den, tokenIsToken0, zeroForOne(sell));
  /** UniswapV3Quote.exactInput: (input used, output, price after); nothing when the limit is not ahead of the price. */
  const quote = (sell: boolean, amountIn: bigint, limit: bigint): { used: bigint; out: bigint; sqrtAfter: bigint } => {
    const zfo = zeroForOne(sell);
    if (zfo ? limit >= pool.sqrtPriceX96 : limit <= pool.sqrtPriceX96)
      return { used: 0n, out: 0n, sqrtAfter: pool.sqrtPriceX96 };
    const r = swap(pool, zfo, amountIn, limit);
    return zfo
      ? { used: r.amount0, out: -r.amount1, sqrtAfter: r.sqrtPriceX96 }
      : { used: r.amount1, out: -r.amount0, sqrtAfter: r.sqrtPriceX96 };
  };
  const peg = pegPoolPrice(quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const atPeg = (sell: boolean, amountIn: bigint) => quote(sell, amountIn, limitAt(sell, peg.num, peg.den));
  const inToPrice = (sell: boolean, num: bigint, den: bigint) =>
    quote(sell, UNBOUNDED_IN, limitAt(sell, num, den)).used;
  return {
    keepNum,
    feeDen: FEE_DEN_PIPS,
    inToPrice,
    amountOut: (sell, amountIn) => (amountIn === 0n ? 0n : atPeg(sell, amountIn).out),
    maxInAtPrice: (sell, num, den) =>
      sell ? inToPrice(true, num * FEE_DEN_PIPS, den * keepNum) : inToPrice(false, num * keepNum, den * FEE_DEN_PIPS),
    // The V3 price forms bound every unit (the pool's marginal price after the fee), so the limit is
    // the last unit's price: where the previewed trade leaves the pool, fee included. The average
    // form would be better than the last unit and clamp the trade short of the peg.
    limitPriceWad: (sell, amountIn, _expectedOut, slippageBps) => {
      const endWad = quotePerTokenWad(atPeg(sell, amountIn).sqrtAfter, tokenIsToken0, tokenUnit, quoteUnit);
      if (sell) return mulDiv(endWad * keepNum, BPS - slippageBps, FEE_DEN_PIPS * BPS);
      return mulDivUp(endWad * FEE_DEN_PIPS, BPS + slippageBps, keepNum * BPS);
    },
  };
}
