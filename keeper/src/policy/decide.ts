/**
 * The keeper's decision: from one snapshot, the keeper's parameters and its small memory, either
 * an operation to send (with its size, minimum output and the profit it expects) or a reason to
 * stand still. Pure: no ethers, no I/O, no clock (the caller passes `nowMs`).
 *
 * Order of the gates (first failing one names the reason): snapshot age → chain head age →
 * paused → stale oracle → invalid oracle → spot/TWAP guard → the contract's own preview (mirrored
 * exactly, and checked against the on-chain preview at the same block) → hysteresis → fee cap →
 * worth its gas.
 */
import { Action, Blocker, limitPriceWad, previewOperation, type OperatorPreview, type OperatorState } from "./operator";
import type { Snapshot } from "./snapshot";
import { BPS, PEG_WAD, WAD, mulDiv } from "./units";

export type StandStillReason =
  | "snapshot-too-old"
  | "chain-head-stale"
  | "paused"
  | "oracle-stale"
  | "oracle-invalid"
  | "spot-twap-divergence"
  | "cooldown"
  | "inside-band"
  | "hysteresis"
  | "cap-reached"
  | "ratio-limit"
  | "no-liquidity"
  | "unprofitable"
  | "twap-stale"
  | "policy-mismatch"
  | "rebalance-disabled"
  | "fee-above-cap"
  | "not-worth-gas";

export type Side = "above" | "below";

export interface DecisionParams {
  /** Never act on a snapshot read longer ago than this (wall clock), ms. */
  maxSnapshotAgeMs: number;
  /** Stand still when the snapshot block is older than this (a lagging node), s; 0 disables. */
  maxBlockAgeSec: bigint;
  /** Treat a feed as stale this long before the oracle would (the tx lands a block later), s. */
  oracleAgeMarginSec: bigint;
  /** The keeper's own spot/TWAP bound, bps; the contract's bound applies too. null = contract's only. */
  maxSpotTwapDeviationBps: bigint | null;
  /** Extra deviation beyond the contract band needed to start acting (Schmitt trigger), bps. */
  hysteresisBps: bigint;
  /** minOut = expectedOut × (1 − slippageBps); the limit price moves by the same bps. */
  slippageBps: bigint;
  /** Act only if expected profit ≥ gas cost × minProfitOverGasBps / 10_000. */
  minProfitOverGasBps: bigint;
  /** Gas units assumed per action before the simulation gives the real estimate. */
  gasUnits: { expand: bigint; contract: bigint; rebalance: bigint };
  /** The highest maxFeePerGas the keeper will pay, wei. */
  maxFeePerGasWei: bigint;
  /** The highest priority fee the keeper will pay, wei. */
  maxPriorityFeePerGasWei: bigint;
  /** Whether the keeper calls rebalance() when the preview asks for it. */
  rebalance: boolean;
  /** Which feed prices the native gas token in USD (e.g. "WETH"); null = gas is not valued. */
  nativeUsdFeedSymbol: string | null;
}

/** What the keeper remembers between cycles: which side it is engaged on (hysteresis). */
export interface KeeperMemory {
  engaged: Side | null;
}

export const INITIAL_MEMORY: KeeperMemory = { engaged: null };

export interface ActDecision {
  kind: "act";
  action: Action.Expand | Action.Contract | Action.Rebalance;
  /** Tokens to sell (Expand) or quote to spend (Contract); 0 for Rebalance. */
  amount: bigint;
  expectedOut: bigint;
  minOut: bigint;
  /** The price bound the transaction carries (quote per token, WAD; 0 for Rebalance): the preview's average price ∓ slippageBps. */
  limitPriceWad: bigint;
  /** Protocol gain at the peg, WAD USD (0 for Rebalance). */
  expectedProfitWad: bigint;
  /** Expected gas cost, WAD USD (0 when gas is not valued). */
  gasCostWad: bigint;
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
  preview: OperatorPreview;
}

export interface StandStillDecision {
  kind: "stand-still";
  reason: StandStillReason;
  /** Human-readable, with the numbers that led to it. */
  detail: string;
  preview: OperatorPreview | null;
}

export type Decision = ActDecision | StandStillDecision;

export interface DecideResult {
  decision: Decision;
  memory: KeeperMemory;
}

const BLOCKER_REASON: Record<Blocker, StandStillReason> = {
  [Blocker.None]: "inside-band",
  [Blocker.Paused]: "paused",
  [Blocker.OracleInvalid]: "oracle-invalid",
  [Blocker.SpotTwapDivergence]: "spot-twap-divergence",
  [Blocker.InsideBand]: "inside-band",
  [Blocker.Cooldown]: "cooldown",
  [Blocker.CapReached]: "cap-reached",
  [Blocker.RatioLimit]: "ratio-limit",
  [Blocker.NoLiquidity]: "no-liquidity",
  [Blocker.Unprofitable]: "unprofitable",
  [Blocker.TwapStale]: "twap-stale",
};

/**
 * The side both prices sit on and how far the nearer of them is from the peg (WAD): the contract
 * needs both spot and TWAP outside the band, so the smaller excursion is the one that counts.
 */
