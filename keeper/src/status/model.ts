/**
 * The protocol's state at one block, as every status view shows it: the keeper's `status`
 * command, the `ballast:status` task and the status page all format this one model. Built, pure,
 * from the keeper's decision snapshot plus the few reads the decision does not need (per-asset
 * amounts and degraded-mode price state, the reserve's pause flags, the policy refresh time, and
 * why a view reverted), which chain/statusReader takes at the snapshot's own block.
 *
 * JSON-safe: exact on-chain integers travel as decimal integer strings in their raw units (WAD
 * for USD prices and values), so `--json` output can be read back with BigInt.
 */
import {
  Action,
  BPS,
  Blocker,
  MAX_TWAP_SPAN_WINDOWS,
  deviationBps,
  expansionRoom,
  type OperatorState,
  type Snapshot,
} from "../policy";
import { quotePerTokenWad, quotePerTokenWadAtTick } from "../policy/v3/price";

/** What the status shows beyond the decision snapshot, read at `blockNumber` (chain/statusReader). */
export interface StatusDetail {
  blockNumber: number;
  assets: AssetDetail[];
  mintingPaused: boolean;
  redemptionsPaused: boolean;
  /** CollateralPolicy.nextRefreshAt(), unix seconds. */
  policyRefreshAt: bigint;
  /** Why each view the snapshot could not read reverted (decoded), by what it is: "pool price", "reserveValue", "collateralRatio". */
  failures: { what: string; reason: string }[];
  /** On a Uniswap V3 venue, the protocol-owned position (the address book's LiquidityManager); null
   *  on V2 or when the book names no LiquidityManager. */
  position: PositionDetail | null;
}

export interface PositionDetail {
  /** The LiquidityManager holding the position. */
  manager: string;
  tickLower: number;
  tickUpper: number;
  liquidity: bigint;
  /** Whether the Reserve counts it (Reserve.valueSource() is this manager). */
  counted: boolean;
  /** LiquidityManager.positionValueWad(): its quote at the feed price, WAD USD; null when the quote feed cannot price it. */
  valueWad: bigint | null;
}

export interface AssetDetail {
  asset: string;
  /** Reserve.accountedAmount(asset) (idle + strategy principal), the asset's units. */
  amount: bigint;
  decimals: number;
  haircutBps: bigint;
  /** PriceOracle.priceInfo(asset): 0 ok, 1 degraded (last good price), 2 invalid. */
  priceStatus: number;
  /** When the last good price goes (or went) stale, unix seconds; meaningful while degraded. */
  staleSinceSec: bigint;
  /** The haircut the oracle applies to a degraded price, bps. */
  degradedHaircutBps: bigint;
}

export type PriceStatus = "ok" | "degraded" | "invalid";
const PRICE_STATUS: readonly PriceStatus[] = ["ok", "degraded", "invalid"];

export interface AssetStatus {
  symbol: string;
  address: string;
  /** The token's decimals; null (as every field read beside the snapshot) when the detail read failed. */
  decimals: number | null;
  /** Accounted amount (idle + strategy principal), base units of the asset. */
  amount: string | null;
  /** WAD USD per whole unit; null when the oracle rejects the feed. */
  price: string | null;
  haircutBps: number | null;
  /** amount × price × (1 − haircut), WAD USD, rounded down as Reserve.reserveValue() does. */
  value: string | null;
  /** The oracle's degraded mode: "ok", "degraded" (no fresh feed: its last good price) or "invalid". */
  priceStatus: PriceStatus | null;
  /** When the last good price went stale (unix seconds; later than now while a broken feed's recorded
   *  price is still within its max age); null unless degraded. */
  degradedSince: number | null;
  /** The degraded haircut on the last good price, basis points (0 unless degraded). */
  degradedHaircutBps: number | null;
  /** The price's state in words, as every view shows it: "ok", "degraded since …", "degraded (its feed
   *  fails; the last good price goes stale at …)" or "rejected by the oracle". */
  priceNote: string;
  /** The feed's latest round: when, how old at this block, its staleness bound, whether PriceOracle.tryPrice
   *  accepts it, and why the round could not be read (it reverts or answers undecodable data; then
   *  updatedAt and ageSec are 0), null when it reads. */
  feed: { updatedAt: number; ageSec: number; maxAgeSec: number; valid: boolean; roundFailure: string | null };
}

