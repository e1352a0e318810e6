/**
 * The reserve's cached valuation (issue 17): a stable-lane mint or redeem reads the last whole
 * valuation instead of pricing every asset, flows keep its amounts current, a whole pass renews
 * its prices, and a stale cache never lets a lane redeemer take more than min(G* ÷ S, 1) [INV-4].
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits, type ContractTransactionResponse } from "ethers";
import { between, rng } from "../../support/bigRng";
import { deploySystemFixture, refreshFeeds, WAD, type Actors, type Fixture } from "../../support/system";

const USDC = (s: string) => parseUnits(s, 6);
const WETH = (s: string) => parseUnits(s, 18);
const TOKENS = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

async function mintWith(f: Fixture, who: Actors["user"], asset: "usdc" | "weth", amount: bigint) {
  const token = f[asset].token;
  await token.connect(who).approve(await addr(f.reserve), amount);
  return f.reserve.connect(who).mint(await addr(token), amount, 0, who.address);
}

async function redeemUsdc(f: Fixture, who: Actors["user"], tokens: bigint) {
  await f.stable.connect(who).approve(await addr(f.reserve), tokens);
  return f.reserve.connect(who).redeem(await addr(f.usdc.token), tokens, 0, who.address);
}

/** The fee (bps) a mint or redemption charged, from its Minted / Redeemed event. */
async function feeOf(f: Fixture, tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  for (const log of receipt!.logs) {
    const parsed = f.reserve.interface.parseLog(log);
    if (parsed?.name === "Minted" || parsed?.name === "Redeemed") return parsed.args.feeBps as bigint;
  }
  throw new Error("no Minted or Redeemed event");
}

/** Raises the policy's target to `targetWad` at once (setParams re-clamps the target into [min, max]). */
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