export function excursion(s: Pick<OperatorState, "spotWad" | "twapWad">): { side: Side | null; distanceWad: bigint } {
  if (s.spotWad > PEG_WAD && s.twapWad > PEG_WAD) {
    const nearer = s.spotWad < s.twapWad ? s.spotWad : s.twapWad;
    return { side: "above", distanceWad: nearer - PEG_WAD };
  }
  if (s.spotWad < PEG_WAD && s.twapWad < PEG_WAD) {
    const nearer = s.spotWad > s.twapWad ? s.spotWad : s.twapWad;
    return { side: "below", distanceWad: PEG_WAD - nearer };
  }
  return { side: null, distanceWad: 0n };
}

/**
 * Schmitt trigger around the contract band: engage on a side once the excursion exceeds
 * band + hysteresis; stay engaged while it exceeds the band; disengage inside the band.
 */
export function nextEngagement(s: Pick<OperatorState, "spotWad" | "twapWad" | "bandBps">, hysteresisBps: bigint, memory: KeeperMemory): Side | null {
  const { side, distanceWad } = excursion(s);
  if (side === null) return null;
  const bandWad = mulDiv(PEG_WAD, s.bandBps, BPS);
  const enterWad = mulDiv(PEG_WAD, s.bandBps + hysteresisBps, BPS);
  if (distanceWad > enterWad) return side;
  if (memory.engaged === side && distanceWad > bandWad) return side;
  return null;
}

/** Protocol gain of an operation valued at the peg, WAD USD (what the contract's Unprofitable check guards). */
export function expectedProfitWad(s: OperatorState, p: OperatorPreview): bigint {
  const tokenUnit = 10n ** BigInt(s.tokenDecimals);
  const quoteUnit = 10n ** BigInt(s.quoteDecimals);
  if (p.action === Action.Expand) {
    return mulDiv(p.expectedOut, s.quoteUsdWad, quoteUnit) - mulDiv(p.amount, PEG_WAD, tokenUnit);
  }
  if (p.action === Action.Contract) {
    return mulDiv(p.expectedOut, PEG_WAD, tokenUnit) - mulDiv(p.amount, s.quoteUsdWad, quoteUnit);
  }
  return 0n;
}

/** EIP-1559 fees the keeper would pay now: tip capped, maxFee = 2 × next base fee + tip. */
export function priceFees(fees: Snapshot["fees"], params: Pick<DecisionParams, "maxPriorityFeePerGasWei">): { maxFeePerGasWei: bigint; maxPriorityFeePerGasWei: bigint } {
  const tip = fees.priorityFeeWei < params.maxPriorityFeePerGasWei ? fees.priorityFeeWei : params.maxPriorityFeePerGasWei;
  return { maxFeePerGasWei: 2n * fees.nextBaseFeeWei + tip, maxPriorityFeePerGasWei: tip };
}

/** Expected gas cost in WAD USD: units × (next base fee + tip) × native price. */
export function gasCostWad(gasUnits: bigint, fees: Snapshot["fees"], tipWei: bigint, nativeUsdWad: bigint): bigint {
  return mulDiv(gasUnits * (fees.nextBaseFeeWei + tipWei), nativeUsdWad, WAD);
}

/** Whether a profit pays for its gas by the configured margin. */
export function worthGas(profitWad: bigint, costWad: bigint, minProfitOverGasBps: bigint): boolean {
  return profitWad * BPS >= costWad * minProfitOverGasBps;
}

function samePreview(a: OperatorPreview, b: OperatorPreview): boolean {
  return a.action === b.action && a.blocker === b.blocker && a.amount === b.amount && a.expectedOut === b.expectedOut
    && a.spotWad === b.spotWad && a.twapWad === b.twapWad && a.deviationBps === b.deviationBps;
}

const fmtWad = (v: bigint, digits = 6): string => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const scale = 10n ** BigInt(18 - digits);
  const q = a / scale;
  const s = `${q / 10n ** BigInt(digits)}.${(q % 10n ** BigInt(digits)).toString().padStart(digits, "0")}`;
  return neg ? `-${s}` : s;
};