/** The protocol-owned Uniswap V3 position: its range (ticks and token prices) and whether the pool trades inside it. */
export interface PositionStatus {
  manager: string;
  tickLower: number;
  tickUpper: number;
  /** The range as token prices, WAD quote per whole token (before the quote feed), low to high. */
  lowPrice: string;
  highPrice: string;
  liquidity: string;
  /** The pool's tick is inside [tickLower, tickUpper) and the position holds liquidity: it earns fees and holds the price. */
  inRange: boolean;
  /** Whether the Reserve counts the position in its value (its value source). */
  counted: boolean;
  /** What the position counts for: its quote at min(spot, peg), at the quote feed, WAD USD; null when unpriced. */
  valueWad: string | null;
}

/** The market venue's own state: one variant per pool kind, so each venue adds its section. */
export type PoolStatus =
  | { venue: "v2"; /** Pair reserves, raw units, oriented. */ reserveToken: string; reserveQuote: string }
  | {
      venue: "v3";
      sqrtPriceX96: string;
      tick: number;
      /** The pool's own price, WAD quote per whole token (before the quote feed). */
      poolPrice: string;
      /** Liquidity active at the current tick. */
      liquidity: string;
      /** The fee tier, hundredths of a bip (500 = 0.05%). */
      feePips: number;
      tokenIsToken0: boolean;
      /** Null when the address book names no LiquidityManager or the detail read failed. */
      position: PositionStatus | null;
    };

export interface ProtocolStatus {
  network: string;
  chainId: number | null;
  blockNumber: number;
  /** Block timestamp, unix seconds. */
  timestamp: number;
  tokenDecimals: number;
  quoteDecimals: number;
  /** Pool prices, WAD USD; null while the oracle cannot price the pool. */
  spotPrice: string | null;
  twapPrice: string | null;
  /** How long the TWAP averages over now (PriceOracle.twapSpan), its window, and whether that span
   *  makes it stale (more than MAX_TWAP_SPAN_WINDOWS windows: observations stopped). */
  twap: { spanSec: number; windowSec: number; stale: boolean };
  /** Spot versus the peg, basis points (as MarketOperator.preview computes it). */
  deviationBps: number | null;
  /** The keeper's market gate: spot, TWAP and the quote feed all read. */
  marketOk: boolean;
  bandBps: number;
  pool: PoolStatus;
  /** Token supply, token units. */
  supply: string;
  reserveValue: string | null;
  collateralRatio: string | null;
  targetRatio: string;
  assets: AssetStatus[];
  /** Reserve flags are null when the detail read failed. */
  paused: { minting: boolean | null; redemptions: boolean | null; operations: boolean };
  caps: {
    /** Tokens, token units. */
    maxExpansionPerOp: string;
    expansionLeftInEpoch: string;
    /** Quote asset normalised to 18 decimals. */
    maxContractionPerOp: string;
    contractionLeftInEpoch: string;
    epochSec: number;
    epochEndsInSec: number;
  };
  cooldowns: { operationCooldownSec: number; operationReadyInSec: number; policyRefreshReadyInSec: number | null };
  /** MarketOperator.preview() at this block: what an upkeep would do now; null when the snapshot carries no preview. */
  operator: { action: string; blocker: string; amount: string; expectedOut: string } | null;
  /** The keeper account's native balance, wei; null without an account. */
  keeperBalance: string | null;
  warnings: string[];
}

/** Where the snapshot was read: the model names its network. */
export interface StatusSource {
  network: string;
  chainId: number | null;
}

const secondsLeft = (end: bigint, now: bigint): number => (end > now ? Number(end - now) : 0);
const str = (v: bigint | null): string | null => (v === null ? null : v.toString());
const isoAt = (sec: number): string => new Date(sec * 1000).toISOString();

function positionOf(
  p: PositionDetail,
  tick: number,
  tokenIsToken0: boolean,
  tokenUnit: bigint,
  quoteUnit: bigint,
): PositionStatus {
  const [low, high] = [p.tickLower, p.tickUpper]
    .map((t) => quotePerTokenWadAtTick(t, tokenIsToken0, tokenUnit, quoteUnit))
    .sort((a, b) => (a < b ? -1 : 1));
  return {
    manager: p.manager,
    tickLower: p.tickLower,
    tickUpper: p.tickUpper,
    lowPrice: low.toString(),
    highPrice: high.toString(),
    liquidity: p.liquidity.toString(),
    inRange: p.liquidity > 0n && p.tickLower <= tick && tick < p.tickUpper,
    counted: p.counted,
    valueWad: p.valueWad === null ? null : p.valueWad.toString(),
  };
}

