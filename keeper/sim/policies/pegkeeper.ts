/**
 * crvUSD's PegKeeper V2 with its PegKeeperRegulator, as published in curvefi/curve-stablecoin
 * (contracts/stabilizer/PegKeeperV2.vy and PegKeeperRegulator.vy), on our token/USDC Uniswap V2
 * pool. Supply otherwise is borrowed against ETH (CdpBook).
 *
 * update(), callable by anyone (PegKeeperV2):
 *  - returns early (no action, the caller's gas spent) within ACTION_DELAY = 15 minutes of the last change;
 *  - token above peg (the pool holds more USDC than tokens): deposit single-sided one fifth of the
 *    difference, at most what the regulator's provide_allowed() returns and the tokens it holds;
 *  - token below peg: withdraw single-sided one fifth of the difference, at most its debt;
 *  - reverts "Regulator ban" when the regulator allows nothing, and "peg unprofitable" when the
 *    move lowers its profit (LP value over debt);
 *  - pays the caller `caller_share` = 20% of the profit the call made.
 * PegKeeperRegulator checks, on the pool's EMA price_oracle and spot get_p (coin per stablecoin):
 *  - provide: the aggregated stablecoin price ≥ 1; |spot − EMA| ≤ price_deviation = 0.0005
 *    (spam-attack protection); the largest EMA price among the other PegKeepers' pools ≥ this
 *    pool's − LAST_PRICE_THRESHOLD (0.0003: do not provide into a pool whose coin is the dearest);
 *    debt ≤ (alpha + beta · Σ √(other keepers' debt ratios))² of its total (alpha 1/2, beta 1/4);
 *  - withdraw: the aggregated price ≤ 1 and the same spot-vs-EMA check.
 * Modelling choices: the pool's EMA has crvUSD stableswap-ng's ma_exp_time of 866 s (a 10-minute
 * half-life), updated at each block's start; the aggregated price is the same EMA of the token's
 * USD price; the other keepers' pools (crvUSD has run four: USDC, USDT, pyUSD, TUSD) price the token
 * at that aggregate and carry the same debt ratio as this one. On a Uniswap V2 pool a single-sided
 * deposit is a zap (swap half, add both): the pool's balances end at (tokens ± amount, USDC), and
 * the PegKeeper pays the 0.3% pool fee on the swapped half, so its LP profit is lower by that.
 *
 * Equal constraints: the caller is a third party who sends update() only when its 20% share of the
 * profit, as the contract would compute it now, covers the gas at the block's price (the share is
 * recorded as subsidyUsd, the caller's gas as callerGasUsd: the share pays for it); keeper latency and outages apply through
 * KeeperTxQueue, and the transaction re-runs update() on the state where it lands.
 */
import { GAS } from "../gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { CdpBook, type CdpParams } from "./cdp";
import { type KeeperRequest, KeeperTxQueue } from "./keeperTx";

export interface PegKeeperParams {
  /** Fraction of the imbalance moved per action (PegKeeperV2: 1/5). */
  stabilisationCoefficient: number;
  /** PegKeeperV2 ACTION_DELAY, seconds. */
  actionDelaySec: number;
  /** The pool fee a zap pays on the swapped half (our pool: Uniswap V2, 0.30%). */
  zapFeeFraction: number;
  /** Debt ceiling as a fraction of the initial supply. */
  ceilingFraction: number;
  callerShare: number;
  /** PegKeeperRegulator price_deviation and LAST_PRICE_THRESHOLD (absolute, coin per stablecoin). */
  priceDeviation: number;
  worstPriceThreshold: number;
  /** PegKeeperRegulator debt parameters and the number of other keepers whose ratios count. */
  alpha: number;
  beta: number;
  otherKeepers: number;
  /** The pool's price_oracle EMA time, seconds. */
  emaTimeSec: number;
  cdp: CdpParams;
}

/** crvUSD mainnet values, from PegKeeperV2.vy and PegKeeperRegulator.vy. */
export const PEGKEEPER_PARAMS: PegKeeperParams = {
  stabilisationCoefficient: 0.2,
  actionDelaySec: 15 * 60,
  zapFeeFraction: 0.003,
  ceilingFraction: 0.25,
  callerShare: 0.2,
  priceDeviation: 0.0005,
  worstPriceThreshold: 0.0003,
  alpha: 0.5,
  beta: 0.25,
  otherKeepers: 3,
  emaTimeSec: 866,
  cdp: {
    mintRatio: 1.5,
    liquidationRatio: 1.15,
    liquidationPenalty: 0.06,
    maxLiquidationPerBlock: 0.002,
    hurdleBps: 25,
  },
};

/** Why an update() would not act: the contract's own reasons plus the caller's. */
export type PegKeeperStandStill =
  | "action-delay"
  | "regulator-ban"
  | "peg-unprofitable"
  | "nothing-to-move"
  | "share-below-gas";

export interface PegKeeperMove {
  /** Tokens deposited (> 0) or withdrawn (< 0). */
  amount: number;
  /** The PegKeeper's LP profit from the move after the zap fee, USDC (token at face). */
  profit: number;
}

/** Gross profit of depositing (a > 0) or withdrawing (a < 0) `a` tokens single-sided through a V2 zap. */
export function zapProfit(tokens: number, quote: number, a: number, zapFeeFraction: number): number {
  const fee = zapFeeFraction * (Math.abs(a) / 2) * (quote / tokens);
  // Depositing a tokens is worth what selling them would fetch; withdrawing a costs what buying them would.
  return a > 0 ? (quote * a) / (tokens + a) - a - fee : -a - (quote * -a) / (tokens + a) - fee;
}

