/**
 * The shared market every policy lives in: the token/USDC pool on its venue, either the
 * constant-product pair (exact Uniswap V2 integer maths, cumulative prices like the pair, the
 * default) or a Uniswap V3 pool (venues/v3Pool.ts: the pool's integer tick maths, its own
 * observe() oracle), Chainlink-style feeds with a deviation
 * threshold and heartbeat, a mirror of PriceOracle's spot/TWAP read, the true external prices and
 * the gas price. Amounts are raw integers (token 18 decimals, USDC 6, WETH 18); prices WAD.
 */
// Imported from the modules themselves, not the policy index: its re-export getters sit on the hot path.
import { amountOut, quoteToSpendForPrice, tokensToSellForPrice } from "../src/policy/pegMath";
import type { V3OperatorVenue } from "../src/policy/venueMath";
import { WAD, mulDiv } from "../src/policy/units";
import { Rng } from "./rng";
import type { PoolTrade, V3Pool } from "./venues/v3Pool";

export const TOKEN_UNIT = 10n ** 18n;
export const QUOTE_UNIT = 10n ** 6n;
export const WETH_UNIT = 10n ** 18n;
const Q112 = 1n << 112n;

export type Asset = "USDC" | "WETH";

/** Where the token trades: the Uniswap V2 pair or a Uniswap V3 pool. */
export const VENUES = ["v2", "v3"] as const;
export type VenueKind = (typeof VENUES)[number];

/** What a Uniswap V2 swap keeps of its input after the 0.3% fee. */
export const V2_FEE_KEEP = 0.997;

/** Whole units (float) → raw integer units, rounded to 1e-6 of a unit. */
export function toRaw(amount: number, unit: bigint): bigint {
  if (!Number.isFinite(amount)) throw new RangeError(`toRaw: not finite: ${amount}`);
  const micro = BigInt(Math.round(amount * 1e6));
  return unit >= 1_000_000n ? micro * (unit / 1_000_000n) : (micro * unit) / 1_000_000n;
}

export function fromRaw(raw: bigint, unit: bigint): number {
  return Number(raw) / Number(unit);
}

export const wadToNumber = (wad: bigint): number => Number(wad) / 1e18;
export const numberToWad = (x: number): bigint => toRaw(x, WAD);

export interface FeedConfig {
  deviationBps: number;
  heartbeatSec: number;
  /** PriceOracle's maxAgeSec and bounds for this asset. */
  maxAgeSec: number;
  minWad: bigint;
  maxWad: bigint;
  /** Answer decimals (Chainlink USD feeds: 8). */
  decimals: number;
  /** Oracle latency jitter: a due answer lands 0…jitterBlocks blocks later (uniform); 0 = at once. */
  jitterBlocks?: number;
}

export interface Feed {
  config: FeedConfig;
  answer: bigint;
  updatedAt: bigint;
  posting: boolean;
  /** An answer observed when it fell due, waiting out its jitter: it lands at `atBlock`. */
  inFlight?: { answer: bigint; atBlock: number };
}

/** feedPrice's last answer per asset, valid while the feed's answer, its time and the clock are unchanged. */
interface FeedPriceMemo {
  answer: bigint;
  updatedAt: bigint;
  now: bigint;
  result: { ok: boolean; wad: bigint };
}

export interface OracleConfig {
  twapWindowSec: number;
}

const OBSERVATION_SLOTS = 8;
const OBSERVATIONS_PER_WINDOW = 4n;

export interface MarketInit {
  blockTimeSec: number;
  startTime: bigint;
  poolToken: bigint;
  poolQuote: bigint;
  supply: bigint;
  truth: Record<Asset | "FXS", number>;
  feeds: Record<Asset, FeedConfig>;
  oracle: OracleConfig;
  gasGwei: number;
  /** Seed of the feeds' jitter draws (its own stream, so other randomness is unchanged). */
  jitterSeed?: number;
  /** Start from a chain's state: the pair's cumulative price and last update, the oracle's newest observation. */
  chain?: { cumulative: bigint; lastPoolTime: bigint; observation: { timestamp: bigint; cumulative: bigint } };
  /** Trade on this V3 pool instead of the pair (poolToken/poolQuote then only seed nothing). */
  v3?: V3Pool;
}

