/**
 * The mirror of MarketOperator.preview() (contracts/MarketOperator.sol): from one snapshot of
 * on-chain state, which action the contract would take and how much. Pure and exact (bigint,
 * same rounding), so the keeper, the simulator and the parity test share it.
 */
import { pegPoolPrice } from "./pegMath";
import { BPS, MAX_TWAP_SPAN_WINDOWS, PEG_WAD, WAD, min, mulDiv, mulDivUp } from "./units";
import { averageLimitPriceWad, v2PoolMath, v3PoolMath, type PoolMath, type V3OperatorVenue } from "./venueMath";

/** Matches IMarketOperator.Action; Refresh is the keeper's own (CollateralPolicy.refresh()), never a preview answer. */
export enum Action {
  None = 0,
  Expand = 1,
  Contract = 2,
  Rebalance = 3,
  Refresh = 4,
}

/** Matches IMarketOperator.Blocker. */
export enum Blocker {
  None = 0,
  Paused = 1,
  OracleInvalid = 2,
  SpotTwapDivergence = 3,
  InsideBand = 4,
  Cooldown = 5,
  CapReached = 6,
  RatioLimit = 7,
  NoLiquidity = 8,
  Unprofitable = 9,
  TwapStale = 10,
}

export interface OperatorLimits {
  maxExpansionPerOp: bigint;
  maxExpansionPerEpoch: bigint;
  maxContractionPerOp: bigint;
  maxContractionPerEpoch: bigint;
  cooldownSec: bigint;
  epochSec: bigint;
}

/** Everything preview() reads, taken at one block. Amounts raw, prices and values WAD. */
export interface OperatorState {
  timestamp: bigint;
  paused: boolean;
  /** False when the oracle's marketPrice() or the quote feed would revert. */
  marketOk: boolean;
  spotWad: bigint;
  twapWad: bigint;
  /** PriceOracle.twapSpan(): how long the TWAP averages over now, and its window, s. */
  twapSpanSec: bigint;
  twapWindowSec: bigint;
  quoteUsdWad: bigint;
  /** The V2 pair's reserves, oriented (unused on a V3 venue). */
  reserveToken: bigint;
  reserveQuote: bigint;
  /** Present when the operator is MarketOperatorV3: the V3 pool's state and the token's side. */
  v3?: V3OperatorVenue;
  tokenDecimals: number;
  quoteDecimals: number;
  bandBps: bigint;
  maxSpotTwapDeviationBps: bigint;
  limits: OperatorLimits;
  /** MarketOperator.setSizing: minimum share of the full trade, loss budget (bps) and its epoch cap (WAD USD). */
  minOperationShareBps: bigint;
  maxLossBps: bigint;
  maxLossPerEpochWad: bigint;
  lastOperationAt: bigint;
  epoch: { startedAt: bigint; netMinted: bigint; contracted: bigint; lossWad: bigint };
  /** False when reserve.reserveValue() would revert (some collateral feed invalid). */
  backingOk: boolean;
  reserveValueWad: bigint;
  supply: bigint;
  targetRatioWad: bigint;
  quoteHaircutBps: bigint;
  quoteIdle: bigint;
  rebalanceNeeded: boolean;
}