export function decide(snap: Snapshot, params: DecisionParams, memory: KeeperMemory, nowMs: number): DecideResult {
  const s = snap.operator;
  const engaged = s.marketOk ? nextEngagement(s, params.hysteresisBps, memory) : memory.engaged;
  const nextMemory: KeeperMemory = { engaged };
  const stand = (reason: StandStillReason, detail: string, preview: OperatorPreview | null = null): DecideResult => ({
    decision: { kind: "stand-still", reason, detail, preview },
    memory: nextMemory,
  });

  const ageMs = nowMs - snap.readAtMs;
  if (ageMs > params.maxSnapshotAgeMs) {
    return stand("snapshot-too-old", `snapshot of block ${snap.blockNumber} read ${ageMs} ms ago > ${params.maxSnapshotAgeMs} ms`);
  }
  const nowSec = BigInt(Math.floor(nowMs / 1000));
  if (params.maxBlockAgeSec > 0n && nowSec - snap.blockTimestamp > params.maxBlockAgeSec) {
    return stand("chain-head-stale", `block ${snap.blockNumber} is ${nowSec - snap.blockTimestamp} s old > ${params.maxBlockAgeSec} s`);
  }
  if (s.paused) return stand("paused", "MarketOperator is paused");

  for (const f of snap.feeds) {
    const ageSec = snap.blockTimestamp - f.updatedAt;
    const limit = f.maxAgeSec > params.oracleAgeMarginSec ? f.maxAgeSec - params.oracleAgeMarginSec : 0n;
    if (ageSec > limit) {
      return stand("oracle-stale", `${f.symbol} feed updatedAt ${f.updatedAt} is ${ageSec} s old > ${limit} s (maxAge ${f.maxAgeSec} s − margin ${params.oracleAgeMarginSec} s)`);
    }
  }
  const invalid = snap.feeds.find((f) => !f.valid);
  if (invalid) return stand("oracle-invalid", `${invalid.symbol} feed answer ${invalid.answer} rejected by the oracle`);
  if (!s.marketOk) return stand("oracle-invalid", "PriceOracle.marketPrice() reverts (pool empty, TWAP unavailable or quote feed invalid)");

  const gap = s.spotWad > s.twapWad ? s.spotWad - s.twapWad : s.twapWad - s.spotWad;
  const guardBps = params.maxSpotTwapDeviationBps !== null && params.maxSpotTwapDeviationBps < s.maxSpotTwapDeviationBps
    ? params.maxSpotTwapDeviationBps
    : s.maxSpotTwapDeviationBps;
  if (gap * BPS > guardBps * s.twapWad) {
    return stand("spot-twap-divergence", `spot ${fmtWad(s.spotWad)} and TWAP ${fmtWad(s.twapWad)} differ by more than ${guardBps} bps`);
  }

  const preview = previewOperation(s);
  if (snap.onchainPreview && !samePreview(preview, snap.onchainPreview)) {
    return stand("policy-mismatch", `keeper mirror (action ${preview.action}, amount ${preview.amount}) differs from MarketOperator.preview() (action ${snap.onchainPreview.action}, amount ${snap.onchainPreview.amount}) at block ${snap.blockNumber}`, preview);
  }
  if (preview.action === Action.None) {
    const reason = BLOCKER_REASON[preview.blocker];
    const detail = reason === "cooldown"
      ? `cooldown until ${s.lastOperationAt + s.limits.cooldownSec}, block time ${snap.blockTimestamp}`
      : `preview blocker ${Blocker[preview.blocker]} at spot ${fmtWad(s.spotWad)}, TWAP ${fmtWad(s.twapWad)} (${preview.deviationBps} bps)`;
    return stand(reason, detail, preview);
  }
  if (preview.action === Action.Rebalance) {
    if (!params.rebalance) return stand("rebalance-disabled", "preview asks for rebalance() but rebalancing is disabled in the config", preview);
  } else if (engaged === null) {
    return stand("hysteresis", `excursion ${excursion(s).distanceWad * BPS / PEG_WAD} bps is outside the ${s.bandBps} bps band but not past band + hysteresis (${s.bandBps + params.hysteresisBps} bps) and the keeper is not engaged`, preview);
  }

  const priced = priceFees(snap.fees, params);
  if (priced.maxFeePerGasWei > params.maxFeePerGasWei) {
    return stand("fee-above-cap", `maxFeePerGas ${priced.maxFeePerGasWei} wei (2 × base ${snap.fees.nextBaseFeeWei} + tip ${priced.maxPriorityFeePerGasWei}) > cap ${params.maxFeePerGasWei} wei`, preview);
  }

  const profit = expectedProfitWad(s, preview);
  const nativeFeed = params.nativeUsdFeedSymbol === null ? undefined : snap.feeds.find((f) => f.symbol === params.nativeUsdFeedSymbol);
  const units = preview.action === Action.Expand ? params.gasUnits.expand : preview.action === Action.Contract ? params.gasUnits.contract : params.gasUnits.rebalance;
  const cost = nativeFeed ? gasCostWad(units, snap.fees, priced.maxPriorityFeePerGasWei, nativeFeed.priceWad) : 0n;
  if (preview.action !== Action.Rebalance && !worthGas(profit, cost, params.minProfitOverGasBps)) {
    return stand("not-worth-gas", `expected profit ${fmtWad(profit)} USD < gas ${fmtWad(cost)} USD × ${params.minProfitOverGasBps} / 10000`, preview);
  }

  return {
    decision: {
      kind: "act",
      action: preview.action,
      amount: preview.amount,
      expectedOut: preview.expectedOut,
      minOut: mulDiv(preview.expectedOut, BPS - params.slippageBps, BPS),
      limitPriceWad: preview.action === Action.Rebalance ? 0n : limitPriceWad(preview.action, preview.amount, preview.expectedOut, params.slippageBps, s),
      expectedProfitWad: profit,
      gasCostWad: cost,
      maxFeePerGasWei: priced.maxFeePerGasWei,
      maxPriorityFeePerGasWei: priced.maxPriorityFeePerGasWei,
      preview,
    },
    memory: nextMemory,
  };
}
