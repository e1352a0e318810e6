import { expect } from "chai";
import { Action, executeOperation, previewOperation } from "../../keeper/src/policy";
import { MIN_SQRT_RATIO, quotePerTokenWad, swap } from "../../keeper/src/policy/v3";
import { Arbitrageurs, applyFlows, rawPriceFraction } from "../../keeper/sim/agents";
import { buildMarket, runScenario, simConfigFor, warmUp } from "../../keeper/sim/engine";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, toRaw } from "../../keeper/sim/market";
import { BallastPolicy, operationSwap, operatorStateOf } from "../../keeper/sim/policies/ballast";
import { Rng } from "../../keeper/sim/rng";
import { V3Pool } from "../../keeper/sim/venues/v3Pool";
import { aggregate } from "../../keeper/sim/aggregate";
import { parseVenues } from "../../keeper/sim/inputs";
import { runTask } from "../../keeper/sim/montecarlo";
import { scenario } from "../support/sim";

const V3_CONFIG = simConfigFor("v3");
// 6M USDC against 5M supply: ratio ~1.19, above the target, so the ratio bound does not block.
const holdings = { USDC: toRaw(6_000_000, QUOTE_UNIT), WETH: 0n };

/** A V3 market warmed at the peg. */
function v3Market(s = scenario()): Market {
  const m = buildMarket(s, V3_CONFIG, "v3");
  warmUp(m, s);
  return m;
}

/** Moves the V3 pool's price to `priceUsd` and lets one TWAP window pass there (spot and TWAP agree). */
function holdAt(m: Market, priceUsd: number): void {
  const { num, den } = rawPriceFraction(priceUsd);
  if (priceUsd < m.poolPrice()) m.sellTokens(m.tokensToSellForPrice(num, den));
  else m.buyTokens(m.quoteToSpendForPrice(num, den));
  const blocks = Math.ceil(m.oracle.twapWindowSec / m.blockTimeSec) + 1;
  for (let i = 0; i < blocks; i++) {
    m.advanceBlock();
    m.updateFeeds();
  }
}

const deviationBps = (m: Market): number => (m.priceUsd() - 1) * 10_000;