export class Market {
  readonly blockTimeSec: number;
  block = 0;
  now: bigint;
  reserveToken: bigint;
  reserveQuote: bigint;
  /** The pair's token price cumulative (UQ112x112 quote-per-token × seconds), and its last update. */
  private cumulative = 0n;
  private lastPoolTime: bigint;
  supply: bigint;
  truth: Record<Asset | "FXS", number>;
  feeds: Record<Asset, Feed>;
  gasGwei: number;
  readonly oracle: OracleConfig;
  private readonly obs: { timestamp: bigint; cumulative: bigint }[] = [];
  private newest = 0;
  private readonly jitter: Rng;
  private readonly feedMemo: Partial<Record<Asset, FeedPriceMemo>> = {};
  /** The V3 pool when the venue is V3; the pair's reserves are then its in-range virtual reserves. */
  readonly v3: V3Pool | null;

  constructor(init: MarketInit) {
    this.blockTimeSec = init.blockTimeSec;
    this.now = init.startTime;
    this.lastPoolTime = init.startTime;
    this.reserveToken = init.poolToken;
    this.reserveQuote = init.poolQuote;
    this.supply = init.supply;
    this.truth = { ...init.truth };
    this.gasGwei = init.gasGwei;
    this.oracle = init.oracle;
    const feed = (a: Asset): Feed => ({
      config: init.feeds[a],
      answer: this.feedAnswerFor(init.truth[a], init.feeds[a].decimals),
      updatedAt: init.startTime,
      posting: true,
    });
    this.feeds = { USDC: feed("USDC"), WETH: feed("WETH") };
    this.jitter = new Rng((init.jitterSeed ?? 0) ^ 0x5bd1e995);
    this.v3 = init.v3 ?? null;
    this.syncV3();
    if (init.chain) {
      this.cumulative = init.chain.cumulative;
      this.lastPoolTime = init.chain.lastPoolTime;
      this.obs.push({ ...init.chain.observation });
    }
  }

  private feedAnswerFor(priceUsd: number, decimals: number): bigint {
    return BigInt(Math.round(priceUsd * 10 ** decimals));
  }

  /** Moves time to the next block. */
  advanceBlock(): void {
    this.block += 1;
    this.now += BigInt(this.blockTimeSec);
    this.v3?.setTime(this.now);
  }

  get venue(): VenueKind {
    return this.v3 ? "v3" : "v2";
  }

  /** What a swap keeps of its input after the pool fee. */
  get feeKeep(): number {
    return this.v3 ? this.v3.feeKeep : V2_FEE_KEEP;
  }

  /** On V3, the fields the pair's maths read are the pool's in-range virtual reserves (a pair of the same local depth). */
  private syncV3(): void {
    if (!this.v3) return;
    const r = this.v3.virtualReserves();
    this.reserveToken = r.token;
    this.reserveQuote = r.quote;
  }

  private v3Trade(sell: boolean, amountIn: bigint): PoolTrade {
    const t = (this.v3 as V3Pool).trade(sell, amountIn);
    this.syncV3();
    return t;
  }

  // ---------------------------------------------------------------- pool

  /** The pair's _update: accumulate the old price over the time since the last pool change. */
  private accrue(): void {
    const elapsed = this.now - this.lastPoolTime;
    if (elapsed > 0n && this.reserveToken > 0n)
      this.cumulative += ((this.reserveQuote * Q112) / this.reserveToken) * elapsed;
    this.lastPoolTime = this.now;
  }

