/**
 * UNCONSTRAINED — a curiosity, not a bound and not part of any comparison (the benchmark leaves it
 * out; `oracle` is the bound). Zero latency, no band, no caps, unlimited reserve, no keeper
 * economics: it trades whatever the gas and fees cost. At the start of every block
 * it trades the pool exactly back to $1 (USD, at USDC's true price): whatever deviation remains is
 * what one block of market flow does before anyone can answer. Users' mint/redeem is Ballast's.
 */
import { rawPriceFraction } from "../agents";
import { BallastReserve, type BallastConfig } from "../ballastReserve";
import { BallastFacility } from "../facilities";
import { GAS } from "../gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";

export class IdealPolicy implements Policy {
  readonly name = "ideal" as const;
  readonly reserve: BallastReserve;
  readonly facility: BallastFacility;
  readonly stats = emptyStats();

  constructor(config: BallastConfig, holdings: { USDC: bigint; WETH: bigint }) {
    this.reserve = new BallastReserve(config, holdings);
    this.facility = new BallastFacility(this.reserve);
  }

  onBlock({ m }: StepContext): void {
    const { num, den } = rawPriceFraction(1 / m.truth.USDC);
    const sell = m.tokensToSellForPrice(num, den);
    if (sell > 0n) {
      m.supply += sell;
      const out = m.sellTokens(sell);
      this.reserve.idle.USDC += out;
      this.stats.profitUsd += fromRaw(out, QUOTE_UNIT) * m.truth.USDC - fromRaw(sell, TOKEN_UNIT);
      this.count(m);
      return;
    }
    const spend = m.quoteToSpendForPrice(num, den);
    if (spend > 0n) {
      // Unlimited reserve: the quote comes from outside when the reserve has none left.
      const fromReserve = spend < this.reserve.idle.USDC ? spend : this.reserve.idle.USDC;
      this.reserve.idle.USDC -= fromReserve;
      const bought = m.buyTokens(spend);
      m.supply -= bought;
      const spentUsd = fromRaw(spend, QUOTE_UNIT) * m.truth.USDC;
      this.stats.reserveSpentUsd += spentUsd;
      this.stats.profitUsd += fromRaw(bought, TOKEN_UNIT) - spentUsd;
      this.count(m);
    }
  }

  private count(m: Market): void {
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.idealTrade);
  }

  trueRatio(m: Market): number {
    return this.reserve.trueValueUsd(m) / fromRaw(m.supply, TOKEN_UNIT);
  }

  reserveExhausted(): boolean {
    return false;
  }

  columns(): Record<string, number> {
    return {};
  }
}
