/**
 * The mint/redeem facilities arbitrageurs use, one per design: Ballast's Reserve (oracle value,
 * haircut, fees, recovery mode, pro-rata below 100%), a plain peg stability module (1:1 with
 * fees and a cap), and a CDP anchor (borrowers mint against collateral and repay with bought
 * tokens at an anchor price: crvUSD's $1, RAI's redemption price).
 */
import { BPS } from "../src/policy";
import type { BallastReserve } from "./ballastReserve";
import { GAS } from "./gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, WETH_UNIT, fromRaw, toRaw } from "./market";
import type { Facility } from "./types";

const tokens = (raw: bigint): number => fromRaw(raw, TOKEN_UNIT);

/** Arbitrage against Ballast's Reserve: mint with USDC, redeem for USDC or WETH (whichever pays more). */
export class BallastFacility implements Facility {
  readonly callGas = { mint: GAS.ballastMint, redeem: GAS.ballastRedeem };
  readonly holdersRedeem = true;

  constructor(private readonly reserve: BallastReserve) {}

  private tokensPerUsdc(m: Market): number {
    return tokens(this.reserve.quoteMint(m, "USDC", QUOTE_UNIT));
  }

  mintCostUsd(m: Market): number | null {
    const per = this.tokensPerUsdc(m);
    return per > 0 ? m.truth.USDC / per : null;
  }

  maxMintTokens(m: Market): number {
    return fromRaw(this.reserve.mintRoom("USDC"), QUOTE_UNIT) * this.tokensPerUsdc(m);
  }

  mint(m: Market, wanted: number): { tokensRaw: bigint; costUsd: number } {
    const per = this.tokensPerUsdc(m);
    if (per <= 0) return { tokensRaw: 0n, costUsd: 0 };
    const usdcIn = toRaw(wanted / per, QUOTE_UNIT);
    const out = this.reserve.mint(m, "USDC", usdcIn);
    return out === 0n
      ? { tokensRaw: 0n, costUsd: 0 }
      : { tokensRaw: out, costUsd: fromRaw(usdcIn, QUOTE_UNIT) * m.truth.USDC };
  }

  private bestRoute(m: Market): { asset: "USDC" | "WETH"; valueUsd: number } | null {
    const usdc = fromRaw(this.reserve.quoteRedeem(m, "USDC", TOKEN_UNIT), QUOTE_UNIT) * m.truth.USDC;
    const weth = fromRaw(this.reserve.quoteRedeem(m, "WETH", TOKEN_UNIT), WETH_UNIT) * m.truth.WETH;
    const usdcOk = usdc > 0 && this.reserve.accounted("USDC") > QUOTE_UNIT;
    const wethOk = weth > 0 && this.reserve.accounted("WETH") > WETH_UNIT / 1000n;
    if (usdcOk && (!wethOk || usdc >= weth)) return { asset: "USDC", valueUsd: usdc };
    if (wethOk) return { asset: "WETH", valueUsd: weth };
    return null;
  }

  redeemValueUsd(m: Market): number | null {
    return this.bestRoute(m)?.valueUsd ?? null;
  }

  maxRedeemTokens(m: Market): number {
    const r = this.bestRoute(m);
    if (!r) return 0;
    const per =
      r.asset === "USDC"
        ? fromRaw(this.reserve.quoteRedeem(m, "USDC", TOKEN_UNIT), QUOTE_UNIT)
        : fromRaw(this.reserve.quoteRedeem(m, "WETH", TOKEN_UNIT), WETH_UNIT);
    const unit = r.asset === "USDC" ? QUOTE_UNIT : WETH_UNIT;
    return per > 0 ? (fromRaw(this.reserve.accounted(r.asset), unit) / per) * 0.999 : 0;
  }

  redeem(m: Market, tokensRaw: bigint): number {
    const r = this.bestRoute(m);
    if (!r) return 0;
    const out = this.reserve.redeem(m, r.asset, tokensRaw);
    return r.asset === "USDC" ? fromRaw(out, QUOTE_UNIT) * m.truth.USDC : fromRaw(out, WETH_UNIT) * m.truth.WETH;
  }
}

/** A plain peg stability module: 1 USDC ↔ 1 token less tin/tout, minting capped by a debt ceiling. */
export class PsmFacility implements Facility {
  readonly callGas = { mint: GAS.psmSwap, redeem: GAS.psmSwap };
  readonly holdersRedeem = true;
  usdcHeld: bigint;
  minted: number;

