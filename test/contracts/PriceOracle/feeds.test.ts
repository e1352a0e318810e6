/**
 * PriceOracle feed half, issue 16: the backup feed, the L2 sequencer-uptime feed (Chainlink's
 * shape: answer 0 = up since `startedAt`, here the official MockV3Aggregator) and degraded mode
 * (`priceInfo`: the last good price, a stale feed's last answer or the one the oracle recorded
 * before the feed broke, under a haircut that grows with its staleness).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroAddress, parseUnits } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  MalformedAggregator__factory,
  MockV3Aggregator__factory,
  RevertingAggregator__factory,
} from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const WAD = (s: string) => parseUnits(s, 18);
/** Constants.sol: MAX_DEGRADED_AGE_SEC, DEGRADED_HAIRCUT_BPS_PER_HOUR, MAX_DEGRADED_HAIRCUT_BPS. */
const MAX_DEGRADED_AGE_SEC = 86_400n;
const HAIRCUT_BPS_PER_HOUR = 100n;
const MAX_DEGRADED_HAIRCUT_BPS = 2_500n;
/** Constants.sol: MAX_PRICED_ASSETS = MAX_ASSETS + 1. */
const MAX_PRICED_ASSETS = 9n;
const Status = { Ok: 0n, Degraded: 1n, Invalid: 2n };

async function withBackup(f: Fixture, answerUsd: string) {
  const backup = await new MockV3Aggregator__factory(f.admin).deploy(8, parseUnits(answerUsd, 8));
  await f.oracle.connect(f.admin).setBackupFeed(await addr(f.weth.token), await addr(backup), 3_600);
  return backup;
}

/** Lets WETH's primary feed go stale by `pastMaxAgeSec` seconds, keeping USDC fresh. */
async function staleWeth(f: Fixture, pastMaxAgeSec: bigint): Promise<bigint> {
  const [, , , updatedAt] = await f.weth.feed.latestRoundData();
  await time.increaseTo(updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec) + pastMaxAgeSec);
  await f.usdc.feed.updateAnswer(parseUnits("1", 8));
  return updatedAt;
}

