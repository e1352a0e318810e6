/**
 * The mirror of MarketOperator.preview() (contracts/MarketOperator.sol): from one snapshot of
 * on-chain state, which action the contract would take and how much. Pure and exact (bigint,
 * same rounding), so the keeper, the simulator and the parity test share it.
 */
import { amountOut, pegPoolPrice, quoteToSpendForPrice, tokensToSellForPrice } from "./pegMath";
import { BPS, PEG_WAD, UNI_V2_FEE_DENOMINATOR, UNI_V2_FEE_NUMERATOR, WAD, min, mulDiv, mulDivUp } from "./units";

/** Matches IMarketOperator.Action. */
export enum Action {
  None = 0,
  Expand = 1,
  Contract = 2,
  Rebalance = 3,
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
  quoteUsdWad: bigint;
  reserveToken: bigint;
  reserveQuote: bigint;
  tokenDecimals: number;
  quoteDecimals: number;
  bandBps: bigint;
  maxSpotTwapDeviationBps: bigint;
  limits: OperatorLimits;
  lastOperationAt: bigint;
  epoch: { startedAt: bigint; netMinted: bigint; contracted: bigint };
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

export function wantedAction(s: Pick<OperatorState, "spotWad" | "twapWad" | "bandBps">): Action {
  const bandWad = mulDiv(PEG_WAD, s.bandBps, BPS);
  if (s.spotWad > PEG_WAD + bandWad && s.twapWad > PEG_WAD + bandWad) return Action.Expand;
  if (s.spotWad + bandWad < PEG_WAD && s.twapWad + bandWad < PEG_WAD) return Action.Contract;
  return Action.None;
}

export function spotTwapAgree(s: Pick<OperatorState, "spotWad" | "twapWad" | "maxSpotTwapDeviationBps">): boolean {
  const gap = s.spotWad > s.twapWad ? s.spotWad - s.twapWad : s.twapWad - s.spotWad;
  return gap * BPS <= s.maxSpotTwapDeviationBps * s.twapWad;
}

function currentEpoch(s: OperatorState): OperatorState["epoch"] {
  if (s.timestamp >= s.epoch.startedAt + s.limits.epochSec) return { startedAt: s.timestamp, netMinted: 0n, contracted: 0n };
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
  const c = mulDiv(PEG_WAD * UNI_V2_FEE_NUMERATOR, BPS - s.quoteHaircutBps, UNI_V2_FEE_DENOMINATOR * BPS);
  const ratioBefore = mulDiv(s.reserveValueWad, WAD, s.supply);
  if (ratioBefore >= s.targetRatioWad) {
    if (c >= s.targetRatioWad) return MAX_UINT256;
    const required = mulDivUp(s.supply, s.targetRatioWad, WAD);
    if (s.reserveValueWad <= required) return 0n;
    return mulDiv(s.reserveValueWad - required, WAD, s.targetRatioWad - c);
  }
  return c >= ratioBefore ? MAX_UINT256 : 0n;
}

function units(s: OperatorState): { tokenUnit: bigint; quoteUnit: bigint } {
  return { tokenUnit: 10n ** BigInt(s.tokenDecimals), quoteUnit: 10n ** BigInt(s.quoteDecimals) };
}

export function maxExpansion(s: OperatorState): bigint {
  const { tokenUnit, quoteUnit } = units(s);
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const toPeg = tokensToSellForPrice(s.reserveToken, s.reserveQuote, num, den);
  const capped = min(toPeg, min(s.limits.maxExpansionPerOp, expansionRoom(s)));
  return min(capped, ratioRoom(s));
}

export function maxContraction(s: OperatorState): bigint {
  const { tokenUnit, quoteUnit } = units(s);
  const { num, den } = pegPoolPrice(s.quoteUsdWad, tokenUnit, quoteUnit, PEG_WAD);
  const toPeg = quoteToSpendForPrice(s.reserveToken, s.reserveQuote, num, den);
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
  const blocked = (blocker: Blocker): OperatorPreview => ({ ...p, action: Action.None, blocker, amount: 0n, expectedOut: 0n });
  if (s.paused) return blocked(Blocker.Paused);
  if (!s.marketOk) return blocked(Blocker.OracleInvalid);
  p.spotWad = s.spotWad;
  p.twapWad = s.twapWad;
  p.deviationBps = deviationBps(s.spotWad);

  const wanted = wantedAction(s);
  if (!spotTwapAgree(s)) return blocked(Blocker.SpotTwapDivergence);
  if (wanted === Action.None || s.timestamp < s.lastOperationAt + s.limits.cooldownSec) {
    if (s.rebalanceNeeded) return { ...p, action: Action.Rebalance };
    return blocked(wanted === Action.None ? Blocker.InsideBand : Blocker.Cooldown);
  }
  if (!s.backingOk) return blocked(Blocker.OracleInvalid);
  const { tokenUnit, quoteUnit } = units(s);

  if (wanted === Action.Expand) {
    p.amount = maxExpansion(s);
    if (p.amount === 0n) return blocked(expansionRoom(s) === 0n ? Blocker.CapReached : Blocker.RatioLimit);
    p.expectedOut = amountOut(p.amount, s.reserveToken, s.reserveQuote);
    if (mulDiv(p.expectedOut, s.quoteUsdWad, quoteUnit) < mulDiv(p.amount, PEG_WAD, tokenUnit)) return blocked(Blocker.Unprofitable);
  } else {
    p.amount = maxContraction(s);
    if (p.amount === 0n) return blocked(s.quoteIdle === 0n ? Blocker.NoLiquidity : Blocker.CapReached);
    p.expectedOut = amountOut(p.amount, s.reserveQuote, s.reserveToken);
    if (mulDiv(p.expectedOut, PEG_WAD, tokenUnit) < mulDiv(p.amount, s.quoteUsdWad, quoteUnit)) return blocked(Blocker.Unprofitable);
    if (!contractionKeepsRatio(s, p.amount, p.expectedOut)) return blocked(Blocker.RatioLimit);
  }
  return { ...p, action: wanted };
}