describe("The engine on the V3 venue: the pool in integers, the keeper's own V3 sizing", function () {
  it("builds the V3 deployment: protocol-owned liquidity in ±polRangeBps at the peg, the LPs' spread around it", function () {
    const m = v3Market();
    expect(m.venue).to.equal("v3");
    const pool = m.v3 as V3Pool;
    expect(pool.pol.upper - pool.pol.lower).to.equal(2 * pool.params.polRangeBps);
    expect(pool.venue.tick).to.be.at.least(pool.pol.lower).and.below(pool.pol.upper);
    expect(m.feeKeep).to.equal(1 - pool.params.feePips / 1e6);
    expect(Math.abs(deviationBps(m))).to.be.below(0.01);
    // The oracle is the pool's observe(): the TWAP is there without anyone writing observations.
    expect(m.recordObservation()).to.equal(false);
    const mp = m.marketPrice();
    expect(mp.ok).to.equal(true);
    expect(m.twapSpan().spanSec).to.equal(BigInt(m.oracle.twapWindowSec));
  });

  it("agents trade through the V3 pool: a sale moves the price exactly as the keeper's swap mirror says", function () {
    const m = v3Market();
    const pool = m.v3 as V3Pool;
    const before = pool.venue.state();
    const tokens = toRaw(800_000, TOKEN_UNIT);
    const predicted = swap({ ...before, ticks: new Map(before.ticks) }, true, tokens, MIN_SQRT_RATIO + 1n);
    const out = m.sellTokens(tokens);
    expect(out).to.equal(-predicted.amount1);
    expect(pool.venue.sqrtPriceX96).to.equal(predicted.sqrtPriceX96);
    expect(m.poolPrice()).to.equal(
      Number(quotePerTokenWad(predicted.sqrtPriceX96, true, TOKEN_UNIT, QUOTE_UNIT)) / 1e18,
    );
    expect(
      predicted.crossed.length,
      "most of the pool's quote side: the sale crosses the protocol position's lower tick",
    ).to.be.greaterThan(0);
    // The scenario's noise flow trades the same pool.
    const s = scenario({
      agents: {
        arbLatencyBlocks: 0,
        arbCapitalUsd: 2_000_000,
        arbGas: 108_000,
        noiseTradesPerBlock: 3,
        noiseTradeUsd: 5_000,
        keeperLatencyBlocks: 0,
      },
    });
    const price = m.poolPrice();
    applyFlows(m, s, 0, new Rng(3));
    expect(m.poolPrice()).to.not.equal(price);
  });

  it("arbitrageurs redeem through the Reserve and buy on the V3 pool until the pool's price meets the redemption value", function () {
    const m = v3Market();
    const pool = m.v3 as V3Pool;
    m.sellTokens(toRaw(800_000, TOKEN_UNIT));
    const low = deviationBps(m);
    expect(low).to.be.below(-20);
    const ballast = new BallastPolicy(V3_CONFIG, holdings, m.now, false);
    const arbs = new Arbitrageurs(0, 2_000_000, 108_000);
    const sqrtBefore = pool.venue.sqrtPriceX96;
    const r = arbs.run(m, ballast.facility);
    expect(r.direction).to.equal("redeem");
    expect(pool.venue.sqrtPriceX96).to.be.greaterThan(sqrtBefore);
    // They stop where buying one more token pays no more than it redeems for (5 bps fee, 1 bps pool fee).
    expect(deviationBps(m)).to.be.within(-8, 0);
  });

  it("Ballast on V3: the operation the keeper previews is the swap the pool executes, to the wei, toward the peg and never past it", function () {
    for (const price of [0.9965, 1.0035]) {
      const m = v3Market();
      holdAt(m, price);
      const ballast = new BallastPolicy(V3_CONFIG, holdings, m.now);
      const state = operatorStateOf(m, ballast.reserve, ballast.book);
      expect(state.v3, "the snapshot carries the pool").to.not.equal(undefined);
      const preview = previewOperation(state);
      const expand = price > 1;
      expect(preview.action).to.equal(expand ? Action.Expand : Action.Contract);
      const outcome = executeOperation(state, preview.action as Action.Expand | Action.Contract, preview.amount, null);
      if (!outcome.ok) throw new Error(`the operation reverts: ${outcome.revert}`);
      expect(outcome.amountIn).to.equal(preview.amount);
      const traded = operationSwap(m, state, expand, outcome);
      expect(traded.amountIn, `${price}: in`).to.equal(outcome.amountIn);
      expect(traded.amountOut, `${price}: out`).to.equal(outcome.amountOut);
      // The per-operation cap binds at this depth (the pool holds ~$24k per bps near the peg): the
      // operation moves the price part of the way, never past the peg.
      const after = deviationBps(m);
      expect(Math.abs(after), `${price}: toward the peg`).to.be.below(Math.abs((price - 1) * 10_000) - 5);
      expect(Math.sign(after), `${price}: not past it`).to.equal(Math.sign(price - 1));
    }
  });

  it("Ballast on V3: an operation the cap does not bind lands on the peg exactly (the pool stops at the sqrt price limit)", function () {
    // A shallower pool (a tenth of the LPs' capital) so the capped operation reaches the peg.
    const s = scenario({
      initial: { poolToken: 100_000, poolQuote: 100_000, supply: 5_000_000, reserveUsdc: 4_500_000, reserveWeth: 1000 },
    });
    for (const price of [0.996, 1.004]) {
      const m = v3Market(s);
      holdAt(m, price);
      const ballast = new BallastPolicy(V3_CONFIG, holdings, m.now);
      const state = operatorStateOf(m, ballast.reserve, ballast.book);
      const preview = previewOperation(state);
      const outcome = executeOperation(state, preview.action as Action.Expand | Action.Contract, preview.amount, null);
      if (!outcome.ok) throw new Error(`the operation reverts: ${outcome.revert}`);
      const traded = operationSwap(m, state, price > 1, outcome);
      expect(traded.amountOut).to.equal(outcome.amountOut);
      expect(Math.abs(deviationBps(m)), `${price}: lands on the peg`).to.be.below(0.01);
    }
  });

  it("Ballast's keeper on V3 writes no observations and acts through decide(): a 40 bps discount is closed in one operation", function () {
    const m = v3Market(
      scenario({
        initial: {
          poolToken: 100_000,
          poolQuote: 100_000,
          supply: 5_000_000,
          reserveUsdc: 4_500_000,
          reserveWeth: 1000,
        },
      }),
    );
    const atPeg = m.marketPrice().twapWad;
    const { num, den } = rawPriceFraction(0.996);
    m.sellTokens(m.tokensToSellForPrice(num, den));
    // The pool's own observe() TWAP lags the move, then follows it over the window with nobody writing observations.
    expect(m.marketPrice().twapWad, "no time at the new price yet").to.equal(atPeg);
    holdAt(m, 0.996);
    const mp = m.marketPrice();
    expect(mp.ok).to.equal(true);
    expect(mp.twapWad).to.be.lessThan(atPeg);
    expect(Number(mp.spotWad - mp.twapWad) / 1e18).to.be.within(-1.5e-4, 1.5e-4);
    const ballast = new BallastPolicy(V3_CONFIG, holdings, m.now);
    const supply = m.supply;
    ballast.onBlock({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true });
    expect(ballast.observationsWritten).to.equal(0);
    expect(m.supply).to.be.lessThan(supply);
    expect(Math.abs(deviationBps(m))).to.be.below(0.01);
    expect(ballast.stats.gas).to.be.greaterThan(0);
  });

  it("a short selloff on V3: Ballast brings the price back inside its band within a few blocks and holds it there", function () {
    const band = V3_CONFIG.operator.bandBps;
    const s = scenario({
      blocks: 300,
      flows: [{ fromBlock: 50, toBlock: 50, sellTokensPerBlock: 500_000 }],
      agents: {
        arbLatencyBlocks: 3,
        arbCapitalUsd: 2_000_000,
        arbGas: 108_000,
        noiseTradesPerBlock: 0.3,
        noiseTradeUsd: 500,
        keeperLatencyBlocks: 0,
      },
    });
    const ballast = runScenario(s, "ballast", { venue: "v3" });
    const none = runScenario(s, "none", { venue: "v3" });
    const dev = (r: typeof ballast) => r.samples.map((x) => x.deviationBps);
    const outsideBand = (r: typeof ballast) => dev(r).filter((d) => Math.abs(d) > Number(band)).length;
    expect(Math.min(...dev(none)), "the selloff pushes the price below the band").to.be.below(-Number(band));
    expect(outsideBand(ballast)).to.be.lessThan(outsideBand(none));
    expect(outsideBand(ballast), "blocks outside the band").to.be.at.most(12);
    for (const d of dev(ballast).slice(100)) expect(Math.abs(d)).to.be.at.most(Number(band));
    expect((ballast.policyState as BallastPolicy).stats.actions).to.be.greaterThan(0);
  });

  it("a V3 run is deterministic and differs from the same scenario on the V2 pair", function () {
    const s = scenario({
      blocks: 200,
      agents: {
        arbLatencyBlocks: 1,
        arbCapitalUsd: 2_000_000,
        arbGas: 108_000,
        noiseTradesPerBlock: 1,
        noiseTradeUsd: 20_000,
        keeperLatencyBlocks: 0,
      },
    });
    const a = runScenario(s, "ballast", { venue: "v3" });
    const b = runScenario(s, "ballast", { venue: "v3" });
    expect(a.venue).to.equal("v3");
    expect(a.samples).to.deep.equal(b.samples);
    const v2 = runScenario(s, "ballast");
    expect(v2.venue).to.equal("v2");
    expect(v2.samples.map((x) => x.priceUsd)).to.not.deep.equal(a.samples.map((x) => x.priceUsd));
  });

  it("--venue takes v2, v3 or both and names itself on anything else; Monte Carlo rows of the two venues stay apart", function () {
    expect(parseVenues("both")).to.deep.equal(["v2", "v3"]);
    expect(parseVenues("v3")).to.deep.equal(["v3"]);
    expect(() => parseVenues("v4")).to.throw(/--venue: must be one of v2, v3 or both, got "v4"/);
    const s = scenario({
      blocks: 60,
      agents: {
        arbLatencyBlocks: 1,
        arbCapitalUsd: 2_000_000,
        arbGas: 108_000,
        noiseTradesPerBlock: 1,
        noiseTradeUsd: 20_000,
        keeperLatencyBlocks: 0,
      },
    });
    const results = (["v2", "v3"] as const).flatMap((venue, i) => [
      runTask({ id: i, scenario: s, policy: "psm", seedIndex: 0, keepTrace: false, venue }),
    ]);
    const rows = aggregate(results);
    expect(rows.map((r) => r.venue)).to.deep.equal(["v2", "v3"]);
    expect(rows[0].mean.rmsBps).to.not.equal(rows[1].mean.rmsBps);
  });
});
