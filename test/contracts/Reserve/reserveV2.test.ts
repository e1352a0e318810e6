/**
 * Reserve v2 (issue 16): each finding of the attack review as a test that failed on the reserve
 * before it (seen failing, see the commit) and passes after:
 * 1. redemptions pay the oracle value minus the fee while the reserve is solvent at GROSS value,
 *    pro-rata on gross value below 100%, and the n-th redeemer of a run gets what the first got;
 * 2. a briefly stale feed, or one that breaks (garbage, reverts, non-positive), is valued at its
 *    last good price under a degraded haircut, not at zero;
 * 3. volatile assets redeem with a spread of at least MIN_REDEEM_SPREAD_BPS;
 * 4. the quote asset's stable lane mints and redeems 1:1 minus a small fee near $1;
 * 5. a paused strategy vault freezes nothing paid from idle; malformed feed data never reverts
 *    `tryPrice`; feed decimals are read at each price.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, MaxUint256, ZeroAddress, encodeBytes32String, parseUnits } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { MalformedAggregator__factory, FaultyVault__factory } from "../../../typechain-types";
import { BPS, deploySystemFixture, refreshFeeds, WAD, type Actors, type Fixture } from "../../support/system";

const USDC = (s: string) => parseUnits(s, 6);
const WETH = (s: string) => parseUnits(s, 18);
const TOKENS = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const abi = AbiCoder.defaultAbiCoder();
const encodeName = (name: string) => encodeBytes32String(name);
/** MIN_REDEEM_SPREAD_BPS in contracts/libraries/Constants.sol. */
const MIN_SPREAD_BPS = 50n;

async function mintWith(f: Fixture, who: Actors["user"], asset: "usdc" | "weth", amount: bigint): Promise<bigint> {
  const token = f[asset].token;
  await token.connect(who).approve(await addr(f.reserve), amount);
  const before = await f.stable.balanceOf(who.address);
  await f.reserve.connect(who).mint(await addr(token), amount, 0, who.address);
  return (await f.stable.balanceOf(who.address)) - before;
}

async function redeemFor(f: Fixture, who: Actors["user"], asset: "usdc" | "weth", tokens: bigint): Promise<bigint> {
  const token = f[asset].token;
  await f.stable.connect(who).approve(await addr(f.reserve), tokens);
  const before = await token.balanceOf(who.address);
  await f.reserve.connect(who).redeem(await addr(token), tokens, 0, who.address);
  return (await token.balanceOf(who.address)) - before;
}

/** Makes the reserve mostly WETH: the arbitrageur mints with 600 WETH ($1.8M at $3,000). */
async function mostlyWeth(f: Fixture): Promise<bigint> {
  return mintWith(f, f.arbitrageur, "weth", WETH("600"));
}

