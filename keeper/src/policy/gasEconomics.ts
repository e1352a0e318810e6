/**
 * The keeper's gas economics, pure: what a correction is worth, what its gas costs at the current
 * fee, the highest fee a deviation justifies, and the rolling 24-hour gas budget. The budget's
 * ledger lives in the decision's memory, so the daemon and the simulator account the same way.
 *
 * Definitions (USD as WAD):
 * - depth = the pool's quote reserve valued by the quote feed, reserveQuote × quoteUsd;
 * - deviation removed = |spot before − spot after| as a share of the peg, spot after being the
 *   pool's price once the previewed trade (amount in, expectedOut out) has landed, never counted
 *   past the peg;
 * - correction value = deviation removed × depth: how much of the pool's mispriced value the
 *   operation takes away;
 * - value = correction value + the operation's own P&L at the peg (negative when it loses);
 * - gas cost = gas units × (next base fee + tip) × the native token's USD price;
 * - fee cap = clamp(|deviation bps| × weiPerBps, minWei, maxWei).
 */
import { Action, type OperatorPreview, type OperatorState } from "./operator";
import type { FeeMarket } from "./snapshot";
import { BPS, PEG_WAD, WAD, mulDiv } from "./units";

/** The budget's rolling window, s: one day. */
export const GAS_BUDGET_WINDOW_SEC = 86_400n;

export interface FeeCapParams {
  /** Fee cap per bps of deviation from the peg, wei per gas per bps. */
  weiPerBps: bigint;
  /** The cap never falls below this (small deviations, rebalances, observations), wei per gas. */
  minWei: bigint;
  /** The cap never rises above this, whatever the deviation, wei per gas. */
  maxWei: bigint;
}

/** One transaction's gas, valued in USD when it was paid. */
export interface GasSpend {
  atSec: bigint;
  usdWad: bigint;
}

/** The highest effective gas price (base fee + tip) worth paying at this deviation, wei. Monotone in |deviation|. */
export function feeCapWei(deviationBps: bigint, cap: FeeCapParams): bigint {
  const scaled = (deviationBps < 0n ? -deviationBps : deviationBps) * cap.weiPerBps;
  if (scaled < cap.minWei) return cap.minWei;
  return scaled > cap.maxWei ? cap.maxWei : scaled;
}

export interface PricedFees {
  /** What one unit of gas costs now: next base fee + tip, wei. */
  effectiveWei: bigint;
  /** Room for the base fee to double, never above the cap, wei. */
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
}

/** EIP-1559 fees under a cap: tip capped; null when base fee + tip is already above the cap. */
export function priceFees(fees: FeeMarket, maxTipWei: bigint, capWei: bigint): PricedFees | null {
  const tip = fees.priorityFeeWei < maxTipWei ? fees.priorityFeeWei : maxTipWei;
  const effectiveWei = fees.nextBaseFeeWei + tip;
  if (effectiveWei > capWei) return null;
  const room = 2n * fees.nextBaseFeeWei + tip;
  return { effectiveWei, maxFeePerGasWei: room < capWei ? room : capWei, maxPriorityFeePerGasWei: tip };
}

/** Gas cost in WAD USD: units × effective price (wei) × native price (WAD USD per whole token). */
export function gasCostWad(gasUnits: bigint, effectiveWei: bigint, nativeUsdWad: bigint): bigint {
  return mulDiv(gasUnits * effectiveWei, nativeUsdWad, WAD);
}

/** The token's pool price in WAD USD for these reserves (PriceOracle's spot formula). */
function spotOf(s: OperatorState, reserveToken: bigint, reserveQuote: bigint): bigint {
  return mulDiv(
    reserveQuote * 10n ** BigInt(s.tokenDecimals),
    s.quoteUsdWad,
    reserveToken * 10n ** BigInt(s.quoteDecimals),
  );
}

export interface CorrectionValue {
  /** Deviation removed, WAD share of the peg. */
  removedWad: bigint;
  depthUsdWad: bigint;
  /** removed × depth, WAD USD. */
  valueWad: bigint;
}

/** How much of the pool's mispricing the previewed operation removes (0 for anything but a trade). */
export function correctionValue(
  s: OperatorState,
  p: Pick<OperatorPreview, "action" | "amount" | "expectedOut">,
): CorrectionValue {
  const depthUsdWad = mulDiv(s.reserveQuote, s.quoteUsdWad, 10n ** BigInt(s.quoteDecimals));
  const none = { removedWad: 0n, depthUsdWad, valueWad: 0n };
  let token = s.reserveToken;
  let quote = s.reserveQuote;
  if (p.action === Action.Expand && p.expectedOut < quote) {
    token += p.amount;
    quote -= p.expectedOut;
  } else if (p.action === Action.Contract && p.expectedOut < token) {
    quote += p.amount;
    token -= p.expectedOut;
  } else {
    return none;
  }
  const before = spotOf(s, s.reserveToken, s.reserveQuote);
  const after = spotOf(s, token, quote);
  const toPeg = before > PEG_WAD ? before - PEG_WAD : PEG_WAD - before;
  const moved = before > after ? before - after : after - before;
  const removedWad = mulDiv(moved < toPeg ? moved : toPeg, WAD, PEG_WAD);
  return { removedWad, depthUsdWad, valueWad: mulDiv(removedWad, depthUsdWad, WAD) };
}

/** Whether a value pays for its gas by the configured margin (bps of the cost; ≥ 10_000). */
export function paysForGas(valueWad: bigint, costWad: bigint, minValueOverGasBps: bigint): boolean {
  return valueWad * BPS >= costWad * minValueOverGasBps;
}

/** The ledger without spends older than the window. */
export function pruneSpends(spends: readonly GasSpend[], nowSec: bigint): GasSpend[] {
  return spends.filter((e) => e.atSec + GAS_BUDGET_WINDOW_SEC > nowSec);
}

/** Gas paid within the window ending now, WAD USD. */
export function spentInWindow(spends: readonly GasSpend[], nowSec: bigint): bigint {
  return pruneSpends(spends, nowSec).reduce((sum, e) => sum + e.usdWad, 0n);
}

/** When the oldest spend in the window leaves it, s (null when the ledger is empty). */
export function budgetFreesAtSec(spends: readonly GasSpend[], nowSec: bigint): bigint | null {
  const live = pruneSpends(spends, nowSec);
  return live.length === 0
    ? null
    : live.reduce((m, e) => (e.atSec < m ? e.atSec : m), live[0].atSec) + GAS_BUDGET_WINDOW_SEC;
}
