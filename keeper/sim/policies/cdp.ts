/**
 * What crvUSD and RAI share: supply is borrowed against ETH. Borrowers arbitrage around an anchor
 * price (CdpFacility); when a position's collateral falls under the liquidation ratio,
 * liquidators buy the token on the pool to repay it and seize collateral with a penalty, at most
 * `maxLiquidationPerBlock` of the debt per block (auction throughput). Bad debt is what is left
 * when collateral runs out.
 */
import { rawPriceFraction } from "../agents";
import { CdpFacility } from "../facilities";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "../market";

export interface CdpParams {
  /** Borrowers keep collateral/debt at least this when they mint. */
  mintRatio: number;
  liquidationRatio: number;
  liquidationPenalty: number;
  maxLiquidationPerBlock: number;
  /** Edge borrowers need beyond the pool fee and gas before they act, bps. */
  hurdleBps: number;
}

/**
 * System-wide collateralisation the CDP designs run with (collateral value / debt at the start):
 * DAI's and crvUSD's ETH books have typically sat well above 200%; 250% is used for both.
 */
export const CDP_INITIAL_COLLATERAL_RATIO = 2.5;

export class CdpBook {
  readonly facility: CdpFacility;
  badDebtTokens = 0;

  constructor(collateralUsd: number, ethPrice: number, debtTokens: number, readonly p: CdpParams) {
    this.facility = new CdpFacility(collateralUsd / ethPrice, debtTokens, p.mintRatio, p.hurdleBps);
  }

  /** Liquidations for one block: buys tokens on the pool, burns them, seizes collateral. */
  liquidate(m: Market): void {
    const f = this.facility;
    const collateralUsd = f.collateralEth * m.truth.WETH;
    const debtUsd = f.debtTokens * f.anchorUsd;
    if (debtUsd <= 0 || collateralUsd / debtUsd >= this.p.liquidationRatio) return;
    // Repay enough to restore the ratio, at most the per-block auction throughput.
    const excess =
      (debtUsd * this.p.liquidationRatio - collateralUsd) / (this.p.liquidationRatio - (1 + this.p.liquidationPenalty));
    const repayTokens = Math.min(
      Math.max(excess, 0) / f.anchorUsd,
      f.debtTokens * this.p.maxLiquidationPerBlock,
      f.debtTokens,
    );
    if (repayTokens <= 0) return;
    // Liquidators buy only while the seized collateral pays for the token: up to anchor × (1 + penalty).
    const { num, den } = rawPriceFraction((f.anchorUsd * (1 + this.p.liquidationPenalty)) / m.truth.USDC);
    const maxQuote = m.quoteToSpendForPrice(num, den);
    const wanted = toRaw(repayTokens * m.poolPrice(), QUOTE_UNIT);
    const quote = wanted < maxQuote ? wanted : maxQuote;
    if (quote <= 0n) return;
    const bought = fromRaw(m.buyTokens(quote), TOKEN_UNIT);
    const repaid = Math.min(bought, f.debtTokens);
    f.debtTokens -= repaid;
    m.supply -= toRaw(repaid, TOKEN_UNIT);
    const seizeEth = Math.min((repaid * f.anchorUsd * (1 + this.p.liquidationPenalty)) / m.truth.WETH, f.collateralEth);
    f.collateralEth -= seizeEth;
    if (f.collateralEth <= 1e-9 && f.debtTokens > 0) {
      this.badDebtTokens += f.debtTokens;
      f.debtTokens = 0;
    }
  }

  trueRatio(m: Market): number {
    return (this.facility.collateralEth * m.truth.WETH) / fromRaw(m.supply, TOKEN_UNIT);
  }
}
