/**
 * The reserve's cached valuation (issue 17): a stable-lane mint or redeem reads the last whole
 * valuation instead of pricing every asset, flows keep its amounts current, a whole pass renews
 * its prices, and a stale cache never lets a lane redeemer take more than min(G* ÷ S, 1) [INV-4].
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
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

  it("setValuationMaxAge sets the bound within [60 s, 1 h] and emits ValuationMaxAgeSet [INV-14]", async function () {
    const f = await loadFixture(deploySystemFixture);
    expect(await f.reserve.valuationMaxAgeSec()).to.equal(900n);
    await expect(f.reserve.connect(f.admin).setValuationMaxAge(120))
      .to.emit(f.reserve, "ValuationMaxAgeSet")
      .withArgs(120);
    expect(await f.reserve.valuationMaxAgeSec()).to.equal(120n);
  });
});
