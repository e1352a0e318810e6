/**
 * The protocol-owned position's books on the V3 venue: what the LiquidityManager's position earns
 * and how its holdings move, in Ballast's P&L.
 *
 * - LP fees: the pool's fee growth inside the position's range, exact in integers (V3Venue keeps
 *   per-tick fee growth as the pool does). `collect` is LiquidityManager.collectFees: the quote is
 *   deposited into the Reserve, the tokens are burned. What is still owed at the end of a run
 *   counts too: the position holds it.
 * - Mark-to-market: the position's principal (what burning all of it would return) against what it
 *   held at the start. The tokens count at the peg (the protocol's own tokens are retired
 *   liabilities, as every operation's P&L counts them), the quote at the quote asset's true price at
 *   the end, so a move of USDC itself (which the Reserve's idle USDC also takes, uncounted) stays out.
 *
 * Only Ballast owns the position. The references trade in the same pool, but for them the same
 * liquidity is a third party's: they earn none of its fees (docs/simulation.md).
 */
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw } from "../market";
import type { V3Pool } from "./v3Pool";

/** Raw amounts, oriented (token, quote). */
export interface PolAmounts {
  token: bigint;
  quote: bigint;
}

/** USD of raw amounts: tokens at the peg ($1), quote at `quoteUsd` (the model: its true price). */
export function polAmountsUsd(a: PolAmounts, quoteUsd: number): number {
  return fromRaw(a.token, TOKEN_UNIT) + fromRaw(a.quote, QUOTE_UNIT) * quoteUsd;
}

export class PolLedger {
  /** The position's principal when the policy took it over (the run's start). */
  readonly opening: PolAmounts;

  constructor(private readonly pool: V3Pool) {
    this.opening = this.principal();
  }

  /** What burning the whole position would return now. */
  principal(): PolAmounts {
    const { owner, lower, upper } = this.pool.pol;
    return this.pool.venue.principal(owner, lower, upper);
  }

  /** Fees owed to the position now (the pool's burn(0) poke). */
  feesOwed(): PolAmounts {
    const { owner, lower, upper } = this.pool.pol;
    return this.pool.venue.owed(owner, lower, upper);
  }

  /** LiquidityManager.collectFees on the pool: everything owed leaves the position. */
  collect(): PolAmounts {
    const { owner, lower, upper } = this.pool.pol;
    return this.pool.venue.collect(owner, lower, upper);
  }

  /** The principal's change since the opening, USD (tokens at the peg, quote at its true price now). */
  markToMarketUsd(m: Market): number {
    const now = this.principal();
    return polAmountsUsd(
      { token: now.token - this.opening.token, quote: now.quote - this.opening.quote },
      m.truth.USDC,
    );
  }
}
