/**
 * PriceOracle with a backup feed when neither feed answers fresh (issue 16): degraded mode takes
 * the newest of the two stale answers (each measured against its own max age), an out-of-bounds
 * answer from either source makes the asset Invalid even though a last good price exists (it may be
 * a real move), and `price()` reports the primary's failure, with the primary's figures, whatever
 * the backup says. Both feeds are Chainlink's MockV3Aggregator with rounds stamped exactly.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { MockV3Aggregator__factory, type MockV3Aggregator } from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const WAD = (s: string) => parseUnits(s, 18);
const USD8 = (s: string) => parseUnits(s, 8);
const Status = { Ok: 0n, Degraded: 1n, Invalid: 2n };
const BACKUP_MAX_AGE_SEC = 3_600n;
/** Constants.sol: DEGRADED_HAIRCUT_BPS_PER_HOUR. */
const HAIRCUT_BPS_PER_HOUR = 100n;
const haircutBps = (staleSec: bigint) => (HAIRCUT_BPS_PER_HOUR * staleSec + 3_599n) / 3_600n; // rounded up

interface Setup {
  f: Fixture;
  weth: string;
  backup: MockV3Aggregator;
  primaryMaxAge: bigint;
  now: bigint;
}

/**
 * WETH with a backup feed, two WETH max ages on from the fixture so the last good price the fixture
 * recorded has gone stale (it must not win over the answers under test).
 */
async function wethWithBackup(): Promise<Setup> {
  const f = await loadFixture(deploySystemFixture);
  const weth = await addr(f.weth.token);
  const primaryMaxAge = BigInt(f.params.collateral.others[0].maxAgeSec);
  const backup = await new MockV3Aggregator__factory(f.admin).deploy(8, USD8("2990"));
  await f.oracle.connect(f.admin).setBackupFeed(weth, await addr(backup), BACKUP_MAX_AGE_SEC);
  await time.increase(2n * primaryMaxAge);
  const [, staleAt] = await f.oracle.lastGoodPrice(weth);
  const now = BigInt(await time.latest());
  expect(staleAt).to.be.lessThan(now - primaryMaxAge);
  return { f, weth, backup, primaryMaxAge, now };
}

/** Stamps a round `ageSec` seconds before `now` on `feed`. */
async function answerAged(feed: MockV3Aggregator, answer: bigint, now: bigint, ageSec: bigint): Promise<void> {
  const [round] = await feed.latestRoundData();
  await feed.updateRoundData(round + 1n, answer, now - ageSec, now - ageSec);
}

describe("PriceOracle backup feed when neither feed is fresh", function () {
  it("degraded mode takes the backup's stale answer when it went stale after the primary's, each against its own max age [INV-12]", async function () {
    const { f, weth, backup, primaryMaxAge, now } = await wethWithBackup();
    await answerAged(f.weth.feed, USD8("3000"), now, primaryMaxAge + 600n); // stale since now - 600
    await answerAged(backup, USD8("2990"), now, BACKUP_MAX_AGE_SEC + 120n); // stale since now - 120: newer
    await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "StalePrice");
    const at = BigInt(await time.latest());
    const staleSince = now - 120n;
    expect(await f.oracle.priceInfo(weth)).to.deep.equal([
      Status.Degraded,
      WAD("2990"),
      staleSince,
      haircutBps(at - staleSince),
    ]);
  });

  it("degraded mode keeps the primary's stale answer when the backup's went stale earlier [INV-12]", async function () {
    const { f, weth, backup, primaryMaxAge, now } = await wethWithBackup();
    await answerAged(f.weth.feed, USD8("3000"), now, primaryMaxAge + 120n); // stale since now - 120
    await answerAged(backup, USD8("2990"), now, BACKUP_MAX_AGE_SEC + 600n); // stale since now - 600: older
    const at = BigInt(await time.latest());
    const staleSince = now - 120n;
    expect(await f.oracle.priceInfo(weth)).to.deep.equal([
      Status.Degraded,
      WAD("3000"),
      staleSince,
      haircutBps(at - staleSince),
    ]);
  });

  it("a backup that answers out of bounds makes the asset Invalid although a last good price is recorded [INV-12]", async function () {
    const { f, weth, backup } = await wethWithBackup();
    await f.weth.feed.updateAnswer(USD8("3000"));
    await f.oracle.recordPrices();
    expect((await f.oracle.lastGoodPrice(weth)).priceWad).to.equal(WAD("3000"));
    await f.weth.feed.updateAnswer(0n); // the primary says nothing about the price
    await backup.updateAnswer(USD8("2990"));
    expect((await f.oracle.priceInfo(weth)).status).to.equal(Status.Ok);
    await backup.updateAnswer(USD8("5")); // in shape, under the $10 bound: possibly a real crash
    expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
    // price() names the primary's failure, not the backup's.
    await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "NonPositivePrice").withArgs(weth, 0n);
  });

  it("a primary out of bounds is overridden by a fresh backup, and is what price() reports once the backup is stale too [INV-12]", async function () {
    const { f, weth, backup, now } = await wethWithBackup();
    await f.weth.feed.updateAnswer(USD8("5"));
    await backup.updateAnswer(USD8("2990"));
    expect(await f.oracle.price(weth)).to.equal(WAD("2990"));
    expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Ok, WAD("2990"), 0n, 0n]);
    await answerAged(backup, USD8("2990"), now, BACKUP_MAX_AGE_SEC + 1n);
    // A stale backup cannot hide the primary's out-of-bounds answer: Invalid, and the primary's figures in the revert.
    expect(await f.oracle.priceInfo(weth)).to.deep.equal([Status.Invalid, 0n, 0n, 0n]);
    expect(await f.oracle.tryPrice(weth)).to.deep.equal([false, 0n]);
    await expect(f.oracle.price(weth))
      .to.be.revertedWithCustomError(f.oracle, "PriceOutOfBounds")
      .withArgs(weth, WAD("5"), WAD("10"), WAD("100000"));
  });
});
