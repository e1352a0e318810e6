/**
 * RAI's redemption-rate PI controller. Every `updateDelaySec` the rate setter reads the market
 * price (TWAP) and sets a per-second redemption rate r = Kp·e + Ki·∫e, where e is the relative
 * gap (redemption − market) / redemption and the integral leaks; the redemption price then
 * compounds at r every second. SAFE owners (CdpBook) arbitrage around the redemption price:
 * they mint and sell when the market is above it and buy back to repay below it.
 *
 * Equal constraints: RAI's rate setter (geb-rrfm-rate-setter) pays whoever calls updateRate a
 * reward from the stability fee treasury (GEB's IncreasingTreasuryReimbursement), sized by
 * governance to cover the call; it is modelled as reimbursing the caller's gas at the block's
 * price (subsidyUsd = the call's gas USD), so a caller always acts once the update is due. The
 * call lands after the keeper latency through KeeperTxQueue, is refused before updateRateDelay
 * has passed ("wait-more") or when the oracle cannot be read, and uses the TWAP where it lands.
 * SAFE owners arbitrage with their own hurdle (cdp.ts) plus a repay or borrow and a pool swap of gas.
 */
import { GAS } from "../gas";
import { type Market, wadToNumber } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { CdpBook, type CdpParams } from "./cdp";
import { type KeeperRequest, KeeperTxQueue } from "./keeperTx";

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
  cdp: {
    mintRatio: 1.6,
    liquidationRatio: 1.35,
    liquidationPenalty: 0.1,
    maxLiquidationPerBlock: 0.002,
    hurdleBps: 25,
  },
};

export class RaiPolicy implements Policy {
  readonly name = "rai" as const;
  readonly stats = emptyStats();
  readonly cdp: CdpBook;
  ratePerSec = 0;
  private integral = 0;
  private lastError = 0;
  private lastUpdate = -Infinity;
  readonly queue = new KeeperTxQueue<KeeperRequest>();

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

  onBlock(ctx: StepContext): void {
    const { m } = ctx;
    const f = this.cdp.facility;
    f.anchorUsd *= Math.pow(1 + this.ratePerSec, m.blockTimeSec);
    this.cdp.liquidate(m);
    this.queue.step(
      ctx,
      () => (this.due(m) && m.marketPrice().ok ? {} : null),
      () => this.updateRate(m),
    );
  }

  private due(m: Market): boolean {
    return Number(m.now) >= this.lastUpdate + this.p.updateDelaySec;
  }

  /** updateRate() where the transaction lands. */
  private updateRate(m: Market): void {
    const mp = m.marketPrice();
    const gas = this.due(m) && mp.ok ? GAS.raiUpdateRate : GAS.revertedTx;
    spendGas(this.stats, m, gas, "caller");
    this.stats.subsidyUsd += m.gasUsd(gas);
    if (gas === GAS.revertedTx) {
      this.stats.failedTx += 1;
      return;
    }
    const f = this.cdp.facility;
    const now = Number(m.now);
    const error =
      (f.anchorUsd - wadToNumber(mp.twapWad) * (m.truth.USDC / (wadToNumber(mp.quoteUsdWad) || 1))) / f.anchorUsd;
    const dt = Number.isFinite(this.lastUpdate) ? now - this.lastUpdate : 0;
    this.integral = this.integral * Math.pow(this.p.perSecondLeak, dt) + ((error + this.lastError) / 2) * dt;
    this.lastError = error;
    this.ratePerSec = Math.max(
      -this.p.maxRatePerSec,
      Math.min(this.p.maxRatePerSec, this.p.kp * error + this.p.ki * this.integral),
    );
    this.lastUpdate = now;
    this.stats.actions += 1;
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
