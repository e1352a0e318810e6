import { expect } from "chai";
import {
  buildMarket,
  loadScenario,
  runScenario,
  summarise,
  warmUp,
  type PolicyName,
  type Scenario,
  type StepContext,
} from "../../keeper/sim";
import { Arbitrageurs } from "../../keeper/sim/agents";
import { CdpFacility, PsmFacility } from "../../keeper/sim/facilities";
import { GAS } from "../../keeper/sim/gas";
import { QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw } from "../../keeper/sim/market";
import { BallastPolicy } from "../../keeper/sim/policies/ballast";
import { LpWithdrawals, ReflexiveHolders, frontRun } from "../../keeper/sim/stressAgents";
import { CONFIG, marketAt, scenario } from "../support/sim";

const tokens = (raw: bigint): number => fromRaw(raw, TOKEN_UNIT);
const psm = (): PsmFacility => new PsmFacility(toRaw(4_500_000, QUOTE_UNIT), 7_500_000, 0, 0);

describe("Market agents: competing arbitrageurs and the scenario's stress actors", function () {
  describe("competing arbitrageurs", function () {
    it("the fastest acts first within its capital, the next one takes what is left, and each pays a pool swap plus the facility call", function () {
      const m = marketAt(1_000_000, 1_020_000); // +2%
      const f = psm();
      const arbs = new Arbitrageurs(0, 5_000, GAS.poolSwap, [{ latencyBlocks: 0, capitalUsd: 1_000_000 }]);
      const supplyBefore = tokens(m.supply);
      arbs.run(m, f);
      const [first, second] = arbs.profitsUsd;
      expect(arbs.trades).to.equal(2);
      // The first is capped at $5k of minting; the second mints the rest of the way to 1/0.997.
      // The fastest takes the best slice (furthest from the peg); the next still clears its gas.
      expect(second).to.be.greaterThan(0);
      expect(first).to.be.greaterThan(second);
      expect(m.priceUsd()).to.be.closeTo(1 / 0.997, 1e-5);
      expect(tokens(m.supply) - supplyBefore).to.be.greaterThan(5_000);
      // Alone, the small arbitrageur moves the price by $5k only.
      const alone = marketAt(1_000_000, 1_020_000);
      new Arbitrageurs(0, 5_000, GAS.poolSwap).run(alone, psm());
      expect(alone.priceUsd()).to.be.greaterThan(1.009); // ~5k tokens into a 1M pool: about −1%
    });

    it("a slower competitor acts only once the opportunity has outlived its latency", function () {
      const m = marketAt(1_000_000, 1_020_000);
      const arbs = new Arbitrageurs(3, 1_000_000, GAS.poolSwap, [{ latencyBlocks: 1, capitalUsd: 1_000 }]);
      const f = psm();
      arbs.run(m, f);
      expect(arbs.trades).to.equal(0);
      arbs.run(m, f);
      expect(arbs.trades, "the 1-block competitor").to.equal(1);
      expect(arbs.profitsUsd[1]).to.equal(0); // the 3-block one has not moved yet
    });
  });

  describe("reflexive holders (a run)", function () {
    const cfg = { tokens: 1_000_000, thresholdBps: 30, fractionPerBpsPerBlock: 0.00001 };

    it("stay calm inside their threshold; beyond it a share proportional to the depeg exits, redeemed where any holder can redeem", function () {
      const calm = marketAt(1_000_000, 998_000); // −20 bps
      const h = new ReflexiveHolders(cfg);
      h.run(calm, psm());
      expect(h.held).to.equal(1_000_000);
      const m = marketAt(1_000_000, 990_000); // −100 bps: 70 beyond, 0.07% of 1M = 700 tokens
      const supplyBefore = tokens(m.supply);
      const poolBefore = m.reserveToken;
      h.run(m, psm());
      expect(h.redeemedTokens).to.be.closeTo(700, 1e-6);
      expect(supplyBefore - tokens(m.supply)).to.be.closeTo(700, 1e-6);
      expect(m.reserveToken).to.equal(poolBefore);
    });

    it("sell into the pool where only borrowers can repay (a CDP)", function () {
      const m = marketAt(1_000_000, 990_000);
      const h = new ReflexiveHolders(cfg);
      const poolBefore = tokens(m.reserveToken);
      h.run(m, new CdpFacility(10_000, 5_000_000, 1.5, 25));
      expect(h.soldTokens).to.be.closeTo(700, 1e-6);
      expect(tokens(m.reserveToken) - poolBefore).to.be.closeTo(700, 1e-6);
    });
  });

  describe("liquidity providers who leave as the depeg grows", function () {
    it("withdraw fractionPerBpsPerBlock × bps beyond the threshold of the pool, never more than maxFraction in all", function () {
      const m = marketAt(1_000_000, 980_000); // ~−200 bps
      const lps = new LpWithdrawals({ thresholdBps: 50, fractionPerBpsPerBlock: 0.0001, maxFraction: 0.3 });
      const depeg = -(m.priceUsd() - 1) * 10_000;
      lps.run(m);
      expect(tokens(m.reserveToken)).to.be.closeTo(1_000_000 * (1 - 0.0001 * (depeg - 50)), 1);
      for (let i = 0; i < 50; i++) lps.run(m);
      expect(tokens(m.reserveToken)).to.be.closeTo(700_000, 1);
      expect(lps.remaining).to.be.closeTo(0.7, 1e-9);
    });
  });

  describe("a front-running searcher", function () {
    const s = scenario({
      agents: {
        arbLatencyBlocks: 1,
        arbCapitalUsd: 1_000_000,
        arbGas: 108_000,
        noiseTradesPerBlock: 0,
        noiseTradeUsd: 0,
        keeperLatencyBlocks: 1,
        frontRunner: { capitalUsd: 1_000_000 },
      },
    });

    it("sells toward the peg ahead of a keeper's sale (buys ahead of a purchase) as far as it pays, and not at all inside the fee", function () {
      const above = marketAt(1_000_000, 1_020_000, s);
      const f = frontRun(above, s, "sell");
      expect(f?.profitUsd).to.be.greaterThan(0);
      expect(above.priceUsd()).to.be.closeTo(1 / 0.997, 1e-5);
      const below = marketAt(1_020_000, 1_000_000, s);
      expect(frontRun(below, s, "buy")?.profitUsd).to.be.greaterThan(0);
      expect(below.priceUsd()).to.be.closeTo(0.997, 1e-5);
      const inside = marketAt(1_000_000, 1_002_000, s);
      expect(frontRun(inside, s, "sell")).to.equal(null);
      expect(frontRun(inside, scenario(), "sell"), "no searcher in the scenario").to.equal(null);
    });

    it("makes Ballast's pending contraction revert on its slippage limit (gas paid), where without it the operation lands", function () {
      const holdings = { USDC: toRaw(6_000_000, QUOTE_UNIT), WETH: 0n };
      const outcome = (sc: typeof s): { actions: number; failed: number } => {
        const m = marketAt(1_030_000, 970_000, sc);
        const ballast = new BallastPolicy(CONFIG, holdings, m.now);
        const ctx: StepContext = { m, scenario: sc, keeperLatencyBlocks: 1, keeperUp: true };
        ballast.onBlock(ctx);
        m.advanceBlock();
        m.recordObservation();
        ballast.onBlock(ctx);
        return { actions: ballast.stats.actions, failed: ballast.stats.failedTx };
      };
      const plain = outcome(scenario({ agents: { ...s.agents, frontRunner: undefined } }));
      const raced = outcome(s);
      // Both count the CollateralPolicy refresh of the first block as an action.
      expect(plain.failed).to.equal(0);
      expect(raced.failed).to.equal(1);
      expect(raced.actions).to.equal(plain.actions - 1);
    });
  });

  describe("oracle latency jitter", function () {
    it("a due answer lands 0…jitterBlocks blocks later with the value seen when it fell due; the same seed draws the same delays", function () {
      const landings = (seed: number, jitterBlocks: number): number[] => {
        const sc = scenario({
          seed,
          feeds: {
            USDC: { deviationBps: 25, heartbeatSec: 86_400, jitterBlocks },
            WETH: { deviationBps: 50, heartbeatSec: 3600 },
          },
        });
        const m = buildMarket(sc, CONFIG);
        warmUp(m, sc);
        const out: number[] = [];
        for (let move = 0; move < 6; move++) {
          m.truth.USDC = move % 2 === 0 ? 0.99 : 1;
          const due = m.block;
          const seen = m.truth.USDC;
          for (let i = 0; i <= jitterBlocks + 1; i++) {
            m.updateFeeds();
            if (Number(m.feeds.USDC.answer) / 1e8 === seen) break;
            m.advanceBlock();
            m.truth.USDC = seen === 1 ? 0.995 : 0.995; // moves again meanwhile: the in-flight answer keeps its value
          }
          expect(Number(m.feeds.USDC.answer) / 1e8).to.equal(seen);
          out.push(m.block - due);
          m.advanceBlock();
        }
        return out;
      };
      const delays = landings(7, 10);
      expect(delays.every((d) => d >= 0 && d <= 10)).to.equal(true);
      expect(new Set(delays).size, "the delays vary").to.be.greaterThan(1);
      expect(landings(7, 10)).to.deep.equal(delays);
      expect(landings(7, 0)).to.deep.equal([0, 0, 0, 0, 0, 0]);
    });
  });

  describe("the stress scenarios", function () {
    this.timeout(60_000);

    const without = (s: Scenario, key: keyof Scenario["agents"]): Scenario => ({
      ...s,
      agents: { ...s.agents, [key]: key === "arbitrageurs" ? [] : undefined },
    });
    const result = (s: Scenario, p: PolicyName) => {
      const r = runScenario(s, p);
      return { ...summarise(r), supply: r.samples[r.samples.length - 1].supply };
    };

    it("each stress actor changes the run it is in (the same scenario without it differs)", function () {
      const lp = loadScenario("lp-flight");
      expect(result(lp, "none").rmsBps).to.be.greaterThan(result(without(lp, "lpWithdrawal"), "none").rmsBps);
      const run = loadScenario("holder-run");
      // Holders of a CDP coin cannot redeem: they sell, and the depeg deepens.
      expect(result(run, "pegkeeper").rmsBps).to.be.greaterThan(
        result(without(run, "reflexiveHolders"), "pegkeeper").rmsBps,
      );
      // Holders of a redeemable coin redeem: supply shrinks.
      expect(result(run, "psm").supply).to.be.lessThan(result(without(run, "reflexiveHolders"), "psm").supply);
      // Competitors add capital while the selling lasts: the peg is tighter over the flow. (After
      // it, the run is a noise walk inside the no-arbitrage band that either side may end higher
      // in, seed by seed, so the whole run's RMS does not measure the competitors.)
      const arbs = loadScenario("competing-arbs");
      const flowRmsBps = (s: Scenario): number => {
        const { fromBlock, toBlock } = s.flows[0];
        const d = runScenario(s, "none")
          .samples.filter((x) => x.block >= fromBlock && x.block <= toBlock)
          .map((x) => x.deviationBps);
        return Math.sqrt(d.reduce((sum, v) => sum + v * v, 0) / d.length);
      };
      expect(flowRmsBps(arbs)).to.be.lessThan(flowRmsBps(without(arbs, "arbitrageurs")));
      const fr = loadScenario("front-run");
      // Price-bounded operations shrink under a front-run instead of reverting, so the failed count
      // need not move; the run itself must.
      expect(result(fr, "ballast")).to.not.deep.equal(result(without(fr, "frontRunner"), "ballast"));
      const jit = loadScenario("oracle-jitter");
      const prompt = {
        ...jit,
        feeds: { USDC: { ...jit.feeds.USDC, jitterBlocks: 0 }, WETH: { ...jit.feeds.WETH, jitterBlocks: 0 } },
      };
      expect(result(jit, "ballast").rmsBps).to.not.equal(result(prompt, "ballast").rmsBps);
    });
  });
});
