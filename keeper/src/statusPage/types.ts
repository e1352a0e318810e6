/**
 * The status page's JSON (`GET /api/status`, and each `status` event on `/api/events`). Exact
 * on-chain quantities travel as decimal strings (WAD values already scaled to units, so "1.0042"
 * means $1.0042); chart points travel as numbers because they only feed a drawing.
 */
import type { OperationName } from "../policy";
import type { PoolStatus } from "../status/model";

/** One asset the reserve holds, valued as Reserve.reserveValue() does. */
export interface ReserveAssetView {
  symbol: string;
  address: string;
  /** Accounted amount (idle + strategy), in the asset's own units, decimal string; null when not read. */
  amount: string | null;
  /** Oracle price, USD, decimal string; null when the feed is rejected. */
  priceUsd: string | null;
  haircutBps: number | null;
  /** Haircut value, USD (amount × price × (1 − haircut)), decimal string; null when unpriced. */
  valueUsd: string | null;
  /** The same value as a number, for the composition chart. */
  valueUsdNumber: number | null;
  /** Whether PriceOracle.tryPrice accepts the feed's latest answer. */
  feedValid: boolean;
  /** Degraded mode: when the asset's feed went stale and the oracle fell back to its last good price (unix seconds); null otherwise. */
  degradedSince: number | null;
  /** The price's state in words (the status model's `priceNote`): "ok", "degraded since …", "degraded (its feed fails; …)", "rejected by the oracle". */
  feedNote: string;
  /** Seconds since the feed's latest answer, at the snapshot block. */
  feedAgeSec: number;
  feedMaxAgeSec: number;
}

/** One point of the price history (one keeper cycle, one block). */
export interface PricePoint {
  block: number;
  /** Block timestamp, seconds. */
  timeSec: number;
  spotUsd: number;
  twapUsd: number;
  deviationBps: number;
}

export interface CapsView {
  /** Tokens, decimal strings. */
  maxExpansionPerOp: string;
  expansionLeftThisEpoch: string;
  /** USD (the contract caps contraction by value), decimal strings. */
  maxContractionPerOp: string;
  contractionLeftThisEpoch: string;
  cooldownSec: number;
  cooldownLeftSec: number;
  epochSec: number;
  epochEndsInSec: number;
}

export type OperationResult = "confirmed" | "reverted" | "failed" | "dry-run";

/** One operation the keeper attempted (the executor's outcome). */
export interface OperationView {
  atMs: number;
  block: number | null;
  action: OperationName;
  /** Human size with its unit, e.g. "1,250.0 BLD sold" or "800.0 USDC spent". */
  size: string;
  txHash: string | null;
  gasUsed: string | null;
  result: OperationResult;
  /** Why it failed or reverted (decoded custom error), or null. */
  detail: string | null;
}

export interface KeeperHealthView {
  /** Wall clock of the last finished cycle, ms since epoch; null before the first. */
  lastCycleAtMs: number | null;
  lastCycleBlock: number | null;
  cycles: number;
  failedCycles: number;
  /** Keeper account balance, native units (ETH), decimal string; null without an account. */
  balance: string | null;
  rpc: { ok: boolean; error: string | null; sinceMs: number | null };
  /** What the last decision was: the action taken or the reason it stood still. */
  lastDecision: { kind: "act" | "stand-still"; summary: string; detail: string } | null;
  dryRun: boolean;
}

export interface PausedView {
  /** MarketOperator: market operations stopped. */
  operations: boolean;
  /** Reserve: user minting stopped; null when not read. */
  minting: boolean | null;
  /** Reserve: redemptions stopped; null when not read. */
  redemptions: boolean | null;
}

export interface StatusView {
  network: string;
  chainId: number | null;
  /** Server time the view was built, ms since epoch. */
  generatedAtMs: number;
  /** False until the first successful cycle. */
  ready: boolean;
  block: number | null;
  blockTimeSec: number | null;
  pegUsd: string;
  bandBps: number | null;
  spotUsd: string | null;
  twapUsd: string | null;
  /** Signed deviation of spot from the peg, bps (as MarketOperator.preview computes it); null when the market read failed. */
  deviationBps: number | null;
  marketOk: boolean;
  /** Token supply, decimal string. */
  supply: string | null;
  reserveValueUsd: string | null;
  collateralRatio: string | null;
  targetRatio: string | null;
  /** The V2 pair's reserves, for the reader who wants depth: token and quote, decimal strings;
   * null on a Uniswap V3 venue, whose pool keeps no reserves (`venue` carries its liquidity). */
  pool: { token: string; quote: string } | null;
  /** The venue's own section of the status model, exact (raw units, WAD prices), which the page
   *  shows as "Market venue": V2 reserves, or the V3 pool's tier, price and tick, in-range
   *  liquidity and the protocol-owned position; null before the first cycle. */
  venue: PoolStatus | null;
  reserve: ReserveAssetView[];
  caps: CapsView | null;
  paused: PausedView;
  /** What needs a reader's attention (a degraded or rejected feed, a stale TWAP, a view that reverts), one sentence each. */
  warnings: string[];
  history: PricePoint[];
  operations: OperationView[];
  keeper: KeeperHealthView;
}
