/**
 * Frax v1's collateral-ratio step. FraxPool mints 1 FRAX for CR dollars of USDC plus (1 − CR)
 * dollars of FXS (burned), and redeems 1 FRAX for CR dollars of USDC plus (1 − CR) dollars of
 * newly minted FXS, less the minting / redemption fee. refreshCollateralRatio, callable once an
 * hour, steps CR down 0.25% when FRAX trades above $1.005 and up 0.25% below $0.995 (bounded to
 * [0, 100%]). FXS is a real market: redeemers sell the FXS they receive into an FXS/USD pool, so
 * a run on FRAX presses FXS down (the reflexivity that sank IRON/TITAN).
 *
 * Equal constraints: refreshCollateralRatio (FraxPool v1, frax-solidity) pays its caller nothing,
 * so its caller is the protocol's own keeper and its gas the protocol's cost (gasUsd, no subsidy).
 * The keeper sends it only when it would step the ratio (cooldown passed, price outside the band);
 * the transaction lands after the keeper latency through KeeperTxQueue, is refused when the cooldown
 * has not passed (the contract's require) and otherwise steps on the price where it lands (it may
 * find the price back inside the band and change nothing, gas still paid). Arbitrageurs pay one
 * pool swap plus the FraxPool mint or redeem (gas.ts).
 */
