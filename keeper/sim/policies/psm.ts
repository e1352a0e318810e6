/**
 * A plain peg stability module (the Maker/Sky PSM and LitePSM shape): anyone swaps 1 USDC for 1
 * token less `tin`, or 1 token for 1 USDC less `tout`. Minting is capped by a debt ceiling;
 * redemptions are limited to the USDC the module holds. It has no oracle: 1 USDC is 1 token
 * whatever USDC is worth (DAI followed USDC to ~$0.90 on 11 March 2023). No keeper, no actions.
 *
 * Equal constraints: its users are the arbitrageurs (agents.ts), who swap through the module only
 * when the profit after tin/tout, the pool fee and gas is positive; the gas is one pool swap plus
 * one PSM swap (~53k, gas.ts), the same pool leg every design's arbitrageurs pay.
 */
import { PsmFacility } from "../facilities";
import { type Market, QUOTE_UNIT, fromRaw } from "../market";
import { type Policy, type StepContext, emptyStats } from "../types";
import { EXHAUSTED_BELOW_USDC, usdcWethRatio } from "./holdings";

export interface PsmParams {
  tinBps: number;
  toutBps: number;
  /** Debt ceiling as a multiple of the initial supply. */
  ceilingMultiple: number;
}

/** LitePSM-USDC today: tin = tout = 0; the ceiling leaves room for 50% growth. */
export const PSM_PARAMS: PsmParams = { tinBps: 0, toutBps: 0, ceilingMultiple: 1.5 };

export class PsmPolicy implements Policy {
  readonly name = "psm" as const;
  readonly facility: PsmFacility;
  readonly stats = emptyStats();

  constructor(usdc: bigint, private readonly weth: bigint, initialSupply: number, params: PsmParams = PSM_PARAMS) {
    this.facility = new PsmFacility(usdc, initialSupply * params.ceilingMultiple, params.tinBps, params.toutBps);
  }

  onBlock(_ctx: StepContext): void {}

  trueRatio(m: Market): number {
    return usdcWethRatio(m, this.facility.usdcHeld, this.weth);
  }

  reserveExhausted(): boolean {
    return this.facility.usdcHeld < EXHAUSTED_BELOW_USDC;
  }

  columns(): Record<string, number> {
    return { psmUsdc: fromRaw(this.facility.usdcHeld, QUOTE_UNIT) };
  }
}
