import { expect } from "chai";
import { Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, toRaw, wadToNumber } from "../../keeper/sim/market";
import {
  AMPLEFORTH_PARAMS,
  AMPLEFORTH_SIGMOID_PARAMS,
  AmpleforthPolicy,
  ampleforthSupplyChange,
  sigmoidRebasePercentage,
} from "../../keeper/sim/policies/ampleforth";
import { FraxPolicy } from "../../keeper/sim/policies/frax";
import { IdealPolicy } from "../../keeper/sim/policies/ideal";
import {
  ORACLE_CREDIT_SEC,
  ORACLE_USD_PER_BPS_DAY,
  OraclePolicy,
  correctionValueUsd,
} from "../../keeper/sim/policies/oracle";
import { PegKeeperPolicy, zapProfit } from "../../keeper/sim/policies/pegkeeper";
import { PsmPolicy } from "../../keeper/sim/policies/psm";
import { RAI_PARAMS, RaiPolicy } from "../../keeper/sim/policies/rai";
import { type StepContext, loadScenario, runScenario } from "../../keeper/sim";
import { Arbitrageurs } from "../../keeper/sim/agents";
import { GAS } from "../../keeper/sim/gas";
import { summarise } from "../../keeper/sim/metrics";
import { CONFIG, marketAt, scenario } from "../support/sim";

const ctx = (m: Market): StepContext => ({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true });
const tokens = (raw: bigint): number => fromRaw(raw, TOKEN_UNIT);

/** The pool's EMA and the aggregated price caught up with the market (the regulator's spam check passes). */
function settled(pk: PegKeeperPolicy, m: Market): PegKeeperPolicy {
  pk.emaPrice = m.poolPrice();
  pk.aggregatePrice = m.priceUsd();
  return pk;
}