describe("Reserve: cached valuation for the stable lane (issue 17)", function () {
  it("poke prices every asset and caches exactly redemptionRatio's and conservativeRatio's values", async function () {
    const f = await loadFixture(deploySystemFixture);
    await mintWith(f, f.arbitrageur, "weth", WETH("10"));
    await expect(f.reserve.connect(f.stranger).poke()).to.emit(f.reserve, "ValuationCached");
    const [grossWad, haircutWad, valuedAt, degraded] = await f.reserve.cachedValuation();
    const supply = await f.stable.totalSupply();
    expect((grossWad * WAD) / supply).to.equal(await f.reserve.redemptionRatio());
    expect((haircutWad * WAD) / supply).to.equal(await f.reserve.conservativeRatio());
    expect(valuedAt).to.equal(BigInt(await time.latest()));
    expect(degraded).to.equal(false);
  });

  it("a lane mint on a fresh cache adds its own value without a whole pass; one past valuationMaxAgeSec prices the reserve again", async function () {
    const f = await loadFixture(deploySystemFixture);
    await f.reserve.poke();
    const [gross0, haircut0, valuedAt0] = await f.reserve.cachedValuation();
    const fresh = await mintWith(f, f.user, "usdc", USDC("1000"));
    await expect(fresh).to.not.emit(f.reserve, "ValuationCached");
    const [gross1, haircut1, valuedAt1] = await f.reserve.cachedValuation();
    // USDC at $1 on the local feed, haircut 1%.
    expect(gross1 - gross0).to.equal(TOKENS("1000"));
    expect(haircut1 - haircut0).to.equal(TOKENS("990"));
    expect(valuedAt1, "a flow keeps the cache's age").to.equal(valuedAt0);

    await time.increase(Number(await f.reserve.valuationMaxAgeSec()) + 1);
    await refreshFeeds(f);
    const stale = await mintWith(f, f.user, "usdc", USDC("1000"));
    await expect(stale).to.emit(f.reserve, "ValuationCached");
    expect((await f.reserve.cachedValuation())[2]).to.equal(BigInt(await time.latest()));
  });

  it("with WETH crashed after the cache, a lane redemption the USDC cannot cover alone pays pro-rata on the whole valuation, not 1:1 [INV-4]", async function () {
    const f = await loadFixture(deploySystemFixture);
    // Mostly WETH: the USDC held cannot cover the supply on its own.
    await mintWith(f, f.arbitrageur, "weth", WETH("600"));
    await mintWith(f, f.user, "usdc", USDC("2000"));
    await f.reserve.poke();
    expect(await f.reserve.redemptionRatio(), "solvent when cached").to.be.gt(WAD);
    // ETH −60% with the cache still fresh: gross value now below the supply.
    await f.weth.feed.updateAnswer(parseUnits("1200", 8));
    const ratio = await f.reserve.redemptionRatio();
    expect(ratio).to.be.lt(WAD);
    const tokens = TOKENS("1000");
    const before = await f.usdc.token.balanceOf(f.user.address);
    await expect(redeemUsdc(f, f.user, tokens)).to.emit(f.reserve, "ValuationCached");
    const paid = (await f.usdc.token.balanceOf(f.user.address)) - before;
    // Pro-rata: at most tokens × G* ÷ S (before the fee), far below 1:1.
    expect(paid).to.be.lte((tokens * ratio) / WAD / 10n ** 12n);
    expect(paid).to.be.lt((USDC("1000") * 9n) / 10n);
  });

  it("while the USDC alone covers the supply, a lane redemption pays 1:1 minus the lane fee from the cache, without a whole pass [INV-4]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await mintWith(f, f.user, "usdc", USDC("5000"));
    await f.reserve.poke();
    const [open, feeBps] = await f.reserve.laneFee(await addr(f.usdc.token));
    expect(open).to.equal(true);
    const before = await f.usdc.token.balanceOf(f.user.address);
    const tx = await redeemUsdc(f, f.user, TOKENS("1000"));
    await expect(tx).to.not.emit(f.reserve, "ValuationCached");
    expect((await f.usdc.token.balanceOf(f.user.address)) - before).to.equal(
      (USDC("1000") * (10_000n - feeBps)) / 10_000n,
    );
  });

  it("a cache that saw a degraded asset sends lane redemptions through the whole pass, which applies the degraded cap", async function () {
    const f = await loadFixture(deploySystemFixture);
    await mintWith(f, f.arbitrageur, "weth", WETH("10"));
    await mintWith(f, f.user, "usdc", USDC("5000"));
    const wethCfg = await f.oracle.feedConfig(await addr(f.weth.token));
    await time.increase(Number(wethCfg.maxAgeSec) + 1);
    await refreshFeeds(f, [f.usdc]);
    await f.reserve.poke();
    expect((await f.reserve.cachedValuation())[3], "degraded").to.equal(true);
    await expect(redeemUsdc(f, f.user, TOKENS("100"))).to.emit(f.reserve, "ValuationCached");
  });

  it("operator moves and rebalances keep the cache's amounts current", async function () {
    const f = await loadFixture(deploySystemFixture);
    await mintWith(f, f.user, "usdc", USDC("5000"));
    await f.reserve.poke();
    const [gross0] = await f.reserve.cachedValuation();
    const operator = await f.reserve.OPERATOR_ROLE();
    await f.reserve.connect(f.admin).grantRole(operator, f.admin.address);
    await f.reserve.connect(f.admin).releaseToOperator(await addr(f.usdc.token), USDC("100"), f.admin.address);
    expect((await f.reserve.cachedValuation())[0]).to.equal(gross0 - TOKENS("100"));
    await f.usdc.token.connect(f.admin).approve(await addr(f.reserve), USDC("40"));
    await f.reserve.connect(f.admin).depositFromOperator(await addr(f.usdc.token), USDC("40"));
    expect((await f.reserve.cachedValuation())[0]).to.equal(gross0 - TOKENS("60"));
  });

  it("riskHaircutBps is the cached figure while fresh (never below weightedHaircutBps) and the live one once stale", async function () {
    const f = await loadFixture(deploySystemFixture);
    await mintWith(f, f.arbitrageur, "weth", WETH("10"));
    await f.reserve.poke();
    const live = await f.reserve.weightedHaircutBps();
    const cached = await f.reserve.riskHaircutBps();
    expect(cached).to.be.gte(live);
    expect(cached - live).to.be.lte(1n);
    // Move WETH's price: the stale cache no longer decides.
    await time.increase(Number(await f.reserve.valuationMaxAgeSec()) + 1);
    await refreshFeeds(f);
    await f.weth.feed.updateAnswer(parseUnits("6000", 8));
    expect(await f.reserve.riskHaircutBps()).to.equal(await f.reserve.weightedHaircutBps());
  });

  it("the recovery flag: a whole pass keeps it, a lane mint on the fresh cache charges by it (not by the live target), a lane redemption under it prices the whole reserve, a poke renews it [INV-4]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const usdc = await addr(f.usdc.token);
    await mintWith(f, f.user, "usdc", USDC("5000"));
    await f.reserve.poke();
    expect(await f.reserve.inRecoveryMode()).to.equal(false);
    expect(await f.reserve.cachedRecoveryMode()).to.deep.equal([false, BigInt(await time.latest())]);
    const [, laneFeeBps] = await f.reserve.laneFee(usdc);
    const recoveryRedeemFeeBps = await f.reserve.recoveryRedeemFeeBps();
    const recoveryMintFeeBps = await f.reserve.recoveryMintFeeBps();
    expect(recoveryRedeemFeeBps, "the fixture's recovery fee differs from the lane fee").to.be.gt(laneFeeBps);

    // A new target above the haircut ratio: live recovery at once, the cached flag not yet.
    const conservative = await f.reserve.conservativeRatio();
    await setTarget(f, conservative + WAD / 10n);
    expect(await f.reserve.inRecoveryMode()).to.equal(true);
    expect((await f.reserve.cachedRecoveryMode())[0]).to.equal(false);
    const lagging = await redeemUsdc(f, f.user, TOKENS("100"));
    await expect(lagging).to.not.emit(f.reserve, "ValuationCached");
    expect(await feeOf(f, lagging), "the flag lags: the lane fee").to.equal(laneFeeBps);

    // Anyone's poke renews the flag (and says so); the lane then charges the recovery fees. A lane
    // redemption under the flag prices the whole reserve, so the live ratio decides its fee (a
    // cleared flag must not charge more than the ordinary path: laneFair.test.ts).
    await expect(f.reserve.connect(f.stranger).poke()).to.emit(f.reserve, "RecoveryModeCached").withArgs(true);
    expect(await f.reserve.cachedRecoveryMode()).to.deep.equal([true, BigInt(await time.latest())]);
    const redeemed = await redeemUsdc(f, f.user, TOKENS("100"));
    await expect(redeemed).to.emit(f.reserve, "ValuationCached");
    expect(await feeOf(f, redeemed)).to.equal(recoveryRedeemFeeBps);
    const minted = await mintWith(f, f.user, "usdc", USDC("100"));
    await expect(minted).to.not.emit(f.reserve, "ValuationCached");
    expect(await feeOf(f, minted)).to.equal(recoveryMintFeeBps < laneFeeBps ? recoveryMintFeeBps : laneFeeBps);

    // Back under the ratio: the next whole pass clears it.
    await setTarget(f, WAD);
    await expect(f.reserve.poke()).to.emit(f.reserve, "RecoveryModeCached").withArgs(false);
    expect(await feeOf(f, await redeemUsdc(f, f.user, TOKENS("100")))).to.equal(laneFeeBps);
  });

  it("on random states, the cache kept by lane flows equals the whole valuation to the wei and the flag equals the live recovery test", async function () {
    const next = rng(0x17ca5een);
    const usdc = await (async () => addr((await loadFixture(deploySystemFixture)).usdc.token))();
    for (let state = 0; state < 12; state++) {
      const f = await loadFixture(deploySystemFixture);
      // A random reserve: WETH at a random price, USDC's feed anywhere inside the lane's ±50 bps band.
      await f.weth.feed.updateAnswer(between(next, 500n, 6_000n) * 10n ** 8n);
      await f.usdc.feed.updateAnswer(between(next, 99_550_000n, 100_450_000n));
      await mintWith(f, f.arbitrageur, "weth", between(next, 1n, 400n) * WETH("1"));
      await mintWith(f, f.user, "usdc", between(next, 1_000n, 200_000n) * USDC("1"));
      // A random target, on either side of the haircut ratio.
      await setTarget(f, between(next, WAD, (WAD * 3n) / 2n));
      await f.reserve.poke();
      expect((await f.reserve.cachedRecoveryMode())[0], `state ${state}: flag`).to.equal(
        await f.reserve.inRecoveryMode(),
      );
      // Random lane flows at the same prices, each counted into the cache by its own amount.
      for (let step = 0; step < 6; step++) {
        if (next() % 2n === 0n) await mintWith(f, f.user, "usdc", between(next, 1n, 50_000_000_000n));
        else await redeemUsdc(f, f.user, between(next, 1n, 10n ** 21n));
      }
      const [grossWad, haircutWad] = await f.reserve.cachedValuation();
      expect([grossWad, haircutWad], `state ${state}: cache against the whole valuation`).to.deep.equal(
        await f.reserve.valuation(),
      );
      expect(await f.reserve.idleOf(usdc)).to.equal((await f.reserve.holdings(usdc)).idle);
    }
  });

  it("setValuationMaxAge sets the bound within [60 s, 1 h] and emits ValuationMaxAgeSet [INV-14]", async function () {
    const f = await loadFixture(deploySystemFixture);
    expect(await f.reserve.valuationMaxAgeSec()).to.equal(900n);
    await expect(f.reserve.connect(f.admin).setValuationMaxAge(120))
      .to.emit(f.reserve, "ValuationMaxAgeSet")
      .withArgs(120);
    expect(await f.reserve.valuationMaxAgeSec()).to.equal(120n);
  });
});
