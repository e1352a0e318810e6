/**
 * The market's own actors: arbitrageurs who mint or redeem through the protocol and trade the
 * pool when that pays after the pool fee and gas (acting once an opportunity has persisted for
 * their latency), noise traders, and the scenario's scheduled order flow.
 *
 * Gas is equal for everyone whose path is the same: an arbitrage pays one pool swap (the
 * scenario's `arbGas`) plus the facility call of the design it trades against (Facility.callGas:
 * Ballast's measured Reserve.mint ~119k, a PSM swap ~53k, …), at the block's gas price. Several
 * arbitrageurs may compete (`agents.arbitrageurs`): each keeps its own latency and capital per
 * block, the fastest moves first and the next one sees what is left.
 */
import { type Market, QUOTE_UNIT, TOKEN_UNIT, V2_FEE_KEEP, fromRaw, toRaw } from "./market";
import type { Rng } from "./rng";
import type { Scenario } from "./scenario";
import type { Facility } from "./types";

/** What a Uniswap V2 swap keeps of its input after the 0.3% fee (Market.feeKeep is the venue's own). */
export const POOL_FEE = V2_FEE_KEEP;

/** A target pool price (USDC per token, float) as PegMath's raw fraction num/den. */
export function rawPriceFraction(usdcPerToken: number): { num: bigint; den: bigint } {
  // raw price = usdcPerToken · 10^6 / 10^18; keep 12 significant digits of the float.
  return { num: BigInt(Math.round(usdcPerToken * 1e12)), den: 10n ** 24n };
}

export interface ArbResult {
  direction: "mint" | "redeem" | null;
  profitUsd: number;
}

/** One arbitrageur: how many blocks an opportunity must persist before it acts, and its USD per block. */
export interface ArbitrageurSpec {
  latencyBlocks: number;
  capitalUsd: number;
}

/** The scenario's arbitrageurs: the main one (agents.arbLatencyBlocks / arbCapitalUsd) and any competitors, fastest first. */
export function arbitrageursOf(s: Scenario): Arbitrageurs {
  return new Arbitrageurs(s.agents.arbLatencyBlocks, s.agents.arbCapitalUsd, s.agents.arbGas, s.agents.arbitrageurs);
}

export class Arbitrageurs {
  private readonly agents: Arbitrageur[];
  profitUsd = 0;
  trades = 0;

  constructor(latencyBlocks: number, capitalUsd: number, swapGas: number, competitors: ArbitrageurSpec[] = []) {
    const specs = [{ latencyBlocks, capitalUsd }, ...competitors];
    // Stable sort: on equal latency the scenario's order decides who lands first.
    this.agents = specs
      .map((spec) => new Arbitrageur(spec, swapGas))
      .sort((a, b) => a.spec.latencyBlocks - b.spec.latencyBlocks);
  }

  /** Profit of each arbitrageur, in the scenario's order of speed (fastest first). */
  get profitsUsd(): number[] {
    return this.agents.map((a) => a.profitUsd);
  }

  run(m: Market, f: Facility | null): ArbResult {
    let last: ArbResult = { direction: null, profitUsd: 0 };
    let profit = 0;
    for (const agent of this.agents) {
      const r = agent.run(m, f);
      profit += r.profitUsd;
      if (r.direction) last = r;
    }
    this.profitUsd = this.agents.reduce((a, x) => a + x.profitUsd, 0);
    this.trades = this.agents.reduce((a, x) => a + x.trades, 0);
    return { direction: last.direction, profitUsd: profit };
  }
}

class Arbitrageur {
  private upBlocks = 0;
  private downBlocks = 0;
  profitUsd = 0;
  trades = 0;

  constructor(readonly spec: ArbitrageurSpec, private readonly swapGas: number) {}

  private get capitalUsd(): number {
    return this.spec.capitalUsd;
  }

  run(m: Market, f: Facility | null): ArbResult {
    if (!f) return { direction: null, profitUsd: 0 };
    const up = this.planMint(m, f);
    const down = up ? null : this.planRedeem(m, f);
    // Latency counts blocks during which the trade has paid after fees and gas.
    this.upBlocks = up ? this.upBlocks + 1 : 0;
    this.downBlocks = down ? this.downBlocks + 1 : 0;
    if (up && this.upBlocks > this.spec.latencyBlocks) return this.mintAndSell(m, f, up);
    if (down && this.downBlocks > this.spec.latencyBlocks) return this.buyAndRedeem(m, f, down);
    return { direction: null, profitUsd: 0 };
  }