export interface OperatorPreview {
  action: Action;
  blocker: Blocker;
  amount: bigint;
  expectedOut: bigint;
  spotWad: bigint;
  twapWad: bigint;
  deviationBps: bigint;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/** Signed deviation of a WAD USD price from the peg, bps, truncated toward zero (as Solidity). */
export function deviationBps(priceWad: bigint): bigint {
  return ((priceWad - PEG_WAD) * BPS) / PEG_WAD;
}

/** The band is tested on spot; the TWAP must only sit on the same side of the peg (spotTwapAgree bounds the gap). */
export function wantedAction(s: Pick<OperatorState, "spotWad" | "twapWad" | "bandBps">): Action {
  const bandWad = mulDiv(PEG_WAD, s.bandBps, BPS);
  if (s.spotWad > PEG_WAD + bandWad && s.twapWad > PEG_WAD) return Action.Expand;
  if (s.spotWad + bandWad < PEG_WAD && s.twapWad < PEG_WAD) return Action.Contract;
  return Action.None;
}

/** The TWAP spans more than MAX_TWAP_SPAN_WINDOWS windows: the observation ring went quiet. */
export function twapStale(s: Pick<OperatorState, "twapSpanSec" | "twapWindowSec">): boolean {
  return s.twapSpanSec > MAX_TWAP_SPAN_WINDOWS * s.twapWindowSec;
}

export function spotTwapAgree(s: Pick<OperatorState, "spotWad" | "twapWad" | "maxSpotTwapDeviationBps">): boolean {
  const gap = s.spotWad > s.twapWad ? s.spotWad - s.twapWad : s.twapWad - s.spotWad;
  return gap * BPS <= s.maxSpotTwapDeviationBps * s.twapWad;
}

function currentEpoch(s: OperatorState): OperatorState["epoch"] {
  if (s.timestamp >= s.epoch.startedAt + s.limits.epochSec)
    return { startedAt: s.timestamp, netMinted: 0n, contracted: 0n, lossWad: 0n };
  return s.epoch;
}

export function expansionRoom(s: OperatorState): bigint {
  const net = currentEpoch(s).netMinted;
  const cap = s.limits.maxExpansionPerEpoch;
  return net >= cap ? 0n : cap - net;
}

/** Largest expansion that keeps ratioAfter ≥ min(ratioBefore, target) at the worst trade price. */
export function ratioRoom(s: OperatorState): bigint {
  if (s.supply === 0n) return MAX_UINT256;
  const { keepNum, feeDen } = poolMath(s);
  const c = mulDiv(PEG_WAD * keepNum, BPS - s.quoteHaircutBps, feeDen * BPS);
  const ratioBefore = mulDiv(s.reserveValueWad, WAD, s.supply);
  if (ratioBefore >= s.targetRatioWad) {
    if (c >= s.targetRatioWad) return MAX_UINT256;
    const required = mulDivUp(s.supply, s.targetRatioWad, WAD);
    if (s.reserveValueWad <= required) return 0n;
    return mulDiv(s.reserveValueWad - required, WAD, s.targetRatioWad - c);
  }
  return c >= ratioBefore ? MAX_UINT256 : 0n;
}

function units(s: Pick<OperatorState, "tokenDecimals" | "quoteDecimals">): { tokenUnit: bigint; quoteUnit: bigint } {
  return { tokenUnit: 10n ** BigInt(s.tokenDecimals), quoteUnit: 10n ** BigInt(s.quoteDecimals) };
}

/** The venue hooks for this state: the V3 pool's swap loop, else the V2 pair's closed forms. */
export function poolMath(s: OperatorState): PoolMath {
  const { tokenUnit, quoteUnit } = units(s);
  if (!s.v3) return v2PoolMath(s.reserveToken, s.reserveQuote, tokenUnit, quoteUnit);
  return v3PoolMath(s.v3, s.quoteUsdWad, tokenUnit, quoteUnit);
}

/** What an operation worth `tradeValueWad` at the peg may cost: its budget share, at most the epoch's loss room. */
export function lossAllowanceWad(s: OperatorState, tradeValueWad: bigint): bigint {
  const used = currentEpoch(s).lossWad;
  const room = used >= s.maxLossPerEpochWad ? 0n : s.maxLossPerEpochWad - used;
  return min(mulDiv(tradeValueWad, s.maxLossBps, BPS), room);
}

function expansionWithinBudget(s: OperatorState, tokens: bigint): boolean {
  const { tokenUnit, quoteUnit } = units(s);
  const tokensWad = mulDiv(tokens, PEG_WAD, tokenUnit);
  const quoteWad = mulDiv(poolMath(s).amountOut(true, tokens), s.quoteUsdWad, quoteUnit);
  return quoteWad + lossAllowanceWad(s, tokensWad) >= tokensWad;
}

function contractionWithinBudget(s: OperatorState, quote: bigint): boolean {
  const { tokenUnit, quoteUnit } = units(s);
  const quoteWad = mulDiv(quote, s.quoteUsdWad, quoteUnit);
  const tokensWad = mulDiv(poolMath(s).amountOut(false, quote), PEG_WAD, tokenUnit);
  return tokensWad + lossAllowanceWad(s, quoteWad) >= quoteWad;
}

export interface Sized {
  amount: bigint;
  blocker: Blocker;
}

/**
 * MarketOperator._sizeExpansion: the full expansion allowed now. Caps and the ratio bound it; to
 * the peg within the loss budget, else to peg / 0.997 (the last token still sells at the peg).
 */
export function sizeExpansion(s: OperatorState): Sized {
  let cap = min(s.limits.maxExpansionPerOp, expansionRoom(s));
  if (cap === 0n) return { amount: 0n, blocker: Blocker.CapReached };
  cap = min(cap, ratioRoom(s));
  if (cap === 0n) return { amount: 0n, blocker: Blocker.RatioLimit };
  const { tokenUnit, quoteUnit } = units(s);
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const pool = poolMath(s);
  let amount = min(pool.inToPrice(true, num, den), cap);
  if (!expansionWithinBudget(s, amount)) {
    const breakEven = pool.inToPrice(true, num * pool.feeDen, den * pool.keepNum);
    amount = min(breakEven, cap);
    if (!expansionWithinBudget(s, amount)) amount = 0n;
  }
  return amount === 0n ? { amount, blocker: Blocker.Unprofitable } : { amount, blocker: Blocker.None };
}

/** MarketOperator._sizeContraction: the caps and the idle quote bound it; to the peg within budget, else to peg × 0.997. */
export function sizeContraction(s: OperatorState): Sized {
  if (s.quoteIdle === 0n) return { amount: 0n, blocker: Blocker.NoLiquidity };
  const { tokenUnit, quoteUnit } = units(s);
  const used = currentEpoch(s).contracted;
  const room = used >= s.limits.maxContractionPerEpoch ? 0n : s.limits.maxContractionPerEpoch - used;
  const cap = min(mulDiv(min(s.limits.maxContractionPerOp, room), quoteUnit, WAD), s.quoteIdle);
  if (cap === 0n) return { amount: 0n, blocker: Blocker.CapReached };
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const pool = poolMath(s);
  let amount = min(pool.inToPrice(false, num, den), cap);
  if (!contractionWithinBudget(s, amount)) {
    const breakEven = pool.inToPrice(false, num * pool.keepNum, den * pool.feeDen);
    amount = min(breakEven, cap);
    if (!contractionWithinBudget(s, amount)) amount = 0n;
  }
  return amount === 0n ? { amount, blocker: Blocker.Unprofitable } : { amount, blocker: Blocker.None };
}

/**
 * The expansion to the peg within the caps and the ratio room, profitable or not (what a policy
 * with no loss rule, such as the simulator's oracle bound, may trade); the contract sizes with
 * `sizeExpansion`.
 */
export function maxExpansion(s: OperatorState): bigint {
  const { tokenUnit, quoteUnit } = units(s);
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const toPeg = poolMath(s).inToPrice(true, num, den);
  return min(min(toPeg, min(s.limits.maxExpansionPerOp, expansionRoom(s))), ratioRoom(s));
}

/** The contraction to the peg within the caps and the idle quote, profitable or not (see maxExpansion). */
export function maxContraction(s: OperatorState): bigint {
  const { tokenUnit, quoteUnit } = units(s);
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const toPeg = poolMath(s).inToPrice(false, num, den);
  const used = currentEpoch(s).contracted;
  const room = used >= s.limits.maxContractionPerEpoch ? 0n : s.limits.maxContractionPerEpoch - used;
  const cap = mulDiv(min(s.limits.maxContractionPerOp, room), quoteUnit, WAD);
  return min(min(toPeg, cap), s.quoteIdle);
}

function contractionKeepsRatio(s: OperatorState, quoteIn: bigint, tokensOut: bigint): boolean {
  if (tokensOut >= s.supply) return false;
  const { quoteUnit } = units(s);
  const spent = mulDivUp(mulDivUp(quoteIn, s.quoteUsdWad, quoteUnit), BPS - s.quoteHaircutBps, BPS);
  if (spent > s.reserveValueWad) return false;
  const ratioBefore = mulDiv(s.reserveValueWad, WAD, s.supply);
  const ratioAfter = mulDiv(s.reserveValueWad - spent, WAD, s.supply - tokensOut);
  return ratioAfter >= min(ratioBefore, s.targetRatioWad);
}

/** What MarketOperator.preview() returns for this state. */
export function previewOperation(s: OperatorState): OperatorPreview {
  const p: OperatorPreview = {
    action: Action.None,
    blocker: Blocker.None,
    amount: 0n,
    expectedOut: 0n,
    spotWad: 0n,
    twapWad: 0n,
    deviationBps: 0n,
  };
  const blocked = (blocker: Blocker): OperatorPreview => ({
    ...p,
    action: Action.None,
    blocker,
    amount: 0n,
    expectedOut: 0n,
  });
  if (s.paused) return blocked(Blocker.Paused);
  if (!s.marketOk) return blocked(Blocker.OracleInvalid);
  p.spotWad = s.spotWad;
  p.twapWad = s.twapWad;
  p.deviationBps = deviationBps(s.spotWad);

  if (twapStale(s)) return blocked(Blocker.TwapStale);
  const wanted = wantedAction(s);
  if (!spotTwapAgree(s)) return blocked(Blocker.SpotTwapDivergence);
  if (wanted === Action.None || s.timestamp < s.lastOperationAt + s.limits.cooldownSec) {
    if (s.rebalanceNeeded) return { ...p, action: Action.Rebalance };
    return blocked(wanted === Action.None ? Blocker.InsideBand : Blocker.Cooldown);
  }
  if (!s.backingOk) return blocked(Blocker.OracleInvalid);

  if (wanted === Action.Expand) {
    const sized = sizeExpansion(s);
    if (sized.amount === 0n) return blocked(sized.blocker);
    p.amount = sized.amount;
    p.expectedOut = poolMath(s).amountOut(true, p.amount);
  } else {
    const sized = sizeContraction(s);
    if (sized.amount === 0n) {
      // An empty buffer with quote parked in the strategy: the rebalance unblocks the contraction.
      if (sized.blocker === Blocker.NoLiquidity && s.rebalanceNeeded) return { ...p, action: Action.Rebalance };
      return blocked(sized.blocker);
    }
    p.amount = sized.amount;
    p.expectedOut = poolMath(s).amountOut(false, p.amount);
    if (!contractionKeepsRatio(s, p.amount, p.expectedOut)) return blocked(Blocker.RatioLimit);
  }
  return { ...p, action: wanted };
}

/**
 * The V2 form of the limit price for an operation whose preview is (amount, expectedOut): its
 * average price, quote whole units per token, WAD, less `slippageBps` for an expansion (a floor on
 * what it receives) and plus it, rounded up, for a contraction (a ceiling on what it pays).
 * MarketOperator's checkUpkeep computes the same with UPKEEP_SLIPPAGE_BPS. On any venue use
 * `operationLimitPriceWad`, which picks this form or the V3 one.
 */
export function limitPriceWad(
  action: Action.Expand | Action.Contract,
  amount: bigint,
  expectedOut: bigint,
  slippageBps: bigint,
  decimals: Pick<OperatorState, "tokenDecimals" | "quoteDecimals">,
): bigint {
  const { tokenUnit, quoteUnit } = units(decimals);
  return averageLimitPriceWad(action === Action.Expand, amount, expectedOut, slippageBps, tokenUnit, quoteUnit);
}

/**
 * The limit price the operator's own upkeep would send for this trade, by venue: on the V2 pair the
 * average price (`limitPriceWad`), on a V3 pool the last unit's price (MarketOperatorV3 bounds every
 * unit), each `slippageBps` worse. The previewed trade passes its own limit unclamped on both.
 */
export function operationLimitPriceWad(
  s: OperatorState,
  action: Action.Expand | Action.Contract,
  amount: bigint,
  expectedOut: bigint,
  slippageBps: bigint,
): bigint {
  return poolMath(s).limitPriceWad(action === Action.Expand, amount, expectedOut, slippageBps);
}

/** Why expandSupplyAtPrice / contractSupplyAtPrice would revert (the contract's error name). */
export type OperationRevert =
  | "OracleInvalid"
  | "CooldownActive"
  | "TwapStale"
  | "SpotTwapDivergence"
  | "PriceInsideBand"
  | "CapReached"
  | "TradeUnprofitable"
  | "PriceLimitExceeded"
  | "OperationTooSmall"
  | "RatioBelowBound"
  | "ProtocolValueDecreased";

export type OperationOutcome =
  | { ok: true; amountIn: bigint; amountOut: bigint; lossWad: bigint }
  | { ok: false; revert: OperationRevert };

/**
 * What MarketOperator.expandSupplyAtPrice(amount, limit) / contractSupplyAtPrice(amount, limit)
 * does on this state (taken after the pool sync and the observation): the gates, the sizing, the
 * clamp to the limit price (null: none), the minimum size, then rule 7 on the trade's effect
 * (the ratio at haircut value, and the loss at the peg against the allowance). amountIn is tokens
 * sold (Expand) or quote spent (Contract); amountOut what the pool pays.
 */
export function executeOperation(
  s: OperatorState,
  action: Action.Expand | Action.Contract,
  amount: bigint,
  limitWad: bigint | null,
): OperationOutcome {
  const fail = (revert: OperationRevert): OperationOutcome => ({ ok: false, revert });
  if (!s.marketOk || !s.backingOk) return fail("OracleInvalid");
  if (s.timestamp < s.lastOperationAt + s.limits.cooldownSec) return fail("CooldownActive");
  if (twapStale(s)) return fail("TwapStale");
  if (!spotTwapAgree(s)) return fail("SpotTwapDivergence");
  if (wantedAction(s) !== action) return fail("PriceInsideBand");
  const expand = action === Action.Expand;
  const sized = expand ? sizeExpansion(s) : sizeContraction(s);
  if (sized.amount === 0n) return fail(sized.blocker === Blocker.Unprofitable ? "TradeUnprofitable" : "CapReached");
  const { tokenUnit, quoteUnit } = units(s);
  let amountIn = min(amount, sized.amount);
  if (limitWad !== null) {
    const num = limitWad * quoteUnit;
    const den = tokenUnit * WAD;
    const atLimit = poolMath(s).maxInAtPrice(expand, num, den);
    if (atLimit === 0n) return fail("PriceLimitExceeded");
    amountIn = min(amountIn, atLimit);
  }
  if (amountIn < mulDivUp(sized.amount, s.minOperationShareBps, BPS)) return fail("OperationTooSmall");
  const out = poolMath(s).amountOut(expand, amountIn);
  const [tokens, quote] = expand ? [amountIn, out] : [out, amountIn];
  const quoteWad = mulDiv(quote, s.quoteUsdWad, quoteUnit);
  const tokensWad = mulDiv(tokens, PEG_WAD, tokenUnit);
  const haircutWad = mulDiv(quoteWad, BPS - s.quoteHaircutBps, BPS);
  const ratioBefore = mulDiv(s.reserveValueWad, WAD, s.supply);
  if (!expand && (tokens >= s.supply || haircutWad > s.reserveValueWad)) return fail("RatioBelowBound");
  const ratioAfter = expand
    ? mulDiv(s.reserveValueWad + haircutWad, WAD, s.supply + tokens)
    : mulDiv(s.reserveValueWad - haircutWad, WAD, s.supply - tokens);
  if (ratioAfter < min(ratioBefore, s.targetRatioWad)) return fail("RatioBelowBound");
  const lossWad = expand
    ? tokensWad > quoteWad
      ? tokensWad - quoteWad
      : 0n
    : quoteWad > tokensWad
    ? quoteWad - tokensWad
    : 0n;
  if (lossWad > lossAllowanceWad(s, expand ? tokensWad : quoteWad)) return fail("ProtocolValueDecreased");
  return { ok: true, amountIn, amountOut: out, lossWad };
}
