/**
 * The mirror of CollateralPolicy (contracts/CollateralPolicy.sol): computeTargetRatio and the risk
 * floor exactly, and whether a refresh() is worth sending: only when it would move the target.
 * A refresh that leaves the target where it is pays ~130k gas to record one TWAP observation.
 */
import { twapStale, type OperatorState } from "./operator";
import { BPS, HARD_MAX_TARGET_RATIO_WAD, PEG_WAD, WAD, max, min, mulDiv, mulDivUp } from "./units";

export function computeTargetRatio(
  currentWad: bigint,
  twapWad: bigint,
  bandBps: bigint,
  stepWad: bigint,
  floorWad: bigint,
  maxWad: bigint,
): bigint {
  const bandWad = mulDiv(PEG_WAD, bandBps, BPS);
  let next = currentWad;
  if (twapWad + bandWad < PEG_WAD) next = currentWad + stepWad;
  else if (twapWad > PEG_WAD + bandWad) next = currentWad > stepWad ? currentWad - stepWad : 0n;
  return max(min(next, maxWad), floorWad);
}

/** CollateralPolicy.params() (ICollateralPolicy.Params). */
export interface PolicyParams {
  minRatioWad: bigint;
  maxRatioWad: bigint;
  stepWad: bigint;
  bandBps: bigint;
  riskWeightBps: bigint;
  refreshCooldownSec: bigint;
}

/** What refresh() reads besides the market: its params(), lastRefreshAt(), targetRatio() and the reserve's risk figure. */
export interface PolicyState extends PolicyParams {
  /** 0: never refreshed (the first refresh is due at once). */
  lastRefreshAt: bigint;
  targetRatioWad: bigint;
  /** Reserve.riskHaircutBps(), the cached figure refresh() reads; null where it reverts (a feed invalid). */
  riskHaircutBps: bigint | null;
}

/** CollateralPolicy._riskFloor: minRatio + haircut × riskWeight, each step rounded up, capped at the hard maximum. */
export function riskFloorWad(p: Pick<PolicyState, "minRatioWad" | "riskWeightBps">, haircutBps: bigint): bigint {
  const haircutWad = mulDivUp(haircutBps, WAD, BPS);
  return min(p.minRatioWad + mulDivUp(haircutWad, p.riskWeightBps, BPS), HARD_MAX_TARGET_RATIO_WAD);
}

/** CollateralPolicy.nextRefreshAt(). */
export function nextRefreshAt(p: Pick<PolicyState, "lastRefreshAt" | "refreshCooldownSec">): bigint {
  return p.lastRefreshAt === 0n ? 0n : p.lastRefreshAt + p.refreshCooldownSec;
}

export type RefreshSkipReason = "cooldown" | "market-invalid" | "risk-unavailable" | "twap-stale" | "unchanged";

export type RefreshDue =
  | { due: true; fromWad: bigint; toWad: bigint; floorWad: bigint }
  | { due: false; reason: RefreshSkipReason; detail: string };

/**
 * Whether CollateralPolicy.refresh() at `s.timestamp` would move the target: the cooldown has passed,
 * the TWAP is not stale (a stale refresh only holds the target and leaves its cooldown unspent, so
 * it would be due again every block) and computeTargetRatio, with the floor from the reserve's
 * cached risk figure, gives a different target.
 */
export function refreshDue(
  p: PolicyState,
  s: Pick<OperatorState, "timestamp" | "marketOk" | "twapWad" | "twapSpanSec" | "twapWindowSec">,
): RefreshDue {
  const readyAt = nextRefreshAt(p);
  if (s.timestamp < readyAt)
    return { due: false, reason: "cooldown", detail: `next refresh at ${readyAt}, block time ${s.timestamp}` };
  if (!s.marketOk) return { due: false, reason: "market-invalid", detail: "PriceOracle.marketPrice() reverts" };
  if (p.riskHaircutBps === null)
    return { due: false, reason: "risk-unavailable", detail: "Reserve.riskHaircutBps() reverts (a feed is invalid)" };
  if (twapStale(s))
    return {
      due: false,
      reason: "twap-stale",
      detail: `the TWAP spans ${s.twapSpanSec} s > ${s.twapWindowSec} s window × 2: a refresh would only hold`,
    };
  const floorWad = riskFloorWad(p, p.riskHaircutBps);
  const toWad = computeTargetRatio(p.targetRatioWad, s.twapWad, p.bandBps, p.stepWad, floorWad, p.maxRatioWad);
  if (toWad === p.targetRatioWad)
    return {
      due: false,
      reason: "unchanged",
      detail: `target ${p.targetRatioWad} holds at TWAP ${s.twapWad} (band ${p.bandBps} bps, floor ${floorWad})`,
    };
  return { due: true, fromWad: p.targetRatioWad, toWad, floorWad };
}