describe("PriceOracle feeds (issue 16): backup feed, sequencer uptime, degraded mode", function () {
  describe("backup feed", function () {
    it("serves the price when the primary is stale; the primary's error is reported when both fail [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const backup = await withBackup(f, "2990");
      await staleWeth(f, 1n);
      await backup.updateAnswer(parseUnits("2990", 8));
      expect(await f.oracle.price(weth)).to.equal(WAD("2990"));
      expect(await f.oracle.tryPrice(weth)).to.deep.equal([true, WAD("2990")]);
      expect((await f.oracle.priceInfo(weth)).status).to.equal(Status.Ok);
      await backup.updateAnswer(0n);
      await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "StalePrice");
    });

    it("setBackupFeed needs a primary and a bounded max age; the zero aggregator removes it [INV-14]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const feed = await addr(f.weth.feed);
      await expect(
        f.oracle.connect(f.admin).setBackupFeed(await addr(f.stable), feed, 3_600),
      ).to.be.revertedWithCustomError(f.oracle, "FeedNotSet");
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, feed, 59)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidFeedConfig",
      );
      await expect(f.oracle.connect(f.stranger).setBackupFeed(weth, feed, 3_600)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, feed, 3_600))
        .to.emit(f.oracle, "BackupFeedSet")
        .withArgs(weth, feed, 3_600);
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, ZeroAddress, 3_600))
        .to.emit(f.oracle, "BackupFeedSet")
        .withArgs(weth, ZeroAddress, 0);
      expect(await f.oracle.backupFeed(weth)).to.deep.equal([ZeroAddress, 0n]);
    });
  });

  describe("L2 sequencer uptime", function () {
    it("blocks every price while the sequencer is down and for the grace period after it is back [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const uptime = await new MockV3Aggregator__factory(f.admin).deploy(0, 0); // 0 = up since now
      await time.increase(7_200);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      await f.oracle.connect(f.admin).setSequencerUptimeFeed(await addr(uptime), 3_600);
      expect(await f.oracle.price(usdc)).to.equal(WAD("1"));

      await uptime.updateAnswer(1); // down
      await expect(f.oracle.price(usdc))
        .to.be.revertedWithCustomError(f.oracle, "SequencerDown")
        .withArgs(await addr(uptime));
      expect(await f.oracle.tryPrice(usdc)).to.deep.equal([false, 0n]);
      expect((await f.oracle.priceInfo(usdc)).status).to.equal(Status.Invalid);

      await uptime.updateAnswer(0); // back up now: the grace period runs
      const upSince = BigInt(await time.latest());
      await expect(f.oracle.price(usdc)).to.be.revertedWithCustomError(f.oracle, "SequencerGracePeriod");
      await time.increaseTo(upSince + 3_600n);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      expect(await f.oracle.price(usdc)).to.equal(WAD("1"));
      expect((await f.oracle.priceInfo(usdc)).slice(0, 2)).to.deep.equal([Status.Ok, WAD("1")]);
    });

    it("an uptime feed that reverts, or answers up with no start time, counts as down (fail closed) [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const reverting = await new RevertingAggregator__factory(f.admin).deploy(0);
      await reverting.setBroken(true);
      const noStart = await new MalformedAggregator__factory(f.admin).deploy();
      await noStart.setRound(0, 0, 0); // answer 0 ("up") but startedAt 0
      for (const uptime of [reverting, noStart]) {
        await f.oracle.connect(f.admin).setSequencerUptimeFeed(await addr(uptime), 3_600);
        await expect(f.oracle.price(usdc))
          .to.be.revertedWithCustomError(f.oracle, "SequencerDown")
          .withArgs(await addr(uptime));
        expect(await f.oracle.priceInfo(usdc)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
      }
    });

    it("a feed set after the uptime feed is checked too; removing the uptime feed frees every feed [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const weth = await addr(f.weth.token);
      const uptime = await new MockV3Aggregator__factory(f.admin).deploy(0, 1); // down
      await f.oracle.connect(f.admin).setSequencerUptimeFeed(await addr(uptime), 3_600);
      // Re-set WETH's feed while the sequencer is down: the new config must carry the check.
      const cfg = await f.oracle.feedConfig(weth);
      await f.oracle.connect(f.admin).setFeed(weth, cfg.aggregator, cfg.maxAgeSec, cfg.minPriceWad, cfg.maxPriceWad);
      for (const asset of [usdc, weth]) {
        await expect(f.oracle.price(asset)).to.be.revertedWithCustomError(f.oracle, "SequencerDown");
        expect((await f.oracle.priceInfo(asset)).status).to.equal(Status.Invalid);
      }
      await f.oracle.connect(f.admin).setSequencerUptimeFeed(ZeroAddress, 0);
      expect(await f.oracle.price(usdc)).to.equal(WAD("1"));
      expect((await f.oracle.priceInfo(weth)).status).to.equal(Status.Ok);
    });

    it("the grace period is bounded; the zero feed turns the check off [INV-14]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const uptime = await addr(f.usdc.feed);
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(uptime, 299))
        .to.be.revertedWithCustomError(f.oracle, "InvalidSequencerGracePeriod")
        .withArgs(299, 300, 86_400);
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(uptime, 86_401)).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidSequencerGracePeriod",
      );
      await expect(f.oracle.connect(f.guardian).setSequencerUptimeFeed(uptime, 3_600)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(ZeroAddress, 5))
        .to.emit(f.oracle, "SequencerUptimeFeedSet")
        .withArgs(ZeroAddress, 0);
    });
  });

  describe("degraded mode (priceInfo)", function () {
    it("a stale feed's last answer is the degraded price, its haircut grows by 1%/h rounded up, caps at 25%, and ends after a day [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Ok, WAD("3000"), 0n, 0n]);
      const updatedAt = await staleWeth(f, 1n);
      const staleSince = updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec);
      await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "StalePrice");
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("3000"), staleSince, 1n]);
      await time.increaseTo(staleSince + 5_400n); // 1.5 h: ceil(150) bps
      expect((await f.oracle.priceInfo(weth)).haircutBps).to.equal((HAIRCUT_BPS_PER_HOUR * 3n) / 2n);
      await time.increaseTo(staleSince + 30n * 3_600n); // 30 h > one day: no price at all
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
      expect(await f.oracle.degradedHaircutBps(24n * 3_600n)).to.equal(2_400n);
      expect(await f.oracle.degradedHaircutBps(MAX_DEGRADED_AGE_SEC)).to.equal(MAX_DEGRADED_HAIRCUT_BPS - 100n);
      expect(await f.oracle.degradedHaircutBps(100n * 3_600n)).to.equal(MAX_DEGRADED_HAIRCUT_BPS);
    });

    it("a non-positive or future-dated answer falls back to the recorded last good price; an out-of-bounds one, or no feed, is Invalid [INV-12]", async function () {
      // Rule changed (issue 16): a zero/negative answer was Invalid (valued at zero); it says
      // nothing about the price, so the asset's last good price now stands in, as for a stale feed.
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      await f.oracle.recordPrices();
      const [lastWad, staleAt] = await f.oracle.lastGoodPrice(weth);
      expect(lastWad).to.equal(WAD("3000"));
      await f.weth.feed.updateAnswer(0n);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("3000"), staleAt, 0n]);
      await f.weth.feed.updateAnswer(-1n);
      expect((await f.oracle.priceInfo(weth)).status).to.equal(Status.Degraded);
      const now = BigInt(await time.latest());
      await f.weth.feed.updateRoundData(99n, parseUnits("3100", 8), now + 3_600n, now);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("3000"), staleAt, 0n]);
      // In shape but below the $10 bound: possibly a real crash, so no last good price hides it.
      await f.weth.feed.updateAnswer(parseUnits("5", 8));
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
      expect((await f.oracle.priceInfo(await addr(f.stable))).status).to.equal(Status.Invalid);
    });
  });

  describe("last good prices for a feed that breaks (not stale)", function () {
    /** WETH priced by a feed answering a well-formed round at $3,000 now; returns it and its stale time. */
    async function wethOnMalformedFeed(f: Fixture) {
      const weth = await addr(f.weth.token);
      const bad = await new MalformedAggregator__factory(f.admin).deploy();
      const now = BigInt(await time.latest());
      await bad.setRound(parseUnits("3000", 8), now, 8);
      const maxAge = BigInt(f.params.collateral.others[0].maxAgeSec);
      await expect(f.oracle.connect(f.admin).setFeed(weth, await addr(bad), maxAge, WAD("10"), WAD("100000")))
        .to.emit(f.oracle, "LastGoodPriceRecorded")
        .withArgs(weth, WAD("3000"), now + maxAge);
      return { weth, bad, staleAt: now + maxAge };
    }

    it("a feed answering garbage is Degraded at its last good price, the haircut counted from when that answer went stale, and Invalid a day later [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const { weth, bad, staleAt } = await wethOnMalformedFeed(f);
      for (const data of ["0x", "0x1234"]) {
        await bad.setRoundData(data);
        await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "FeedCallFailed");
        // Within the recorded answer's max age: degraded (no fresh feed) but no haircut yet.
        expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("3000"), staleAt, 0n]);
      }
      await time.increaseTo(staleAt + 5_400n);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("3000"), staleAt, 150n]);
      await time.increaseTo(staleAt + MAX_DEGRADED_AGE_SEC + 1n);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
    });

    it("a feed whose latestRoundData reverts keeps the last good price recorded before it broke [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const feed = await new RevertingAggregator__factory(f.admin).deploy(parseUnits("2900", 8));
      await f.oracle.connect(f.admin).setFeed(weth, await addr(feed), 3_600, WAD("10"), WAD("100000"));
      const [lastWad, staleAt] = await f.oracle.lastGoodPrice(weth);
      expect(lastWad).to.equal(WAD("2900"));
      await feed.setBroken(true);
      await time.increaseTo(staleAt + 3_600n);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Degraded, WAD("2900"), staleAt, 100n]);
    });

    it("a feed whose decimals() later breaks (no data, or more than 36) fails by name; feedConfig reports 0 decimals for it [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const { weth, bad } = await wethOnMalformedFeed(f);
      expect((await f.oracle.feedConfig(weth)).decimals).to.equal(8n);
      for (const data of ["0x", AbiCoder.defaultAbiCoder().encode(["uint256"], [37n])]) {
        await bad.setDecimalsData(data);
        await expect(f.oracle.price(weth))
          .to.be.revertedWithCustomError(f.oracle, "FeedCallFailed")
          .withArgs(weth, await addr(bad));
        expect((await f.oracle.feedConfig(weth)).decimals).to.equal(0n);
      }
    });

    it("a recorded price outside bounds set later is not used [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const { weth, bad } = await wethOnMalformedFeed(f);
      await bad.setRoundData("0x");
      await f.oracle.connect(f.admin).setFeed(weth, await addr(bad), 3_600, WAD("4000"), WAD("100000"));
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
    });

    it("recordPrices writes only a newer round; update() records the feeds with its observation at most hourly [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      const maxAge = BigInt(f.params.collateral.others[0].maxAgeSec);
      await f.oracle.connect(f.stranger).recordPrices();
      const checkedAt = await f.oracle.pricesCheckedAtSec();
      expect(checkedAt).to.equal(BigInt(await time.latest()));
      // Same rounds: nothing newer to write.
      expect(await f.oracle.recordPrices.staticCall()).to.equal(0n);
      await expect(f.oracle.recordPrices()).not.to.emit(f.oracle, "LastGoodPriceRecorded");
      await f.weth.feed.updateAnswer(parseUnits("3100", 8));
      const [, , , wethUpdatedAt] = await f.weth.feed.latestRoundData();
      await expect(f.oracle.connect(f.stranger).recordPrices())
        .to.emit(f.oracle, "LastGoodPriceRecorded")
        .withArgs(weth, WAD("3100"), wethUpdatedAt + maxAge);
      expect(await f.oracle.lastGoodPrice(weth)).to.deep.equal([WAD("3100"), wethUpdatedAt + maxAge]);

      // The observation clock: an observation within the hour reads no feed; the first one an hour on does.
      const checked = await f.oracle.pricesCheckedAtSec();
      const interval = (await f.oracle.twapWindowSec()) / 4n;
      await f.weth.feed.updateAnswer(parseUnits("3200", 8));
      await time.increase(interval);
      await expect(f.oracle.update())
        .to.emit(f.oracle, "ObservationRecorded")
        .and.not.to.emit(f.oracle, "LastGoodPriceRecorded");
      expect(await f.oracle.pricesCheckedAtSec()).to.equal(checked);
      await time.increaseTo(checked + 3_600n);
      await f.weth.feed.updateAnswer(parseUnits("3200", 8));
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      await expect(f.oracle.update())
        .to.emit(f.oracle, "ObservationRecorded")
        .and.to.emit(f.oracle, "LastGoodPriceRecorded")
        .withArgs(weth, WAD("3200"), anyValue);
      expect(await f.oracle.pricesCheckedAtSec()).to.equal(BigInt(await time.latest()));
    });

    it("setFeed keeps at most MAX_PRICED_ASSETS priced assets; setting an asset's feed again does not count [INV-14]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const feed = await addr(f.weth.feed);
      const set = (asset: string) => f.oracle.connect(f.admin).setFeed(asset, feed, 3_600, WAD("10"), WAD("100000"));
      // The fixture prices USDC and WETH: seven more reach MAX_PRICED_ASSETS (9).
      for (let i = 1; i <= 7; i++) await set(`0x${i.toString(16).padStart(40, "0")}`);
      await set(await addr(f.weth.token));
      await expect(set(`0x${"a".padStart(40, "0")}`))
        .to.be.revertedWithCustomError(f.oracle, "TooManyPricedAssets")
        .withArgs(MAX_PRICED_ASSETS);
    });
  });
});
