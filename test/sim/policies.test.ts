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
import { PegKeeperPolicy } from "../../keeper/sim/policies/pegkeeper";
import { PsmPolicy } from "../../keeper/sim/policies/psm";
import { RAI_PARAMS, RaiPolicy } from "../../keeper/sim/policies/rai";
import type { StepContext } from "../../keeper/sim";
import { CONFIG, marketAt, scenario } from "./helpers";

const ctx = (m: Market): StepContext => ({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true });
const tokens = (raw: bigint): number => fromRaw(raw, TOKEN_UNIT);

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

  describe("crvUSD PegKeeper: one fifth of the imbalance, beyond the fee, within ceiling and debt", function () {
    it("above peg deposits (USDC − tokens) / 5 single-sided", function () {
      const m = marketAt(900_000, 1_100_000);
      const pk = new PegKeeperPolicy(12_500_000, 3000, 5_000_000);
      pk.onBlock(ctx(m));
      expect(pk.debtTokens).to.be.closeTo(40_000, 1e-6);
      expect(tokens(m.reserveToken)).to.be.closeTo(940_000, 1e-6);
      expect(fromRaw(m.reserveQuote, QUOTE_UNIT)).to.be.closeTo(1_100_000, 1e-6);
    });

    it("acts at most once per action delay (1 block) and never beyond its debt ceiling", function () {
      const m = marketAt(500_000, 1_500_000);
      const pk = new PegKeeperPolicy(12_500_000, 3000, 5_000_000); // ceiling 25% of supply = 1.25M
      pk.onBlock(ctx(m));
      const first = pk.debtTokens;
      expect(first).to.be.closeTo(200_000, 1e-6);
      pk.onBlock(ctx(m)); // same block
      expect(pk.debtTokens).to.equal(first);
      for (let i = 0; i < 40; i++) {
        m.advanceBlock();
        m.reserveToken = toRaw(500_000, TOKEN_UNIT); // keep the imbalance
        pk.onBlock(ctx(m));
      }
      expect(pk.debtTokens).to.be.closeTo(1_250_000, 1e-6);
    });

    it("below peg withdraws only up to its debt; inside the fee it stands still", function () {
      const m = marketAt(1_100_000, 900_000);
      const pk = new PegKeeperPolicy(12_500_000, 3000, 5_000_000);
      pk.onBlock(ctx(m));
      expect(pk.debtTokens).to.equal(0); // nothing to withdraw
      pk.debtTokens = 10_000;
      m.advanceBlock();
      pk.onBlock(ctx(m));
      expect(pk.debtTokens).to.be.closeTo(0, 1e-6);
      expect(tokens(m.reserveToken)).to.be.closeTo(1_090_000, 1e-6);
      const quiet = marketAt(1_000_000, 1_002_000); // +0.2%, inside the 0.3% fee
      const pk2 = new PegKeeperPolicy(12_500_000, 3000, 5_000_000);
      pk2.onBlock(ctx(quiet));
      expect(pk2.stats.actions).to.equal(0);
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

  describe("Ideal bound", function () {
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
