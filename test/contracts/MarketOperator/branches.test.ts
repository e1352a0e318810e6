/**
 * MarketOperator paths the rule tests do not reach, each driven by a real state of the system (the
 * real Uniswap V2 pair, Chainlink MockV3Aggregator feeds) and asserting the exact outcome: the
 * Rebalance action through performUpkeep, the epoch view after expiry, contraction slippage, an
 * epoch cap lowered below what was already used, the ratio room exactly at the target and below
 * the worst trade price, a donation that makes a trade overshoot the peg, a contraction worth more
 * than the whole reserve after rounding, and a rebalance before any token exists.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, MaxUint256, parseUnits } from "ethers";
import { LossyVault__factory, MockV3Aggregator__factory } from "../../../typechain-types";
import {
  actors,
  deploySystemFixture,
  deploySystemWith,
  mintWithUsdc,
  settleAt,
  WAD,
  type Fixture,
  limitsOf,
} from "../../support/system";
import { pegMathHarness } from "../../support/pureHarness";
import { setBufferBps } from "../../support/reserveConfig";

const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n };
const Blocker = { None: 0n, CapReached: 6n, RatioLimit: 7n };
const USDC = (v: string) => parseUnits(v, 6);
const TOKENS = (v: string) => parseUnits(v, 18);
const price = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const USDC_TO_WAD = 10n ** 12n;
// The peg as the fixture pair's raw price (USDC units per token unit) at a quote price of $1: num/den.
const PEG_NUM = WAD * 10n ** 6n;
const PEG_DEN = WAD * WAD;
// MarketOperator._ratioRoom's worst value per token sold: peg · 997/1000 · (1 − USDC's 1% haircut).
const WORST_VALUE_PER_TOKEN_WAD = (WAD * 997n * 9_900n) / (1_000n * 10_000n);

async function reservesTQ(f: Fixture): Promise<[bigint, bigint]> {
  const [r0, r1] = await f.pair.getReserves();
  return (await f.pair.token0()) === (await addr(f.stable)) ? [r0, r1] : [r1, r0];
}

const amountOut = (amountIn: bigint, rIn: bigint, rOut: bigint) =>
  (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
/** Spot in WAD USD as the operator computes it from (token, quote) reserves, USDC at $1. */
const spotWad = (rT: bigint, rQ: bigint) => (rQ * WAD * WAD) / (rT * 10n ** 6n);

/** Deep under-collateralisation: a large WETH deposit, then WETH falls by two thirds. */
async function crashWethBacking(f: Fixture) {
  await f.weth.token.connect(f.user).approve(await addr(f.reserve), TOKENS("500"));
  await f.reserve.connect(f.user).mint(await addr(f.weth.token), TOKENS("500"), 0, f.user.address);
  await f.weth.feed.updateAnswer(parseUnits("1000", 8));
}