function poolOf(s: OperatorState, d: StatusDetail | null, warnings: string[]): PoolStatus {
  if (!s.v3) return { venue: "v2", reserveToken: s.reserveToken.toString(), reserveQuote: s.reserveQuote.toString() };
  const { pool, tokenIsToken0 } = s.v3;
  // Prices are per whole token, in whole quote units.
  const [tokenUnit, quoteUnit] = [10n ** BigInt(s.tokenDecimals), 10n ** BigInt(s.quoteDecimals)];
  if (d && d.position === null)
    warnings.push("the address book names no LiquidityManager: the protocol-owned position is not shown");
  const position = d?.position ? positionOf(d.position, pool.tick, tokenIsToken0, tokenUnit, quoteUnit) : null;
  if (position && !position.counted)
    warnings.push(
      "the Reserve does not count the protocol-owned position in its value (its value source is not the LiquidityManager)",
    );
  if (position && !position.inRange)
    warnings.push(
      `the protocol-owned position is out of range: the pool's tick ${pool.tick} is outside [${position.tickLower}, ${position.tickUpper})`,
    );
  return {
    venue: "v3",
    sqrtPriceX96: pool.sqrtPriceX96.toString(),
    tick: pool.tick,
    poolPrice: quotePerTokenWad(pool.sqrtPriceX96, tokenIsToken0, tokenUnit, quoteUnit).toString(),
    liquidity: pool.liquidity.toString(),
    feePips: Number(pool.feePips),
    tokenIsToken0,
    position,
  };
}

function capsOf(s: OperatorState): ProtocolStatus["caps"] {
  // As the operator counts it: a finished epoch starts afresh at the next operation.
  const epochOver = s.timestamp >= s.epoch.startedAt + s.limits.epochSec;
  const contracted = epochOver ? 0n : s.epoch.contracted;
  return {
    maxExpansionPerOp: s.limits.maxExpansionPerOp.toString(),
    expansionLeftInEpoch: expansionRoom(s).toString(),
    maxContractionPerOp: s.limits.maxContractionPerOp.toString(),
    contractionLeftInEpoch: (contracted >= s.limits.maxContractionPerEpoch
      ? 0n
      : s.limits.maxContractionPerEpoch - contracted
    ).toString(),
    epochSec: Number(s.limits.epochSec),
    epochEndsInSec: epochOver
      ? Number(s.limits.epochSec)
      : secondsLeft(s.epoch.startedAt + s.limits.epochSec, s.timestamp),
  };
}

function assetsOf(snap: Snapshot, detail: StatusDetail | null, warnings: string[]): AssetStatus[] {
  const byAsset = new Map((detail?.assets ?? []).map((a) => [a.asset.toLowerCase(), a]));
  const now = Number(snap.blockTimestamp);
  return snap.feeds.map((f) => {
    const d = byAsset.get(f.asset.toLowerCase());
    const priced = f.valid && f.priceWad > 0n;
    const priceStatus = d ? PRICE_STATUS[d.priceStatus] ?? "invalid" : null;
    const degradedSince = d && priceStatus === "degraded" ? Number(d.staleSinceSec) : null;
    let priceNote = "ok";
    if (f.roundFailure !== undefined)
      warnings.push(`${f.symbol} feed: its latest round cannot be read (${f.roundFailure})`);
    if (degradedSince !== null) {
      priceNote =
        degradedSince <= now
          ? `degraded since ${isoAt(degradedSince)}`
          : `degraded (its feed fails; the last good price goes stale at ${isoAt(degradedSince)})`;
      warnings.push(
        `${f.symbol} price: ${priceNote} (last good price under a ${
          d!.degradedHaircutBps
        } bps haircut; minting it is blocked)`,
      );
    } else if (!priced) {
      priceNote = "rejected by the oracle";
      warnings.push(
        `${f.symbol} price: the oracle rejects its feed (no last good price within the degraded window, or an answer out of bounds)`,
      );
    }
    // Reserve.reserveValue(): amount × price / unit, then × (1 − haircut), each rounded down.
    const value =
      d && priced ? (((d.amount * f.priceWad) / 10n ** BigInt(d.decimals)) * (BPS - d.haircutBps)) / BPS : null;
    return {
      symbol: f.symbol,
      address: f.asset,
      decimals: d ? d.decimals : null,
      amount: d ? d.amount.toString() : null,
      price: priced ? f.priceWad.toString() : null,
      haircutBps: d ? Number(d.haircutBps) : null,
      value: str(value),
      priceStatus,
      degradedSince,
      degradedHaircutBps: d ? Number(d.degradedHaircutBps) : null,
      priceNote,
      feed: {
        updatedAt: Number(f.updatedAt),
        ageSec: f.roundFailure === undefined ? secondsLeft(snap.blockTimestamp, f.updatedAt) : 0,
        maxAgeSec: Number(f.maxAgeSec),
        valid: f.valid,
        roundFailure: f.roundFailure ?? null,
      },
    };
  });
}

