/**
 * The protocol-owned position in Ballast's books on the V3 venue: its LP fees (fee growth inside
 * its range, exact as the pool computes it) collected into the Reserve, its mark-to-market, and
 * both in the total cost; the references earn none of it (the same liquidity is a third party's).
 */
import { expect } from "chai";
import { mulDiv } from "../../keeper/src/policy";
import { buildMarket, runScenario, simConfigFor, warmUp } from "../../keeper/sim/engine";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "../../keeper/sim/market";
import { summarise } from "../../keeper/sim/metrics";
import { BallastPolicy, POL_COLLECT_GAS_MULTIPLE } from "../../keeper/sim/policies/ballast";
import { GAS_V3 } from "../../keeper/sim/venues/gasV3";
import { PolLedger, polAmountsUsd } from "../../keeper/sim/venues/polLedger";
import { type V3Pool } from "../../keeper/sim/venues/v3Pool";
import { scenario } from "../support/sim";

const Q128 = 1n << 128n;

function v3Market(): Market {
  const s = scenario();
  const m = buildMarket(s, simConfigFor("v3"), "v3");
  warmUp(m, s);
  return m;
}

/** Noise only, heavy enough that fees build up within a short run. */
const busy = (over: Record<string, unknown> = {}) =>
  scenario({
    blocks: 400,
    agents: {
      arbLatencyBlocks: 1,
      arbCapitalUsd: 2_000_000,
      arbGas: 108_000,
      noiseTradesPerBlock: 2,
      noiseTradeUsd: 20_000,
      keeperLatencyBlocks: 0,
    },
    ...over,
  });

