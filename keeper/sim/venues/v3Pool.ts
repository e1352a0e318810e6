/**
 * The engine's Uniswap V3 pool: a V3Venue (the pool in integers, through the keeper's tick-maths
 * mirror) seeded as the V3 deployment is, with the trades, previews and liquidity moves the
 * market's actors make, oriented token/quote.
 *
 * The deployment (deploy/venue.ts DEFAULT_V3_VENUE): the 0.01% tier (tick spacing 1) and the
 * LiquidityManager's protocol-owned position in ±polRangeBps around the peg. Beside it, the
 * scenario's LP capital (its pool's quote side and the tokens matching it) is spread as a stable
 * pair's LPs spread theirs on a low-fee tier: most of it in a market maker's ±50 bps around the
 * price (the deploy fixture's own market maker range), a quarter passive over ±5%, and a tail over
 * the full range (as some LPs still provide V2-style), so a sale that empties the narrow ranges
 * meets a thin constant-product pool instead of no liquidity at all.
 */
import { pegPoolPrice } from "../../src/policy/pegMath";
import { PEG_WAD } from "../../src/policy/units";
import type { V3OperatorVenue } from "../../src/policy/venueMath";
import { MAX_TICK, MIN_TICK, Q96, quotePerTokenWad, sqrtPriceAt, type V3SwapResult } from "../../src/policy/v3";
import {
  DEFAULT_V3_VENUE,
  V3_TICK_SPACING,
  cardinalityForWindow,
  polRange,
  type V3VenueParams,
} from "../../../deploy/venue";
import { V3Venue } from "./v3";

/** The LPs' share of the scenario's pool capital in each range (half-width in bps around the price; null: the full range). */
export const V3_LP_SPREAD: readonly { rangeBps: number | null; share: number }[] = [
  { rangeBps: 50, share: 0.6 },
  { rangeBps: 500, share: 0.25 },
  { rangeBps: null, share: 0.15 },
];
/** Protocol-owned liquidity, as a share of the scenario pool's quote side (at most the venue's polMaxQuote). */
export const V3_POL_SHARE = 0.2;
/** The LiquidityManager's position key in the model. */
export const POL_OWNER = "pol";

export interface V3PoolInit {
  /** Whole quote units the LPs bring (the scenario's pool quote side); the matching tokens come with it. */
  lpQuote: number;
  quoteUnit: bigint;
  tokenUnit: bigint;
  startTime: bigint;
  twapWindowSec: number;
  blockTimeSec: number;
  venue?: V3VenueParams;
}

export interface RangeKey {
  owner: string;
  lower: number;
  upper: number;
}

/** The oriented result of a trade: what went into the pool and what came out. */
export interface PoolTrade {
  amountIn: bigint;
  amountOut: bigint;
}

/** The widest range the pool accepts at this spacing. */
function fullRange(spacing: number): { tickLower: number; tickUpper: number } {
  return { tickLower: Math.ceil(MIN_TICK / spacing) * spacing, tickUpper: Math.floor(MAX_TICK / spacing) * spacing };
}

export class V3Pool {
  /**
   * A pool whose positions are already in `venue` (e.g. read from a chain): the LPs' ranges and the
   * protocol's. `deploy` builds the simulator's own.
   */
  constructor(
    readonly venue: V3Venue,
    readonly params: V3VenueParams,
    readonly pol: RangeKey,
    private readonly lps: readonly RangeKey[],
  ) {}

  /** The simulator's deployment: the pool at the peg, the LPs' spread and the protocol's position. */
  static deploy(init: V3PoolInit): V3Pool {
    const params = init.venue ?? DEFAULT_V3_VENUE;
    const spacing = V3_TICK_SPACING[params.feePips];
    if (spacing === undefined) throw new RangeError(`venue.feePips: tier ${params.feePips} has no known tick spacing`);
    // The pool keeps enough observations for the TWAP window, as the deploy raises its cardinality.
    const cardinality = cardinalityForWindow(init.twapWindowSec, init.blockTimeSec);
    const venue = new V3Venue({
      feePips: params.feePips,
      tickSpacing: spacing,
      tokenIsToken0: true,
      tokenUnit: init.tokenUnit,
      quoteUnit: init.quoteUnit,
      priceWad: PEG_WAD,
      startTime: init.startTime,
      cardinality,
      twapWindowSec: init.twapWindowSec,
    });
    const tick = venue.tick;
    const lpQuoteRaw = BigInt(Math.round(init.lpQuote)) * init.quoteUnit;
    const lps = V3_LP_SPREAD.map((r, i) => {
      const range = r.rangeBps === null ? fullRange(spacing) : polRange(tick, r.rangeBps, spacing);
      const key = { owner: `lp${i}`, lower: range.tickLower, upper: range.tickUpper };
      venue.modifyPosition(
        key.owner,
        key.lower,
        key.upper,
        venue.liquidityForQuote(key.lower, key.upper, (lpQuoteRaw * BigInt(Math.round(r.share * 1e6))) / 1_000_000n),
      );
      return key;
    });
    const polCap = BigInt(Math.round(Number(params.polMaxQuote))) * init.quoteUnit;
    const polWanted = BigInt(Math.round(init.lpQuote * V3_POL_SHARE)) * init.quoteUnit;
    const range = polRange(tick, params.polRangeBps, spacing);
    const pol = { owner: POL_OWNER, lower: range.tickLower, upper: range.tickUpper };
    venue.modifyPosition(
      POL_OWNER,
      pol.lower,
      pol.upper,
      venue.liquidityForQuote(pol.lower, pol.upper, polWanted < polCap ? polWanted : polCap),
    );
    return new V3Pool(venue, params, pol, lps);
  }