/**
 * The one status model. `detail` must be read at the snapshot's block; a detail from another
 * block (or none: the read failed) leaves the fields it carries null rather than mixing blocks.
 */
export function protocolStatus(snap: Snapshot, detail: StatusDetail | null, source: StatusSource): ProtocolStatus {
  const s = snap.operator;
  const d = detail && detail.blockNumber === snap.blockNumber ? detail : null;
  const warnings: string[] = [];
  const failure = (what: string) => d?.failures.find((x) => x.what === what)?.reason ?? "the view reverts";

  // The oracle prices the pool (spot and TWAP); while it cannot, preview() still reports spot.
  const previewSpot = snap.onchainPreview && snap.onchainPreview.spotWad > 0n ? snap.onchainPreview.spotWad : null;
  const spot = s.spotWad > 0n ? s.spotWad : previewSpot;
  const twap = s.twapWad > 0n ? s.twapWad : null;
  if (s.spotWad === 0n) warnings.push(`pool price: ${failure("pool price")}`);
  const twapStale = s.twapSpanSec > MAX_TWAP_SPAN_WINDOWS * s.twapWindowSec;
  if (twapStale)
    warnings.push(
      `pool TWAP is stale: it averages over ${s.twapSpanSec} s (window ${s.twapWindowSec} s); observations stopped — call PriceOracle.update()`,
    );

  const assets = assetsOf(snap, d, warnings);
  if (!s.backingOk) warnings.push(`reserveValue: ${failure("reserveValue")}`);
  if (snap.collateralRatioWad === null) warnings.push(`collateralRatio: ${failure("collateralRatio")}`);
  const p = snap.onchainPreview;

  return {
    network: source.network,
    chainId: source.chainId,
    blockNumber: snap.blockNumber,
    timestamp: Number(snap.blockTimestamp),
    tokenDecimals: s.tokenDecimals,
    quoteDecimals: s.quoteDecimals,
    spotPrice: str(spot),
    twapPrice: str(twap),
    twap: { spanSec: Number(s.twapSpanSec), windowSec: Number(s.twapWindowSec), stale: twapStale },
    deviationBps: spot === null ? null : Number(deviationBps(spot)),
    marketOk: s.marketOk,
    bandBps: Number(s.bandBps),
    pool: poolOf(s, d, warnings),
    supply: s.supply.toString(),
    reserveValue: s.backingOk ? s.reserveValueWad.toString() : null,
    collateralRatio: str(snap.collateralRatioWad),
    targetRatio: s.targetRatioWad.toString(),
    assets,
    paused: { minting: d?.mintingPaused ?? null, redemptions: d?.redemptionsPaused ?? null, operations: s.paused },
    caps: capsOf(s),
    cooldowns: {
      operationCooldownSec: Number(s.limits.cooldownSec),
      operationReadyInSec:
        s.lastOperationAt === 0n ? 0 : secondsLeft(s.lastOperationAt + s.limits.cooldownSec, s.timestamp),
      policyRefreshReadyInSec: d ? secondsLeft(d.policyRefreshAt, s.timestamp) : null,
    },
    operator: p
      ? {
          action: Action[p.action] ?? `#${p.action}`,
          blocker: Blocker[p.blocker] ?? `#${p.blocker}`,
          amount: p.amount.toString(),
          expectedOut: p.expectedOut.toString(),
        }
      : null,
    keeperBalance: str(snap.keeperBalanceWei),
    warnings,
  };
}
