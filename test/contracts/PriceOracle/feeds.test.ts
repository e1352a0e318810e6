/**
 * PriceOracle feed half, issue 16: the backup feed, the L2 sequencer-uptime feed (Chainlink's
 * shape: answer 0 = up since `startedAt`, here the official MockV3Aggregator) and degraded mode
 * (`priceInfo`: a stale feed's last good answer under a haircut that grows with its staleness).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseUnits } from "ethers";
import { MockV3Aggregator__factory } from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const WAD = (s: string) => parseUnits(s, 18);
/** Constants.sol: MAX_DEGRADED_AGE_SEC, DEGRADED_HAIRCUT_BPS_PER_HOUR, MAX_DEGRADED_HAIRCUT_BPS. */
const MAX_DEGRADED_AGE_SEC = 86_400n;
const HAIRCUT_BPS_PER_HOUR = 100n;
const MAX_DEGRADED_HAIRCUT_BPS = 2_500n;
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
      await expect(f.oracle.connect(f.admin).setBackupFeed(await addr(f.stable), feed, 3_600)).to.be.revertedWithCustomError(f.oracle, "FeedNotSet");
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, feed, 59)).to.be.revertedWithCustomError(f.oracle, "InvalidFeedConfig");
      await expect(f.oracle.connect(f.stranger).setBackupFeed(weth, feed, 3_600)).to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount");
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, feed, 3_600)).to.emit(f.oracle, "BackupFeedSet").withArgs(weth, feed, 3_600);
      await expect(f.oracle.connect(f.admin).setBackupFeed(weth, ZeroAddress, 3_600)).to.emit(f.oracle, "BackupFeedSet").withArgs(weth, ZeroAddress, 0);
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
      await expect(f.oracle.price(usdc)).to.be.revertedWithCustomError(f.oracle, "SequencerDown").withArgs(await addr(uptime));
      expect(await f.oracle.tryPrice(usdc)).to.deep.equal([false, 0n]);
      expect((await f.oracle.priceInfo(usdc)).status).to.equal(Status.Invalid);

      await uptime.updateAnswer(0); // back up now: the grace period runs
      const upSince = BigInt(await time.latest());
      await expect(f.oracle.price(usdc)).to.be.revertedWithCustomError(f.oracle, "SequencerGracePeriod");
      await time.increaseTo(upSince + 3_600n);
      await f.usdc.feed.updateAnswer(parseUnits("1", 8));
      expect(await f.oracle.price(usdc)).to.equal(WAD("1"));
    });

    it("the grace period is bounded; the zero feed turns the check off [INV-14]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const uptime = await addr(f.usdc.feed);
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(uptime, 299)).to.be.revertedWithCustomError(f.oracle, "InvalidSequencerGracePeriod").withArgs(299, 300, 86_400);
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(uptime, 86_401)).to.be.revertedWithCustomError(f.oracle, "InvalidSequencerGracePeriod");
      await expect(f.oracle.connect(f.guardian).setSequencerUptimeFeed(uptime, 3_600)).to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount");
      await expect(f.oracle.connect(f.admin).setSequencerUptimeFeed(ZeroAddress, 5)).to.emit(f.oracle, "SequencerUptimeFeedSet").withArgs(ZeroAddress, 0);
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

    it("an invalid answer (zero, out of bounds) has no degraded price: Invalid [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const weth = await addr(f.weth.token);
      await f.weth.feed.updateAnswer(0n);
      expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
      await f.weth.feed.updateAnswer(parseUnits("5", 8)); // below the $10 bound
      expect((await f.oracle.priceInfo(weth)).status).to.equal(Status.Invalid);
      expect((await f.oracle.priceInfo(await addr(f.stable))).status).to.equal(Status.Invalid);
    });
  });
});
