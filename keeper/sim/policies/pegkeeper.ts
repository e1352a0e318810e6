/**
 * crvUSD's PegKeeper (v2 rules) on the token/USDC pool. update(), callable by anyone for a
 * caller share of the profit and at most once per action delay (1 block):
 *  - token above peg (pool holds more USDC than tokens): mint and deposit single-sided one
 *    fifth of the difference, within the debt ceiling;
 *  - token below peg: withdraw single-sided one fifth of the difference, up to the PegKeeper's
 *    debt (it can only take back what it put in), and burn it.
 * It acts only when the price is off by more than the pool fee (the regulator's check that the
 * move pays). On a Uniswap V2 pool a single-sided deposit is a zap whose net effect on the
 * balances is exactly (tokens + amount, USDC), as Curve's add_liquidity([0, amount]).
 * Supply otherwise is borrowed against ETH (CdpBook).
 */
import { GAS } from "../gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { CdpBook, type CdpParams } from "./cdp";

export interface PegKeeperParams {
  /** Fraction of the imbalance moved per action (crvUSD: 1/5). */
  stabilisationCoefficient: number;
  actionDelayBlocks: number;
  /** The pool fee the move must beat (our pool: Uniswap V2, 0.30%). */
  feeFraction: number;
  /** Debt ceiling as a fraction of the initial supply. */
  ceilingFraction: number;
  callerShare: number;
  cdp: CdpParams;
}

/** crvUSD: 1/5, 1 block, 20% caller share; LLAMMA borrowers with a soft margin. */
export const PEGKEEPER_PARAMS: PegKeeperParams = {
  stabilisationCoefficient: 0.2,
  actionDelayBlocks: 1,
  feeFraction: 0.003,
  ceilingFraction: 0.25,
  callerShare: 0.2,
  cdp: { mintRatio: 1.5, liquidationRatio: 1.15, liquidationPenalty: 0.06, maxLiquidationPerBlock: 0.002, hurdleBps: 25 },
};

export class PegKeeperPolicy implements Policy {
  readonly name = "pegkeeper" as const;
  readonly stats = emptyStats();
  readonly cdp: CdpBook;
  debtTokens = 0;
  private lastActionBlock = -Infinity;
  private readonly ceilingTokens: number;

  constructor(
    collateralUsd: number,
    ethPrice: number,
    supplyTokens: number,
    private readonly p: PegKeeperParams = PEGKEEPER_PARAMS,
  ) {
    this.cdp = new CdpBook(collateralUsd, ethPrice, supplyTokens, p.cdp);
    this.ceilingTokens = supplyTokens * p.ceilingFraction;
  }

  get facility() {
    return this.cdp.facility;
  }

  onBlock({ m }: StepContext): void {
    this.cdp.liquidate(m);
    if (m.block - this.lastActionBlock < this.p.actionDelayBlocks) return;
    const tokens = fromRaw(m.reserveToken, TOKEN_UNIT);
    const quote = fromRaw(m.reserveQuote, QUOTE_UNIT);
    const price = quote / tokens;
    let amount = 0;
    if (price > 1 + this.p.feeFraction) {
      amount = Math.min((quote - tokens) * this.p.stabilisationCoefficient, this.ceilingTokens - this.debtTokens);
    } else if (price < 1 - this.p.feeFraction) {
      amount = -Math.min((tokens - quote) * this.p.stabilisationCoefficient, this.debtTokens);
    }
    if (Math.abs(amount) < 1) return;
    const raw = toRaw(amount, TOKEN_UNIT);
    m.shiftTokenBalance(raw);
    m.supply += raw;
    this.debtTokens += amount;
    this.lastActionBlock = m.block;
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.pegKeeperUpdate);
    // Profit: deposits above peg and withdrawals below it earn |price − 1| per token, 80% kept.
    this.stats.profitUsd += Math.abs(amount) * Math.abs(price - 1) * (1 - this.p.callerShare);
  }

  trueRatio(m: Market): number {
    return this.cdp.trueRatio(m);
  }

  /** Below peg the PegKeeper can only withdraw what it deposited: with no debt left it is out of ammunition. */
  reserveExhausted(m: Market): boolean {
    return this.debtTokens < 1 && m.poolPrice() < 1 - this.p.feeFraction;
  }

  columns(): Record<string, number> {
    return { pegKeeperDebt: this.debtTokens, cdpDebt: this.cdp.facility.debtTokens, badDebt: this.cdp.badDebtTokens };
  }
}
