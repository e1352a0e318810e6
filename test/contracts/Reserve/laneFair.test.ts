/**
 * Fair lane redemptions (issue 16, items 1 and 2): a stable-lane redemption never pays less than
 * the ordinary path would for the same tokens at the same state. The ordinary quote is the
 * Reserve's own: the same state with the lane closed (a snapshot), so the test does not restate
 * the formula it checks. Before the fix the lane paid less with USDC's feed more than ~37 bps under
 * $1 (lane fee base + deviation/2 at $1, against fee + spread at the feed) and in recovery mode.
 */
import { expect } from "chai";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits, type ContractTransactionResponse } from "ethers";
import { stableLaneArgs, LOCAL_PARAMS } from "../../../deploy/parameters";
import { deploySystemFixture, refreshFeeds, WAD, type Fixture } from "../../support/system";

const TOKENS = (s: string) => parseUnits(s, 18);
const USD8 = (s: string) => parseUnits(s, 8);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const LANE = LOCAL_PARAMS.collateral.quote.stableLane!;

/** What the ordinary path pays for `tokens` of USDC now: previewRedeem with the lane closed, state rolled back. */
async function ordinaryQuote(f: Fixture, tokens: bigint): Promise<bigint> {
  const snap = await takeSnapshot();
  const usdc = await addr(f.usdc.token);
  await f.reserve.connect(f.admin).setStableLane(usdc, stableLaneArgs({ ...LANE, bandBps: 0 }));
  const quote = await f.reserve.previewRedeem(usdc, tokens);
  await snap.restore();
  return quote;
}

/** Redeems `tokens` for USDC as the user; returns the transaction, what arrived and the lane room it left. */
async function redeemUsdc(f: Fixture, tokens: bigint) {
  const usdc = await addr(f.usdc.token);
  await f.stable.connect(f.user).approve(await addr(f.reserve), tokens);
  const before = await f.usdc.token.balanceOf(f.user.address);
  const tx = await f.reserve.connect(f.user).redeem(usdc, tokens, 0, f.user.address);
  const paid = (await f.usdc.token.balanceOf(f.user.address)) - before;
  return { tx, paid, room: (await f.reserve.laneVolumeLeft(usdc))[1] };
}

async function feeOf(f: Fixture, tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  for (const log of receipt!.logs) {
    const parsed = f.reserve.interface.parseLog(log);
    if (parsed?.name === "Redeemed") return parsed.args.feeBps as bigint;
  }
  throw new Error("no Redeemed event");
}

/** The fixture with the user holding tokens minted on the lane at $1. */
async function fixtureWithTokens(): Promise<Fixture> {
  const f = await loadFixture(deploySystemFixture);
  const amount = parseUnits("5000", 6);
  await f.usdc.token.connect(f.user).approve(await addr(f.reserve), amount);
  await f.reserve.connect(f.user).mint(await addr(f.usdc.token), amount, 0, f.user.address);
  return f;
}

/** Sets the policy's target at once (setParams re-clamps the target into [min, max]). */
async function setTarget(f: Fixture, targetWad: bigint) {
  const p = await f.policy.params();
  await f.policy.connect(f.admin).setParams({
    minRatioWad: targetWad,
    maxRatioWad: targetWad,
    stepWad: p.stepWad,
    bandBps: p.bandBps,
    riskWeightBps: p.riskWeightBps,
    refreshCooldownSec: p.refreshCooldownSec,
  });
}

/**
 * One redemption of `tokens` with the lane open: it pays previewRedeem to the wei, at least the
 * ordinary quote, and exactly the larger of the two paths; the lane's room moves only when the
 * lane paid.
 */