  /** Tokens to mint and sell so the pool's marginal price meets the mint cost, if that pays. */
  private planMint(m: Market, f: Facility): { tokens: number; mintCost: number } | null {
    const mintCost = f.mintCostUsd(m);
    const usdc = m.truth.USDC;
    const keep = m.feeKeep;
    if (mintCost === null || m.priceUsd() * keep <= mintCost) return null;
    const { num, den } = rawPriceFraction(mintCost / usdc / keep);
    const x = Math.min(
      fromRaw(m.tokensToSellForPrice(num, den), TOKEN_UNIT),
      f.maxMintTokens(m),
      this.capitalUsd / mintCost,
    );
    if (!(x > 0)) return null;
    const expectedOut = fromRaw(m.previewTrade(true, toRaw(x, TOKEN_UNIT)).out, QUOTE_UNIT);
    return expectedOut * usdc - x * mintCost > m.gasUsd(this.swapGas + f.callGas.mint) ? { tokens: x, mintCost } : null;
  }

  /** Quote to spend buying tokens to redeem so the pool's marginal price meets the redeem value, if that pays. */
  private planRedeem(m: Market, f: Facility): { quote: number; redeemValue: number } | null {
    const redeemValue = f.redeemValueUsd(m);
    const usdc = m.truth.USDC;
    const keep = m.feeKeep;
    if (redeemValue === null || m.priceUsd() / keep >= redeemValue) return null;
    const { num, den } = rawPriceFraction((redeemValue * keep) / usdc);
    const q = Math.min(
      fromRaw(m.quoteToSpendForPrice(num, den), QUOTE_UNIT),
      this.capitalUsd / usdc,
      f.maxRedeemTokens(m) * m.poolPrice(),
    );
    if (!(q > 0)) return null;
    const expectedTokens = fromRaw(m.previewTrade(false, toRaw(q, QUOTE_UNIT)).out, TOKEN_UNIT);
    return expectedTokens * redeemValue - q * usdc > m.gasUsd(this.swapGas + f.callGas.redeem)
      ? { quote: q, redeemValue }
      : null;
  }

  private mintAndSell(m: Market, f: Facility, plan: { tokens: number }): ArbResult {
    const gasUsd = m.gasUsd(this.swapGas + f.callGas.mint);
    const minted = f.mint(m, plan.tokens);
    if (minted.tokensRaw === 0n) return { direction: null, profitUsd: 0 };
    const out = m.sellTokens(minted.tokensRaw);
    const profit = fromRaw(out, QUOTE_UNIT) * m.truth.USDC - minted.costUsd - gasUsd;
    this.profitUsd += profit;
    this.trades += 1;
    return { direction: "mint", profitUsd: profit };
  }

  private buyAndRedeem(m: Market, f: Facility, plan: { quote: number }): ArbResult {
    const usdc = m.truth.USDC;
    const gasUsd = m.gasUsd(this.swapGas + f.callGas.redeem);
    const qRaw = toRaw(plan.quote, QUOTE_UNIT);
    const bought = m.buyTokens(qRaw);
    const value = f.redeem(m, bought);
    if (value === 0) {
      // Refused at the facility: the arbitrageur sells the tokens back (a loss, as in life).
      const back = m.sellTokens(bought);
      const loss = fromRaw(back, QUOTE_UNIT) * usdc - plan.quote * usdc - gasUsd;
      this.profitUsd += loss;
      return { direction: null, profitUsd: loss };
    }
    const profit = value - plan.quote * usdc - gasUsd;
    this.profitUsd += profit;
    this.trades += 1;
    return { direction: "redeem", profitUsd: profit };
  }
}

/** Zero-mean noise trading plus the scenario's scheduled flows, applied to the pool. */
export function applyFlows(m: Market, s: Scenario, block: number, rng: Rng): void {
  for (const flow of s.flows) {
    if (block < flow.fromBlock || block > flow.toBlock) continue;
    tradeTokens(m, flow.sellTokensPerBlock);
  }
  const rate = s.agents.noiseTradesPerBlock;
  let n = Math.floor(rate) + (rng.next() < rate - Math.floor(rate) ? 1 : 0);
  while (n-- > 0) {
    const usd = s.agents.noiseTradeUsd * Math.abs(rng.normal());
    const sell = rng.next() < 0.5;
    tradeTokens(m, (sell ? 1 : -1) * (usd / Math.max(m.priceUsd(), 1e-6)));
  }
}

/** Sells `tokens` into the pool (negative: buys that many tokens' worth at the current price). */
export function tradeTokens(m: Market, tokens: number): void {
  if (tokens > 0) m.sellTokens(toRaw(tokens, TOKEN_UNIT));
  else if (tokens < 0) m.buyTokens(toRaw(-tokens * m.poolPrice(), QUOTE_UNIT));
}