describe("The protocol-owned position in Ballast's books (V3 venue)", function () {
  it("a swap inside the position's range owes it the pool's fee growth times its liquidity, to the wei; collecting zeroes it", function () {
    const m = v3Market();
    const pool = m.v3 as V3Pool;
    const ledger = new PolLedger(pool);
    const { owner, lower, upper } = pool.pol;
    const polLiquidity = pool.venue.positionLiquidity(owner, lower, upper);
    const t = pool.venue.swapExact(false, toRaw(50_000, QUOTE_UNIT));
    expect(t, "the purchase traded").to.not.equal(null);
    expect(t!.result.crossed, "stays inside the range: one fee growth for all of it").to.deep.equal([]);
    const fees = ledger.feesOwed();
    expect(fees.token).to.equal(0n);
    expect(fees.quote).to.equal(mulDiv(t!.result.feeGrowthDeltaX128, polLiquidity, Q128));
    // About its share of the in-range liquidity of the 1 bps fee on 50,000 USDC.
    const share = Number(polLiquidity) / Number(pool.venue.liquidity);
    expect(fromRaw(fees.quote, QUOTE_UNIT)).to.be.closeTo(5 * share, 0.01);
    expect(ledger.collect()).to.deep.equal(fees);
    expect(ledger.feesOwed()).to.deep.equal({ token: 0n, quote: 0n });
  });

  it("the mark-to-market counts the position's change at the peg: a sale it absorbs below $1 is a gain, the same value as its holdings say", function () {
    const m = v3Market();
    const pool = m.v3 as V3Pool;
    const ledger = new PolLedger(pool);
    m.sellTokens(toRaw(100_000, TOKEN_UNIT));
    const now = ledger.principal();
    expect(now.token).to.be.greaterThan(ledger.opening.token);
    expect(now.quote).to.be.lessThan(ledger.opening.quote);
    const expected =
      fromRaw(now.token - ledger.opening.token, TOKEN_UNIT) + fromRaw(now.quote - ledger.opening.quote, QUOTE_UNIT);
    expect(ledger.markToMarketUsd(m)).to.equal(expected);
    expect(expected, "bought tokens below the peg").to.be.greaterThan(0);
    // Back at the start price the position holds what it held (up to the pool's rounding): no gain is left.
    m.buyTokens(m.quoteToSpendForPrice(1n, 10n ** 12n));
    expect(Math.abs(ledger.markToMarketUsd(m))).to.be.below(0.01);
  });

  it("Ballast's keeper collects the fees into the Reserve once they are worth the collection's gas ×10, and its total cost nets the fees and the mark-to-market", function () {
    const s = busy({ gas: { baseGwei: 0.1 } });
    const r = runScenario(s, "ballast", { venue: "v3" });
    const p = r.policyState as BallastPolicy;
    expect(p.polCollections, "cheap gas, busy pool: several collections").to.be.greaterThan(1);
    const summary = summarise(r);
    expect(summary.lpFeesUsd).to.be.greaterThan(0);
    expect(summary.totalCostUsd).to.be.closeTo(
      p.stats.gasUsd + p.stats.subsidyUsd - p.stats.profitUsd - p.stats.lpFeesUsd - p.stats.polPnlUsd,
      0.01,
    );
    // The collections' gas is charged, each at least 1/10 of what it collected.
    const collectGasUsd = p.polCollections * GAS_V3.polCollectFees * 0.1e-9 * 3000;
    expect(collectGasUsd * POL_COLLECT_GAS_MULTIPLE).to.be.at.most(p.stats.lpFeesUsd);
    expect(p.stats.gas).to.be.at.least(p.polCollections * GAS_V3.polCollectFees);
  });

  it("a collection deposits the quote fees into the Reserve's idle USDC and burns the token fees", function () {
    const s = busy({ gas: { baseGwei: 0.1 } });
    const m = buildMarket(s, simConfigFor("v3"), "v3");
    warmUp(m, s);
    const p = new BallastPolicy(simConfigFor("v3"), { USDC: toRaw(4_500_000, QUOTE_UNIT), WETH: 0n }, m.now);
    p.onBlock({ m, scenario: s, keeperLatencyBlocks: 0, keeperUp: true }); // opens the books at the peg
    m.sellTokens(toRaw(400_000, TOKEN_UNIT));
    m.buyTokens(toRaw(400_000, QUOTE_UNIT));
    const pool = m.v3 as V3Pool;
    const { owner, lower, upper } = pool.pol;
    const owed = pool.venue.owed(owner, lower, upper);
    expect(polAmountsUsd(owed, m.truth.USDC)).to.be.greaterThan(
      POL_COLLECT_GAS_MULTIPLE * m.gasUsd(GAS_V3.polCollectFees),
    );
    const idle = p.reserve.idle.USDC;
    const supply = m.supply;
    m.advanceBlock();
    p.onBlock({ m, scenario: s, keeperLatencyBlocks: 0, keeperUp: true });
    expect(p.polCollections).to.equal(1);
    expect(p.stats.actions, "the collection, and no operation besides").to.equal(
      1 + Number(p.reserve.lastRefreshAt > 0n),
    );
    expect(p.reserve.idle.USDC - idle).to.equal(owed.quote);
    expect(supply - m.supply).to.equal(owed.token);
    expect(owed.token, "the sale paid its fee in tokens").to.be.greaterThan(0n);
    expect(pool.venue.owed(owner, lower, upper)).to.deep.equal({ token: 0n, quote: 0n });
  });

  it("the references earn nothing from the position (third-party liquidity to them), nor does `none`, the cost baseline without a keeper", function () {
    const s = busy();
    for (const policy of ["psm", "none"] as const) {
      const r = summarise(runScenario(s, policy, { venue: "v3" }));
      expect(r.lpFeesUsd, policy).to.equal(0);
      expect(r.polPnlUsd, policy).to.equal(0);
      expect(r.totalCostUsd, policy).to.equal(0);
    }
    expect(summarise(runScenario(s, "ballast", { venue: "v3" })).lpFeesUsd).to.be.greaterThan(0);
    // On the V2 pair there is no position: nothing booked.
    const v2 = summarise(runScenario(s, "ballast"));
    expect(v2.lpFeesUsd).to.equal(0);
    expect(v2.polPnlUsd).to.equal(0);
  });
});
