/**
 * A concentrated-liquidity market for the simulator: the Uniswap V3 pool in integers, using the
 * keeper's own exact mirror (keeper/src/policy/v3) for every price and amount, so the model moves
 * exactly as the real pool does. It keeps positions with per-tick fee growth (as the pool does,
 * so a position's fees are exact), the pool's oracle (tick cumulatives written once per block, a
 * ring of `cardinality` observations) and PriceOracleV3's spot/TWAP read.
 * Amounts are raw integers (token 18 decimals, quote 6); prices WAD quote per whole token.
 */
import { WAD, mulDiv } from "../../src/policy";
import {
  MAX_TICK,
  MIN_TICK,
  amountsForLiquidity,
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  liquidityForQuote,
  quotePerTokenWad,
  quotePerTokenWadAtTick,
  sqrtPriceForQuotePerToken,
  swap,
  swapToPrice,
  type V3PoolState,
  type V3SwapResult,
} from "../../src/policy/v3";

const Q128 = 1n << 128n;
const MAX_INT256 = (1n << 255n) - 1n;
/** How far an unlimited trade may move the price (×1.0001^50,000 ≈ ×148): past any sane pool's
 * liquidity, near enough that the empty bitmap words walked stay few. */
const FAR_TICKS = 50_000;

export interface V3VenueInit {
  feePips: number;
  tickSpacing: number;
  /** Whether the token sorts before the quote asset (it is the pool's token0). */
  tokenIsToken0: boolean;
  tokenUnit: bigint;
  quoteUnit: bigint;
  /** Initial price, WAD quote per whole token. */
  priceWad: bigint;
  startTime: bigint;
  cardinality: number;
  twapWindowSec: number;
}

interface Position {
  tickLower: number;
  tickUpper: number;
  liquidity: bigint;
  /** Fee growth inside at the last update, per token (Q128). */
  inside0: bigint;
  inside1: bigint;
  owed0: bigint;
  owed1: bigint;
}

export interface Observation {
  time: bigint;
  tickCumulative: bigint;
}

export interface V3Trade {
  tokenDelta: bigint;
  quoteDelta: bigint;
  result: V3SwapResult;
}

export class V3Venue {
  readonly init: V3VenueInit;
  sqrtPriceX96: bigint;
  tick: number;
  liquidity = 0n;
  private readonly net = new Map<number, bigint>();
  private readonly gross = new Map<number, bigint>();
  private readonly outside0 = new Map<number, bigint>();
  private readonly outside1 = new Map<number, bigint>();
  private global0 = 0n;
  private global1 = 0n;
  private readonly positions = new Map<string, Position>();
  private readonly observations: Observation[] = [];
  private newest = 0;
  now: bigint;

  constructor(init: V3VenueInit) {
    this.init = init;
    this.sqrtPriceX96 = sqrtPriceForQuotePerToken(init.priceWad, init.tokenIsToken0, init.tokenUnit, init.quoteUnit);
    this.tick = getTickAtSqrtRatio(this.sqrtPriceX96);
    this.now = init.startTime;
    this.observations.push({ time: init.startTime, tickCumulative: 0n });
  }

  /** The pool state the keeper's maths reads. */
  state(): V3PoolState {
    return {
      sqrtPriceX96: this.sqrtPriceX96,
      tick: this.tick,
      liquidity: this.liquidity,
      feePips: BigInt(this.init.feePips),
      tickSpacing: this.init.tickSpacing,
      ticks: this.net,
    };
  }

  /** Moves the clock (the pool only sees time through the block timestamp). */
  setTime(now: bigint): void {
    if (now < this.now) throw new RangeError(`time runs backwards: ${now} < ${this.now}`);
    this.now = now;
  }

  // ---------------------------------------------------------------- oracle (the pool's)

  /**
   * Starts from another pool's state (a chain's): its price and tick, its oracle's observations
   * (oldest first, at most the cardinality) and its clock. Positions are added with modifyPosition.
   */
  restore(state: { sqrtPriceX96: bigint; tick: number; observations: readonly Observation[]; now: bigint }): void {
    const { observations } = state;
    if (observations.length === 0 || observations.length > this.init.cardinality)
      throw new RangeError(`observations: ${observations.length}, want 1…${this.init.cardinality}`);
    if (observations[observations.length - 1].time > state.now)
      throw new RangeError(`observations: the newest is after now (${state.now})`);
    this.sqrtPriceX96 = state.sqrtPriceX96;
    this.tick = state.tick;
    this.observations.splice(0, this.observations.length, ...observations.map((o) => ({ ...o })));
    this.newest = observations.length - 1;
    this.now = state.now;
  }

