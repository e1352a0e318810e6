/**
 * The keeper's decision: from one snapshot, the keeper's parameters and its small memory, either
 * an operation to send (with its size, minimum output, value and gas) or a reason to stand still;
 * and, apart from it, whether to write a TWAP observation (PriceOracle.update()). Pure: no ethers,
 * no I/O, no clock (the caller passes `nowMs`), so the simulator runs this very code.
 *
 * Order of the gates (first failing one names the reason): snapshot age → chain head age →
 * paused → stale oracle → invalid oracle → spot/TWAP guard → the contract's own preview (mirrored
 * exactly, and checked against the on-chain preview at the same block) → hysteresis → gas priced
 * → fee cap (scaled by the deviation) → value pays for its gas → daily gas budget.
 * The observation: written when the operation does not act (an operation writes one itself), the
 * newest is at least twapWindowSec / observationsPerWindow old, the fee is under the minimum cap
 * and the budget has room. The economics are defined in ./gasEconomics.
 * The refresh: when the operation stands still on a fresh snapshot, CollateralPolicy.refresh() is
 * sent in its place if it would move the target (./collateralPolicy refreshDue), priced at the
 * minimum fee cap and within the budget; it writes an observation itself.
 */
import {
  Action,
  Blocker,
  operationLimitPriceWad,
  previewOperation,
  type OperatorPreview,
  type OperatorState,
} from "./operator";
import {
  budgetFreesAtSec,
  correctionValue,
  feeCapWei,
  gasCostWad,
  paysForGas,
  priceFees,
  pruneSpends,
  spentInWindow,
  type FeeCapParams,
  type GasSpend,
  type PricedFees,
} from "./gasEconomics";
import { refreshDue } from "./collateralPolicy";
import type { Snapshot } from "./snapshot";
import { BPS, PEG_WAD, WAD, mulDiv } from "./units";

/** Reasons with no numbers beyond the detail text and the preview. */
export type PlainStandStillReason =
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
  | "rebalance-disabled";

/** The gas gates, each with the numbers that decided it (USD as WAD, fees in wei per gas). */
export type GasStandStill =
  | { reason: "gas-unpriced"; feedSymbol: string }
  | { reason: "fee-above-cap"; effectiveWei: bigint; capWei: bigint; deviationBps: bigint }
  | {
      reason: "not-worth-gas";
      valueWad: bigint;
      correctionWad: bigint;
      pnlWad: bigint;
      gasCostWad: bigint;
      gasUnits: bigint;
      minValueOverGasBps: bigint;
    }
  | {
      reason: "gas-budget-exhausted";
      spentWad: bigint;
      gasCostWad: bigint;
      budgetWad: bigint;
      freesAtSec: bigint | null;
    };

export type StandStillFacts = { reason: PlainStandStillReason } | GasStandStill;
export type StandStillReason = StandStillFacts["reason"];

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
  /** Act only if value ≥ gas cost × minValueOverGasBps / 10_000 (≥ 10_000: never when gas costs more than the value). */
  minValueOverGasBps: bigint;
  /** Gas paid in any rolling 24 h stays within this, WAD USD (operations, rebalances, observations). */
  dailyGasBudgetWad: bigint;
  /** The fee cap as a function of the deviation. */
  feeCap: FeeCapParams;
  /** Gas units per transaction, from the measured figures, before the simulation gives the real estimate. */
  gasUnits: { expand: bigint; contract: bigint; rebalance: bigint; observe: bigint; refresh: bigint };
  /** The highest priority fee the keeper will pay, wei. */
  maxPriorityFeePerGasWei: bigint;
  /** Whether the keeper calls rebalance() when the preview asks for it. */
  rebalance: boolean;
  /** Whether the keeper calls CollateralPolicy.refresh() when it would move the target. */
  refreshPolicy: boolean;
  /** Whether the keeper writes TWAP observations (PriceOracle.update()) when they fall behind. */
  writeObservations: boolean;
  /** Write only when the newest observation is at least this old too (the oracle's interval is the floor), s; 0 = whenever due. */
  observationIntervalSec: bigint;
  /** Which feed prices the native gas token in USD (e.g. "WETH"); null = gas is not valued (no value gate, no budget). */
  nativeUsdFeedSymbol: string | null;
}

