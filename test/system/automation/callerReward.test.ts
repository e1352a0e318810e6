/**
 * Permissionless mode and the caller reward: who may call, what is paid and from what, the bounds
 * (hard cap, share of profit, scaling with the deviation corrected), zero when nothing was done,
 * and rule 7 still holding after the payment.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { encodeBytes32String, MaxUint256, parseUnits, type ContractTransactionResponse } from "ethers";
import { equityWad, mintWithUsdc, poolPrice, refreshFeeds, settleAt, WAD } from "../../support/system";
import { automationFixture, type AutomationFixture } from "../../support/automationFixture";
import { callerRewardHarness } from "../../support/pureHarness";

const price = (s: string) => parseUnits(s, 18);
const usd = (s: string) => parseUnits(s, 18);
const BPS = 10_000n;
const PROFIT_SHARE_BPS = 1_000n; // Constants.sol CALLER_REWARD_PROFIT_SHARE_BPS
const FULL_DEVIATION_BPS = 200n; // Constants.sol CALLER_REWARD_FULL_DEVIATION_BPS
const HARD_MAX_REWARD_WAD = usd("1000"); // Constants.sol HARD_MAX_CALLER_REWARD_WAD
const USDC_TO_WAD = 10n ** 12n;

async function permissionlessFixture(): Promise<AutomationFixture> {
  const f = await automationFixture();
  await f.operator.connect(f.admin).setPermissionless(true, HARD_MAX_REWARD_WAD);
  return f;
}

/** The reward paid by a transaction, from its CallerRewarded event; zero when there is none. */
async function rewardOf(f: AutomationFixture, tx: ContractTransactionResponse) {
  const r = await tx.wait();
  const events = r!.logs.map((l) => f.operator.interface.parseLog(l)).filter((l) => l?.name === "CallerRewarded");
  expect(events.length).to.be.lte(1);
  if (events.length === 0) return { caller: "", quoteAmount: 0n, valueWad: 0n };
  return {
    caller: events[0]!.args.caller as string,
    quoteAmount: events[0]!.args.quoteAmount as bigint,
    valueWad: events[0]!.args.valueWad as bigint,
  };
}

/** Runs one permissionless operation from the outsider and measures everything the rules talk about. */
async function operateAsOutsider(f: AutomationFixture, op: "expand" | "contract") {
  const usdc = f.usdc.token;
  const ratioBefore = await f.reserve.collateralRatio();
  const target = await f.policy.targetRatio();
  const equityBefore = await equityWad(f);
  const spotBefore = await poolPrice(f);
  const balanceBefore = await usdc.balanceOf(f.outsider.address);
  const estimate = await f.operator.estimateCallerReward();
  const asOutsider = f.operator.connect(f.outsider);
  const tx =
    op === "expand" ? await asOutsider.expandSupply(MaxUint256, 0) : await asOutsider.contractSupply(MaxUint256, 0);
  const reward = await rewardOf(f, tx);
  const equityAfter = await equityWad(f);
  const spotAfter = await poolPrice(f);
  const distance = (p: bigint) => (p > WAD ? p - WAD : WAD - p);
  return {
    estimate: { quoteAmount: estimate[0], valueWad: estimate[1] },
    reward,
    received: (await usdc.balanceOf(f.outsider.address)) - balanceBefore,
    // USDC is priced at exactly $1 here, so a payout of q lowers gross value by exactly q·1e12.
    profitWad: equityAfter + reward.quoteAmount * USDC_TO_WAD - equityBefore,
    correctedBps: ((distance(spotBefore) - distance(spotAfter)) * BPS) / WAD,
    equityBefore,
    equityAfter,
    ratioBefore,
    ratioAfter: await f.reserve.collateralRatio(),
    target,
  };
}

/** The formula as documented in CallerReward.sol, in TypeScript. */
function formula(profitWad: bigint, correctedBps: bigint, capWad: bigint): bigint {
  const byProfit = (profitWad * PROFIT_SHARE_BPS) / BPS;
  const cap = capWad < HARD_MAX_REWARD_WAD ? capWad : HARD_MAX_REWARD_WAD;
  const corrected = correctedBps < FULL_DEVIATION_BPS ? correctedBps : FULL_DEVIATION_BPS;
  const byDeviation = (cap * corrected) / FULL_DEVIATION_BPS;
  return byProfit < byDeviation ? byProfit : byDeviation;
}