  constructor(
    usdcHeld: bigint,
    private readonly ceilingTokens: number,
    private readonly tinBps: number,
    private readonly toutBps: number,
  ) {
    this.usdcHeld = usdcHeld;
    this.minted = fromRaw(usdcHeld, QUOTE_UNIT);
  }

  mintCostUsd(m: Market): number | null {
    return this.maxMintTokens() > 0 ? m.truth.USDC / (1 - this.tinBps / 10_000) : null;
  }

  maxMintTokens(): number {
    return Math.max(0, this.ceilingTokens - this.minted);
  }

  mint(m: Market, wanted: number): { tokensRaw: bigint; costUsd: number } {
    const t = Math.min(wanted, this.maxMintTokens());
    if (t <= 0) return { tokensRaw: 0n, costUsd: 0 };
    const usdcIn = toRaw(t / (1 - this.tinBps / 10_000), QUOTE_UNIT);
    const out = toRaw(t, TOKEN_UNIT);
    this.usdcHeld += usdcIn;
    this.minted += t;
    m.supply += out;
    return { tokensRaw: out, costUsd: fromRaw(usdcIn, QUOTE_UNIT) * m.truth.USDC };
  }

  redeemValueUsd(m: Market): number | null {
    return this.usdcHeld > QUOTE_UNIT ? m.truth.USDC * (1 - this.toutBps / 10_000) : null;
  }

  maxRedeemTokens(): number {
    return fromRaw(this.usdcHeld, QUOTE_UNIT) / (1 - this.toutBps / 10_000);
  }

  redeem(m: Market, tokensRaw: bigint): number {
    const usdcOut = (tokensRaw * (BPS - BigInt(this.toutBps))) / BPS / (TOKEN_UNIT / QUOTE_UNIT);
    if (usdcOut <= 0n || usdcOut > this.usdcHeld) return 0;
    this.usdcHeld -= usdcOut;
    this.minted -= tokens(tokensRaw);
    m.supply -= tokensRaw;
    return fromRaw(usdcOut, QUOTE_UNIT) * m.truth.USDC;
  }
}

/**
 * Borrowers of a CDP stablecoin as arbitrageurs: above the anchor they mint against their
 * collateral and sell; below it they buy and repay. Minting keeps collateral/debt ≥ mintRatio;
 * repaying is limited by the debt outstanding; both need an edge of `hurdleBps` beyond the
 * pool fee and gas (borrowers are slower to act than a PSM's arbitrageurs): the hurdle is their
 * own cost of moving a position (borrow rate, liquidation risk), and the gas of a borrow or a
 * repay plus the pool swap is paid on top (Arbitrageurs), so a borrower acts only when all pay.
 */
export class CdpFacility implements Facility {
  readonly callGas = { mint: GAS.cdpBorrow, redeem: GAS.cdpRepay };
  readonly holdersRedeem = false;
  anchorUsd = 1;

  constructor(
    public collateralEth: number,
    public debtTokens: number,
    private readonly mintRatio: number,
    private readonly hurdleBps: number,
  ) {}

  mintCostUsd(m: Market): number | null {
    return this.maxMintTokens(m) > 0 ? this.anchorUsd * (1 + this.hurdleBps / 10_000) : null;
  }

  maxMintTokens(m: Market): number {
    return Math.max(0, (this.collateralEth * m.truth.WETH) / this.mintRatio / this.anchorUsd - this.debtTokens);
  }

  mint(m: Market, wanted: number): { tokensRaw: bigint; costUsd: number } {
    const t = Math.min(wanted, this.maxMintTokens(m));
    if (t <= 0) return { tokensRaw: 0n, costUsd: 0 };
    const out = toRaw(t, TOKEN_UNIT);
    this.debtTokens += t;
    m.supply += out;
    return { tokensRaw: out, costUsd: t * this.anchorUsd * (1 + this.hurdleBps / 10_000) };
  }

  redeemValueUsd(): number | null {
    return this.debtTokens > 1 ? this.anchorUsd * (1 - this.hurdleBps / 10_000) : null;
  }

  maxRedeemTokens(): number {
    return Math.max(0, this.debtTokens);
  }

  redeem(m: Market, tokensRaw: bigint): number {
    const t = Math.min(tokens(tokensRaw), this.debtTokens);
    if (t <= 0) return 0;
    this.debtTokens -= t;
    m.supply -= toRaw(t, TOKEN_UNIT);
    return t * this.anchorUsd * (1 - this.hurdleBps / 10_000);
  }
}