/** What the keeper remembers between cycles: the side it is engaged on (hysteresis) and the gas it paid in the last 24 h. */
export interface KeeperMemory {
  engaged: Side | null;
  gasSpent: readonly GasSpend[];
}

export const INITIAL_MEMORY: KeeperMemory = { engaged: null, gasSpent: [] };

/** Records gas actually paid (from a receipt, or the model's execution) in the budget's ledger. */
export function recordGasSpend(memory: KeeperMemory, nowMs: number, usdWad: bigint): KeeperMemory {
  const atSec = BigInt(Math.floor(nowMs / 1000));
  return { ...memory, gasSpent: [...pruneSpends(memory.gasSpent, atSec), { atSec, usdWad }] };
}

/** What a transaction's gas was priced at: the fee cap, the fees to send, and the cost it assumed. */
export interface GasPricing {
  /** Expected gas cost at the current fee, WAD USD (0 when gas is not valued). */
  gasCostWad: bigint;
  /** Gas units the cost assumed. */
  gasUnits: bigint;
  /** The native token's USD price the cost used, WAD (0 when gas is not valued). */
  nativeUsdWad: bigint;
  /** The fee cap at this deviation, wei per gas. */
  feeCapWei: bigint;
  effectiveGasPriceWei: bigint;
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
}

export interface ActDecision extends GasPricing {
  kind: "act";
  action: Action.Expand | Action.Contract | Action.Rebalance | Action.Refresh;
  /** Tokens to sell (Expand) or quote to spend (Contract); 0 for Rebalance and Refresh. */
  amount: bigint;
  expectedOut: bigint;
  minOut: bigint;
  /** The price bound the transaction carries (quote per token, WAD; 0 for Rebalance and Refresh): the preview's average price ∓ slippageBps. */
  limitPriceWad: bigint;
  /** Protocol gain at the peg, WAD USD (0 for Rebalance and Refresh). */
  expectedProfitWad: bigint;
  /** Deviation removed × pool depth, WAD USD (0 for Rebalance and Refresh). */
  correctionValueWad: bigint;
  preview: OperatorPreview;
}

export interface StandStillDecision {
  kind: "stand-still";
  reason: StandStillReason;
  /** The reason with its numbers (the gas gates carry theirs typed). */
  facts: StandStillFacts;
  /** Human-readable, with the numbers that led to it. */
  detail: string;
  preview: OperatorPreview | null;
}

export type Decision = ActDecision | StandStillDecision;

export type ObservationSkipReason =
  | "disabled"
  | "not-read"
  | "operation-pending"
  | "snapshot-too-old"
  | "chain-head-stale"
  | "fresh"
  | GasStandStill["reason"];

export type ObservationDecision =
  | (GasPricing & {
      kind: "write";
      /** Age of the newest observation at the snapshot block, s (null when the ring is empty). */
      ageSec: bigint | null;
      intervalSec: bigint;
    })
  | { kind: "skip"; reason: ObservationSkipReason; detail: string };

export interface DecideResult {
  decision: Decision;
  observation: ObservationDecision;
  memory: KeeperMemory;
}