  /** The pool's Oracle.write: once per block, before the block's first price change. */
  private writeObservation(): void {
    const last = this.observations[this.newest];
    if (last.time === this.now) return;
    const entry = { time: this.now, tickCumulative: last.tickCumulative + BigInt(this.tick) * (this.now - last.time) };
    if (this.observations.length < this.init.cardinality) {
      this.observations.push(entry);
      this.newest = this.observations.length - 1;
    } else {
      this.newest = (this.newest + 1) % this.init.cardinality;
      this.observations[this.newest] = entry;
    }
  }

  /** The pool's observe(secondsAgo) tick cumulative, or null where it reverts ("OLD"). */
  tickCumulativeAt(secondsAgo: bigint): bigint | null {
    const target = this.now - secondsAgo;
    const last = this.observations[this.newest];
    if (target >= last.time) return last.tickCumulative + BigInt(this.tick) * (target - last.time);
    const n = this.observations.length;
    const ordered = Array.from({ length: n }, (_, i) => this.observations[(this.newest + 1 + i) % n]);
    if (target < ordered[0].time) return null;
    for (let i = ordered.length - 1; i > 0; i--) {
      const before = ordered[i - 1];
      const after = ordered[i];
      if (before.time <= target && target <= after.time) {
        if (target === before.time) return before.tickCumulative;
        if (target === after.time) return after.tickCumulative;
        return (
          before.tickCumulative +
          ((after.tickCumulative - before.tickCumulative) / (after.time - before.time)) * (target - before.time)
        );
      }
    }
    return ordered[0].time === target ? ordered[0].tickCumulative : null;
  }

  /** PriceOracleV3.marketPrice mirror: (spot, twap) WAD USD at `quoteUsdWad`; ok=false where it reverts. */
  marketPrice(quoteUsdWad: bigint): { ok: boolean; spotWad: bigint; twapWad: bigint } {
    const { tokenIsToken0, tokenUnit, quoteUnit, twapWindowSec } = this.init;
    const spotWad = mulDiv(quotePerTokenWad(this.sqrtPriceX96, tokenIsToken0, tokenUnit, quoteUnit), quoteUsdWad, WAD);
    const window = BigInt(twapWindowSec);
    const then = this.tickCumulativeAt(window);
    const now = this.tickCumulativeAt(0n);
    if (then === null || now === null) return { ok: false, spotWad, twapWad: 0n };
    const delta = now - then;
    let mean = delta / window;
    if (delta < 0n && delta % window !== 0n) mean -= 1n;
    return {
      ok: true,
      spotWad,
      twapWad: mulDiv(quotePerTokenWadAtTick(Number(mean), tokenIsToken0, tokenUnit, quoteUnit), quoteUsdWad, WAD),
    };
  }

  /** Pool price, WAD quote per whole token. */
  priceWad(): bigint {
    return quotePerTokenWad(this.sqrtPriceX96, this.init.tokenIsToken0, this.init.tokenUnit, this.init.quoteUnit);
  }

  // ---------------------------------------------------------------- swaps

  private apply(zeroForOne: boolean, result: V3SwapResult): V3Trade {
    this.writeObservation();
    result.crossed.forEach((t, i) => {
      const g0 = zeroForOne ? this.global0 + result.feeGrowthAtCrossX128[i] : this.global0;
      const g1 = zeroForOne ? this.global1 : this.global1 + result.feeGrowthAtCrossX128[i];
      this.outside0.set(t, g0 - (this.outside0.get(t) ?? 0n));
      this.outside1.set(t, g1 - (this.outside1.get(t) ?? 0n));
    });
    if (zeroForOne) this.global0 += result.feeGrowthDeltaX128;
    else this.global1 += result.feeGrowthDeltaX128;
    this.sqrtPriceX96 = result.sqrtPriceX96;
    this.tick = result.tick;
    this.liquidity = result.liquidity;
    const [tokenDelta, quoteDelta] = this.init.tokenIsToken0
      ? [result.amount0, result.amount1]
      : [result.amount1, result.amount0];
    return { tokenDelta, quoteDelta, result };
  }