describe("MarketOperator: less travelled paths, each with its exact outcome", function () {
  describe("automation", function () {
    it("performUpkeep with the Rebalance action from the forwarder parks the quote's excess and emits Rebalanced", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator.connect(f.admin).setAutomationForwarder(f.stranger.address);
      const usdc = await addr(f.usdc.token);
      const delta = await f.reserve.rebalanceDelta(usdc);
      expect(delta).to.be.gt(0n);
      const [upkeepNeeded, performData] = await f.operator.checkUpkeep("0x");
      expect(upkeepNeeded).to.equal(true);
      expect(performData).to.equal(
        AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [Action.Rebalance, 0n, 0n]),
      );
      const idleBefore = (await f.reserve.holdings(usdc)).idle;
      await expect(f.operator.connect(f.stranger).performUpkeep(performData))
        .to.emit(f.operator, "Rebalanced")
        .withArgs(f.stranger.address, usdc, delta);
      expect((await f.reserve.holdings(usdc)).idle).to.equal(idleBefore - delta);
      expect(await f.reserve.rebalanceDelta(usdc)).to.equal(0n);
      expect((await f.operator.preview()).action).to.equal(Action.None);
    });
  });

  describe("epochs", function () {
    it("epoch() reads as a fresh, empty epoch starting now once the stored one has expired", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator
        .connect(f.admin)
        .setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: TOKENS("1000") });
      await settleAt(f, price("1.03"));
      await f.operator.connect(f.keeper).expandSupply(TOKENS("1000"), 0);
      const stored = await f.operator.epoch();
      expect(stored.netMinted).to.equal(TOKENS("1000"));
      const epochSec = Number((await f.operator.limits()).epochSec);
      const startedAt = stored.startedAt;
      await time.increaseTo(startedAt + BigInt(epochSec) - 1n);
      expect(await f.operator.epoch(), "one second before expiry the stored epoch still counts").to.deep.equal([
        startedAt,
        TOKENS("1000"),
        0n,
        0n,
      ]);
      await time.increaseTo(startedAt + BigInt(epochSec));
      const now = BigInt(await time.latest());
      expect(await f.operator.epoch()).to.deep.equal([now, 0n, 0n, 0n]);
    });

    it("once the epoch has expired, a contraction has the whole epoch cap again and starts a fresh epoch", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator.connect(f.admin).setLimits({
        ...(await limitsOf(f.operator)),
        maxContractionPerOp: TOKENS("1000"),
        maxContractionPerEpoch: TOKENS("1000"),
      });
      await settleAt(f, price("0.97"));
      await f.operator.connect(f.keeper).contractSupply(MaxUint256, 0);
      expect((await f.operator.epoch()).contracted).to.equal(TOKENS("1000"));
      await time.increase(Number((await f.operator.limits()).epochSec));
      await settleAt(f, price("0.97"));
      // The stored epoch is used up; the expired one no longer counts, so the full 1,000 USDC is due.
      expect((await f.operator.preview()).amount).to.equal(USDC("1000"));
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.emit(f.operator, "EpochStarted")
        .and.to.emit(f.operator, "SupplyContracted");
      expect((await f.operator.epoch()).contracted).to.equal(TOKENS("1000"));
    });

    it("contraction after the admin lowers the epoch cap below what was already contracted reverts CapReached(Contract)", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.operator
        .connect(f.admin)
        .setLimits({ ...(await limitsOf(f.operator)), maxContractionPerOp: TOKENS("1000") });
      await settleAt(f, price("0.97"));
      await f.operator.connect(f.keeper).contractSupply(USDC("1000"), 0);
      expect((await f.operator.epoch()).contracted).to.equal(TOKENS("1000"));
      await f.operator.connect(f.admin).setLimits({
        ...(await limitsOf(f.operator)),
        maxContractionPerOp: TOKENS("500"),
        maxContractionPerEpoch: TOKENS("500"),
      });
      await time.increase(Number((await f.operator.limits()).cooldownSec));
      expect((await f.operator.preview()).blocker).to.equal(Blocker.CapReached);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "CapReached")
        .withArgs(Action.Contract);
    });
  });

  describe("slippage", function () {
    it("contractSupply reverts SlippageExceeded(min, out) when minTokenOut is one wei above the trade, and fills at exactly that out", async function () {
      const f = await loadFixture(deploySystemFixture);
      await settleAt(f, price("0.97"));
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Contract);
      const [rT, rQ] = await reservesTQ(f);
      expect(p.expectedOut).to.equal(amountOut(p.amount, rQ, rT));
      await expect(f.operator.connect(f.keeper).contractSupply(p.amount, p.expectedOut + 1n))
        .to.be.revertedWithCustomError(f.operator, "SlippageExceeded")
        .withArgs(p.expectedOut + 1n, p.expectedOut);
      await expect(f.operator.connect(f.keeper).contractSupply(p.amount, p.expectedOut))
        .to.emit(f.operator, "SupplyContracted")
        .withArgs(
          f.keeper.address,
          p.amount,
          p.expectedOut,
          spotWad(rT, rQ),
          spotWad(rT - p.expectedOut, rQ + p.amount),
        );
    });
  });

  describe("ratio room of an expansion (rule 7)", function () {
    it("with the reserve exactly at its target ratio an expansion has no room: CapReached(Expand), preview says RatioLimit", async function () {
      const f = await loadFixture(deploySystemFixture);
      expect(await f.policy.targetRatio()).to.equal(WAD);
      await crashWethBacking(f);
      await settleAt(f, price("1.03"));
      // A holder burns tokens until supply equals the haircut value: the ratio is exactly 100%.
      const excess = (await f.stable.totalSupply()) - (await f.reserve.reserveValue());
      await f.stable.connect(f.user).burn(excess);
      expect(await f.reserve.collateralRatio()).to.equal(WAD);
      expect(await f.reserve.reserveValue()).to.equal(await f.stable.totalSupply());
      expect((await f.operator.preview()).blocker).to.equal(Blocker.RatioLimit);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "CapReached")
        .withArgs(Action.Expand);
    });

    it("one token of value above the target allows exactly (value − required) / (target − worst value per token) tokens", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      await crashWethBacking(f);
      await settleAt(f, price("1.03"));
      const excess = (await f.stable.totalSupply()) - (await f.reserve.reserveValue());
      await f.stable.connect(f.user).burn(excess + TOKENS("1"));
      const room = (TOKENS("1") * WAD) / (WAD - WORST_VALUE_PER_TOKEN_WAD);
      const [rT, rQ] = await reservesTQ(f);
      expect(room, "the ratio, not the peg, binds").to.be.lt(
        await pegMath.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN),
      );
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Expand);
      expect(p.amount).to.equal(room);
      const quoteOut = amountOut(room, rT, rQ);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(f.keeper.address, room, quoteOut, spotWad(rT, rQ), spotWad(rT + room, rQ - quoteOut));
      expect(await f.reserve.collateralRatio()).to.be.gte(WAD);
    });

    it("below the worst value per token sold (98.7%) every expansion raises the ratio, so it is not ratio-limited: it sells all the way to the peg", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      await crashWethBacking(f);
      const ratioBefore = await f.reserve.collateralRatio();
      expect(ratioBefore).to.be.lt(WORST_VALUE_PER_TOKEN_WAD);
      await settleAt(f, price("1.03"));
      const [rT, rQ] = await reservesTQ(f);
      const toPeg = await pegMath.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN);
      expect(toPeg).to.be.lt((await f.operator.limits()).maxExpansionPerOp);
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Expand);
      expect(p.amount).to.equal(toPeg);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(
          f.keeper.address,
          toPeg,
          amountOut(toPeg, rT, rQ),
          spotWad(rT, rQ),
          spotWad(rT + toPeg, rQ - amountOut(toPeg, rT, rQ)),
        );
      expect(await f.reserve.collateralRatio()).to.be.gt(ratioBefore);
    });
  });

  describe("unsynced donations to the pair ahead of an operation (a free way to block operations, closed)", function () {
    // Before the operator synced the pair, tokens sent to it unsynced joined the operator's swap as
    // extra input, carried the price past the peg and made the operation revert PegCrossed; the
    // sender skimmed them back afterwards. Now the donation is priced in and the trade sized on it.
    it("tokens donated before an expansion: the expansion still runs, sized on the synced pool, and ends on the peg's side", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      await settleAt(f, price("1.03"));
      await mintWithUsdc(f, f.trader, USDC("200"));
      const [rT, rQ] = await reservesTQ(f);
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Expand);
      expect(p.amount, "not capped: sized to the peg").to.equal(
        await pegMath.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN),
      );
      const donation = TOKENS("100");
      await f.stable.connect(f.trader).transfer(await addr(f.pair), donation); // not synced: reserves unchanged
      const sold = await pegMath.tokensToSellForPrice(rT + donation, rQ, PEG_NUM, PEG_DEN);
      const out = amountOut(sold, rT + donation, rQ);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(f.keeper.address, sold, out, spotWad(rT + donation, rQ), spotWad(rT + donation + sold, rQ - out));
      expect(spotWad(rT + donation + sold, rQ - out)).to.be.gte(WAD);
      // Nothing is left for the donor to skim back.
      expect(await f.stable.balanceOf(await addr(f.pair))).to.equal((await reservesTQ(f))[0]);
    });

    it("quote donated before a contraction: the contraction still runs, sized on the synced pool, and ends on the peg's side", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      await settleAt(f, price("0.97"));
      const [rT, rQ] = await reservesTQ(f);
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Contract);
      expect(p.amount, "not capped: sized to the peg").to.equal(
        await pegMath.quoteToSpendForPrice(rT, rQ, PEG_NUM, PEG_DEN),
      );
      const donation = USDC("100");
      await f.usdc.token.connect(f.trader).transfer(await addr(f.pair), donation);
      const spent = await pegMath.quoteToSpendForPrice(rT, rQ + donation, PEG_NUM, PEG_DEN);
      const bought = amountOut(spent, rQ + donation, rT);
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.emit(f.operator, "SupplyContracted")
        .withArgs(
          f.keeper.address,
          spent,
          bought,
          spotWad(rT, rQ + donation),
          spotWad(rT - bought, rQ + donation + spent),
        );
      expect(spotWad(rT - bought, rQ + donation + spent)).to.be.lte(WAD);
      expect(await f.usdc.token.balanceOf(await addr(f.pair))).to.equal((await reservesTQ(f))[1]);
    });
  });

  describe("a contraction worth more than the whole reserve", function () {
    it("with the strategy wiped out and an 18-decimal quote feed, spending all idle quote rounds above the reserve's value: preview says RatioLimit instead of reverting", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      await settleAt(f, price("0.9"));
      const usdc = await addr(f.usdc.token);
      // The quote's strategy is exploited: 97% of the quote was parked in it and is gone.
      const vault = await new LossyVault__factory(f.admin).deploy(usdc);
      await f.reserve.connect(f.admin).setStrategy(usdc, await addr(vault));
      await setBufferBps(f, usdc, 300);
      await f.operator.connect(f.keeper).rebalance();
      await vault.loseAssets(f.stranger.address, await f.usdc.token.balanceOf(await addr(vault)));
      // A feed with 18 decimals: a quote amount's value in WAD is no longer a whole number.
      const answer = parseUnits("0.999912345678901234", 18);
      const feed = await new MockV3Aggregator__factory(f.admin).deploy(18, answer);
      await f.oracle.connect(f.admin).setFeed(usdc, await addr(feed), 3_600, price("0.5"), price("2"));
      const idle = (await f.reserve.holdings(usdc)).idle;
      const valueWad = await f.reserve.reserveValue();
      // The reserve now holds nothing but its idle quote, valued rounding down …
      expect(valueWad).to.equal((((idle * answer) / 10n ** 6n) * 9_900n) / 10_000n);
      const [rT, rQ] = await reservesTQ(f);
      const toPeg = await pegMath.quoteToSpendForPrice(rT, rQ, WAD * 10n ** 6n, answer * WAD);
      expect(toPeg, "the contraction would spend all of it").to.be.gt(idle);
      // … while the operator values what it would spend rounding up: one wei more than the reserve has.
      const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
      expect(ceilDiv(ceilDiv(idle * answer, 10n ** 6n) * 9_900n, 10_000n)).to.be.gt(valueWad);
      const p = await f.operator.preview();
      expect([p.action, p.blocker, p.amount]).to.deep.equal([Action.None, Blocker.RatioLimit, 0n]);
      const ratioBefore = await f.reserve.collateralRatio();
      await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
        .to.be.revertedWithCustomError(f.operator, "RatioBelowBound")
        .withArgs(ratioBefore, 0n, await f.policy.targetRatio());
    });
  });

  describe("before any token exists", function () {
    it("rebalance parks contributed equity while the supply is zero: the ratio bound treats the ratio before as unbounded", async function () {
      const a = await actors();
      const system = await deploySystemWith({ seed: false });
      const usdc = system.quote.token;
      const usdcAddress = await addr(usdc);
      expect(await system.stable.totalSupply()).to.equal(0n);
      await usdc.mint(a.admin.address, USDC("100000"));
      await usdc.connect(a.admin).approve(await addr(system.reserve), USDC("100000"));
      await system.reserve.connect(a.admin).contribute(usdcAddress, USDC("100000"));
      const delta = USDC("50000"); // the 50% buffer stays idle
      expect(await system.reserve.rebalanceDelta(usdcAddress)).to.equal(delta);
      await expect(system.operator.connect(a.keeper).rebalance())
        .to.emit(system.operator, "Rebalanced")
        .withArgs(a.keeper.address, usdcAddress, delta);
      expect(await system.reserve.holdings(usdcAddress)).to.deep.equal([USDC("50000"), USDC("50000"), USDC("50000")]);
      expect(await system.reserve.collateralRatio()).to.equal(MaxUint256);
      expect(await system.reserve.grossValue()).to.equal(USDC("100000") * USDC_TO_WAD);
    });
  });
});
