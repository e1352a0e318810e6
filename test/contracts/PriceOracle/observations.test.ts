/**
 * Observations that reflect time, not activity (rule 3): the TWAP reports how long it really
 * averages over (`twapSpan`), a ring that went quiet is stale rather than a window's average, and
 * `CollateralPolicy.refresh()` writes an observation itself and never steps on a stale average.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { PriceOracle__factory } from "../../../typechain-types";
import { deploySystemFixture, passTime, pushSpotTo, refreshFeeds, type Fixture } from "../../support/system";

const r = (s: string) => parseUnits(s, 18);
const QUIET_SEC = 3 * 86_400;

/** Three days without a single observation, feeds kept fresh (a quiet market nobody trades). */
async function quietSpell(f: Fixture): Promise<void> {
  await time.increase(QUIET_SEC);
  await refreshFeeds(f);
}

describe("PriceOracle observations and the stale TWAP (rule 3)", function () {
  it("twapSpan is the anchor's age: within 1.25 windows on schedule, the whole quiet gap after a silence [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const window = BigInt(f.params.oracle.twapWindowSec);
    const [spanOnSchedule, windowSec] = await f.oracle.twapSpan();
    expect(windowSec).to.equal(window);
    expect(spanOnSchedule)
      .to.be.gte(window)
      .and.lte(window + window / 4n);

    await quietSpell(f);
    await f.oracle.update();
    const [spanAfterGap] = await f.oracle.twapSpan();
    expect(spanAfterGap).to.be.gt(BigInt(QUIET_SEC));
    // One window of observations on the clock later, the average is a window's again.
    await passTime(f, Number(window) + Number(window) / 4, 5);
    const [spanRefilled] = await f.oracle.twapSpan();
    expect(spanRefilled).to.be.lte(window + window / 4n);
  });

  it("observationDue says whether update() would record, and update() agrees [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const quarter = f.params.oracle.twapWindowSec / 4;
    await time.increase(quarter);
    expect(await f.oracle.observationDue()).to.equal(true);
    await expect(f.oracle.update()).to.emit(f.oracle, "ObservationRecorded");
    expect(await f.oracle.observationDue()).to.equal(false);
    await expect(f.oracle.update()).to.not.emit(f.oracle, "ObservationRecorded");
  });

  it("CollateralPolicy.refresh() records a pool observation when one is due [INV-7] [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await quietSpell(f);
    const [before] = await f.oracle.latestObservation();
    await expect(f.policy.refresh()).to.emit(f.oracle, "ObservationRecorded");
    const [after] = await f.oracle.latestObservation();
    expect(after).to.equal(BigInt(await time.latest()));
    expect(after - before).to.be.gt(BigInt(QUIET_SEC));
  });

  it("refresh() on a stale TWAP holds the target, keeps its cooldown unspent, and steps once the window refills [INV-7] [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await f.policy.connect(f.admin).setParams({ ...f.params.policy, riskWeightBps: 0 });
    const start = await f.policy.targetRatio();
    // Three quiet days under the band: a days-long average that the old refresh stepped on.
    await pushSpotTo(f, r("0.97"));
    await quietSpell(f);
    const nextBefore = await f.policy.nextRefreshAt();
    await expect(f.policy.refresh()).to.emit(f.policy, "TargetRatioHeld");
    expect(await f.policy.targetRatio()).to.equal(start);
    expect(await f.policy.nextRefreshAt()).to.equal(nextBefore);

    await passTime(f, f.params.oracle.twapWindowSec + f.params.oracle.twapWindowSec / 4, 5);
    await expect(f.policy.refresh()).to.emit(f.policy, "TargetRatioRefreshed");
    expect(await f.policy.targetRatio()).to.equal(start + f.params.policy.stepWad);
  });

  it("a fresh oracle with no observation a window old reports a span of 0, then the anchor's age once a window has passed", async function () {
    const f = await loadFixture(deploySystemFixture);
    const window = BigInt(f.params.oracle.twapWindowSec);
    const fresh = await new PriceOracle__factory(f.admin).deploy(
      f.admin.address,
      await f.pair.getAddress(),
      await f.stable.getAddress(),
      await f.usdc.token.getAddress(),
      window,
    );
    expect(await fresh.twapSpan()).to.deep.equal([0n, window]);
    await fresh.update();
    const [observedAt] = await fresh.latestObservation();
    await time.increase(window - 1n);
    expect(await fresh.twapSpan(), "one second short of a window: no anchor yet").to.deep.equal([0n, window]);
    await time.increase(1);
    expect(await fresh.twapSpan()).to.deep.equal([BigInt(await time.latest()) - observedAt, window]);
  });

  it("after a quiet spell an operation records its own observation and still reverts TwapStale(span, window): the anchor is days old", async function () {
    const f = await loadFixture(deploySystemFixture);
    const window = BigInt(f.params.oracle.twapWindowSec);
    await pushSpotTo(f, r("1.03"));
    const [lastObservedAt] = await f.oracle.latestObservation();
    await quietSpell(f);
    const at = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(at);
    await expect(f.operator.connect(f.keeper).expandSupply(parseUnits("1000", 18), 0n))
      .to.be.revertedWithCustomError(f.operator, "TwapStale")
      .withArgs(at - lastObservedAt, window);
  });
});