  /** Sells `tokensIn` (exact input), optionally stopping at a price limit (WAD); returns the quote out. */
  sellTokens(tokensIn: bigint, limitPriceWad?: bigint): V3Trade | null {
    if (tokensIn <= 0n) return null;
    const zeroForOne = this.init.tokenIsToken0;
    return this.trade(zeroForOne, tokensIn, limitPriceWad);
  }

  /** Buys tokens with `quoteIn` (exact input), optionally stopping at a price limit (WAD). */
  buyTokens(quoteIn: bigint, limitPriceWad?: bigint): V3Trade | null {
    if (quoteIn <= 0n) return null;
    return this.trade(!this.init.tokenIsToken0, quoteIn, limitPriceWad);
  }

  /** Trades until the price is `priceWad` (as far as liquidity allows): what an operation with a price limit does. */
  tradeToPrice(priceWad: bigint): V3Trade | null {
    const limit = this.sqrtForPrice(priceWad);
    const result = swapToPrice(this.state(), limit);
    return result ? this.apply(limit < this.sqrtPriceX96, result) : null;
  }

  /** The trade `tradeToPrice` would make, without making it. */
  previewToPrice(priceWad: bigint): V3SwapResult | null {
    return swapToPrice(this.state(), this.sqrtForPrice(priceWad));
  }

  private sqrtForPrice(priceWad: bigint): bigint {
    return sqrtPriceForQuotePerToken(priceWad, this.init.tokenIsToken0, this.init.tokenUnit, this.init.quoteUnit);
  }

  private trade(zeroForOne: boolean, amountIn: bigint, limitPriceWad?: bigint): V3Trade | null {
    return this.swapExact(
      zeroForOne,
      amountIn,
      limitPriceWad === undefined ? undefined : this.sqrtForPrice(limitPriceWad),
    );
  }

  /** The limit of an unlimited trade: far enough to pass any sane pool's liquidity. */
  private farLimit(zeroForOne: boolean): bigint {
    return getSqrtRatioAtTick(
      Math.min(Math.max(this.tick + (zeroForOne ? -FAR_TICKS : FAR_TICKS), MIN_TICK + 1), MAX_TICK - 1),
    );
  }

  /** The swap an exact-input trade would make up to `sqrtLimitX96` (unlimited: none), without making it; null when the limit is not ahead. */
  previewExact(zeroForOne: boolean, amountIn: bigint, sqrtLimitX96?: bigint): V3SwapResult | null {
    const limit = sqrtLimitX96 ?? this.farLimit(zeroForOne);
    if (amountIn <= 0n || (zeroForOne ? limit >= this.sqrtPriceX96 : limit <= this.sqrtPriceX96)) return null;
    return swap(this.state(), zeroForOne, amountIn > MAX_INT256 ? MAX_INT256 : amountIn, limit);
  }

  /** An exact-input swap, stopping at `sqrtLimitX96` (the pool's own limit argument); null when nothing trades. */
  swapExact(zeroForOne: boolean, amountIn: bigint, sqrtLimitX96?: bigint): V3Trade | null {
    const result = this.previewExact(zeroForOne, amountIn, sqrtLimitX96);
    return result ? this.apply(zeroForOne, result) : null;
  }

  // ---------------------------------------------------------------- positions

  private insideGrowth(lower: number, upper: number): [bigint, bigint] {
    const below = (m: Map<number, bigint>, g: bigint, t: number) =>
      this.tick >= t ? m.get(t) ?? 0n : g - (m.get(t) ?? 0n);
    const above = (m: Map<number, bigint>, g: bigint, t: number) =>
      this.tick >= t ? g - (m.get(t) ?? 0n) : m.get(t) ?? 0n;
    return [
      this.global0 - below(this.outside0, this.global0, lower) - above(this.outside0, this.global0, upper),
      this.global1 - below(this.outside1, this.global1, lower) - above(this.outside1, this.global1, upper),
    ];
  }