  /** Sells `tokensIn` into the pool; returns the quote received (Uniswap V2 getAmountOut). */
  sellTokens(tokensIn: bigint): bigint {
    if (tokensIn <= 0n) return 0n;
    if (this.v3) return this.v3Trade(true, tokensIn).amountOut;
    const out = amountOut(tokensIn, this.reserveToken, this.reserveQuote);
    this.accrue();
    this.reserveToken += tokensIn;
    this.reserveQuote -= out;
    return out;
  }

  /** Buys tokens from the pool with `quoteIn`; returns the tokens received. */
  buyTokens(quoteIn: bigint): bigint {
    if (quoteIn <= 0n) return 0n;
    if (this.v3) return this.v3Trade(false, quoteIn).amountOut;
    const out = amountOut(quoteIn, this.reserveQuote, this.reserveToken);
    this.accrue();
    this.reserveQuote += quoteIn;
    this.reserveToken -= out;
    return out;
  }

  /**
   * Net effect on the pool of a single-sided deposit or withdrawal of tokens (a V2 zap). A V3 pool
   * has no such move: its price effect is a sale of the tokens (deposit) or a purchase of as many
   * at the current price (withdrawal).
   */
  shiftTokenBalance(delta: bigint): void {
    if (this.v3) {
      if (delta > 0n) this.v3Trade(true, delta);
      else if (delta < 0n) this.v3Trade(false, toRaw(fromRaw(-delta, TOKEN_UNIT) * this.poolPrice(), QUOTE_UNIT));
      return;
    }
    this.accrue();
    this.reserveToken += delta;
    if (this.reserveToken <= 0n) throw new RangeError("pool token balance would go to zero");
  }

  /** Liquidity providers add (f > 0) or withdraw (f < 0) a fraction of both sides. */
  scaleLiquidity(fraction: number): void {
    if (this.v3) {
      this.v3.scaleLiquidity(fraction);
      this.syncV3();
      return;
    }
    this.accrue();
    const ppm = BigInt(Math.round((1 + fraction) * 1e6));
    this.reserveToken = (this.reserveToken * ppm) / 1_000_000n;
    this.reserveQuote = (this.reserveQuote * ppm) / 1_000_000n;
  }

  /** Scales the pool's token balance (an Ampleforth rebase followed by the pair's sync()). */
  rebasePool(numerator: bigint, denominator: bigint): void {
    // A V3 pool has no sync(): its accounting, hence its price, ignores a rebase of its balance.
    if (this.v3) return;
    this.accrue();
    this.reserveToken = (this.reserveToken * numerator) / denominator;
  }

  /** Pool price in USDC per token, float. */
  poolPrice(): number {
    if (this.v3) return this.v3.price();
    return Number(this.reserveQuote) / Number(QUOTE_UNIT) / (Number(this.reserveToken) / Number(TOKEN_UNIT));
  }

  /** Tokens to sell (exact input) so the pool's price falls to num/den raw quote per raw token; 0 when it is there. */
  tokensToSellForPrice(num: bigint, den: bigint): bigint {
    return this.v3
      ? this.v3.inToPrice(true, num, den)
      : tokensToSellForPrice(this.reserveToken, this.reserveQuote, num, den);
  }

  /** Quote to spend (exact input) so the pool's price rises to num/den; 0 when it is there. */
  quoteToSpendForPrice(num: bigint, den: bigint): bigint {
    return this.v3
      ? this.v3.inToPrice(false, num, den)
      : quoteToSpendForPrice(this.reserveToken, this.reserveQuote, num, den);
  }

  /** A trade's output and the pool price it leaves (quote per token), without making it: a sale of tokens (sell) or a purchase with quote. */
  previewTrade(sell: boolean, amountIn: bigint): { out: bigint; priceAfter: number } {
    if (this.v3) {
      const p = this.v3.preview(sell, amountIn);
      return { out: p.amountOut, priceAfter: p.priceAfter };
    }
    const [rIn, rOut] = sell ? [this.reserveToken, this.reserveQuote] : [this.reserveQuote, this.reserveToken];
    const out = amountOut(amountIn, rIn, rOut);
    const [token, quote] = sell
      ? [this.reserveToken + amountIn, this.reserveQuote - out]
      : [this.reserveToken - out, this.reserveQuote + amountIn];
    return { out, priceAfter: fromRaw(quote, QUOTE_UNIT) / fromRaw(token, TOKEN_UNIT) };
  }

