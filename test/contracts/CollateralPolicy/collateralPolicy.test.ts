/**
 * The dynamic target ratio: the pure step function (`computeTargetRatio`, mirrored by the keeper)
 * and `refresh()` on the live system — steps up under the band, down above it, clamps to the max
 * and the risk floor, waits for its cooldown, and fails closed on a bad oracle.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { deploySystemFixture, passTime, settleAt, BPS, WAD, type Fixture } from "../../support/system";
import { computeTargetRatio as mirror } from "../../../keeper/src/policy/collateralPolicy";

const r = (s: string) => parseUnits(s, 18);
const STEP = r("0.0025");
const BAND = 50n;

/** The fixture's policy with no risk weight, so steps are not masked by the risk floor. */
async function noRiskFloor(f: Fixture): Promise<void> {
  await f.policy.connect(f.admin).setParams({ ...f.params.policy, riskWeightBps: 0 });
}

describe("CollateralPolicy (dynamic target ratio)", function () {
  describe("computeTargetRatio (public pure)", function () {
    const cases: { name: string; current: bigint; twap: bigint; floor: bigint; max: bigint; want: bigint }[] = [
      {
        name: "steps up by one step when the TWAP is under the band",
        current: r("1.1"),
        twap: r("0.99"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1.1025"),
      },
      {
        name: "steps down by one step when the TWAP is above the band",
        current: r("1.1"),
        twap: r("1.01"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1.0975"),
      },
      {
        name: "holds inside the band (edges included)",
        current: r("1.1"),
        twap: r("0.995"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1.1"),
      },
      {
        name: "holds at the upper band edge",
        current: r("1.1"),
        twap: r("1.005"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1.1"),
      },
      {
        name: "clamps a step up to the max",
        current: r("1.499"),
        twap: r("0.9"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1.5"),
      },
      {
        name: "clamps a step down to the floor",
        current: r("1.001"),
        twap: r("1.1"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1"),
      },
      {
        name: "lifts to the risk floor at once, even inside the band",
        current: r("1"),
        twap: r("1"),
        floor: r("1.08"),
        max: r("1.5"),
        want: r("1.08"),
      },
      {
        name: "the risk floor wins over the max",
        current: r("1.2"),
        twap: r("1.1"),
        floor: r("1.6"),
        max: r("1.5"),
        want: r("1.6"),
      },
      {
        name: "steps down from below the step size without underflow, to the floor",
        current: r("0.001"),
        twap: r("1.1"),
        floor: r("1"),
        max: r("1.5"),
        want: r("1"),
      },
    ];
    for (const c of cases) {
      it(`${c.name} [INV-7]`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const got = await f.policy.computeTargetRatio(c.current, c.twap, BAND, STEP, c.floor, c.max);
        expect(got).to.equal(c.want);
        expect(mirror(c.current, c.twap, BAND, STEP, c.floor, c.max), "keeper mirror parity").to.equal(got);
      });
    }
  });

  describe("refresh()", function () {
    it("lifts the target to the risk floor: min + riskWeight × value-weighted haircut, rounded up [INV-7] [INV-11]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.weth.token.connect(f.user).approve(await f.reserve.getAddress(), parseUnits("100", 18));
      await f.reserve.connect(f.user).mint(await f.weth.token.getAddress(), parseUnits("100", 18), 0, f.user.address);
      const haircutBps = await f.reserve.weightedHaircutBps();
      expect(haircutBps).to.be.gt(100n); // WETH's 20% haircut raises the blend above USDC's 1%
      const haircutWad = (haircutBps * WAD + BPS - 1n) / BPS;
      const weight = BigInt(f.params.policy.riskWeightBps);
      const floor = f.params.policy.minRatioWad + (haircutWad * weight + BPS - 1n) / BPS;
      expect(await f.policy.riskFloor()).to.equal(floor);
      await expect(f.policy.refresh()).to.emit(f.policy, "TargetRatioRefreshed");
      expect(await f.policy.targetRatio()).to.equal(floor);
    });

    it("steps up once per cooldown while the TWAP sits under the band; inside the cooldown it reverts RefreshTooSoon [INV-7]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await noRiskFloor(f);
      await settleAt(f, r("0.97"));
      const start = await f.policy.targetRatio();
      await f.policy.refresh();
      expect(await f.policy.targetRatio()).to.equal(start + STEP);
      const readyAt = await f.policy.nextRefreshAt();
      await expect(f.policy.refresh()).to.be.revertedWithCustomError(f.policy, "RefreshTooSoon");
      await time.increaseTo(readyAt - 2n); // the refresh below mines one second later: still inside
      await expect(f.policy.refresh()).to.be.revertedWithCustomError(f.policy, "RefreshTooSoon");
      await passTime(f, f.params.policy.refreshCooldownSec, 4);
      await f.policy.refresh();
      expect(await f.policy.targetRatio()).to.equal(start + 2n * STEP);
    });

    it("steps down above the band and stops at the minimum [INV-7]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await noRiskFloor(f);
      await f.policy.connect(f.admin).setParams({ ...f.params.policy, riskWeightBps: 0, minRatioWad: r("1.004") });
      await f.policy.connect(f.admin).setParams({ ...f.params.policy, riskWeightBps: 0 }); // target stays 1.004, min back to 1
      expect(await f.policy.targetRatio()).to.equal(r("1.004"));
      await settleAt(f, r("1.03"));
      await f.policy.refresh();
      expect(await f.policy.targetRatio()).to.equal(r("1.004") - STEP);
      await passTime(f, f.params.policy.refreshCooldownSec, 4);
      await f.policy.refresh();
      expect(await f.policy.targetRatio()).to.equal(f.params.policy.minRatioWad);
    });

    it("never exceeds the configured maximum when stepping up [INV-7]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.policy.connect(f.admin).setParams({ ...f.params.policy, riskWeightBps: 0, maxRatioWad: r("1.001") });
      await settleAt(f, r("0.97"));
      await f.policy.refresh();
      expect(await f.policy.targetRatio()).to.equal(r("1.001"));
    });

    it("fails closed: a stale quote feed makes refresh revert StalePrice and leaves the target unchanged [INV-12]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const before = await f.policy.targetRatio();
      await time.increase(f.params.collateral.quote.maxAgeSec + 1);
      await expect(f.policy.refresh()).to.be.revertedWithCustomError(f.oracle, "StalePrice");
      expect(await f.policy.targetRatio()).to.equal(before);
    });
  });
});