async function expectFair(f: Fixture, tokens: bigint, cached: boolean) {
  const usdc = await addr(f.usdc.token);
  const [open] = await f.reserve.laneFee(usdc);
  expect(open, "the lane is open").to.equal(true);
  const ordinary = await ordinaryQuote(f, tokens);
  const preview = await f.reserve.previewRedeem(usdc, tokens);
  const roomBefore = (await f.reserve.laneVolumeLeft(usdc))[1];
  const { tx, paid, room } = await redeemUsdc(f, tokens);
  expect(paid, "never less than the ordinary path").to.be.gte(ordinary);
  expect(paid, "previewRedeem to the wei").to.equal(preview);
  if (cached) await expect(tx).to.not.emit(f.reserve, "ValuationCached");
  else await expect(tx).to.emit(f.reserve, "ValuationCached");
  return { paid, ordinary, laneUsed: room !== roomBefore, feeBps: await feeOf(f, tx) };
}

describe("Reserve: a stable-lane redemption never pays less than the ordinary path (issue 16)", function () {
  it("with USDC's feed 50 bps under $1 (the band's edge), on the fresh cache and on a whole pass, it pays the ordinary quote and leaves the lane's room alone", async function () {
    const f = await fixtureWithTokens();
    await f.usdc.feed.updateAnswer(USD8("0.995"));
    await f.reserve.poke();
    const ordinaryFeeBps = BigInt(LOCAL_PARAMS.collateral.quote.redeemFeeBps) + 50n; // + MIN_REDEEM_SPREAD_BPS
    const fresh = await expectFair(f, TOKENS("1000"), true);
    // The lane alone: 1,000 × (1 − (5 + 25) bps) at $1 = 997 USDC; the ordinary path 994.5 / 0.995.
    expect(fresh.paid).to.equal(fresh.ordinary);
    expect(fresh.paid).to.be.gt(parseUnits("997", 6));
    expect(fresh.laneUsed, "the ordinary path paid: no lane volume").to.equal(false);
    expect(fresh.feeBps).to.equal(ordinaryFeeBps);

    // A stale cache: the redemption prices the whole reserve, with the same rule.
    await time.increase(Number(await f.reserve.valuationMaxAgeSec()) + 1);
    await refreshFeeds(f);
    const whole = await expectFair(f, TOKENS("1000"), false);
    expect(whole.paid).to.equal(whole.ordinary);
    expect(whole.laneUsed).to.equal(false);
  });

  it("near $1 the lane still pays (more than the ordinary path) and uses its room", async function () {
    const f = await fixtureWithTokens();
    await f.usdc.feed.updateAnswer(USD8("0.999"));
    await f.reserve.poke();
    const r = await expectFair(f, TOKENS("1000"), true);
    expect(r.paid).to.be.gt(r.ordinary);
    expect(r.laneUsed).to.equal(true);
    expect(r.feeBps).to.equal(BigInt(LANE.baseFeeBps) + 5n);
  });

  it("in recovery mode with the feed under $1, it pays the ordinary quote (the recovery fee at the feed beats it at $1)", async function () {
    const f = await fixtureWithTokens();
    await f.usdc.feed.updateAnswer(USD8("0.998"));
    await setTarget(f, (await f.reserve.conservativeRatio()) + WAD / 10n);
    await f.reserve.poke();
    expect((await f.reserve.cachedRecoveryMode())[0]).to.equal(true);
    // A cached recovery flag sends the lane redemption through the whole pass (the live ratio decides).
    const r = await expectFair(f, TOKENS("1000"), false);
    expect(r.paid).to.equal(r.ordinary);
    expect(r.laneUsed).to.equal(false);
  });

  it("a cached recovery flag the live ratio has cleared does not charge the recovery fee: the whole pass pays the lane fee", async function () {
    const f = await fixtureWithTokens();
    await setTarget(f, (await f.reserve.conservativeRatio()) + WAD / 10n);
    await f.reserve.poke();
    await setTarget(f, WAD);
    expect(await f.reserve.inRecoveryMode()).to.equal(false);
    expect((await f.reserve.cachedRecoveryMode())[0], "the flag lags").to.equal(true);
    const r = await expectFair(f, TOKENS("1000"), false);
    expect(r.feeBps, "the lane fee at $1, not the recovery fee").to.equal(BigInt(LANE.baseFeeBps));
    expect(r.laneUsed).to.equal(true);
    expect((await f.reserve.cachedRecoveryMode())[0], "the whole pass renewed the flag").to.equal(false);
  });
});