  private updateTick(t: number, delta: bigint, upper: boolean): void {
    const before = this.gross.get(t) ?? 0n;
    const after = before + delta;
    // The pool's convention: a newly initialized tick at or below the price has seen all growth.
    if (before === 0n && after > 0n && this.tick >= t) {
      this.outside0.set(t, this.global0);
      this.outside1.set(t, this.global1);
    }
    const net = (this.net.get(t) ?? 0n) + (upper ? -delta : delta);
    if (after === 0n) {
      this.gross.delete(t);
      this.net.delete(t);
      this.outside0.delete(t);
      this.outside1.delete(t);
    } else {
      this.gross.set(t, after);
      this.net.set(t, net);
    }
  }

  /** The pool's _modifyPosition: liquidity in [lower, upper) changes by `delta`; returns token and quote amounts (paid in > 0). */
  modifyPosition(owner: string, lower: number, upper: number, delta: bigint): { token: bigint; quote: bigint } {
    const key = `${owner}:${lower}:${upper}`;
    const p = this.positions.get(key) ?? {
      tickLower: lower,
      tickUpper: upper,
      liquidity: 0n,
      inside0: 0n,
      inside1: 0n,
      owed0: 0n,
      owed1: 0n,
    };
    if (p.liquidity + delta < 0n) throw new RangeError(`position ${key} holds ${p.liquidity}, cannot remove ${-delta}`);
    if (delta !== 0n) {
      this.writeObservation();
      this.updateTick(lower, delta, false);
      this.updateTick(upper, delta, true);
    }
    const [in0, in1] = this.insideGrowth(lower, upper);
    p.owed0 += mulDiv(in0 - p.inside0, p.liquidity, Q128);
    p.owed1 += mulDiv(in1 - p.inside1, p.liquidity, Q128);
    p.inside0 = in0;
    p.inside1 = in1;
    p.liquidity += delta;
    this.positions.set(key, p);
    if (this.tick >= lower && this.tick < upper) this.liquidity += delta;
    const magnitude = delta < 0n ? -delta : delta;
    const a = amountsForLiquidity(this.sqrtPriceX96, this.tick, lower, upper, magnitude, delta > 0n);
    const [token, quote] = this.init.tokenIsToken0 ? [a.amount0, a.amount1] : [a.amount1, a.amount0];
    if (delta < 0n) {
      p.owed0 += a.amount0;
      p.owed1 += a.amount1;
      return { token: -token, quote: -quote };
    }
    return { token, quote };
  }

  /** Collects (and zeroes) what a position is owed: principal from burns plus fees, as (token, quote). */
  collect(owner: string, lower: number, upper: number): { token: bigint; quote: bigint } {
    const p = this.positions.get(`${owner}:${lower}:${upper}`);
    const owed = this.owed(owner, lower, upper);
    if (p) {
      p.owed0 = 0n;
      p.owed1 = 0n;
    }
    return owed;
  }

  /** What a position is owed (fees accrued to now, plus principal of burns), as (token, quote), without collecting: the pool's burn(0) poke, then positions(). */
  owed(owner: string, lower: number, upper: number): { token: bigint; quote: bigint } {
    const p = this.positions.get(`${owner}:${lower}:${upper}`);
    if (!p) return { token: 0n, quote: 0n };
    if (p.liquidity > 0n) this.modifyPosition(owner, lower, upper, 0n);
    return this.init.tokenIsToken0 ? { token: p.owed0, quote: p.owed1 } : { token: p.owed1, quote: p.owed0 };
  }

  /** The tokens and quote a position's liquidity stands for at the current price (what a burn of all of it would return, rounded down). */
  principal(owner: string, lower: number, upper: number): { token: bigint; quote: bigint } {
    const a = amountsForLiquidity(
      this.sqrtPriceX96,
      this.tick,
      lower,
      upper,
      this.positionLiquidity(owner, lower, upper),
      false,
    );
    return this.init.tokenIsToken0 ? { token: a.amount0, quote: a.amount1 } : { token: a.amount1, quote: a.amount0 };
  }

  /** The liquidity a position holds (0 when there is none). */
  positionLiquidity(owner: string, lower: number, upper: number): bigint {
    return this.positions.get(`${owner}:${lower}:${upper}`)?.liquidity ?? 0n;
  }

  /** Liquidity whose quote side at the current price is `quoteAmount` in [lower, upper) (the range must hold the price). */
  liquidityForQuote(lower: number, upper: number, quoteAmount: bigint): bigint {
    return liquidityForQuote(this.sqrtPriceX96, lower, upper, this.init.tokenIsToken0, quoteAmount);
  }
}