describe("Permissionless mode and the caller reward", function () {
  describe("configuration", function () {
    it("only the admin switches the mode, evented, and the cap cannot exceed HARD_MAX_CALLER_REWARD_WAD", async function () {
      const f = await loadFixture(automationFixture);
      expect(await f.operator.permissionless()).to.equal(false);
      await expect(f.operator.connect(f.keeper).setPermissionless(true, usd("10"))).to.be.revertedWithCustomError(
        f.operator,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.operator.connect(f.admin).setPermissionless(true, HARD_MAX_REWARD_WAD + 1n))
        .to.be.revertedWithCustomError(f.operator, "ParameterOutOfBounds")
        .withArgs(encodeBytes32String("maxCallerRewardWad"), HARD_MAX_REWARD_WAD + 1n, 0n, HARD_MAX_REWARD_WAD);
      await expect(f.operator.connect(f.admin).setPermissionless(true, usd("10")))
        .to.emit(f.operator, "PermissionlessSet")
        .withArgs(true, usd("10"));
      expect(await f.operator.permissionless()).to.equal(true);
      expect(await f.operator.maxCallerRewardWad()).to.equal(usd("10"));
      await expect(f.operator.connect(f.admin).setPermissionless(false, 0n))
        .to.emit(f.operator, "PermissionlessSet")
        .withArgs(false, 0n);
    });

    it("mode off (the default): an outsider is refused, the keeper earns nothing, the estimate is zero", async function () {
      const f = await loadFixture(automationFixture);
      await settleAt(f, price("1.05"));
      expect(await f.operator.estimateCallerReward()).to.deep.equal([0n, 0n]);
      await expect(f.operator.connect(f.outsider).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "NotKeeper")
        .withArgs(f.outsider.address);
      await expect(f.operator.connect(f.outsider).rebalance()).to.be.revertedWithCustomError(f.operator, "NotKeeper");
      const keeperUsdc = await f.usdc.token.balanceOf(f.keeper.address);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyExpanded")
        .and.not.to.emit(f.operator, "CallerRewarded");
      expect(await f.usdc.token.balanceOf(f.keeper.address)).to.equal(keeperUsdc);
    });
  });

  describe("what is paid", function () {
    for (const [op, start] of [
      ["expand", "1.05"],
      ["contract", "0.95"],
    ] as const) {
      it(`${op} from ${start}: the outsider is paid the formula's reward in USDC, as estimated, and the protocol keeps ≥ 90% of the profit`, async function () {
        const f = await loadFixture(permissionlessFixture);
        await settleAt(f, price(start));
        const m = await operateAsOutsider(f, op);
        expect(m.reward.caller).to.equal(f.outsider.address);
        expect(m.reward.quoteAmount).to.be.gt(0n);
        expect(m.received).to.equal(m.reward.quoteAmount);
        expect(m.reward.valueWad).to.equal(m.reward.quoteAmount * USDC_TO_WAD);
        // Exactly the documented formula on the measured profit and deviation, floored to USDC units.
        const expected = formula(m.profitWad, m.correctedBps, HARD_MAX_REWARD_WAD);
        expect(m.reward.quoteAmount).to.equal(expected / USDC_TO_WAD);
        expect(
          await (await callerRewardHarness()).rewardWad(m.profitWad, m.correctedBps, HARD_MAX_REWARD_WAD),
        ).to.equal(expected);
        // The estimate a keeper reads beforehand is what it gets (within one USDC unit of rounding).
        expect(m.estimate.quoteAmount - m.reward.quoteAmount).to.be.within(-1n, 1n);
        // Rule 7 after the payment: value did not fall, the ratio did not fall below min(before, target).
        expect(m.reward.valueWad * 10n).to.be.lte(m.profitWad);
        expect(m.equityAfter - m.equityBefore).to.be.gte((m.profitWad * 9n) / 10n);
        expect(m.ratioAfter).to.be.gte(m.ratioBefore < m.target ? m.ratioBefore : m.target);
      });
    }

    it("grows with the deviation corrected: from further off peg, a larger reward", async function () {
      const rewards: bigint[] = [];
      for (const start of ["1.008", "1.015", "1.03", "1.06"]) {
        const f = await loadFixture(permissionlessFixture);
        await settleAt(f, price(start));
        rewards.push((await operateAsOutsider(f, "expand")).reward.quoteAmount);
      }
      for (let i = 1; i < rewards.length; i++)
        expect(rewards[i], `reward ${i} > reward ${i - 1}: ${rewards}`).to.be.gt(rewards[i - 1]);
    });

    it("never above the configured cap: a $2 cap pays exactly $2 on a large correction", async function () {
      const f = await loadFixture(automationFixture);
      await f.operator.connect(f.admin).setPermissionless(true, usd("2"));
      await settleAt(f, price("1.08"));
      const m = await operateAsOutsider(f, "expand");
      expect(m.profitWad / 10n).to.be.gt(usd("2"));
      expect(m.correctedBps).to.be.gte(FULL_DEVIATION_BPS);
      expect(m.reward.valueWad).to.equal(usd("2"));
    });

    it("below the full deviation the cap scales down: correcting ~95 bps pays at most cap × 95/200", async function () {
      const f = await loadFixture(automationFixture);
      await f.operator.connect(f.admin).setPermissionless(true, usd("1"));
      await settleAt(f, price("1.0095"));
      const m = await operateAsOutsider(f, "expand");
      expect(m.correctedBps).to.be.lt(FULL_DEVIATION_BPS);
      expect(m.reward.valueWad).to.be.lte((usd("1") * m.correctedBps) / FULL_DEVIATION_BPS);
      expect(m.reward.quoteAmount).to.equal(formula(m.profitWad, m.correctedBps, usd("1")) / USDC_TO_WAD);
    });

    it("a zero cap pays nothing, however profitable the operation", async function () {
      const f = await loadFixture(automationFixture);
      await f.operator.connect(f.admin).setPermissionless(true, 0n);
      await settleAt(f, price("1.05"));
      const m = await operateAsOutsider(f, "expand");
      expect(m.profitWad).to.be.gt(0n);
      expect(m.reward.quoteAmount).to.equal(0n);
      expect(m.received).to.equal(0n);
    });
  });

  describe("never paid for nothing", function () {
    it("rebalance moves value but earns no profit: no reward", async function () {
      const f = await loadFixture(permissionlessFixture);
      // A large user mint leaves USDC idle above the buffer, so there is something to rebalance.
      await mintWithUsdc(f, f.user, parseUnits("400000", 6));
      expect((await f.operator.preview()).action).to.equal(3n);
      const before = await f.usdc.token.balanceOf(f.outsider.address);
      await expect(f.operator.connect(f.outsider).rebalance())
        .to.emit(f.operator, "Rebalanced")
        .and.not.to.emit(f.operator, "CallerRewarded");
      expect(await f.usdc.token.balanceOf(f.outsider.address)).to.equal(before);
    });

    it("at the peg: the estimate is zero and the operations revert, paying nothing", async function () {
      const f = await loadFixture(permissionlessFixture);
      expect(await f.operator.estimateCallerReward()).to.deep.equal([0n, 0n]);
      await expect(f.operator.connect(f.outsider).expandSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
      await expect(f.operator.connect(f.outsider).contractSupply(MaxUint256, 0)).to.be.revertedWithCustomError(
        f.operator,
        "PriceInsideBand",
      );
    });

    it("the Automation forwarder is paid by its network, not by the protocol; an outsider performing the same upkeep is", async function () {
      const f = await loadFixture(permissionlessFixture);
      await settleAt(f, price("1.05"));
      const sim = await f.registry.simulate();
      await expect(f.registry.perform(sim.performData))
        .to.emit(f.operator, "SupplyExpanded")
        .and.not.to.emit(f.operator, "CallerRewarded");

      const g = await loadFixture(permissionlessFixture);
      await settleAt(g, price("1.05"));
      const data = (await g.registry.simulate()).performData;
      const reward = await rewardOf(g, await g.operator.connect(g.outsider).performUpkeep(data));
      expect(reward.caller).to.equal(g.outsider.address);
      expect(reward.quoteAmount).to.be.gt(0n);
    });
  });

  it("a token-sized request is still the full trade: no one can spend the cooldown to hold the price off peg", async function () {
    const f = await loadFixture(permissionlessFixture);
    await settleAt(f, price("1.04"));
    const preview = await f.operator.preview();
    await expect(f.operator.connect(f.outsider).expandSupply(1n, 0))
      .to.emit(f.operator, "SupplyExpanded")
      .withArgs(
        f.outsider.address,
        preview.amount,
        preview.expectedOut,
        (s: bigint) => s > 0n,
        (s: bigint) => s >= WAD,
      );
    expect(await poolPrice(f)).to.be.lt(WAD + WAD / 10_000n);
  });

  it("rule 7 holds after the payment when the ratio headroom is thinner than the formula's reward: the reward is cut, not the rule", async function () {
    const f = await loadFixture(permissionlessFixture);
    // Make the reserve mostly WETH-backed, then find the WETH price at which a contraction from
    // 0.90 barely keeps the collateral ratio: there the headroom, not the formula, binds.
    const wethAddress = await f.weth.token.getAddress();
    await f.weth.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
    await f.reserve.connect(f.user).mint(wethAddress, parseUnits("1000", 18), 0, f.user.address);
    await settleAt(f, price("0.90"));
    const p = await f.operator.preview();
    expect(p.action).to.equal(2n);
    const quoteSpentWad = p.amount * USDC_TO_WAD;
    const formulaReward = formula(p.expectedOut - quoteSpentWad, 1_000n, HARD_MAX_REWARD_WAD);
    // Ratio R after = (V − 0.99·Q)/(S − T) ≥ R ⇔ R·T ≥ 0.99·Q. Pick R so that R·T − 0.99·Q is a third
    // of the formula's reward (the haircut value the reward may take while keeping the ratio).
    const supply = await f.stable.totalSupply();
    const hcQ = (quoteSpentWad * 9_900n) / BPS;
    const wantRatio = ((hcQ + (formulaReward * 9_900n) / BPS / 3n) * WAD) / p.expectedOut;
    const valueNow = await f.reserve.reserveValue();
    const wethValueNow = ((await f.reserve.accountedAmount(wethAddress)) * 3_000n * 8_000n) / BPS;
    const wantWethValue = (wantRatio * supply) / WAD - (valueNow - wethValueNow);
    const wethPrice8 = (wantWethValue * 10n ** 8n) / (((await f.reserve.accountedAmount(wethAddress)) * 8_000n) / BPS);
    await f.weth.feed.updateAnswer(wethPrice8);
    await refreshFeeds(f);
    expect((await f.operator.preview()).action, "the contraction still keeps the ratio").to.equal(2n);

    const m = await operateAsOutsider(f, "contract");
    expect(m.ratioBefore).to.be.lt(m.target);
    expect(m.reward.quoteAmount).to.be.gt(0n);
    expect(m.reward.valueWad, "headroom cut the reward").to.be.lt(
      formula(m.profitWad, m.correctedBps, HARD_MAX_REWARD_WAD) / 2n,
    );
    expect(m.ratioAfter).to.be.gte(m.ratioBefore);
    expect(m.equityAfter).to.be.gt(m.equityBefore);
    expect(m.estimate.quoteAmount - m.reward.quoteAmount).to.be.within(-1n, 1n);
  });

  describe("CallerReward.rewardWad (the pure formula MarketOperator pays) for any input", function () {
    const u = (max: bigint) => fc.bigInt({ min: 0n, max });
    it("is never above the hard cap, the configured cap or a tenth of the profit, and zero when profit or deviation is zero", async function () {
      const lib = await callerRewardHarness();
      await fc.assert(
        fc.asyncProperty(u(10n ** 30n), u(20_000n), u(10n ** 24n), async (profit, corrected, cap) => {
          const r = await lib.rewardWad(profit, corrected, cap);
          expect(r).to.equal(formula(profit, corrected, cap));
          expect(r <= HARD_MAX_REWARD_WAD && r <= cap && r <= (profit * PROFIT_SHARE_BPS) / BPS).to.equal(true);
          if (profit === 0n || corrected === 0n) expect(r).to.equal(0n);
        }),
        { numRuns: 150, seed: 8 },
      );
    });

    it("is monotone: more profit or more deviation corrected never pays less", async function () {
      const lib = await callerRewardHarness();
      await fc.assert(
        fc.asyncProperty(
          u(10n ** 24n),
          u(10n ** 24n),
          u(500n),
          u(500n),
          u(HARD_MAX_REWARD_WAD),
          async (p1, dp, d1, dd, cap) => {
            const base = await lib.rewardWad(p1, d1, cap);
            expect(await lib.rewardWad(p1 + dp, d1, cap)).to.be.gte(base);
            expect(await lib.rewardWad(p1, d1 + dd, cap)).to.be.gte(base);
          },
        ),
        { numRuns: 100, seed: 88 },
      );
    });
  });
});
