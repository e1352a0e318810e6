/**
 * RAI's redemption-rate PI controller. Every `updateDelaySec` the rate setter reads the market
 * price (TWAP) and sets a per-second redemption rate r = Kp·e + Ki·∫e, where e is the relative
 * gap (redemption − market) / redemption and the integral leaks; the redemption price then
 * compounds at r every second. SAFE owners (CdpBook) arbitrage around the redemption price:
 * they mint and sell when the market is above it and buy back to repay below it.
 */
import { GAS } from "../gas";
import { type Market, wadToNumber } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { CdpBook, type CdpParams } from "./cdp";

export interface RaiParams {
  kp: number;
  ki: number;
  perSecondLeak: number;
  updateDelaySec: number;
  /** Bounds on the per-second rate. */
  maxRatePerSec: number;
  cdp: CdpParams;
}

/** Gains of the order RAI launched with (Kp 7.5e-8, Ki 2.4e-14 per second), hourly updates. */
export const RAI_PARAMS: RaiParams = {
  kp: 7.5e-8,
  ki: 2.4e-14,
  perSecondLeak: 0.999999711,
  updateDelaySec: 3600,
  maxRatePerSec: 1e-6,
  cdp: { mintRatio: 1.6, liquidationRatio: 1.35, liquidationPenalty: 0.1, maxLiquidationPerBlock: 0.002, hurdleBps: 25 },
};

export class RaiPolicy implements Policy {
  readonly name = "rai" as const;
  readonly stats = emptyStats();
  readonly cdp: CdpBook;
  ratePerSec = 0;
  private integral = 0;
  private lastError = 0;
  private lastUpdate = -Infinity;

  constructor(
    collateralUsd: number,
    ethPrice: number,
    supplyTokens: number,
    private readonly p: RaiParams = RAI_PARAMS,
  ) {
    this.cdp = new CdpBook(collateralUsd, ethPrice, supplyTokens, p.cdp);
  }

  get facility() {
    return this.cdp.facility;
  }

  onBlock({ m, keeperUp }: StepContext): void {
    const f = this.cdp.facility;
    f.anchorUsd *= Math.pow(1 + this.ratePerSec, m.blockTimeSec);
    this.cdp.liquidate(m);
    const now = Number(m.now);
    if (!keeperUp || now < this.lastUpdate + this.p.updateDelaySec) return;
    const mp = m.marketPrice();
    if (!mp.ok) return;
    const error = (f.anchorUsd - wadToNumber(mp.twapWad) * (m.truth.USDC / (wadToNumber(mp.quoteUsdWad) || 1))) / f.anchorUsd;
    const dt = Number.isFinite(this.lastUpdate) ? now - this.lastUpdate : 0;
    this.integral = this.integral * Math.pow(this.p.perSecondLeak, dt) + ((error + this.lastError) / 2) * dt;
    this.lastError = error;
    this.ratePerSec = Math.max(-this.p.maxRatePerSec, Math.min(this.p.maxRatePerSec, this.p.kp * error + this.p.ki * this.integral));
    this.lastUpdate = now;
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.raiUpdateRate);
  }

  trueRatio(m: Market): number {
    return this.cdp.trueRatio(m);
  }

  reserveExhausted(): boolean {
    return false;
  }

  columns(): Record<string, number> {
    return { redemptionPrice: this.cdp.facility.anchorUsd, redemptionRatePerSec: this.ratePerSec };
  }
}
