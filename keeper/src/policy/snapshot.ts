/**
 * The keeper's view of the chain at one block: everything the decision needs, read by the
 * chain adapter with one blockTag so no value comes from a different block. Pure data.
 */
import type { PolicyState } from "./collateralPolicy";
import type { OperatorPreview, OperatorState } from "./operator";

/** One Chainlink feed's latest round as the PriceOracle would see it, plus its configured bound. */
export interface FeedReading {
  symbol: string;
  asset: string;
  aggregator: string;
  /** Raw answer in the feed's decimals. */
  answer: bigint;
  feedDecimals: number;
  updatedAt: bigint;
  /** The oracle's per-feed staleness bound (PriceOracle.feedConfig(asset).maxAgeSec). */
  maxAgeSec: bigint;
  /** False when PriceOracle.tryPrice(asset) rejects the answer (stale, non-positive, out of bounds). */
  valid: boolean;
  /** The oracle's WAD USD price; 0 when invalid. */
  priceWad: bigint;
  /** Why the latest round could not be read (the feed reverts or answers undecodable data); `answer`
   *  and `updatedAt` are then 0. Absent when the round reads. */
  roundFailure?: string;
}

/** EIP-1559 fee market at the snapshot block (from eth_feeHistory). */
export interface FeeMarket {
  /** Base fee of the next block, wei. */
  nextBaseFeeWei: bigint;
  /** Suggested priority fee (a percentile of recent tips), wei. */
  priorityFeeWei: bigint;
}

/** The oracle's TWAP ring as PriceOracle.update() sees it (observationDue(), twapWindowSec, latestObservation()). */
export interface ObservationState {
  /** PriceOracle.observationDue(): update() would record an observation at this block. */
  due: boolean;
  twapWindowSec: bigint;
  /** At most one observation per twapWindowSec / observationsPerWindow (the oracle's constant). */
  observationsPerWindow: bigint;
  /** Timestamp of the newest observation; 0 with count 0 when the ring is empty. */
  newestAt: bigint;
  count: bigint;
}

export interface Snapshot {
  blockNumber: number;
  blockHash: string;
  /** block.timestamp of the snapshot block: what every view call saw. */
  blockTimestamp: bigint;
  /** Wall clock (ms since epoch) when the read finished, for the snapshot-age bound. */
  readAtMs: number;
  /** Everything MarketOperator.preview() reads, at the same block. */
  operator: OperatorState;
  /** MarketOperator.preview() itself at the same block: the keeper's mirror must agree. */
  onchainPreview: OperatorPreview | null;
  feeds: FeedReading[];
  /** Reserve.collateralRatio(), WAD; null when a feed is invalid (the call reverts). */
  collateralRatioWad: bigint | null;
  fees: FeeMarket;
  /** The TWAP ring at the same block; null where it is not read (the keeper then writes none). */
  observations: ObservationState | null;
  /** CollateralPolicy's parameters, target and last refresh, and the reserve's risk figure, at the same block (null where not read: no refresh is sent). */
  policy: PolicyState | null;
  /** Native balance of the keeper account, wei (null when no account is configured). */
  keeperBalanceWei: bigint | null;
}
