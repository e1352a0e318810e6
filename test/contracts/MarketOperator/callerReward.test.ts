/**
 * The permissionless caller reward where it must come out as zero, each on a real state: a trade
 * that loses value (no profit to share), a contraction that would lower an under-target ratio (no
 * rule-7 headroom to pay from); and an unsynced donation to the pair, which is priced in before the
 * trade (the zero for a trade that corrects nothing is tested on the library, test/contracts/CallerReward/callerReward.test.ts).
 * Each asserts the exact revert or the absence of any payment, and would see a panic
 * (an unsigned underflow) or a paid reward if the zero case were not handled.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { deploySystemFixture, equityWad, settleAt, WAD, type Fixture } from "../../support/system";
import { pegMathHarness } from "../../support/pureHarness";

const Action = { Expand: 1n };
const Blocker = { RatioLimit: 7n, Unprofitable: 9n };
const TOKENS = (v: string) => parseUnits(v, 18);
const price = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const USDC_TO_WAD = 10n ** 12n;
const MAX_REWARD_WAD = parseUnits("1000", 18); // Constants.sol HARD_MAX_CALLER_REWARD_WAD
// The peg as the fixture pair's raw price (USDC units per token unit) at a quote price of $1: num/den.
const PEG_NUM = WAD * 10n ** 6n;
const PEG_DEN = WAD * WAD;
// USDC's haircut in the local parameters (1%): haircut value of q USDC units is q · 99e10 WAD.
const USDC_HAIRCUT_VALUE_PER_UNIT = (USDC_TO_WAD * 9_900n) / 10_000n;

async function reservesTQ(f: Fixture): Promise<[bigint, bigint]> {
  const [r0, r1] = await f.pair.getReserves();
  return (await f.pair.token0()) === (await addr(f.stable)) ? [r0, r1] : [r1, r0];
}

const amountOut = (amountIn: bigint, rIn: bigint, rOut: bigint) =>
  (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
const spotWad = (rT: bigint, rQ: bigint) => (rQ * WAD * WAD) / (rT * 10n ** 6n);

async function permissionless(f: Fixture) {
  await f.operator.connect(f.admin).setPermissionless(true, MAX_REWARD_WAD);
}

describe("MarketOperator: the permissionless caller reward when there is nothing to pay", function () {
  it("an expansion that sells under the peg after the fee (within the loss budget) pays no reward: equity falls by exactly its trading loss", async function () {
    const f = await loadFixture(deploySystemFixture);
    const pegMath = await pegMathHarness();
    await f.operator.connect(f.admin).setBand(10, 300); // a band under the 0.3% pool fee
    await f.operator.connect(f.admin).setSizing(1_000, 30, parseUnits("1000", 18)); // pay up to 30 bps to land on the peg
    await settleAt(f, price("1.0024"));
    await permissionless(f);
    expect((await f.operator.preview()).action).to.equal(Action.Expand);
    const [rT, rQ] = await reservesTQ(f);
    const sold = await pegMath.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN);
    const quoteOut = amountOut(sold, rT, rQ);
    const equityBefore = await equityWad(f);
    const lossWad = sold - quoteOut * USDC_TO_WAD;
    expect(lossWad).to.be.gt(0n);
    // The estimate a caller reads first says the same: a losing trade has no profit to share.
    expect(await f.operator.estimateCallerReward()).to.deep.equal([0n, 0n]);
    // Equity after = before − the trade's loss: no reward left the reserve on top of it.
    await expect(f.operator.connect(f.stranger).expandSupply(MaxUint256, 0)).to.not.emit(f.operator, "CallerRewarded");
    expect(await equityWad(f)).to.equal(equityBefore - lossWad);
  });

  it("a contraction that would lower an under-target ratio has no headroom to pay from and reverts RatioBelowBound with the ratio of the bare trade", async function () {
    const f = await loadFixture(deploySystemFixture);
    const pegMath = await pegMathHarness();
    // Deep under-collateralisation: a large WETH deposit, then WETH falls by two thirds.
    await f.weth.token.connect(f.user).approve(await addr(f.reserve), TOKENS("500"));
    await f.reserve.connect(f.user).mint(await addr(f.weth.token), TOKENS("500"), 0, f.user.address);
    await f.weth.feed.updateAnswer(parseUnits("1000", 8));
    await settleAt(f, price("0.96"));
    await permissionless(f);
    expect((await f.operator.preview()).blocker).to.equal(Blocker.RatioLimit);
    const [rT, rQ] = await reservesTQ(f);
    const idle = (await f.reserve.holdings(await addr(f.usdc.token))).idle;
    const perOp = (await f.operator.limits()).maxContractionPerOp / USDC_TO_WAD;
    const toPeg = await pegMath.quoteToSpendForPrice(rT, rQ, PEG_NUM, PEG_DEN);
    const spent = [toPeg, perOp, idle].reduce((a, b) => (a < b ? a : b));
    const tokensOut = amountOut(spent, rQ, rT);
    const valueBefore = await f.reserve.reserveValue();
    const supplyBefore = await f.stable.totalSupply();
    const ratioBefore = await f.reserve.collateralRatio();
    const target = await f.policy.targetRatio();
    expect(ratioBefore).to.be.lt(target);
    const ratioAfter = ((valueBefore - spent * USDC_HAIRCUT_VALUE_PER_UNIT) * WAD) / (supplyBefore - tokensOut);
    expect(ratioAfter).to.be.lt(ratioBefore);
    await expect(f.operator.connect(f.stranger).contractSupply(MaxUint256, 0))
      .to.be.revertedWithCustomError(f.operator, "RatioBelowBound")
      .withArgs(ratioBefore, ratioAfter, target);
  });

  it("quote donated unsynced to the pair before a permissionless expansion is priced in first: the trade is sized on the synced pool and the caller is paid for what it corrected", async function () {
    // Before the operator synced the pair, the donation joined the swap as extra input and left the
    // spot no closer to the peg; the caller corrected nothing and was paid nothing.
    const f = await loadFixture(deploySystemFixture);
    const pegMath = await pegMathHarness();
    await settleAt(f, price("1.03"));
    await permissionless(f);
    const p = await f.operator.preview();
    expect(p.action).to.equal(Action.Expand);
    // Small enough to stay inside the spot/TWAP guard once synced.
    const donation = p.expectedOut / 10n;
    await f.usdc.token.connect(f.trader).transfer(await addr(f.pair), donation);
    const [rT, rQ] = await reservesTQ(f);
    const sold = await pegMath.tokensToSellForPrice(rT, rQ + donation, PEG_NUM, PEG_DEN);
    const out = amountOut(sold, rT, rQ + donation);
    const callerBalanceBefore = await f.usdc.token.balanceOf(f.stranger.address);
    const tx = f.operator.connect(f.stranger).expandSupply(MaxUint256, 0);
    await expect(tx)
      .to.emit(f.operator, "SupplyExpanded")
      .withArgs(f.stranger.address, sold, out, spotWad(rT, rQ + donation), spotWad(rT + sold, rQ + donation - out));
    const receipt = await (await tx).wait();
    const rewarded = receipt!.logs
      .map((l) => f.operator.interface.parseLog(l))
      .find((e) => e?.name === "CallerRewarded");
    expect(rewarded, "the caller corrected the deviation and is paid").to.not.equal(undefined);
    expect(rewarded!.args.quoteAmount).to.be.gt(0n);
    expect(await f.usdc.token.balanceOf(f.stranger.address)).to.equal(callerBalanceBefore + rewarded!.args.quoteAmount);
  });
});
