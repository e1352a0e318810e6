/**
 * The protocol's rules 1, 2, 3, 6 and 7 (docs/design.md) as the MarketOperator enforces them, on the full fixture (the
 * real Uniswap V2 pair, Chainlink MockV3Aggregator feeds). Each test is named after the outcome and
 * the invariant it checks (docs/invariants.md), and fails if the rule's check is removed.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import {
  deploySystemFixture,
  equityWad,
  passTime,
  poolPrice,
  pushSpotTo,
  settleAt,
  WAD,
  type Fixture,
  limitsOf,
} from "../../support/system";
import { setBufferBps } from "../../support/reserveConfig";

const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n };
const Blocker = {
  Paused: 1n,
  OracleInvalid: 2n,
  SpotTwapDivergence: 3n,
  InsideBand: 4n,
  CapReached: 6n,
  RatioLimit: 7n,
  NoLiquidity: 8n,
  Unprofitable: 9n,
};
const ONE_BPS_WAD = WAD / 10_000n;
const price = (s: string) => parseUnits(s, 18);

async function solvencySnapshot(f: Fixture) {
  return { ratio: await f.reserve.collateralRatio(), target: await f.policy.targetRatio(), equity: await equityWad(f) };
}

describe("MarketOperator rules (docs/design.md)", function () {
  describe("rule 1: trades only toward the peg", function () {
    it("expandSupply and contractSupply revert PriceInsideBand while the pool sits at the peg [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
    });

    it("expansion needs the TWAP above the peg: spot above the band with the TWAP below the peg reverts PriceInsideBand [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("0.997")); // inside the band: the TWAP settles under the peg
      await pushSpotTo(f, price("1.012")); // band 50 bps; within the 300 bps spot/TWAP guard
      const [spot, twap] = await f.oracle.marketPrice();
      expect(spot).to.be.gt(price("1.005"));
      expect(twap).to.be.lt(WAD);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "PriceInsideBand")
        .withArgs(
          (s: bigint) => s > price("1.005"),
          (t: bigint) => t < WAD,
          50n,
        );
    });

    it("the band is tested on spot: spot above the band with the TWAP above the peg but inside the band expands to the peg [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.002")); // TWAP inside the 50 bps band, above the peg
      await pushSpotTo(f, price("1.012"));
      const [, twap] = await f.oracle.marketPrice();
      expect(twap).to.be.gt(WAD).and.lt(price("1.005"));
      expect((await f.operator.preview()).action).to.equal(Action.Expand);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyExpanded");
      expect(await poolPrice(f))
        .to.be.gte(WAD)
        .and.lt(WAD + ONE_BPS_WAD);
    });

    it("contraction mirrors it: spot under the band with the TWAP under the peg but inside the band contracts to the peg [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("0.998"));
      await pushSpotTo(f, price("0.988"));
      expect((await f.operator.preview()).action).to.equal(Action.Contract);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyContracted");
      expect(await poolPrice(f))
        .to.be.lte(WAD)
        .and.gt(WAD - ONE_BPS_WAD);
    });

    it("contraction is refused above the peg and expansion below it (wrong side reverts PriceInsideBand) [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.03"));
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
      await settleAt(f, price("0.97"));
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
    });

    for (const start of ["1.01", "1.03", "1.08", "1.2"]) {
      it(`expansion from ${start} lands the spot on the peg from above, never below it (within 1 bps) [INV-5]`, async function () {
        const f = await loadFixture(deploySystemFixture);
        await settleAt(f, price(start));
        await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
        const after = await poolPrice(f);
        expect(after).to.be.gte(WAD);
        expect(after).to.be.lt(WAD + ONE_BPS_WAD);
      });
    }

    for (const start of ["0.99", "0.97", "0.9", "0.8"]) {
      it(`contraction from ${start} lands the spot on the peg from below, never above it (within 1 bps) [INV-5]`, async function () {
        const f = await loadFixture(deploySystemFixture);
        await settleAt(f, price(start));
        await f.operator.connect(f.keeper).contractSupply(MaxUint256, 0);
        const after = await poolPrice(f);
        expect(after).to.be.lte(WAD);
        expect(after).to.be.gt(WAD - ONE_BPS_WAD);
      });
    }
    it("over 16 seeded pool states and per-op caps, no expansion or contraction ever crosses the peg; uncapped ones land within 1 bps [INV-5]", async function () {
      const f = await loadFixture(deploySystemFixture);
      let seed = 0x2545f4914f6cdd1dn;
      const next = (mod: bigint) => {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
        return (seed >> 17n) % mod;
      };
      const base = await limitsOf(f.operator);
      for (let i = 0; i < 16; i++) {
        const above = next(2n) === 0n;
        const offBps = 80n + next(1_500n); // 0.8% … 15.8% off the peg
        const start = above ? WAD + (WAD * offBps) / 10_000n : WAD - (WAD * offBps) / 10_000n;
        const capTokens = parseUnits((1_000n + next(60_000n)).toString(), 18);
        await f.operator
          .connect(f.admin)
          .setLimits({ ...base, maxExpansionPerOp: capTokens, maxContractionPerOp: capTokens });
        await settleAt(f, start);
        const p = await f.operator.preview();
        expect(p.action, `state ${i}`).to.equal(above ? Action.Expand : Action.Contract);
        if (above) await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
        else await f.operator.connect(f.keeper).contractSupply(MaxUint256, 0);
        const after = await poolPrice(f);
        const capped = p.amount === (above ? capTokens : capTokens / 10n ** 12n);
        if (above) expect(after, `state ${i}: crossed below`).to.be.gte(WAD);
        else expect(after, `state ${i}: crossed above`).to.be.lte(WAD);
        if (!capped) expect(above ? after - WAD : WAD - after, `state ${i}: short of the peg`).to.be.lt(ONE_BPS_WAD);
      }
    });
  });

  describe("rule 2: every operation is capped", function () {
    it("expansion is clamped to maxExpansionPerOp, leaving the price above the peg [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator
        .connect(f.admin)
        .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: parseUnits("1000", 18) });
      await settleAt(f, price("1.03"));
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(
          f.keeper.address,
          parseUnits("1000", 18),
          (q: bigint) => q > 0n,
          (s: bigint) => s > 0n,
          (s: bigint) => s > price("1.02"),
        );
    });

    it("expansion stops at the per-epoch net mint cap with CapReached and resumes in the next epoch [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const limits = {
        ...(await limitsOf(f.operator)),
        maxExpansionPerOp: parseUnits("1000", 18),
        maxExpansionPerEpoch: parseUnits("1500", 18),
      };
      await f.operator.connect(f.admin).setLimits(limits);
      await settleAt(f, price("1.03"));
      const sold = async () => {
        const tx = await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
        const receipt = await tx.wait();
        const log = receipt!.logs
          .map((l) => f.operator.interface.parseLog(l))
          .find((e) => e?.name === "SupplyExpanded");
        return log!.args.tokensSold as bigint;
      };
      expect(await sold()).to.equal(parseUnits("1000", 18));
      await time.increase(Number(limits.cooldownSec));
      expect(await sold()).to.equal(parseUnits("500", 18));
      expect((await f.operator.epoch()).netMinted).to.equal(parseUnits("1500", 18));
      await time.increase(Number(limits.cooldownSec));
      expect((await f.operator.preview()).blocker).to.equal(Blocker.CapReached);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "CapReached")
        .withArgs(Action.Expand);
      await passTime(f, Number(limits.epochSec), 64); // observations on the clock: the TWAP stays fresh
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "EpochStarted");
    });

    it("a second operation inside the cooldown reverts CooldownActive, and succeeds once it is over [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator
        .connect(f.admin)
        .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: parseUnits("1000", 18) });
      await settleAt(f, price("1.03"));
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      const readyAt = (await f.operator.lastOperationAt()) + (await f.operator.limits()).cooldownSec;
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "CooldownActive",
      );
      await time.increaseTo(readyAt);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyExpanded");
    });

    it("contraction is clamped to maxContractionPerOp, normalised from 18 to the quote's 6 decimals [INV-8] [INV-13]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator
        .connect(f.admin)
        .setLimits({ ...(await limitsOf(f.operator)), maxContractionPerOp: parseUnits("1000", 18) });
      await settleAt(f, price("0.97"));
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyContracted")
        .withArgs(
          f.keeper.address,
          parseUnits("1000", 6),
          (t: bigint) => t > parseUnits("1000", 18),
          (s: bigint) => s > 0n,
          (s: bigint) => s < price("0.98"),
        );
      expect((await f.operator.epoch()).contracted).to.equal(parseUnits("1000", 18));
    });

    it("contraction is limited to the reserve's idle quote: with the buffer parked it reverts CapReached, preview says NoLiquidity [INV-6] [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await pushSpotTo(f, price("0.97"));
      const usdc = await f.usdc.token.getAddress();
      await setBufferBps(f, usdc, 0);
      await f.operator.connect(f.keeper).rebalance();
      expect((await f.reserve.holdings(usdc)).idle).to.equal(0n);
      await passTime(f, 2 * f.params.oracle.twapWindowSec, 8);
      expect((await f.operator.preview()).blocker).to.equal(Blocker.NoLiquidity);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "CapReached")
        .withArgs(Action.Contract);
    });

    it("expansion below the target ratio is refused: preview says RatioLimit, expandSupply reverts CapReached [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const ratio = await f.reserve.collateralRatio();
      await f.policy.connect(f.admin).setParams({ ...f.params.policy, minRatioWad: ratio + ONE_BPS_WAD * 100n });
      expect(await f.reserve.inRecoveryMode()).to.equal(true);
      await settleAt(f, price("1.03"));
      expect((await f.operator.preview()).blocker).to.equal(Blocker.RatioLimit);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "CapReached")
        .withArgs(Action.Expand);
    });

    it("expansion above the target stops where the ratio would fall under it, short of the peg [INV-3] [INV-8]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const target = (await f.reserve.collateralRatio()) - ONE_BPS_WAD * 5n; // 5 bps of ratio room
      await f.policy.connect(f.admin).setParams({ ...f.params.policy, minRatioWad: target });
      await settleAt(f, price("1.06"));
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Expand);
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      expect(await f.reserve.collateralRatio()).to.be.gte(target);
      expect(await poolPrice(f), "the ratio, not the peg, bound the trade").to.be.gt(WAD + ONE_BPS_WAD * 10n);
    });

    it("a caller without KEEPER_ROLE cannot operate (NotKeeper) [INV-9]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.03"));
      for (const call of [
        () => f.operator.connect(f.stranger).expandSupply(MaxUint256, 0),
        () => f.operator.connect(f.stranger).contractSupply(MaxUint256, 0),
        () => f.operator.connect(f.stranger).rebalance(),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(f.operator, "NotKeeper").withArgs(f.stranger.address);
      }
    });
  });

  describe("rule 3: oracle answers and the spot/TWAP guard", function () {
    it("spot pushed away from the TWAP blocks operations with SpotTwapDivergence [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await pushSpotTo(f, price("1.06")); // 6% off a TWAP at the peg; the guard allows 3%
      expect((await f.operator.preview()).blocker).to.equal(Blocker.SpotTwapDivergence);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "SpotTwapDivergence",
      );
    });

    it("a stale collateral feed (WETH) blocks expansion with StalePrice and preview says OracleInvalid [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.03"));
      // Only WETH goes stale; the pool stays observed on the clock.
      await passTime(f, f.params.collateral.others[0].maxAgeSec + 1, 8, [f.usdc]);
      expect((await f.operator.preview()).blocker).to.equal(Blocker.OracleInvalid);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.oracle,
        "StalePrice",
      );
    });

    it("zero, negative and out-of-bounds quote answers block operations with the oracle's named error [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.03"));
      const cases: [bigint, string][] = [
        [0n, "NonPositivePrice"],
        [-1n, "NonPositivePrice"],
        [parseUnits("0.4", 8), "PriceOutOfBounds"], // bounds 0.5 … 2 USD
        [parseUnits("2.5", 8), "PriceOutOfBounds"],
      ];
      for (const [answer, error] of cases) {
        await f.usdc.feed.updateAnswer(answer);
        expect((await f.operator.preview()).blocker, error).to.equal(Blocker.OracleInvalid);
        await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0), error).to.be.revertedWithCustomError(
          f.oracle,
          error,
        );
      }
    });
  });

  describe("rule 6: pause", function () {
    it("guardian pause stops every operation at once and preview says Paused; only the admin unpauses [INV-10]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("1.03"));
      await f.operator.connect(f.guardian).pause();
      expect((await f.operator.preview()).blocker).to.equal(Blocker.Paused);
      expect((await f.operator.checkUpkeep("0x")).upkeepNeeded).to.equal(false);
      for (const call of [
        () => f.operator.connect(f.keeper).expandSupply(MaxUint256, 0),
        () => f.operator.connect(f.keeper).contractSupply(MaxUint256, 0),
        () => f.operator.connect(f.keeper).rebalance(),
        () => f.operator.connect(f.keeper).performUpkeep("0x"),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(f.operator, "EnforcedPause");
      }
      await expect(f.operator.connect(f.guardian).unpause()).to.be.revertedWithCustomError(
        f.operator,
        "AccessControlUnauthorizedAccount",
      );
      await f.operator.connect(f.admin).unpause();
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyExpanded");
    });
  });

  describe("rule 7: solvency asserted after every operation", function () {
    it("an expansion with no unit that sells at the peg after the pool fee reverts TradeUnprofitable; preview says Unprofitable [INV-3] [INV-6]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator.connect(f.admin).setBand(10, 300); // a band under the 0.3% pool fee
      await settleAt(f, price("1.0024")); // under peg / 0.997: even the first token sells under the peg
      expect((await f.operator.preview()).blocker).to.equal(Blocker.Unprofitable);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "TradeUnprofitable")
        .withArgs(Action.Expand);
    });

    it("a contraction with no unit that buys under the peg after the pool fee reverts TradeUnprofitable; preview says Unprofitable [INV-3] [INV-6]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator.connect(f.admin).setBand(10, 300);
      await settleAt(f, price("0.9976"));
      expect((await f.operator.preview()).blocker).to.equal(Blocker.Unprofitable);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "TradeUnprofitable")
        .withArgs(Action.Contract);
    });

    it("a contraction that would lower an already under-target ratio reverts RatioBelowBound; preview says RatioLimit [INV-3]", async function () {
      const f = await loadFixture(deploySystemFixture);
      // Deep under-collateralisation: a large WETH deposit, then WETH falls by two thirds.
      const weth = await f.weth.token.getAddress();
      await f.weth.token.connect(f.user).approve(await f.reserve.getAddress(), parseUnits("500", 18));
      await f.reserve.connect(f.user).mint(weth, parseUnits("500", 18), 0, f.user.address);
      await f.weth.feed.updateAnswer(parseUnits("1000", 8));
      expect(await f.reserve.collateralRatio()).to.be.lt(price("0.8"));
      await settleAt(f, price("0.96"));
      expect((await f.operator.preview()).blocker).to.equal(Blocker.RatioLimit);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "RatioBelowBound",
      );
    });

    it("every successful expansion, contraction and rebalance leaves ratio ≥ min(before, target) and equity not lower [INV-3]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const check = async (label: string, op: () => Promise<unknown>) => {
        const before = await solvencySnapshot(f);
        await op();
        const after = await solvencySnapshot(f);
        const bound = before.ratio < before.target ? before.ratio : before.target;
        expect(after.ratio, `${label}: ratio`).to.be.gte(bound);
        expect(after.equity, `${label}: equity`).to.be.gte(before.equity);
      };
      await check("rebalance", () => f.operator.connect(f.keeper).rebalance());
      await settleAt(f, price("1.04"));
      await check("expansion", () => f.operator.connect(f.keeper).expandSupply(MaxUint256, 0));
      await settleAt(f, price("0.95"));
      await check("contraction", () => f.operator.connect(f.keeper).contractSupply(MaxUint256, 0));
    });
  });
});