  /** MarketOperatorV3's price-bounded swap to the peg: the operation's (amount in, amount out). V3 only. */
  operateV3(sell: boolean, amountIn: bigint, quoteUsdWad: bigint): PoolTrade {
    if (!this.v3) throw new Error("operateV3: the market's venue is the V2 pair");
    const t = this.v3.operate(sell, amountIn, quoteUsdWad);
    this.syncV3();
    return t;
  }

  /** What MarketOperatorV3's mirror reads of the pool (OperatorState.v3); undefined on the pair. */
  v3OperatorVenue(): V3OperatorVenue | undefined {
    return this.v3?.operatorVenue();
  }

  /** The token's true USD price: the pool price times USDC's true USD price. */
  priceUsd(): number {
    return this.poolPrice() * this.truth.USDC;
  }

  /** Gas cost in USD of `gas` units at the current gas price and true ETH price. */
  gasUsd(gas: number): number {
    return gas * this.gasGwei * 1e-9 * this.truth.WETH;
  }

  // ---------------------------------------------------------------- feeds (Chainlink rules)

  /**
   * Posts a new answer when the true price moved past the deviation threshold or the heartbeat is
   * due. With jitter, the answer observed then lands a random 0…jitterBlocks blocks later (the
   * report's round trip through the oracle network and the mempool), carrying its old value.
   */
  updateFeeds(): void {
    for (const asset of ["USDC", "WETH"] as Asset[]) {
      const f = this.feeds[asset];
      if (!f.posting) continue;
      if (f.inFlight) {
        if (this.block < f.inFlight.atBlock) continue;
        this.post(f, f.inFlight.answer);
        continue;
      }
      const next = this.feedAnswerFor(this.truth[asset], f.config.decimals);
      const moved = Math.abs(Number(next - f.answer)) * 10_000 >= f.config.deviationBps * Number(f.answer);
      const due = this.now - f.updatedAt >= BigInt(f.config.heartbeatSec);
      if (!(moved || due)) continue;
      const delay = f.config.jitterBlocks ? Math.floor(this.jitter.next() * (f.config.jitterBlocks + 1)) : 0;
      if (delay === 0) this.post(f, next);
      else f.inFlight = { answer: next, atBlock: this.block + delay };
    }
  }

  private post(f: Feed, answer: bigint): void {
    f.answer = answer;
    f.updatedAt = this.now;
    f.inFlight = undefined;
  }

  /** PriceOracle.tryPrice mirror: WAD USD, or ok=false when stale or out of bounds. */
  feedPrice(asset: Asset): { readonly ok: boolean; readonly wad: bigint } {
    // The reserve reads each feed many times a block: recompute only when an input changed.
    const f = this.feeds[asset];
    const memo = this.feedMemo[asset];
    if (memo && memo.answer === f.answer && memo.updatedAt === f.updatedAt && memo.now === this.now) return memo.result;
    const result = this.readFeed(f);
    this.feedMemo[asset] = { answer: f.answer, updatedAt: f.updatedAt, now: this.now, result };
    return result;
  }

  private readFeed(f: Feed): { ok: boolean; wad: bigint } {
    if (f.answer <= 0n) return { ok: false, wad: 0n };
    if (this.now - f.updatedAt > BigInt(f.config.maxAgeSec)) return { ok: false, wad: 0n };
    const wad = mulDiv(f.answer, WAD, 10n ** BigInt(f.config.decimals));
    if (wad < f.config.minWad || wad > f.config.maxWad) return { ok: false, wad };
    return { ok: true, wad };
  }