const BLOCKER_REASON: Record<Blocker, PlainStandStillReason> = {
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
 * The side spot sits on and its distance from the peg (WAD), as MarketOperator's band test reads
 * them: the band is on spot, and the TWAP only has to be on the same side of the peg (its distance
 * from spot is the spot/TWAP guard's business). So `distanceWad > band` exactly when the contract
 * (and `wantedAction`) wants to act on that side.
 */
export function excursion(s: Pick<OperatorState, "spotWad" | "twapWad">): { side: Side | null; distanceWad: bigint } {
  if (s.spotWad > PEG_WAD && s.twapWad > PEG_WAD) return { side: "above", distanceWad: s.spotWad - PEG_WAD };
  if (s.spotWad < PEG_WAD && s.twapWad < PEG_WAD) return { side: "below", distanceWad: PEG_WAD - s.spotWad };
  return { side: null, distanceWad: 0n };
}

/**
 * Schmitt trigger around the contract band: engage on a side once spot's excursion exceeds
 * band + hysteresis; stay engaged while it exceeds the band; disengage inside the band. With
 * hysteresis 0 the keeper engages exactly when the contract's band test passes.
 */
export function nextEngagement(
  s: Pick<OperatorState, "spotWad" | "twapWad" | "bandBps">,
  hysteresisBps: bigint,
  memory: KeeperMemory,
): Side | null {
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

function samePreview(a: OperatorPreview, b: OperatorPreview): boolean {
  return (
    a.action === b.action &&
    a.blocker === b.blocker &&
    a.amount === b.amount &&
    a.expectedOut === b.expectedOut &&
    a.spotWad === b.spotWad &&
    a.twapWad === b.twapWad &&
    a.deviationBps === b.deviationBps
  );
}

const fmtWad = (v: bigint, digits = 6): string => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const scale = 10n ** BigInt(18 - digits);
  const q = a / scale;
  const s = `${q / 10n ** BigInt(digits)}.${(q % 10n ** BigInt(digits)).toString().padStart(digits, "0")}`;
  return neg ? `-${s}` : s;
};

/** The native token's USD price for valuing gas: the feed's latest answer (a gas estimate needs no oracle-grade freshness). */
export function nativeUsdWad(snap: Snapshot, params: Pick<DecisionParams, "nativeUsdFeedSymbol">): bigint | null {
  if (params.nativeUsdFeedSymbol === null) return 0n;
  const f = snap.feeds.find((x) => x.symbol === params.nativeUsdFeedSymbol);
  if (!f || f.answer <= 0n) return null;
  return mulDiv(f.answer, WAD, 10n ** BigInt(f.feedDecimals));
}

export interface GasCheck {
  /** Value the transaction brings, WAD USD; null for transactions not judged on value (rebalance, observation). */
  valueWad: bigint | null;
  correctionWad: bigint;
  pnlWad: bigint;
  gasUnits: bigint;
  effectiveWei: bigint;
  nativeUsdWad: bigint;
}

/**
 * The value and budget gates on a priced transaction: null when it may go, else why not. Shared by
 * decide() and the loop's re-check with the simulation's gas estimate.
 */
export function gasVerdict(
  c: GasCheck,
  params: Pick<DecisionParams, "minValueOverGasBps" | "dailyGasBudgetWad" | "nativeUsdFeedSymbol">,
  memory: KeeperMemory,
  nowMs: number,
): GasStandStill | null {
  if (params.nativeUsdFeedSymbol === null) return null;
  const cost = gasCostWad(c.gasUnits, c.effectiveWei, c.nativeUsdWad);
  if (c.valueWad !== null && !paysForGas(c.valueWad, cost, params.minValueOverGasBps)) {
    return {
      reason: "not-worth-gas",
      valueWad: c.valueWad,
      correctionWad: c.correctionWad,
      pnlWad: c.pnlWad,
      gasCostWad: cost,
      gasUnits: c.gasUnits,
      minValueOverGasBps: params.minValueOverGasBps,
    };
  }
  const nowSec = BigInt(Math.floor(nowMs / 1000));
  const spent = spentInWindow(memory.gasSpent, nowSec);
  if (spent + cost > params.dailyGasBudgetWad) {
    return {
      reason: "gas-budget-exhausted",
      spentWad: spent,
      gasCostWad: cost,
      budgetWad: params.dailyGasBudgetWad,
      freesAtSec: budgetFreesAtSec(memory.gasSpent, nowSec),
    };
  }
  return null;
}

/** The detail line for a gas gate, with its numbers. */
export function describeGas(g: GasStandStill): string {
  switch (g.reason) {
    case "gas-unpriced":
      return `no positive ${g.feedSymbol} answer to value gas in USD`;
    case "fee-above-cap":
      return `base fee + tip ${g.effectiveWei} wei > cap ${g.capWei} wei at ${g.deviationBps} bps from the peg`;
    case "not-worth-gas":
      return `value ${fmtWad(g.valueWad)} USD (correction ${fmtWad(g.correctionWad)} + P&L ${fmtWad(
        g.pnlWad,
      )}) < gas ${fmtWad(g.gasCostWad)} USD (${g.gasUnits} gas) × ${g.minValueOverGasBps} / 10000`;
    case "gas-budget-exhausted":
      return `gas ${fmtWad(g.gasCostWad)} USD + ${fmtWad(g.spentWad)} USD spent in 24 h > budget ${fmtWad(
        g.budgetWad,
      )} USD${g.freesAtSec === null ? "" : `; the oldest spend leaves the window at ${g.freesAtSec}`}`;
  }
}

const absBps = (v: bigint): bigint => (v < 0n ? -v : v);

/** Fee cap, fees and USD price for a transaction at this deviation; or the gas gate that stops it first. */
function price(
  snap: Snapshot,
  params: DecisionParams,
  deviationBps: bigint,
): { capWei: bigint; fees: PricedFees; nativeUsd: bigint } | GasStandStill {
  const nativeUsd = nativeUsdWad(snap, params);
  if (nativeUsd === null) return { reason: "gas-unpriced", feedSymbol: params.nativeUsdFeedSymbol ?? "" };
  const capWei = feeCapWei(deviationBps, params.feeCap);
  const fees = priceFees(snap.fees, params.maxPriorityFeePerGasWei, capWei);
  if (fees === null) {
    const tip =
      snap.fees.priorityFeeWei < params.maxPriorityFeePerGasWei
        ? snap.fees.priorityFeeWei
        : params.maxPriorityFeePerGasWei;
    return {
      reason: "fee-above-cap",
      effectiveWei: snap.fees.nextBaseFeeWei + tip,
      capWei,
      deviationBps: absBps(deviationBps),
    };
  }
  return { capWei, fees, nativeUsd };
}

function pricing(
  gasUnits: bigint,
  priced: { capWei: bigint; fees: PricedFees; nativeUsd: bigint },
  params: DecisionParams,
): GasPricing {
  return {
    gasCostWad:
      params.nativeUsdFeedSymbol === null ? 0n : gasCostWad(gasUnits, priced.fees.effectiveWei, priced.nativeUsd),
    gasUnits,
    nativeUsdWad: priced.nativeUsd,
    feeCapWei: priced.capWei,
    effectiveGasPriceWei: priced.fees.effectiveWei,
    maxFeePerGasWei: priced.fees.maxFeePerGasWei,
    maxPriorityFeePerGasWei: priced.fees.maxPriorityFeePerGasWei,
  };
}

/** Whether to write a TWAP observation this cycle (only asked when the operation does not act). */
function decideObservation(
  snap: Snapshot,
  params: DecisionParams,
  memory: KeeperMemory,
  nowMs: number,
  fresh: boolean,
): ObservationDecision {
  const skip = (reason: ObservationSkipReason, detail: string): ObservationDecision => ({
    kind: "skip",
    reason,
    detail,
  });
  if (!params.writeObservations) return skip("disabled", "writeObservations is off in the config");
  const o = snap.observations;
  if (o === null) return skip("not-read", "the snapshot has no observation state");
  if (!fresh) return skip("snapshot-too-old", "the snapshot is too old or the chain head is stale");
  const intervalSec = o.observationsPerWindow > 0n ? o.twapWindowSec / o.observationsPerWindow : o.twapWindowSec;
  const ageSec = o.count === 0n ? null : snap.blockTimestamp - o.newestAt;
  // The oracle's own answer decides; the age and interval explain it.
  if (!o.due)
    return skip(
      "fresh",
      `newest observation ${ageSec ?? "none"} s old < ${intervalSec} s (window ${o.twapWindowSec} s / ${
        o.observationsPerWindow
      })`,
    );
  if (ageSec !== null && ageSec < params.observationIntervalSec)
    return skip(
      "fresh",
      `newest observation ${ageSec} s old < the keeper's ${params.observationIntervalSec} s interval`,
    );
  // Priced at the deviation's fee cap: off the peg, the fresh TWAP is what lets the operation act.
  const s = snap.operator;
  const priced = price(
    snap,
    params,
    s.marketOk ? mulDiv(s.spotWad > PEG_WAD ? s.spotWad - PEG_WAD : PEG_WAD - s.spotWad, BPS, PEG_WAD) : 0n,
  );
  if ("reason" in priced) return skip(priced.reason, describeGas(priced));
  const gasUnits = params.gasUnits.observe;
  const verdict = gasVerdict(
    {
      valueWad: null,
      correctionWad: 0n,
      pnlWad: 0n,
      gasUnits,
      effectiveWei: priced.fees.effectiveWei,
      nativeUsdWad: priced.nativeUsd,
    },
    params,
    memory,
    nowMs,
  );
  if (verdict) return skip(verdict.reason, describeGas(verdict));
  return { kind: "write", ageSec, intervalSec, ...pricing(gasUnits, priced, params) };
}

export function decide(snap: Snapshot, params: DecisionParams, memory: KeeperMemory, nowMs: number): DecideResult {
  const nowSec = BigInt(Math.floor(nowMs / 1000));
  const staleMs = nowMs - snap.readAtMs > params.maxSnapshotAgeMs;
  const staleHead = params.maxBlockAgeSec > 0n && nowSec - snap.blockTimestamp > params.maxBlockAgeSec;
  const fresh = !staleMs && !staleHead;
  const operation = decideOperation(snap, params, memory, nowMs);
  const decision =
    operation.decision.kind === "stand-still" && fresh
      ? decideRefresh(snap, params, operation.memory, nowMs, operation.decision) ?? operation.decision
      : operation.decision;
  const observation =
    decision.kind === "act"
      ? {
          kind: "skip" as const,
          reason: "operation-pending" as const,
          detail: "the operation writes an observation itself",
        }
      : decideObservation(snap, params, operation.memory, nowMs, fresh);
  return { decision, observation, memory: operation.memory };
}

/**
 * CollateralPolicy.refresh() in place of a standing-still operation, when it would move the target;
 * null when not due, or its gas is above the minimum fee cap or beyond the budget (the operation's
 * stand-still reason then stands). Like a rebalance it removes no deviation: not judged on value.
 */
function decideRefresh(
  snap: Snapshot,
  params: DecisionParams,
  memory: KeeperMemory,
  nowMs: number,
  standing: StandStillDecision,
): ActDecision | null {
  if (!params.refreshPolicy || snap.policy === null || !refreshDue(snap.policy, snap.operator).due) return null;
  const priced = price(snap, params, 0n);
  if ("reason" in priced) return null;
  const units = params.gasUnits.refresh;
  const check: GasCheck = {
    valueWad: null,
    correctionWad: 0n,
    pnlWad: 0n,
    gasUnits: units,
    effectiveWei: priced.fees.effectiveWei,
    nativeUsdWad: priced.nativeUsd,
  };
  if (gasVerdict(check, params, memory, nowMs)) return null;
  return {
    kind: "act",
    action: Action.Refresh,
    amount: 0n,
    expectedOut: 0n,
    minOut: 0n,
    limitPriceWad: 0n,
    expectedProfitWad: 0n,
    correctionValueWad: 0n,
    ...pricing(units, priced, params),
    preview: standing.preview ?? previewOperation(snap.operator),
  };
}

function decideOperation(
  snap: Snapshot,
  params: DecisionParams,
  memory: KeeperMemory,
  nowMs: number,
): { decision: Decision; memory: KeeperMemory } {
  const s = snap.operator;
  const engaged = s.marketOk ? nextEngagement(s, params.hysteresisBps, memory) : memory.engaged;
  const nowSec = BigInt(Math.floor(nowMs / 1000));
  const nextMemory: KeeperMemory = { engaged, gasSpent: pruneSpends(memory.gasSpent, nowSec) };
  const standFacts = (
    facts: StandStillFacts,
    detail: string,
    preview: OperatorPreview | null = null,
  ): { decision: Decision; memory: KeeperMemory } => ({
    decision: { kind: "stand-still", reason: facts.reason, facts, detail, preview },
    memory: nextMemory,
  });
  const stand = (reason: PlainStandStillReason, detail: string, preview: OperatorPreview | null = null) =>
    standFacts({ reason }, detail, preview);

  const ageMs = nowMs - snap.readAtMs;
  if (ageMs > params.maxSnapshotAgeMs) {
    return stand(
      "snapshot-too-old",
      `snapshot of block ${snap.blockNumber} read ${ageMs} ms ago > ${params.maxSnapshotAgeMs} ms`,
    );
  }
  if (params.maxBlockAgeSec > 0n && nowSec - snap.blockTimestamp > params.maxBlockAgeSec) {
    return stand(
      "chain-head-stale",
      `block ${snap.blockNumber} is ${nowSec - snap.blockTimestamp} s old > ${params.maxBlockAgeSec} s`,
    );
  }
  if (s.paused) return stand("paused", "MarketOperator is paused");

  for (const f of snap.feeds) {
    const ageSec = snap.blockTimestamp - f.updatedAt;
    const limit = f.maxAgeSec > params.oracleAgeMarginSec ? f.maxAgeSec - params.oracleAgeMarginSec : 0n;
    if (ageSec > limit) {
      return stand(
        "oracle-stale",
        `${f.symbol} feed updatedAt ${f.updatedAt} is ${ageSec} s old > ${limit} s (maxAge ${f.maxAgeSec} s − margin ${params.oracleAgeMarginSec} s)`,
      );
    }
  }
  const invalid = snap.feeds.find((f) => !f.valid);
  if (invalid) return stand("oracle-invalid", `${invalid.symbol} feed answer ${invalid.answer} rejected by the oracle`);
  if (!s.marketOk)
    return stand(
      "oracle-invalid",
      "PriceOracle.marketPrice() reverts (pool empty, TWAP unavailable or quote feed invalid)",
    );

  const gap = s.spotWad > s.twapWad ? s.spotWad - s.twapWad : s.twapWad - s.spotWad;
  const guardBps =
    params.maxSpotTwapDeviationBps !== null && params.maxSpotTwapDeviationBps < s.maxSpotTwapDeviationBps
      ? params.maxSpotTwapDeviationBps
      : s.maxSpotTwapDeviationBps;
  if (gap * BPS > guardBps * s.twapWad) {
    return stand(
      "spot-twap-divergence",
      `spot ${fmtWad(s.spotWad)} and TWAP ${fmtWad(s.twapWad)} differ by more than ${guardBps} bps`,
    );
  }

  const preview = previewOperation(s);
  if (snap.onchainPreview && !samePreview(preview, snap.onchainPreview)) {
    return stand(
      "policy-mismatch",
      `keeper mirror (action ${preview.action}, amount ${preview.amount}) differs from MarketOperator.preview() (action ${snap.onchainPreview.action}, amount ${snap.onchainPreview.amount}) at block ${snap.blockNumber}`,
      preview,
    );
  }
  if (preview.action === Action.None) {
    const reason = BLOCKER_REASON[preview.blocker];
    const detail =
      reason === "cooldown"
        ? `cooldown until ${s.lastOperationAt + s.limits.cooldownSec}, block time ${snap.blockTimestamp}`
        : `preview blocker ${Blocker[preview.blocker]} at spot ${fmtWad(s.spotWad)}, TWAP ${fmtWad(s.twapWad)} (${
            preview.deviationBps
          } bps)`;
    return stand(reason, detail, preview);
  }
  const trade = preview.action !== Action.Rebalance;
  if (!trade) {
    if (!params.rebalance)
      return stand(
        "rebalance-disabled",
        "preview asks for rebalance() but rebalancing is disabled in the config",
        preview,
      );
  } else if (engaged === null) {
    return stand(
      "hysteresis",
      `excursion ${(excursion(s).distanceWad * BPS) / PEG_WAD} bps is outside the ${
        s.bandBps
      } bps band but not past band + hysteresis (${
        s.bandBps + params.hysteresisBps
      } bps) and the keeper is not engaged`,
      preview,
    );
  }

  // A rebalance removes no deviation: it is priced at the minimum cap and not judged on value.
  const priced = price(snap, params, trade ? preview.deviationBps : 0n);
  if ("reason" in priced) return standFacts(priced, describeGas(priced), preview);
  const profit = expectedProfitWad(s, preview);
  const correction = trade ? correctionValue(s, preview).valueWad : 0n;
  const units =
    preview.action === Action.Expand
      ? params.gasUnits.expand
      : preview.action === Action.Contract
      ? params.gasUnits.contract
      : params.gasUnits.rebalance;
  const check: GasCheck = {
    valueWad: trade ? correction + profit : null,
    correctionWad: correction,
    pnlWad: profit,
    gasUnits: units,
    effectiveWei: priced.fees.effectiveWei,
    nativeUsdWad: priced.nativeUsd,
  };
  const verdict = gasVerdict(check, params, nextMemory, nowMs);
  if (verdict) return standFacts(verdict, describeGas(verdict), preview);

  return {
    decision: {
      kind: "act",
      action: preview.action,
      amount: preview.amount,
      expectedOut: preview.expectedOut,
      minOut: mulDiv(preview.expectedOut, BPS - params.slippageBps, BPS),
      limitPriceWad:
        preview.action === Action.Expand || preview.action === Action.Contract
          ? operationLimitPriceWad(s, preview.action, preview.amount, preview.expectedOut, params.slippageBps)
          : 0n,
      expectedProfitWad: profit,
      correctionValueWad: correction,
      ...pricing(units, priced, params),
      preview,
    },
    memory: nextMemory,
  };
}