describe("Reserve v2 (issue 16)", function () {
  describe("finding 3: redemptions pay gross value while solvent; haircuts do not set the price", function () {
    it("with the reserve mostly WETH and ETH −5%, 1,000 tokens redeem for 1,000 USDC minus the fee although the haircut ratio is below 100% [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mostlyWeth(f);
      await mintWith(f, f.user, "usdc", USDC("2000"));
      await f.weth.feed.updateAnswer(parseUnits("2850", 8));
      const supply = await f.stable.totalSupply();
      expect(await f.reserve.collateralRatio(), "haircut ratio").to.be.lt(WAD);
      expect(await f.reserve.grossValue(), "solvent at gross value").to.be.gt(supply);
      // Haircut ratio below the target: recovery mode, so the fee is the recovery redeem fee.
      const feeBps = BigInt(f.params.reserve.recoveryRedeemFeeBps);
      expect(await redeemFor(f, f.user, "usdc", TOKENS("1000"))).to.equal((USDC("1000") * (BPS - feeBps)) / BPS);
    });

    it("below 100% gross, redeeming the reserve's USDC in 100 slices pays every slice at least what the first got, and at most the first's share plus what the fees left behind [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const weth = await addr(f.weth.token);
      await mostlyWeth(f);
      await f.weth.feed.updateAnswer(parseUnits("1000", 8));
      const supply = await f.stable.totalSupply();
      const gross = await f.reserve.grossValue();
      expect(gross).to.be.lt(supply);
      // Hand the arbitrageur the tokens to redeem the USDC held, in 100 equal slices.
      const usdcHeld = await f.reserve.accountedAmount(usdc);
      const slice = (usdcHeld * 10n ** 12n * supply) / gross / 110n;
      const outs: bigint[] = [];
      for (let i = 0; i < 100; i++) outs.push(await redeemFor(f, f.arbitrageur, "usdc", slice));
      const first = outs[0];
      expect(first).to.be.gt(0n);
      for (const [i, out] of outs.entries()) {
        expect(out, `slice ${i + 1}`).to.be.gte(first);
        // The fee stays in the reserve, so the ratio drifts up by at most the fee over the run.
        expect(out, `slice ${i + 1}`).to.be.lte(
          first + (first * BigInt(f.params.reserve.recoveryRedeemFeeBps)) / BPS + 1n,
        );
      }
      expect(await f.reserve.accountedAmount(weth)).to.equal(WETH("600"));
    });

    it("while solvent at gross value, 100 equal USDC redemptions in a row each pay exactly what the first paid [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mostlyWeth(f);
      const outs: bigint[] = [];
      for (let i = 0; i < 100; i++) outs.push(await redeemFor(f, f.arbitrageur, "usdc", TOKENS("5000")));
      expect(new Set(outs.map(String)).size, "one amount for all 100").to.equal(1);
    });
  });

  describe("finding 2: a stale feed is valued at its last good price, not at zero", function () {
    it("one second past WETH's max age, 1,000 tokens still redeem for 1,000 USDC minus the fee [INV-4] [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mostlyWeth(f);
      const tokens = await mintWith(f, f.user, "usdc", USDC("2000"));
      expect(tokens).to.be.gt(TOKENS("1000"));
      const [, , , updatedAt] = await f.weth.feed.latestRoundData();
      await time.increaseTo(updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec) + 1n);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      const out = await redeemFor(f, f.user, "usdc", TOKENS("1000"));
      expect(out).to.be.gte((USDC("1000") * (BPS - BigInt(f.params.reserve.recoveryRedeemFeeBps))) / BPS);
    });
  });

  describe("finding 4: volatile assets redeem with a spread at least the feed's deviation threshold", function () {
    it("3,000 tokens redeem for at most 1 WETH × (1 − fee − MIN_REDEEM_SPREAD_BPS) at $3,000 [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mintWith(f, f.user, "weth", WETH("10"));
      const feeBps = BigInt(f.params.collateral.others[0].redeemFeeBps);
      const out = await f.reserve.previewRedeem(await addr(f.weth.token), TOKENS("3000"));
      expect(out).to.be.lte((WETH("1") * (BPS - feeBps - MIN_SPREAD_BPS)) / BPS);
    });
  });

  describe("finding 5: the quote asset's stable lane", function () {
    it("1,000 USDC mints 1,000 tokens minus the lane fee at $1, with no haircut [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const lane = f.params.collateral.quote.stableLane!;
      const want = (TOKENS("1000") * (BPS - BigInt(lane.baseFeeBps))) / BPS;
      expect(await f.reserve.previewMint(await addr(f.usdc.token), USDC("1000"))).to.equal(want);
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.equal(want);
    });
  });

  describe("finding 1: a paused strategy vault freezes nothing paid from idle", function () {
    it("with the USDC vault paused, WETH and idle-USDC redemptions, minting, the ratio views and preview() keep working [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await new FaultyVault__factory(f.admin).deploy(usdc);
      await f.reserve.connect(f.admin).setStrategy(usdc, await addr(vault));
      await f.operator.connect(f.keeper).rebalance();
      expect((await f.reserve.holdings(usdc)).strategyShares).to.be.gt(0n);
      const wethTokens = await mintWith(f, f.user, "weth", WETH("1"));
      await vault.setPaused(true);
      expect(await redeemFor(f, f.user, "weth", wethTokens)).to.be.gt(0n);
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.be.gt(0n);
      expect(await redeemFor(f, f.user, "usdc", TOKENS("500"))).to.be.gt(0n);
      await f.reserve.conservativeRatio();
      await f.operator.preview();
    });
  });

  describe("lower: malformed feed data and live decimals", function () {
    it("tryPrice reports a feed returning short, empty or out-of-range data as invalid instead of reverting, and USDC redemptions go on [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const bad = await new MalformedAggregator__factory(f.admin).deploy();
      const now = BigInt(await time.latest());
      await bad.setRound(parseUnits("3000", 8), now, 8);
      await f.oracle
        .connect(f.admin)
        .setFeed(weth, await addr(bad), 3_600, parseUnits("10", 18), parseUnits("100000", 18));
      const tokens = await mintWith(f, f.user, "usdc", USDC("1000"));
      for (const data of ["0x", "0x1234", abi.encode(["uint80", "int256"], [1, 3000n])]) {
        await bad.setRoundData(data);
        expect(await f.oracle.tryPrice(weth), data).to.deep.equal([false, 0n]);
      }
      // A word that does not fit uint80 in the roundId slot is still a well-formed answer's shape.
      await bad.setRoundData(
        abi.encode(
          ["uint256", "int256", "uint256", "uint256", "uint256"],
          [MaxUint256, parseUnits("3000", 8), now, now + 1n, MaxUint256],
        ),
      );
      expect((await f.oracle.tryPrice(weth))[0]).to.equal(true);
      await bad.setRoundData("0x");
      expect(await redeemFor(f, f.user, "usdc", tokens / 2n)).to.be.gt(0n);
    });

    it("feed decimals are read at each price: a feed that moves from 8 to 18 decimals is priced right at once [INV-12] [INV-13]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const feed = await new MalformedAggregator__factory(f.admin).deploy();
      const now = BigInt(await time.latest());
      await feed.setRound(parseUnits("3000", 8), now, 8);
      await f.oracle
        .connect(f.admin)
        .setFeed(weth, await addr(feed), 3_600, parseUnits("10", 18), parseUnits("100000", 18));
      expect(await f.oracle.price(weth)).to.equal(parseUnits("3000", 18));
      await feed.setRound(parseUnits("3100", 18), now, 18);
      expect(await f.oracle.price(weth)).to.equal(parseUnits("3100", 18));
    });
  });

  describe("degraded mode: the asset with a stale price is limited, every other asset keeps working", function () {
    async function staleWeth(f: Fixture, pastMaxAgeSec: bigint) {
      const [, , , updatedAt] = await f.weth.feed.latestRoundData();
      await time.increaseTo(updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec) + pastMaxAgeSec);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      return updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec);
    }

    it("minting WETH reverts StalePrice while USDC mints; WETH redeems at its last price raised by the degraded haircut [INV-4] [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      await mostlyWeth(f);
      const staleSince = await staleWeth(f, 3_600n);
      await f.weth.token.connect(f.user).approve(await addr(f.reserve), WETH("1"));
      await expect(f.reserve.connect(f.user).mint(weth, WETH("1"), 0, f.user.address)).to.be.revertedWithCustomError(
        f.oracle,
        "StalePrice",
      );
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.be.gt(0n);
      const w = f.params.collateral.others[0];
      // Redeem exactly two hours past the max age: a 200 bps degraded haircut.
      await f.stable.connect(f.arbitrageur).approve(await addr(f.reserve), TOKENS("3000"));
      await time.setNextBlockTimestamp(staleSince + 7_200n);
      const before = await f.weth.token.balanceOf(f.arbitrageur.address);
      await f.reserve.connect(f.arbitrageur).redeem(weth, TOKENS("3000"), 0, f.arbitrageur.address);
      expect((await f.oracle.priceInfo(weth)).haircutBps).to.equal(200n);
      const payPrice = (WETH("3000") * BPS + (BPS - 200n) - 1n) / (BPS - 200n); // rounded up
      const value = (TOKENS("3000") * (BPS - BigInt(w.redeemFeeBps) - BigInt(w.redeemSpreadBps!))) / BPS;
      expect((await f.weth.token.balanceOf(f.arbitrageur.address)) - before).to.equal((value * WAD) / payPrice);
    });

    it("redemptions in degraded mode are capped per epoch at degradedRedeemCapBps of the supply, and the cap resets the next epoch [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mostlyWeth(f);
      await f.reserve.connect(f.admin).setDegradedRedeemCap(10); // 0.1% of the supply per day
      await staleWeth(f, 1n);
      const supply = await f.stable.totalSupply();
      const cap = (supply * 10n) / BPS;
      await redeemFor(f, f.arbitrageur, "usdc", cap / 2n);
      await f.stable.connect(f.arbitrageur).approve(await addr(f.reserve), cap);
      await expect(
        f.reserve.connect(f.arbitrageur).redeem(await addr(f.usdc.token), cap, 0, f.arbitrageur.address),
      ).to.be.revertedWithCustomError(f.reserve, "DegradedRedemptionLimitExceeded");
      await time.increase(86_400);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      expect(await redeemFor(f, f.arbitrageur, "usdc", cap / 2n)).to.be.gt(0n);
    });

    it("an out-of-bounds WETH answer blocks WETH redemption with the oracle's named error; USDC redemptions go on [INV-12]", async function () {
      // Rule changed (issue 16): this test used a negative answer, which now falls back to the last
      // good price (below); an answer in shape but outside the bounds still has no price.
      const f = await loadFixture(deploySystemFixture);
      await mintWith(f, f.arbitrageur, "weth", WETH("10"));
      await f.weth.feed.updateAnswer(parseUnits("5", 8));
      await f.stable.connect(f.arbitrageur).approve(await addr(f.reserve), TOKENS("100"));
      await expect(
        f.reserve.connect(f.arbitrageur).redeem(await addr(f.weth.token), TOKENS("100"), 0, f.arbitrageur.address),
      ).to.be.revertedWithCustomError(f.oracle, "PriceOutOfBounds");
      expect(await redeemFor(f, f.arbitrageur, "usdc", TOKENS("100"))).to.be.gt(0n);
    });
  });

  describe("degraded mode for a broken (not stale) feed: the last good price, not zero", function () {
    /** Points WETH at a feed answering a well-formed $3,000 round now (recorded as the last good
     *  price), then makes it answer garbage; returns when that recorded answer goes stale. */
    async function garbleWeth(f: Fixture): Promise<bigint> {
      const bad = await new MalformedAggregator__factory(f.admin).deploy();
      const now = BigInt(await time.latest());
      await bad.setRound(parseUnits("3000", 8), now, 8);
      const maxAge = BigInt(f.params.collateral.others[0].maxAgeSec);
      await f.oracle
        .connect(f.admin)
        .setFeed(await addr(f.weth.token), await addr(bad), maxAge, WAD, parseUnits("100000", 18));
      await bad.setRoundData("0x1234");
      return now + maxAge;
    }

    it("with the reserve mostly WETH and WETH's feed answering garbage, 1,000 tokens still redeem for 1,000 USDC minus the fee [INV-4] [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mostlyWeth(f);
      const tokens = await mintWith(f, f.user, "usdc", USDC("2000"));
      expect(tokens).to.be.gt(TOKENS("1000"));
      await garbleWeth(f);
      const out = await redeemFor(f, f.user, "usdc", TOKENS("1000"));
      expect(out).to.be.gte((USDC("1000") * (BPS - BigInt(f.params.reserve.recoveryRedeemFeeBps))) / BPS);
    });

    it("with WETH's feed answering garbage, minting WETH reverts FeedCallFailed while USDC mints; WETH redeems at its last good price raised by the degraded haircut [INV-4] [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      await mostlyWeth(f);
      const staleAt = await garbleWeth(f);
      await f.weth.token.connect(f.user).approve(await addr(f.reserve), WETH("1"));
      await expect(f.reserve.connect(f.user).mint(weth, WETH("1"), 0, f.user.address)).to.be.revertedWithCustomError(
        f.oracle,
        "FeedCallFailed",
      );
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.be.gt(0n);
      await f.stable.connect(f.arbitrageur).approve(await addr(f.reserve), TOKENS("3000"));
      // Two hours past the recorded answer's max age: a 200 bps degraded haircut (USDC still fresh).
      await time.setNextBlockTimestamp(staleAt + 7_200n);
      const before = await f.weth.token.balanceOf(f.arbitrageur.address);
      await f.reserve.connect(f.arbitrageur).redeem(weth, TOKENS("3000"), 0, f.arbitrageur.address);
      expect((await f.oracle.priceInfo(weth)).haircutBps).to.equal(200n);
      const w = f.params.collateral.others[0];
      const payPrice = (WETH("3000") * BPS + (BPS - 200n) - 1n) / (BPS - 200n); // rounded up
      const value = (TOKENS("3000") * (BPS - BigInt(w.redeemFeeBps) - BigInt(w.redeemSpreadBps!))) / BPS;
      expect((await f.weth.token.balanceOf(f.arbitrageur.address)) - before).to.equal((value * WAD) / payPrice);
    });
  });

  describe("stable lane: band, deviation fee, volume and share caps", function () {
    it("at $0.997 the lane mints at the feed price and redeems 1:1, both at base + ceil(30/2) bps; at $0.994 it is closed [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const lane = f.params.collateral.quote.stableLane!;
      await mintWith(f, f.user, "usdc", USDC("10000"));
      await f.usdc.feed.updateAnswer(parseUnits("0.997", 8));
      const feeBps = BigInt(lane.baseFeeBps) + 15n;
      expect(await f.reserve.laneFee(usdc)).to.deep.equal([true, feeBps]);
      expect(await f.reserve.previewMint(usdc, USDC("1000"))).to.equal((TOKENS("997") * (BPS - feeBps)) / BPS);
      expect(await redeemFor(f, f.user, "usdc", TOKENS("1000"))).to.equal((USDC("1000") * (BPS - feeBps)) / BPS);
      await f.usdc.feed.updateAnswer(parseUnits("0.994", 8));
      expect(await f.reserve.laneFee(usdc)).to.deep.equal([false, 0n]);
      const q = f.params.collateral.quote;
      const haircutMint = (((TOKENS("994") * (BPS - BigInt(q.haircutBps))) / BPS) * (BPS - BigInt(q.mintFeeBps))) / BPS;
      expect(await f.reserve.previewMint(usdc, USDC("1000"))).to.equal(haircutMint);
    });

    it("a feed above $1 values lane mints at $1 and pays lane redemptions at the feed price (never above it) [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      await f.usdc.feed.updateAnswer(parseUnits("1.002", 8));
      const feeBps = BigInt(f.params.collateral.quote.stableLane!.baseFeeBps) + 10n;
      expect(await f.reserve.previewMint(usdc, USDC("1000"))).to.equal((TOKENS("1000") * (BPS - feeBps)) / BPS);
      const value = (TOKENS("1002") * (BPS - feeBps)) / BPS;
      expect(await f.reserve.previewRedeem(usdc, TOKENS("1002"))).to.equal(
        (value * 10n ** 6n) / parseUnits("1.002", 18),
      );
    });

    it("past the epoch's volume or the share cap, USDC mints on the ordinary haircut path; the next epoch the lane reopens [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      await time.increase(86_400); // a fresh epoch: the fixture's seed mint used the lane
      await refreshFeeds(f);
      await f.reserve
        .connect(f.admin)
        .setStableLane(usdc, { bandBps: 50, baseFeeBps: 0, maxShareBps: 10_000, volumePerEpoch: TOKENS("1500") });
      expect(await f.reserve.laneVolumeLeft(usdc)).to.deep.equal([TOKENS("1500"), TOKENS("1500")]);
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.equal(TOKENS("1000"));
      const q = f.params.collateral.quote;
      const haircutMint =
        (((TOKENS("1000") * (BPS - BigInt(q.haircutBps))) / BPS) * (BPS - BigInt(q.mintFeeBps))) / BPS;
      expect(await f.reserve.laneVolumeLeft(usdc), "net +1,000").to.deep.equal([TOKENS("500"), TOKENS("2500")]);
      expect(await mintWith(f, f.user, "usdc", USDC("1000")), "over the volume").to.equal(haircutMint);
      await time.increase(86_400);
      await refreshFeeds(f);
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.equal(TOKENS("1000"));
      await mostlyWeth(f);
      await f.reserve
        .connect(f.admin)
        .setStableLane(usdc, { bandBps: 50, baseFeeBps: 0, maxShareBps: 1_000, volumePerEpoch: TOKENS("1000000") });
      expect(await mintWith(f, f.user, "usdc", USDC("1000")), "over the share cap").to.equal(haircutMint);
    });

    it("with a zero base fee, round trips at $1 give back exactly what went in and never use up the lane: its cap counts net flow, and a full mint side still redeems [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      await time.increase(86_400); // a fresh epoch: the fixture's seed mint used the lane
      await refreshFeeds(f);
      const cap = TOKENS("1000");
      await f.reserve
        .connect(f.admin)
        .setStableLane(usdc, { bandBps: 50, baseFeeBps: 0, maxShareBps: 10_000, volumePerEpoch: cap });
      for (let i = 0; i < 3; i++) {
        expect(await mintWith(f, f.user, "usdc", USDC("1000")), `round trip ${i}: mint`).to.equal(TOKENS("1000"));
        expect(await redeemFor(f, f.user, "usdc", TOKENS("1000")), `round trip ${i}: redeem`).to.equal(USDC("1000"));
        expect(await f.reserve.laneVolumeLeft(usdc), `round trip ${i}: room`).to.deep.equal([cap, cap]);
      }
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.equal(TOKENS("1000"));
      expect(await f.reserve.laneVolumeLeft(usdc), "net +1,000").to.deep.equal([0n, 2n * cap]);
      const q = f.params.collateral.quote;
      const haircutMint =
        (((TOKENS("1000") * (BPS - BigInt(q.haircutBps))) / BPS) * (BPS - BigInt(q.mintFeeBps))) / BPS;
      expect(await mintWith(f, f.user, "usdc", USDC("1000")), "the mint side is full").to.equal(haircutMint);
      expect(await redeemFor(f, f.user, "usdc", TOKENS("1000")), "the redeem side is open").to.equal(USDC("1000"));
      expect(await f.reserve.laneVolumeLeft(usdc), "back to net 0").to.deep.equal([cap, cap]);
    });

    it("setStableLane, setRedeemSpread and setDegradedRedeemCap reject each parameter outside its bound by name [INV-14]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const ok = { bandBps: 50, baseFeeBps: 5, maxShareBps: 10_000, volumePerEpoch: TOKENS("1000") };
      const cases: [Partial<typeof ok>, string][] = [
        [{ bandBps: 101 }, "laneBandBps"],
        [{ baseFeeBps: 11 }, "laneBaseFeeBps"],
        [{ maxShareBps: 999 }, "laneMaxShareBps"],
        [{ volumePerEpoch: 0n }, "laneVolumePerEpoch"],
        [{ volumePerEpoch: TOKENS("50000001") }, "laneVolumePerEpoch"],
      ];
      for (const [change, name] of cases) {
        await expect(f.reserve.connect(f.admin).setStableLane(usdc, { ...ok, ...change }), name)
          .to.be.revertedWithCustomError(f.reserve, "ParameterOutOfBounds")
          .withArgs(encodeName(name), anyValue, anyValue, anyValue);
      }
      await expect(f.reserve.connect(f.admin).setRedeemSpread(usdc, 49))
        .to.be.revertedWithCustomError(f.reserve, "ParameterOutOfBounds")
        .withArgs(encodeName("redeemSpreadBps"), 49, 50, 500);
      await expect(f.reserve.connect(f.admin).setDegradedRedeemCap(2_001))
        .to.be.revertedWithCustomError(f.reserve, "ParameterOutOfBounds")
        .withArgs(encodeName("degradedRedeemCapBps"), 2_001, 10, 2_000);
      await expect(f.reserve.connect(f.stranger).setStableLane(usdc, ok)).to.be.revertedWithCustomError(
        f.reserve,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.reserve.connect(f.admin).setStableLane(usdc, ok))
        .to.emit(f.reserve, "StableLaneSet")
        .withArgs(usdc, 50, 5, 10_000, TOKENS("1000"));
      await expect(f.reserve.connect(f.admin).setRedeemSpread(usdc, 60))
        .to.emit(f.reserve, "RedeemSpreadSet")
        .withArgs(usdc, 60);
      expect(await f.reserve.redeemSpreadBps(usdc)).to.equal(60n);
      await expect(f.reserve.connect(f.admin).setDegradedRedeemCap(100))
        .to.emit(f.reserve, "DegradedRedeemCapSet")
        .withArgs(100);
    });
  });

  describe("emergency exits", function () {
    async function pausedVaultHoldingUsdc(f: Fixture) {
      const usdc = await addr(f.usdc.token);
      const vault = await new FaultyVault__factory(f.admin).deploy(usdc);
      await f.reserve.connect(f.admin).setStrategy(usdc, await addr(vault));
      await f.operator.connect(f.keeper).rebalance();
      return vault;
    }

    it("emergencyWithdraw redeems what a live vault gives into the buffer and detaches it; the accounted amount is unchanged [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await pausedVaultHoldingUsdc(f);
      const before = await f.reserve.accountedAmount(usdc);
      const shares = (await f.reserve.holdings(usdc)).strategyShares;
      await expect(f.reserve.connect(f.admin).emergencyWithdraw(usdc))
        .to.emit(f.reserve, "StrategyEmergencyWithdrawn")
        .withArgs(usdc, await addr(vault), anyValue, shares, 0n)
        .and.to.emit(f.reserve, "StrategySet")
        .withArgs(usdc, await addr(vault), ZeroAddress);
      expect(await f.reserve.accountedAmount(usdc)).to.equal(before);
      expect(await f.reserve.holdings(usdc)).to.deep.equal([before, 0n, 0n]);
      expect(await f.reserve.strategyOf(usdc)).to.equal(ZeroAddress);
    });

    it("with the vault paused, setStrategy(0) reverts StrategyNotEmpty, emergencyWithdraw writes the shares off and detaches [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await pausedVaultHoldingUsdc(f);
      const h = await f.reserve.holdings(usdc);
      await vault.setPaused(true);
      await expect(f.reserve.connect(f.admin).setStrategy(usdc, ZeroAddress)).to.be.revertedWithCustomError(
        f.reserve,
        "StrategyNotEmpty",
      );
      await expect(f.reserve.connect(f.guardian).emergencyWithdraw(usdc)).to.be.revertedWithCustomError(
        f.reserve,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.reserve.connect(f.admin).emergencyWithdraw(usdc))
        .to.emit(f.reserve, "StrategyEmergencyWithdrawn")
        .withArgs(usdc, await addr(vault), 0n, 0n, h.strategyShares);
      expect(await f.reserve.accountedAmount(usdc)).to.equal(h.idle);
      await expect(f.reserve.connect(f.admin).emergencyWithdraw(usdc))
        .to.be.revertedWithCustomError(f.reserve, "NoStrategy")
        .withArgs(usdc);
    });

    it("writeOffStrategy detaches a vault without calling it and stops counting the position [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await pausedVaultHoldingUsdc(f);
      const h = await f.reserve.holdings(usdc);
      await expect(f.reserve.connect(f.admin).writeOffStrategy(usdc))
        .to.emit(f.reserve, "StrategyWrittenOff")
        .withArgs(usdc, await addr(vault), h.strategyShares, h.strategyPrincipal);
      expect(await f.reserve.holdings(usdc)).to.deep.equal([h.idle, 0n, 0n]);
    });

    it("a vault minting fewer shares than previewDeposit promised makes rebalance revert StrategySharesTooFew [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await new FaultyVault__factory(f.admin).deploy(usdc);
      await f.reserve.connect(f.admin).setStrategy(usdc, await addr(vault));
      await vault.setShortChangeBps(1);
      await expect(f.operator.connect(f.keeper).rebalance()).to.be.revertedWithCustomError(
        f.reserve,
        "StrategySharesTooFew",
      );
    });

    it("a donation to an empty vault before the first rebalance makes the reserve skip it instead of blocking rebalance [INV-3]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await new FaultyVault__factory(f.admin).deploy(usdc);
      await f.reserve.connect(f.admin).setStrategy(usdc, await addr(vault));
      await f.usdc.token.connect(f.trader).transfer(await addr(vault), USDC("10"));
      expect(await f.reserve.rebalanceDelta(usdc)).to.equal(0n);
      await expect(f.operator.connect(f.keeper).rebalance()).to.be.revertedWithCustomError(
        f.operator,
        "NothingToRebalance",
      );
    });

    it("delistAsset removes an asset holding nothing, refuses one with holdings, and the asset can be listed again [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const usdc = await addr(f.usdc.token);
      await expect(f.reserve.connect(f.admin).delistAsset(usdc)).to.be.revertedWithCustomError(
        f.reserve,
        "AssetNotEmpty",
      );
      const config = await f.reserve.assetConfig(weth);
      await expect(f.reserve.connect(f.stranger).delistAsset(weth)).to.be.revertedWithCustomError(
        f.reserve,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.reserve.connect(f.admin).delistAsset(weth)).to.emit(f.reserve, "AssetDelisted").withArgs(weth);
      expect(await f.reserve.assets()).to.deep.equal([usdc]);
      await f.weth.token.connect(f.user).approve(await addr(f.reserve), WETH("1"));
      await expect(f.reserve.connect(f.user).mint(weth, WETH("1"), 0, f.user.address)).to.be.revertedWithCustomError(
        f.reserve,
        "AssetNotListed",
      );
      await f.reserve.connect(f.admin).listAsset(weth, {
        haircutBps: config.haircutBps,
        mintFeeBps: config.mintFeeBps,
        redeemFeeBps: config.redeemFeeBps,
        bufferBps: config.bufferBps,
        ceiling: config.ceiling,
      });
      expect(await mintWith(f, f.user, "weth", WETH("1"))).to.be.gt(0n);
    });
  });
});
