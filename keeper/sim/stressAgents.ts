/**
 * The stress actors a scenario can add to the market (scenario `agents.*`), each reacting to the
 * price the last block left, deterministically (no draws from the scenario's generator, so a
 * scenario without them runs exactly as before):
 *  - reflexive holders: below the peg, a share of what they hold exits every block in proportion
 *    to the depeg beyond their threshold (a run); each exit redeems through the design's facility
 *    when any holder may (not a CDP's repay-only anchor) and that pays more than the pool, else
 *    sells into the pool;
 *  - liquidity providers who withdraw both sides in proportion to the depeg, up to a cap;
 *  - a mempool searcher who sees a keeper's pool trade before it lands and makes the profitable
 *    part of it first (it sells toward the peg ahead of a keeper's sale, buys ahead of its
 *    purchase), paying the pool fee and a swap's gas, only when that pays; the keeper's trade then
 *    lands on the moved pool and its own slippage limit (minOut) decides whether it reverts.
 */
import { rawPriceFraction } from "./agents";
import { GAS } from "./gas";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "./market";
import type { Scenario } from "./scenario";
import type { Facility } from "./types";

/** Depeg of the token's true USD price, bps (negative below $1). */
const depegBps = (m: Market): number => (m.priceUsd() - 1) * 10_000;

export class ReflexiveHolders {
  held: number;
  soldTokens = 0;
  redeemedTokens = 0;

  constructor(private readonly cfg: NonNullable<Scenario["agents"]["reflexiveHolders"]>) {
    this.held = cfg.tokens;
  }

  run(m: Market, f: Facility | null): void {
    const beyond = -depegBps(m) - this.cfg.thresholdBps;
    if (beyond <= 0 || this.held < 1) return;
    const exit = this.held * Math.min(1, this.cfg.fractionPerBpsPerBlock * beyond);
    if (exit < 1) return;
    this.held -= exit;
    let left = exit;
    const redeemValue = f?.holdersRedeem ? f.redeemValueUsd(m) : null;
    if (f && redeemValue !== null && redeemValue > m.priceUsd() * m.feeKeep) {
      const tokens = Math.min(left, f.maxRedeemTokens(m));
      if (tokens >= 1 && f.redeem(m, toRaw(tokens, TOKEN_UNIT)) > 0) {
        this.redeemedTokens += tokens;
        left -= tokens;
      }
    }
    if (left > 0) {
      m.sellTokens(toRaw(left, TOKEN_UNIT));
      this.soldTokens += left;
    }
  }
}

export class LpWithdrawals {
  /** Share of the initial liquidity still in the pool (from this actor's withdrawals alone). */
  remaining = 1;

  constructor(private readonly cfg: NonNullable<Scenario["agents"]["lpWithdrawal"]>) {}

  run(m: Market): void {
    const beyond = Math.abs(depegBps(m)) - this.cfg.thresholdBps;
    const floor = 1 - this.cfg.maxFraction;
    if (beyond <= 0 || this.remaining <= floor) return;
    const fraction = Math.min(this.cfg.fractionPerBpsPerBlock * beyond, 1 - floor / this.remaining);
    if (fraction < 1e-6) return;
    m.scaleLiquidity(-fraction);
    this.remaining *= 1 - fraction;
  }
}

/** Which way a keeper's pending transaction trades the pool. */
export type KeeperTradeSide = "sell" | "buy";

export interface FrontRun {
  tokens: number;
  profitUsd: number;
}

/**
 * The searcher's front-run of a keeper's trade: sells tokens (or buys them) until the pool's
 * marginal price, net of the fee, meets the peg, within its capital; only when its profit after
 * the fee and a swap's gas is positive. Its tokens are inventory valued at $1.
 */
export function frontRun(m: Market, s: Scenario, side: KeeperTradeSide): FrontRun | null {
  const cfg = s.agents.frontRunner;
  if (!cfg) return null;
  const usdc = m.truth.USDC;
  const gasUsd = m.gasUsd(GAS.poolSwap);
  if (side === "sell") {
    const { num, den } = rawPriceFraction(1 / usdc / m.feeKeep);
    const tokens = Math.min(fromRaw(m.tokensToSellForPrice(num, den), TOKEN_UNIT), cfg.capitalUsd);
    if (!(tokens >= 1)) return null;
    const raw = toRaw(tokens, TOKEN_UNIT);
    const expected = fromRaw(m.previewTrade(true, raw).out, QUOTE_UNIT);
    const profitUsd = expected * usdc - tokens - gasUsd;
    if (profitUsd <= 0) return null;
    m.sellTokens(raw);
    return { tokens, profitUsd };
  }
  const { num, den } = rawPriceFraction(m.feeKeep / usdc);
  const quote = Math.min(fromRaw(m.quoteToSpendForPrice(num, den), QUOTE_UNIT), cfg.capitalUsd / usdc);
  if (!(quote >= 1)) return null;
  const raw = toRaw(quote, QUOTE_UNIT);
  const expected = fromRaw(m.previewTrade(false, raw).out, TOKEN_UNIT);
  const profitUsd = expected - quote * usdc - gasUsd;
  if (profitUsd <= 0) return null;
  m.buyTokens(raw);
  return { tokens: -expected, profitUsd };
}

/** The scenario's stress actors for one run (none when the scenario names none). */
export class StressAgents {
  readonly holders: ReflexiveHolders | null;
  readonly lps: LpWithdrawals | null;

  constructor(s: Scenario) {
    this.holders = s.agents.reflexiveHolders ? new ReflexiveHolders(s.agents.reflexiveHolders) : null;
    this.lps = s.agents.lpWithdrawal ? new LpWithdrawals(s.agents.lpWithdrawal) : null;
  }

  run(m: Market, f: Facility | null): void {
    this.lps?.run(m);
    this.holders?.run(m, f);
  }
}