import { GAS } from "../gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw, wadToNumber } from "../market";
import { valueAt } from "../scenario";
import { type Facility, type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { type KeeperRequest, KeeperTxQueue } from "./keeperTx";
import { EXHAUSTED_BELOW_USDC, usdcWethRatio } from "./holdings";

export interface FraxParams {
  initialCr: number;
  stepPerRefresh: number;
  bandFraction: number;
  refreshCooldownSec: number;
  mintFee: number;
  redeemFee: number;
  /** FXS/USD pool depth on each side, USD, and how fast outside arbitrage closes its gap per block. */
  fxsPoolUsd: number;
  fxsArbPerBlock: number;
}

/** Frax v1: step 0.25%, band ±0.5%, hourly; CR ~85% as in mid-2021; fees within v1's 0.2–0.45% range. */
export const FRAX_PARAMS: FraxParams = {
  initialCr: 0.85,
  stepPerRefresh: 0.0025,
  bandFraction: 0.005,
  refreshCooldownSec: 3600,
  mintFee: 0.003,
  redeemFee: 0.0045,
  fxsPoolUsd: 5_000_000,
  fxsArbPerBlock: 0.02,
};

class FraxFacility implements Facility {
  readonly callGas = { mint: GAS.fraxMint, redeem: GAS.fraxRedeem };
  readonly holdersRedeem = true;
  cr: number;
  usdcHeld: bigint;
  fxsReserve: number;
  usdReserve: number;

  constructor(readonly p: FraxParams, usdc: bigint, fxsPrice: number) {
    this.cr = p.initialCr;
    this.usdcHeld = usdc;
    this.usdReserve = p.fxsPoolUsd;
    this.fxsReserve = p.fxsPoolUsd / fxsPrice;
  }

  fxsPrice(): number {
    return this.usdReserve / this.fxsReserve;
  }

  /** Sells (fxs > 0) or buys (fxs < 0, by USD) FXS on its pool; returns USD received / FXS bought. */
  sellFxs(fxs: number): number {
    const k = this.fxsReserve * this.usdReserve;
    this.fxsReserve += fxs;
    const usdOut = this.usdReserve - k / this.fxsReserve;
    this.usdReserve -= usdOut;
    return usdOut;
  }

  buyFxsWithUsd(usd: number): number {
    const k = this.fxsReserve * this.usdReserve;
    this.usdReserve += usd;
    const fxsOut = this.fxsReserve - k / this.usdReserve;
    this.fxsReserve -= fxsOut;
    return fxsOut;
  }

  mintCostUsd(m: Market): number | null {
    // USDC valued by the protocol at its oracle price (Frax v1 used Chainlink), bought at the true price.
    const oracle = wadToNumber(m.feedPrice("USDC").wad) || m.truth.USDC;
    // (1 − CR) dollars of FXS, bought on its pool at the oracle (pool) price.
    return ((this.cr * m.truth.USDC) / oracle + (1 - this.cr)) / (1 - this.p.mintFee);
  }

  maxMintTokens(): number {
    return Number.MAX_SAFE_INTEGER;
  }

  mint(m: Market, tokens: number): { tokensRaw: bigint; costUsd: number } {
    const oracle = wadToNumber(m.feedPrice("USDC").wad) || m.truth.USDC;
    const gross = tokens / (1 - this.p.mintFee);
    const usdcIn = toRaw((gross * this.cr) / oracle, QUOTE_UNIT);
    const fxsUsd = gross * (1 - this.cr);
    const fxsCostUsd = fxsUsd > 0 ? this.buyFxsCost(fxsUsd / this.fxsPrice()) : 0;
    this.usdcHeld += usdcIn;
    const out = toRaw(tokens, TOKEN_UNIT);
    m.supply += out;
    return { tokensRaw: out, costUsd: fromRaw(usdcIn, QUOTE_UNIT) * m.truth.USDC + fxsCostUsd };
  }

  /** USD paid to buy `fxs` FXS from its pool (then burned by the mint). */
  private buyFxsCost(fxs: number): number {
    const k = this.fxsReserve * this.usdReserve;
    const usdIn = k / (this.fxsReserve - fxs) - this.usdReserve;
    this.fxsReserve -= fxs;
    this.usdReserve += usdIn;
    return usdIn;
  }

  redeemValueUsd(m: Market): number | null {
    if (this.usdcHeld < EXHAUSTED_BELOW_USDC) return null;
    const oracle = wadToNumber(m.feedPrice("USDC").wad) || m.truth.USDC;
    return ((this.cr * m.truth.USDC) / oracle + (1 - this.cr)) * (1 - this.p.redeemFee);
  }

  maxRedeemTokens(m: Market): number {
    const oracle = wadToNumber(m.feedPrice("USDC").wad) || m.truth.USDC;
    return this.cr > 0 ? (fromRaw(this.usdcHeld, QUOTE_UNIT) * oracle) / this.cr : Number.MAX_SAFE_INTEGER;
  }

  redeem(m: Market, tokensRaw: bigint): number {
    const oracle = wadToNumber(m.feedPrice("USDC").wad) || m.truth.USDC;
    const net = fromRaw(tokensRaw, TOKEN_UNIT) * (1 - this.p.redeemFee);
    const usdcOut = toRaw((net * this.cr) / oracle, QUOTE_UNIT);
    if (usdcOut > this.usdcHeld) return 0;
    this.usdcHeld -= usdcOut;
    m.supply -= tokensRaw;
    // FXS minted at its oracle (pool) price, sold at once by the arbitrageur.
    const fxs = (net * (1 - this.cr)) / this.fxsPrice();
    const usdFromFxs = fxs > 0 ? this.sellFxs(fxs) : 0;
    return fromRaw(usdcOut, QUOTE_UNIT) * m.truth.USDC + usdFromFxs;
  }
}

export class FraxPolicy implements Policy {
  readonly name = "frax" as const;
  readonly facility: FraxFacility;
  readonly stats = emptyStats();
  private lastRefresh = -Infinity;
  readonly queue = new KeeperTxQueue<KeeperRequest>();

  constructor(usdc: bigint, private readonly weth: bigint, fxsPrice: number, params: FraxParams = FRAX_PARAMS) {
    this.facility = new FraxFacility(params, usdc, fxsPrice);
  }

  onBlock(ctx: StepContext): void {
    const { m, scenario } = ctx;
    const f = this.facility;
    // Outside arbitrage pulls the FXS pool toward FXS's external price.
    const target = scenario.prices.FXS ? valueAt(scenario.prices.FXS, m.block) : f.fxsPrice();
    const gap = target / f.fxsPrice() - 1;
    if (Math.abs(gap) > 1e-4) {
      // Close a fraction of the gap: price ratio r needs √r − 1 of the USD side (buy) or 1/√r − 1 of the FXS side (sell).
      const r = 1 + gap * f.p.fxsArbPerBlock;
      if (gap > 0) f.buyFxsWithUsd(f.usdReserve * (Math.sqrt(r) - 1));
      else f.sellFxs(f.fxsReserve * (1 / Math.sqrt(r) - 1));
    }
    this.queue.step(
      ctx,
      () => (this.cooledDown(m) && this.nextCr(m) !== null ? {} : null),
      () => this.refresh(m),
    );
  }

  private cooledDown(m: Market): boolean {
    return Number(m.now) >= this.lastRefresh + this.facility.p.refreshCooldownSec;
  }

  /** The ratio a refresh would set on this block's price, or null when it would change nothing (or cannot read the price). */
  private nextCr(m: Market): number | null {
    const f = this.facility;
    const mp = m.marketPrice();
    if (!mp.ok) return null;
    const price = wadToNumber(mp.twapWad);
    let cr = f.cr;
    if (price > 1 + f.p.bandFraction) cr = Math.max(0, f.cr - f.p.stepPerRefresh);
    else if (price < 1 - f.p.bandFraction) cr = Math.min(1, f.cr + f.p.stepPerRefresh);
    return cr === f.cr ? null : cr;
  }

  /** refreshCollateralRatio() where the transaction lands. */
  private refresh(m: Market): void {
    if (!this.cooledDown(m) || !m.marketPrice().ok) {
      spendGas(this.stats, m, GAS.revertedTx);
      this.stats.failedTx += 1;
      return;
    }
    const cr = this.nextCr(m);
    if (cr !== null) this.facility.cr = cr;
    this.lastRefresh = Number(m.now);
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.fraxRefresh);
  }

  trueRatio(m: Market): number {
    return usdcWethRatio(m, this.facility.usdcHeld, this.weth);
  }

  reserveExhausted(): boolean {
    return this.facility.usdcHeld < EXHAUSTED_BELOW_USDC;
  }

  columns(): Record<string, number> {
    return { fraxCr: this.facility.cr, fxsPrice: this.facility.fxsPrice() };
  }
}
