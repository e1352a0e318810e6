/**
 * Gas of Ballast's operations on the V3 venue: MarketOperatorV3's receipt gas measured by
 * scripts/benchGasV3.ts (`npm run bench`'s v3 rows) on the real pool (keeper calls, ±15 bps back to the peg, no tick crossed,
 * the second of two operations). The V2 figures stay in gas.ts.
 */
import { GAS } from "../gas";
import type { Market } from "../market";

export const GAS_V3 = {
  ballastExpand: 315_104,
  ballastContract: 312_116,
  /** LiquidityManager.collectFees (burn(0) poke, collect, token burn, Reserve deposit), the same run's receipt gas. */
  polCollectFees: 173_708,
} as const;

/** Gas of an expansion (or contraction) on the market's venue. */
export function operationGas(m: Market, expand: boolean): number {
  if (m.v3) return expand ? GAS_V3.ballastExpand : GAS_V3.ballastContract;
  return expand ? GAS.ballastExpand : GAS.ballastContract;
}
