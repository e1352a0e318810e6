/**
 * The `oracle` bound: what a keeper with perfect information could do under Ballast's own
 * constraints, and the bound the benchmark compares against (`ideal` is unconstrained and left out).
 *  - Perfect information, zero latency, never down: it sees the true USDC price and the pool as
 *    they are at the block's start, acts in the same block, and its transaction is private (no
 *    front-running searcher, no keeper outage, no oracle staleness or spot/TWAP gate).
 *  - Ballast's reserve and operator constraints: it trades through the pool as MarketOperator does,
 *    mints what it sells and spends only the reserve's idle USDC, within the operator's per-operation
 *    and per-epoch caps, its cooldown, and the collateral-ratio rule (maxExpansion / maxContraction,
 *    the keeper's own mirror of the contract); users mint and redeem through Ballast's Reserve.
 *  - Costs: it pays Ballast's measured expand / contract gas at the block's gas price and the 0.3%
 *    pool fee inside every trade (its trading P&L is recorded in profitUsd).
 *  - It acts only when the correction is worth more than it costs, at the stated exchange rate
 *    ORACLE_USD_PER_BPS_DAY: removing 1 bps of deviation for a whole day is worth that many USD. A
 *    correction from d0 to d1 bps is credited for ORACLE_CREDIT_SEC (its value is
 *    (|d0| − |d1|) · rate · credit / 1 day), and it costs the gas minus the trade's P&L.
 * The target collateral ratio stays where the scenario starts it (no CollateralPolicy refresh).
 */
import { Action, WAD, maxContraction, maxExpansion, mulDiv, type OperatorState } from "../../src/policy";
import { BallastReserve, type BallastConfig } from "../ballastReserve";
import { BallastFacility } from "../facilities";
import { operationGas } from "../venues/gasV3";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, numberToWad } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { EXHAUSTED_BELOW_USDC } from "./holdings";
import { OperatorBook, operatorStateOf } from "./ballast";
import { type KeeperRequest, KeeperTxQueue } from "./keeperTx";

/** The exchange rate between tightness and money: USD per bps of deviation removed for one day. */
export const ORACLE_USD_PER_BPS_DAY = 100;
/** How long a correction is credited for, seconds (10 minutes: see docs/simulation.md for why). */
export const ORACLE_CREDIT_SEC = 600;

const DAY_SEC = 86_400;

interface OracleTrade extends KeeperRequest {
  action: Action.Expand | Action.Contract;
  /** Tokens sold (expand) or USDC spent (contract), raw. */
  amount: bigint;
}

/** USD value of moving the deviation from d0 to d1 bps, at the stated exchange rate. */
export function correctionValueUsd(d0Bps: number, d1Bps: number): number {
  return (Math.abs(d0Bps) - Math.abs(d1Bps)) * ORACLE_USD_PER_BPS_DAY * (ORACLE_CREDIT_SEC / DAY_SEC);
}

export class OraclePolicy implements Policy {
  readonly name = "oracle" as const;
  readonly reserve: BallastReserve;
  readonly facility: BallastFacility;
  readonly stats = emptyStats();
  readonly book: OperatorBook;
  private readonly queue = new KeeperTxQueue<OracleTrade>(true);
  /** Corrections it saw and declined because they cost more than they were worth. */
  declined = 0;

  constructor(config: BallastConfig, holdings: { USDC: bigint; WETH: bigint }, startTime: bigint) {
    this.reserve = new BallastReserve(config, holdings);
    this.facility = new BallastFacility(this.reserve);
    this.book = new OperatorBook(startTime, config.operator.limits.epochSec);
  }

  onBlock(ctx: StepContext): void {
    this.queue.step(
      ctx,
      () => this.decide(ctx.m),
      (t) => this.execute(ctx.m, t),
    );
  }

  /** The operator's state as perfect information sees it: true USDC and token prices, the contract's caps and reserve. */
  private stateOf(m: Market): OperatorState {
    const s = operatorStateOf(m, this.reserve, this.book);
    const priceWad = numberToWad(m.priceUsd());
    return { ...s, marketOk: true, quoteUsdWad: numberToWad(m.truth.USDC), spotWad: priceWad, twapWad: priceWad };
  }

  /** The trade to the peg within the constraints, if its value beats its cost. */
  decide(m: Market): OracleTrade | null {
    const s = this.stateOf(m);
    if (!s.backingOk || s.timestamp < s.lastOperationAt + s.limits.cooldownSec) return null;
    const d0 = (m.priceUsd() - 1) * 10_000;
    const usdc = m.truth.USDC;
    let trade: OracleTrade;
    let pnlUsd: number;
    let after: number;
    if (d0 > 0) {
      const sold = maxExpansion(s);
      if (sold === 0n) return null;
      const p = m.previewTrade(true, sold);
      pnlUsd = fromRaw(p.out, QUOTE_UNIT) * usdc - fromRaw(sold, TOKEN_UNIT);
      after = p.priceAfter;
      trade = { action: Action.Expand, amount: sold };
    } else {
      const spent = maxContraction(s);
      if (spent === 0n) return null;
      const p = m.previewTrade(false, spent);
      pnlUsd = fromRaw(p.out, TOKEN_UNIT) - fromRaw(spent, QUOTE_UNIT) * usdc;
      after = p.priceAfter;
      trade = { action: Action.Contract, amount: spent };
    }
    const gas = operationGas(m, trade.action === Action.Expand);
    const costUsd = m.gasUsd(gas) - pnlUsd;
    if (correctionValueUsd(d0, (after * usdc - 1) * 10_000) <= costUsd) {
      this.declined += 1;
      return null;
    }
    return trade;
  }

  private execute(m: Market, t: OracleTrade): void {
    const usdc = m.truth.USDC;
    if (t.action === Action.Expand) {
      m.supply += t.amount;
      const out = m.sellTokens(t.amount);
      this.reserve.idle.USDC += out;
      this.book.record(m.now, t.amount, 0n);
      spendGas(this.stats, m, operationGas(m, true));
      this.stats.profitUsd += fromRaw(out, QUOTE_UNIT) * usdc - fromRaw(t.amount, TOKEN_UNIT);
    } else {
      this.reserve.idle.USDC -= t.amount;
      const bought = m.buyTokens(t.amount);
      m.supply -= bought;
      this.book.record(m.now, -bought, mulDiv(t.amount, WAD, QUOTE_UNIT));
      spendGas(this.stats, m, operationGas(m, false));
      const spentUsd = fromRaw(t.amount, QUOTE_UNIT) * usdc;
      this.stats.reserveSpentUsd += spentUsd;
      this.stats.profitUsd += fromRaw(bought, TOKEN_UNIT) - spentUsd;
    }
    this.stats.actions += 1;
  }

  trueRatio(m: Market): number {
    return this.reserve.trueValueUsd(m) / fromRaw(m.supply, TOKEN_UNIT);
  }

  reserveExhausted(): boolean {
    return this.reserve.accounted("USDC") < EXHAUSTED_BELOW_USDC;
  }

  columns(m: Market): Record<string, number> {
    return { usdcIdle: fromRaw(this.reserve.idle.USDC, QUOTE_UNIT), poolPrice: m.poolPrice() };
  }
}