describe("Reference policies follow their published rules (hand-computed cases)", function () {
  describe("Ampleforth, original policy: deviation / 10 outside a 5% band", function () {
    it("price 1.06 → supply +0.6%; 0.90 → −1%; 1.04 and 0.96 → no rebase", function () {
      expect(ampleforthSupplyChange(1.06, AMPLEFORTH_PARAMS)).to.be.closeTo(0.006, 1e-12);
      expect(ampleforthSupplyChange(0.9, AMPLEFORTH_PARAMS)).to.be.closeTo(-0.01, 1e-12);
      expect(ampleforthSupplyChange(1.04, AMPLEFORTH_PARAMS)).to.equal(0);
      expect(ampleforthSupplyChange(0.96, AMPLEFORTH_PARAMS)).to.equal(0);
    });

    it("rebases once a day and scales the pool's token balance by the same factor", function () {
      const m = marketAt(1_000_000, 1_100_000); // pool price 1.10
      const policy = new AmpleforthPolicy(Number(m.now), AMPLEFORTH_PARAMS);
      const supplyBefore = m.supply;
      const poolBefore = m.reserveToken;
      policy.onBlock(ctx(m)); // less than a day since start: nothing
      expect(m.supply).to.equal(supplyBefore);
      m.now += 86_400n;
      policy.onBlock(ctx(m));
      // 24 h average = 1.10 → +1%.
      expect(tokens(m.supply) / tokens(supplyBefore)).to.be.closeTo(1.01, 1e-9);
      expect(tokens(m.reserveToken) / tokens(poolBefore)).to.be.closeTo(1.01, 1e-9);
      expect(policy.stats.actions).to.equal(1);
    });
  });

  describe("Ampleforth, current policy: bounded sigmoid (+5% / −7.7%, growth 3) outside a 2.5% band", function () {
    it("is zero at the peg and inside the band, and matches the formula by hand at δ = +0.1", function () {
      expect(sigmoidRebasePercentage(0, 0.05, -0.077, 3)).to.be.closeTo(0, 1e-15);
      expect(ampleforthSupplyChange(1.02, AMPLEFORTH_SIGMOID_PARAMS)).to.equal(0);
      // 2^0.3 = 1.2311444; U/L = −0.6493506; 0.127 / (1 + 0.6493506 / 1.2311444) − 0.077 = 0.127 / 1.5274379 − 0.077 = 0.0061458
      expect(ampleforthSupplyChange(1.1, AMPLEFORTH_SIGMOID_PARAMS)).to.be.closeTo(0.0061458, 1e-6);
    });

    it("saturates at the upper and lower limits", function () {
      expect(sigmoidRebasePercentage(10, 0.05, -0.077, 3)).to.be.closeTo(0.05, 1e-6);
      expect(sigmoidRebasePercentage(-10, 0.05, -0.077, 3)).to.be.closeTo(-0.077, 1e-6);
    });
  });

  describe("crvUSD PegKeeper V2: one fifth of the imbalance, within the regulator's limits, its debt and its delay", function () {
    it("above peg deposits (USDC − tokens) / 5 single-sided and pays the caller 20% of the profit net of the zap fee", function () {
      const m = marketAt(900_000, 1_100_000);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m);
      pk.onBlock(ctx(m));
      expect(pk.debtTokens).to.be.closeTo(40_000, 1e-6);
      expect(tokens(m.reserveToken)).to.be.closeTo(940_000, 1e-6);
      expect(fromRaw(m.reserveQuote, QUOTE_UNIT)).to.be.closeTo(1_100_000, 1e-6);
      // 1.1M · 40k / 940k − 40k = 6,808.51; zap fee 0.3% of 20k tokens at 1.1M/900k = 73.33.
      expect(pk.stats.profitUsd).to.be.closeTo(6_808.511 - 73.333, 1e-3);
      expect(pk.stats.subsidyUsd).to.be.closeTo(0.2 * (6_808.511 - 73.333), 1e-3);
      expect(pk.stats.gas).to.equal(GAS.pegKeeperUpdate);
    });

    it("acts at most once per 15-minute action delay and never beyond its debt ceiling", function () {
      const m = marketAt(500_000, 1_500_000);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m); // ceiling 25% of supply = 1.25M
      pk.onBlock(ctx(m));
      const first = pk.debtTokens;
      // The regulator's first allowance is alpha² = 25% of the ceiling (312,500): a fifth (200k) fits.
      expect(first).to.be.closeTo(200_000, 1e-6);
      for (let i = 0; i < 74; i++) {
        m.advanceBlock();
        m.reserveToken = toRaw(500_000, TOKEN_UNIT);
        pk.onBlock(ctx(m));
      }
      expect(pk.debtTokens, "14 min 48 s later: still inside the delay").to.equal(first);
      for (let i = 0; i < 40; i++) {
        m.now += 900n;
        m.reserveToken = toRaw(500_000, TOKEN_UNIT); // keep the imbalance
        settled(pk, m).onBlock(ctx(m));
      }
      expect(pk.debtTokens).to.be.closeTo(1_250_000, 1e-6);
    });

    it("below peg withdraws only up to its debt; where the zap fee eats the gain the move is unprofitable", function () {
      const m = marketAt(1_100_000, 900_000);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m);
      expect(pk.preview(m)).to.equal("nothing-to-move"); // no debt to withdraw
      pk.debtTokens = 10_000;
      pk.onBlock(ctx(m));
      expect(pk.debtTokens).to.be.closeTo(0, 1e-6);
      expect(tokens(m.reserveToken)).to.be.closeTo(1_090_000, 1e-6);
      // +0.1%: a fifth is 200 tokens, worth 1.001M·200/1.0002M − 200 = 0.16 against a 0.30 zap fee.
      const quiet = marketAt(1_000_000, 1_001_000);
      const pk2 = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), quiet);
      expect(pk2.preview(quiet)).to.equal("peg-unprofitable");
      expect(zapProfit(1_000_000, 1_001_000, 200, 0.003)).to.be.closeTo(0.15997 - 0.3003, 1e-4);
      pk2.onBlock(ctx(quiet));
      expect(pk2.stats.actions).to.equal(0);
    });

    it("the regulator bans a move when spot is more than 0.0005 from the pool's EMA, or when this pool's coin is the dearest", function () {
      const m = marketAt(990_000, 1_010_000);
      const pk = new PegKeeperPolicy(12_500_000, 3000, 5_000_000);
      pk.emaPrice = 1; // spot 1.0202: coin per token 0.9802 vs EMA 1.0
      pk.aggregatePrice = 1;
      expect(pk.preview(m)).to.equal("regulator-ban");
      settled(pk, m);
      expect(pk.preview(m)).to.not.be.a("string");
      pk.aggregatePrice = 1.04; // other pools: coin per token 0.9615 < this pool's 0.9802 − 0.0003
      expect(pk.preview(m)).to.equal("regulator-ban");
      pk.aggregatePrice = 0.999; // the aggregated price is below 1: no providing
      expect(pk.preview(m)).to.equal("regulator-ban");
    });

    it("does not act when its caller's 20% share does not cover the gas, and does when gas is cheap", function () {
      // +1%: a fifth is 2,000 tokens, profit 1.01M·2000/1.002M − 2000 − 3.03 = 12.94, share 2.59.
      const m = marketAt(1_000_000, 1_010_000);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m);
      expect(m.gasUsd(GAS.pegKeeperUpdate)).to.be.closeTo(15, 1e-9); // 250k gas at 20 gwei, ETH $3,000
      pk.onBlock(ctx(m));
      expect(pk.stats.actions).to.equal(0);
      expect(pk.stats.gas).to.equal(0);
      expect(pk.blockers["share-below-gas"]).to.equal(1);
      m.gasGwei = 1; // $0.75 of gas
      m.advanceBlock();
      pk.onBlock(ctx(m));
      expect(pk.stats.actions).to.equal(1);
      expect(pk.stats.subsidyUsd).to.be.greaterThan(pk.stats.callerGasUsd);
      expect(pk.stats.gasUsd).to.equal(0); // the caller's gas is paid from its share, not counted twice
    });

    it("keeper latency delays its update to where it lands, re-sized there; a keeper outage sends nothing", function () {
      const m = marketAt(900_000, 1_100_000);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m);
      const late = { ...ctx(m), keeperLatencyBlocks: 3 };
      pk.onBlock(late);
      expect(pk.debtTokens).to.equal(0);
      for (let i = 0; i < 3; i++) {
        m.advanceBlock();
        m.reserveToken = toRaw(950_000, TOKEN_UNIT); // the market moved meanwhile
        settled(pk, m).onBlock(late);
      }
      expect(pk.debtTokens, "(1.1M − 950k) / 5, sized where it lands").to.be.closeTo(30_000, 1e-6);
      const down = marketAt(900_000, 1_100_000);
      const idle = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), down);
      idle.onBlock({ ...ctx(down), keeperUp: false });
      expect(idle.stats.actions + idle.stats.gas).to.equal(0);
    });

    it("a mempool searcher trades ahead of its update: spot leaves the EMA and the regulator's ban reverts it, gas paid", function () {
      const searcher = scenario({
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
      const m = marketAt(900_000, 1_100_000, searcher);
      const pk = settled(new PegKeeperPolicy(12_500_000, 3000, 5_000_000), m);
      const c = { m, scenario: searcher, keeperLatencyBlocks: 1, keeperUp: true };
      pk.onBlock(c);
      m.advanceBlock();
      pk.onBlock(c);
      expect(pk.queue.frontRuns).to.equal(1);
      expect(m.priceUsd()).to.be.closeTo(1 / 0.997, 1e-5);
      expect(pk.stats.failedTx).to.equal(1);
      expect(pk.stats.gas).to.equal(GAS.revertedTx);
      expect(pk.debtTokens).to.equal(0);
    });

    it("over a whole scenario its results now depend on keeper latency and outages", function () {
      const s = loadScenario("eth-crash");
      const rms = (latency: number, outages: [number, number][] = []): { rms: number; actions: number } => {
        const r = runScenario({ ...s, agents: { ...s.agents, keeperOutages: outages } }, "pegkeeper", {
          keeperLatencyBlocks: latency,
        });
        return { rms: summarise(r).rmsBps, actions: r.policyState.stats.actions };
      };
      const prompt = rms(0);
      expect(prompt.actions).to.be.greaterThan(0);
      expect(rms(300).rms).to.not.equal(prompt.rms);
      expect(rms(0, [[0, s.blocks]]).actions).to.equal(0);
    });
  });

  describe("Frax collateral-ratio step: 0.25% per hour outside ±0.5%", function () {
    it("steps CR down above 1.005 and up below 0.995, hourly, and holds inside the band", function () {
      const up = marketAt(1_000_000, 1_006_000);
      const frax = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      frax.onBlock(ctx(up));
      expect(frax.facility.cr).to.be.closeTo(0.8475, 1e-12);
      up.now += 1_800n;
      frax.onBlock(ctx(up)); // within the hour
      expect(frax.facility.cr).to.be.closeTo(0.8475, 1e-12);
      const down = marketAt(1_000_000, 994_000);
      const frax2 = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      frax2.onBlock(ctx(down));
      expect(frax2.facility.cr).to.be.closeTo(0.8525, 1e-12);
      const inside = marketAt(1_000_000, 1_004_000);
      const frax3 = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      frax3.onBlock(ctx(inside));
      expect(frax3.facility.cr).to.equal(0.85);
    });

    it("mints at CR dollars of USDC plus (1 − CR) of FXS, less the fee", function () {
      const m = marketAt(1_000_000, 1_000_000);
      const frax = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      // 0.85 × 1 + 0.15 × 1, over (1 − 0.3%).
      expect(frax.facility.mintCostUsd(m)).to.be.closeTo(1 / 0.997, 1e-9);
      expect(frax.facility.redeemValueUsd(m)).to.be.closeTo(0.9955, 1e-9);
    });
  });

  describe("Peg stability module: 1:1 with tin/tout, capped", function () {
    it("swaps 1 USDC for 1 token and back, whatever USDC's price, within the ceiling and its USDC", function () {
      const m = marketAt(1_000_000, 1_000_000);
      m.truth.USDC = 0.9;
      const psm = new PsmPolicy(toRaw(1_000, QUOTE_UNIT), 0n, 1_000, { tinBps: 0, toutBps: 0, ceilingMultiple: 1.5 });
      expect(psm.facility.mintCostUsd(m)).to.be.closeTo(0.9, 1e-12);
      expect(psm.facility.maxMintTokens()).to.be.closeTo(500, 1e-9); // ceiling 1,500 − 1,000 minted
      const minted = psm.facility.mint(m, 100);
      expect(tokens(minted.tokensRaw)).to.equal(100);
      expect(psm.facility.redeem(m, toRaw(50, TOKEN_UNIT))).to.be.closeTo(45, 1e-9); // 50 USDC at $0.90
      expect(fromRaw(psm.facility.usdcHeld, QUOTE_UNIT)).to.be.closeTo(1_050, 1e-9);
      expect(psm.facility.redeem(m, toRaw(5_000, TOKEN_UNIT))).to.equal(0); // more than it holds
    });
  });

  describe("RAI PI controller on the redemption rate", function () {
    it("sets r = Kp · (redemption − market) / redemption on its first update, and compounds the redemption price", function () {
      const m = marketAt(1_000_000, 990_000); // TWAP 0.99
      const rai = new RaiPolicy(12_500_000, 3000, 5_000_000);
      rai.onBlock(ctx(m));
      expect(rai.ratePerSec).to.be.closeTo(RAI_PARAMS.kp * 0.01, 1e-15);
      m.now += 12n;
      rai.onBlock(ctx(m)); // before the update delay: only compounding
      expect(rai.cdp.facility.anchorUsd).to.be.closeTo(Math.pow(1 + RAI_PARAMS.kp * 0.01, 12), 1e-12);
    });
  });

  describe("Each reference actor acts only when its own economics pay, and keepers obey latency and outages", function () {
    it("PSM arbitrageurs: no trade while the edge does not cover the pool fee and gas (one pool swap + one PSM swap); at 1 gwei the same edge pays", function () {
      // +0.6%: minting ~1.5k tokens to sell until 1/0.997 earns ~$2; gas 161k at 20 gwei, ETH $3,000 = $9.66.
      const m = marketAt(1_000_000, 1_006_000);
      const psm = new PsmPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5_000_000);
      expect(m.gasUsd(GAS.poolSwap + psm.facility.callGas.mint)).to.be.closeTo(9.66, 1e-9);
      const arbs = new Arbitrageurs(0, 1_000_000, GAS.poolSwap);
      arbs.run(m, psm.facility);
      expect(arbs.trades).to.equal(0);
      m.gasGwei = 1;
      arbs.run(m, psm.facility);
      expect(arbs.trades).to.equal(1);
      expect(arbs.profitUsd).to.be.greaterThan(0);
    });

    it("CDP borrowers (RAI, crvUSD): no borrow-and-sell inside their hurdle plus the pool fee and gas; beyond it they act", function () {
      const rai = new RaiPolicy(12_500_000, 3000, 5_000_000);
      const inside = marketAt(1_000_000, 1_004_000); // +0.4% < 0.25% hurdle + 0.3% fee
      const arbs = new Arbitrageurs(0, 1_000_000, GAS.poolSwap);
      arbs.run(inside, rai.facility);
      expect(arbs.trades).to.equal(0);
      const beyond = marketAt(1_000_000, 1_030_000);
      arbs.run(beyond, rai.facility);
      expect(arbs.trades).to.equal(1);
    });

    it("Frax: the protocol's keeper sends refreshCollateralRatio only when it would step the ratio; an outage sends nothing; with latency it lands later on the price then", function () {
      const inside = marketAt(1_000_000, 1_004_000);
      const frax = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      frax.onBlock(ctx(inside));
      expect(frax.stats.gas).to.equal(0);
      const up = marketAt(1_000_000, 1_006_000);
      const down = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      down.onBlock({ ...ctx(up), keeperUp: false });
      expect(down.facility.cr).to.equal(0.85);
      expect(down.stats.gas).to.equal(0);
      const late = new FraxPolicy(toRaw(4_500_000, QUOTE_UNIT), 0n, 5);
      const lateCtx = { ...ctx(up), keeperLatencyBlocks: 2 };
      late.onBlock(lateCtx);
      expect(late.facility.cr).to.equal(0.85);
      up.advanceBlock();
      late.onBlock(lateCtx);
      up.advanceBlock();
      late.onBlock(lateCtx);
      expect(late.facility.cr).to.be.closeTo(0.8475, 1e-12);
      expect(late.stats.gas).to.equal(GAS.fraxRefresh);
      expect(late.stats.subsidyUsd).to.equal(0); // Frax pays its caller nothing
    });

    it("Ampleforth: a keeper outage delays the daily rebase until the keeper is back", function () {
      const m = marketAt(1_000_000, 1_100_000);
      const policy = new AmpleforthPolicy(Number(m.now), AMPLEFORTH_PARAMS);
      m.now += 86_400n;
      policy.onBlock({ ...ctx(m), keeperUp: false });
      expect(policy.stats.actions).to.equal(0);
      m.advanceBlock();
      policy.onBlock({ ...ctx(m), keeperLatencyBlocks: 1 });
      expect(policy.stats.actions, "sent, not yet landed").to.equal(0);
      m.advanceBlock();
      policy.onBlock({ ...ctx(m), keeperLatencyBlocks: 1 });
      expect(policy.stats.actions).to.equal(1);
      expect(policy.stats.gas).to.equal(GAS.ampleforthRebase);
    });

    it("RAI: the treasury reimburses the rate setter's caller its gas; nothing is sent before the update delay or while the keeper is down", function () {
      const m = marketAt(1_000_000, 990_000);
      const rai = new RaiPolicy(12_500_000, 3000, 5_000_000);
      rai.onBlock({ ...ctx(m), keeperUp: false });
      expect(rai.stats.actions).to.equal(0);
      rai.onBlock(ctx(m));
      expect(rai.stats.actions).to.equal(1);
      expect(rai.stats.subsidyUsd).to.be.closeTo(rai.stats.callerGasUsd, 1e-9);
      expect(rai.stats.gasUsd).to.equal(0); // reimbursed: the cost is the subsidy, counted once
      m.now += 1_800n;
      rai.onBlock(ctx(m));
      expect(rai.stats.actions).to.equal(1);
      expect(rai.stats.gas).to.equal(GAS.raiUpdateRate);
    });
  });

  describe("The oracle bound: perfect information, zero latency, Ballast's caps, gas and fees paid", function () {
    const holdings = { USDC: toRaw(6_000_000, QUOTE_UNIT), WETH: 0n };

    it("declines a correction worth less than its gas net of trading P&L at the stated exchange rate", function () {
      const m = marketAt(1_000_000, 1_000_400); // +4 bps: worth 4 × $100 × 600/86,400 = $2.78 < ~$20 of gas
      const oracle = new OraclePolicy(CONFIG, holdings, m.now);
      expect(correctionValueUsd(4, 0)).to.be.closeTo((4 * ORACLE_USD_PER_BPS_DAY * ORACLE_CREDIT_SEC) / 86_400, 1e-12);
      oracle.onBlock(ctx(m));
      expect(oracle.stats.actions).to.equal(0);
      expect(oracle.declined).to.equal(1);
    });

    it("corrects a large deviation to the peg in the same block, keeper down or late, within the operator's per-operation cap", function () {
      const m = marketAt(1_030_000, 970_000); // ~−6%
      const oracle = new OraclePolicy(CONFIG, holdings, m.now);
      oracle.onBlock({ ...ctx(m), keeperUp: false, keeperLatencyBlocks: 10 });
      expect(oracle.stats.actions).to.equal(1);
      expect(m.priceUsd()).to.be.closeTo(1, 1e-6);
      expect(oracle.stats.gas).to.equal(GAS.ballastContract);
      const far = marketAt(1_500_000, 500_000); // needs far more than the 250k-USDC cap
      const capped = new OraclePolicy(CONFIG, holdings, far.now);
      capped.onBlock(ctx(far));
      expect(capped.stats.reserveSpentUsd).to.be.closeTo(250_000, 1e-6);
      expect(far.priceUsd()).to.be.lessThan(0.9);
    });
  });

  describe("Ideal (unconstrained, out of comparisons)", function () {
    it("trades the pool exactly back to $1 at the start of the block, both ways", function () {
      const below = marketAt(1_100_000, 900_000);
      const ideal = new IdealPolicy(CONFIG, { USDC: toRaw(4_500_000, QUOTE_UNIT), WETH: 0n });
      ideal.onBlock(ctx(below));
      expect(below.priceUsd()).to.be.closeTo(1, 1e-6);
      const above = marketAt(900_000, 1_100_000);
      ideal.onBlock(ctx(above));
      expect(above.priceUsd()).to.be.closeTo(1, 1e-6);
      expect(wadToNumber(above.marketPrice().spotWad)).to.be.closeTo(1, 1e-6);
    });
  });
});
