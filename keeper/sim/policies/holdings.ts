/** Figures of a design whose reserve is idle USDC and WETH (the PSM, Frax): one definition for both. */
import { type Market, QUOTE_UNIT, TOKEN_UNIT, WETH_UNIT, fromRaw } from "../market";

/** Below this much USDC (raw) a reserve can no longer meet a redemption: the bench counts it exhausted. */
export const EXHAUSTED_BELOW_USDC = QUOTE_UNIT * 1000n;

/** The reserve's value at true prices per token in circulation. */
export function usdcWethRatio(m: Market, usdcRaw: bigint, wethRaw: bigint): number {
  const value = fromRaw(usdcRaw, QUOTE_UNIT) * m.truth.USDC + fromRaw(wethRaw, WETH_UNIT) * m.truth.WETH;
  return value / fromRaw(m.supply, TOKEN_UNIT);
}