  /** Whether the token is the pool's token0: the simulator's own deploy puts it there, a chain's pool may not. */
  get tokenIsToken0(): boolean {
    return this.venue.init.tokenIsToken0;
  }

  /** The pool's swap direction for a sale (token in) or a purchase (quote in). */
  private zeroForOne(sell: boolean): boolean {
    return sell === this.tokenIsToken0;
  }

  /** The sqrt price where the token trades at num/den raw quote per raw token, rounded as the operator's limit is (toward the price a trade comes from). */
  private limitAt(sell: boolean, num: bigint, den: bigint): bigint {
    return sqrtPriceAt(num, den, this.tokenIsToken0, this.zeroForOne(sell));
  }

  get feeKeep(): number {
    return 1 - this.params.feePips / 1e6;
  }

  setTime(now: bigint): void {
    this.venue.setTime(now);
  }

  /** Pool price, quote per whole token (float). */
  price(): number {
    return Number(this.venue.priceWad()) / 1e18;
  }

  /** The pool's in-range liquidity as virtual reserves (token, quote raw): a V2 pair of the same local depth. */
  virtualReserves(): { token: bigint; quote: bigint } {
    const { liquidity, sqrtPriceX96 } = this.venue;
    // token0 = L / √P, token1 = L · √P.
    const amount0 = (liquidity * Q96) / sqrtPriceX96;
    const amount1 = (liquidity * sqrtPriceX96) / Q96;
    return this.tokenIsToken0 ? { token: amount0, quote: amount1 } : { token: amount1, quote: amount0 };
  }

  private oriented(sell: boolean, r: V3SwapResult | null): PoolTrade {
    if (!r) return { amountIn: 0n, amountOut: 0n };
    // The pool's amounts are signed from its side (paid in > 0): a sale pays the token in and takes the quote out.
    const [token, quote] = this.tokenIsToken0 ? [r.amount0, r.amount1] : [r.amount1, r.amount0];
    return sell ? { amountIn: token, amountOut: -quote } : { amountIn: quote, amountOut: -token };
  }

  /** Sells (sell) tokens or buys with quote, exact input, optionally up to a sqrt price limit. */
  trade(sell: boolean, amountIn: bigint, sqrtLimitX96?: bigint): PoolTrade {
    return this.oriented(sell, this.venue.swapExact(this.zeroForOne(sell), amountIn, sqrtLimitX96)?.result ?? null);
  }

  /** The same trade previewed: its amounts and the price it leaves (quote per whole token). */
  preview(sell: boolean, amountIn: bigint): PoolTrade & { priceAfter: number } {
    const r = this.venue.previewExact(this.zeroForOne(sell), amountIn);
    const { tokenUnit, quoteUnit } = this.venue.init;
    const priceAfter = r
      ? Number(quotePerTokenWad(r.sqrtPriceX96, this.tokenIsToken0, tokenUnit, quoteUnit)) / 1e18
      : this.price();
    return { ...this.oriented(sell, r), priceAfter };
  }

  /** Input that moves the price to num/den raw quote per raw token (0 when it is already there or beyond). */
  inToPrice(sell: boolean, num: bigint, den: bigint): bigint {
    const limit = this.limitAt(sell, num, den);
    return this.oriented(sell, this.venue.previewExact(this.zeroForOne(sell), (1n << 255n) - 1n, limit)).amountIn;
  }

  /** MarketOperatorV3's swap: exact input with sqrtPriceLimitX96 at the peg (at the quote asset's USD price). */
  operate(sell: boolean, amountIn: bigint, quoteUsdWad: bigint): PoolTrade {
    const { tokenUnit, quoteUnit } = this.venue.init;
    const peg = pegPoolPrice(quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
    return this.trade(sell, amountIn, this.limitAt(sell, peg.num, peg.den));
  }

  /** What the operator mirror reads of the pool (OperatorState.v3). */
  operatorVenue(): V3OperatorVenue {
    return { pool: this.venue.state(), tokenIsToken0: this.tokenIsToken0 };
  }

  /** LPs add (f > 0) or withdraw (f < 0) a fraction of their positions; the protocol's position stays. */
  scaleLiquidity(fraction: number): void {
    for (const k of this.lps) {
      const held = this.venue.positionLiquidity(k.owner, k.lower, k.upper);
      const delta = (held * BigInt(Math.round(fraction * 1e6))) / 1_000_000n;
      if (delta !== 0n) this.venue.modifyPosition(k.owner, k.lower, k.upper, delta < -held ? -held : delta);
    }
  }
}