  // ---------------------------------------------------------------- PriceOracle mirror

  private cumulativeNow(): bigint {
    const elapsed = this.now - this.lastPoolTime;
    let c = this.cumulative;
    if (elapsed > 0n && this.reserveToken > 0n) c += ((this.reserveQuote * Q112) / this.reserveToken) * elapsed;
    return c;
  }

  /** PriceOracle.update(): records an observation at most every window / 4. On V3 the pool observes itself: nothing to write. */
  recordObservation(): boolean {
    if (this.v3) return false;
    const minInterval = BigInt(this.oracle.twapWindowSec) / OBSERVATIONS_PER_WINDOW;
    if (this.obs.length > 0 && this.now < this.obs[this.newest].timestamp + minInterval) return false;
    const entry = { timestamp: this.now, cumulative: this.cumulativeNow() };
    if (this.obs.length === 0) {
      this.obs.push(entry);
      this.newest = 0;
    } else {
      this.newest = (this.newest + 1) % OBSERVATION_SLOTS;
      this.obs[this.newest] = entry;
    }
    return true;
  }

  /** PriceOracle.latestObservation() mirror: the newest observation's time and how many are stored. */
  latestObservation(): { timestamp: bigint; count: bigint } {
    return this.obs.length === 0
      ? { timestamp: 0n, count: 0n }
      : { timestamp: this.obs[this.newest].timestamp, count: BigInt(this.obs.length) };
  }

  /** The newest observation at least one window old (PriceOracle._anchor). */
  private anchor(): { timestamp: bigint; cumulative: bigint } | undefined {
    const window = BigInt(this.oracle.twapWindowSec);
    for (let i = 0; i < this.obs.length; i++) {
      const o = this.obs[(this.newest + OBSERVATION_SLOTS - i) % OBSERVATION_SLOTS];
      if (o && this.now - o.timestamp >= window) return o;
    }
    return undefined;
  }

  /** PriceOracle.twapSpan() mirror: the anchor's age (0 without one) and the window, s. */
  twapSpan(): { spanSec: bigint; windowSec: bigint } {
    // PriceOracleV3 reads observe() over exactly the window, or reverts when the ring is too young.
    if (this.v3) {
      const windowSec = BigInt(this.oracle.twapWindowSec);
      return { spanSec: this.v3.venue.tickCumulativeAt(windowSec) === null ? 0n : windowSec, windowSec };
    }
    const anchor = this.anchor();
    return { spanSec: anchor ? this.now - anchor.timestamp : 0n, windowSec: BigInt(this.oracle.twapWindowSec) };
  }

  /** PriceOracle.marketPrice() mirror: (spot, twap) WAD USD, ok=false where it would revert. */
  marketPrice(): { ok: boolean; spotWad: bigint; twapWad: bigint; quoteUsdWad: bigint } {
    const fail = { ok: false, spotWad: 0n, twapWad: 0n, quoteUsdWad: 0n };
    const q = this.feedPrice("USDC");
    if (this.v3) {
      if (!q.ok) return fail;
      const r = this.v3.venue.marketPrice(q.wad);
      return r.ok ? { ok: true, spotWad: r.spotWad, twapWad: r.twapWad, quoteUsdWad: q.wad } : fail;
    }
    if (!q.ok || this.reserveToken === 0n || this.reserveQuote === 0n) return fail;
    const spotWad = mulDiv(this.reserveQuote * TOKEN_UNIT, q.wad, this.reserveToken * QUOTE_UNIT);
    const anchor = this.anchor();
    if (!anchor) return fail;
    const average = (this.cumulativeNow() - anchor.cumulative) / (this.now - anchor.timestamp);
    const twapQuoteWad = mulDiv(average, WAD * TOKEN_UNIT, QUOTE_UNIT << 112n);
    return { ok: true, spotWad, twapWad: mulDiv(twapQuoteWad, q.wad, WAD), quoteUsdWad: q.wad };
  }
}