export class PegKeeperPolicy implements Policy {
  readonly name = "pegkeeper" as const;
  readonly stats = emptyStats();
  readonly cdp: CdpBook;
  debtTokens = 0;
  /** The pool's EMA price (USDC per token) and the aggregated USD price of the token. */
  emaPrice = 1;
  aggregatePrice = 1;
  private lastChange = -Infinity;
  private readonly ceilingTokens: number;
  readonly queue = new KeeperTxQueue<KeeperRequest>();
  /** Blocks the caller stood still, per reason. */
  readonly blockers: Partial<Record<PegKeeperStandStill, number>> = {};

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

  onBlock(ctx: StepContext): void {
    const { m } = ctx;
    this.cdp.liquidate(m);
    this.updateEma(m);
    this.queue.step(
      ctx,
      () => this.callerDecides(m),
      () => this.update(m),
    );
  }

  private updateEma(m: Market): void {
    const keep = Math.exp(-m.blockTimeSec / this.p.emaTimeSec);
    this.emaPrice = this.emaPrice * keep + m.poolPrice() * (1 - keep);
    this.aggregatePrice = this.aggregatePrice * keep + m.priceUsd() * (1 - keep);
  }

  /** The regulator's provide_allowed() (tokens) or withdraw_allowed() (0 or unlimited), on coin-per-stablecoin prices. */
  allowed(m: Market, provide: boolean): number {
    const spotCoin = 1 / m.poolPrice();
    const emaCoin = 1 / this.emaPrice;
    if (Math.abs(spotCoin - emaCoin) > this.p.priceDeviation) return 0;
    if (!provide) return this.aggregatePrice <= 1 ? Infinity : 0;
    if (this.aggregatePrice < 1) return 0;
    // The other keepers' pools price their $1 coin at the aggregate.
    if (1 / this.aggregatePrice < emaCoin - this.p.worstPriceThreshold) return 0;
    const ratio = this.debtTokens / (1 + this.ceilingTokens);
    const maxRatio = (this.p.alpha + this.p.beta * this.p.otherKeepers * Math.sqrt(ratio)) ** 2;
    return Math.max(0, maxRatio * this.ceilingTokens - this.debtTokens);
  }

  /** What update() would do on this block's state, or why it would not. */
  preview(m: Market): PegKeeperMove | PegKeeperStandStill {
    if (Number(m.now) < this.lastChange + this.p.actionDelaySec) return "action-delay";
    const tokens = fromRaw(m.reserveToken, TOKEN_UNIT);
    const quote = fromRaw(m.reserveQuote, QUOTE_UNIT);
    const provide = quote > tokens;
    const allowed = this.allowed(m, provide);
    if (allowed <= 0) return "regulator-ban";
    const fifth = Math.abs(quote - tokens) * this.p.stabilisationCoefficient;
    const amount = provide
      ? Math.min(fifth, allowed, this.ceilingTokens - this.debtTokens)
      : -Math.min(fifth, this.debtTokens);
    if (Math.abs(amount) < 1) return "nothing-to-move";
    const profit = zapProfit(tokens, quote, amount, this.p.zapFeeFraction);
    return profit < 0 ? "peg-unprofitable" : { amount, profit };
  }

  /** The third-party caller: sends update() only when its share of the profit covers the gas. */
  private callerDecides(m: Market): KeeperRequest | null {
    const move = this.preview(m);
    if (typeof move === "string") return this.stand(move);
    if (move.profit * this.p.callerShare < m.gasUsd(GAS.pegKeeperUpdate)) return this.stand("share-below-gas");
    return { side: move.amount > 0 ? "sell" : "buy" };
  }

  private stand(reason: PegKeeperStandStill): null {
    this.blockers[reason] = (this.blockers[reason] ?? 0) + 1;
    return null;
  }

  /** PegKeeperV2.update() where the transaction lands. */
  private update(m: Market): void {
    const move = this.preview(m);
    if (move === "action-delay" || move === "nothing-to-move") {
      // Returns 0 without reverting: the caller paid for the reads.
      spendGas(this.stats, m, GAS.pegKeeperEarlyReturn, "caller");
      this.stats.failedTx += 1;
      return;
    }
    if (typeof move === "string") {
      spendGas(this.stats, m, GAS.revertedTx, "caller");
      this.stats.failedTx += 1;
      return;
    }
    const raw = toRaw(move.amount, TOKEN_UNIT);
    m.shiftTokenBalance(raw);
    m.supply += raw;
    this.debtTokens += move.amount;
    this.lastChange = Number(m.now);
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.pegKeeperUpdate, "caller");
    this.stats.profitUsd += move.profit;
    this.stats.subsidyUsd += move.profit * this.p.callerShare;
  }

  trueRatio(m: Market): number {
    return this.cdp.trueRatio(m);
  }

  /** Below peg the PegKeeper can only withdraw what it deposited: with no debt left it is out of ammunition. */
  reserveExhausted(m: Market): boolean {
    return this.debtTokens < 1 && m.poolPrice() < 1 - this.p.zapFeeFraction;
  }

  columns(): Record<string, number> {
    return { pegKeeperDebt: this.debtTokens, cdpDebt: this.cdp.facility.debtTokens, badDebt: this.cdp.badDebtTokens };
  }
}
