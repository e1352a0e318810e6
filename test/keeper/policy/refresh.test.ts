/**
 * The keeper's refresh decision (keeper/src/policy/collateralPolicy.ts refreshDue, and decide()
 * sending CollateralPolicy.refresh() in place of a standing-still operation): sent only when the
 * cooldown has passed, the TWAP is fresh and the target would move; the risk floor mirrored from
 * the contract (test/keeper/chain/refresh.test.ts checks it against the deployed policy).
 */
import { expect } from "chai";
import {
  decide,
  INITIAL_MEMORY,
  recordGasSpend,
  refreshDue,
  riskFloorWad,
  type RefreshDue,
} from "../../../keeper/src/policy";
import { Action, NOW_MS, PARAMS, T0, policyState, snapshot, wad } from "../../support/policyFixtures";

/** Spot at the peg, the TWAP 1% below it (the band is 50 bps): the target steps up one step. */
const TWAP_BELOW = { twapWad: wad("0.99") };

const skipReason = (r: RefreshDue): string => (r.due ? "due" : r.reason);

describe("keeper policy: refresh decision", function () {
  it("is due when the TWAP sits below the band: the target steps up by one step", function () {
    const r = refreshDue(policyState(), snapshot(TWAP_BELOW).operator);
    expect(r).to.deep.equal({ due: true, fromWad: wad("1"), toWad: wad("1.01"), floorWad: wad("1") });
  });

  it("is not due inside the band: the target would stay (the no-op the keeper no longer pays for)", function () {
    expect(skipReason(refreshDue(policyState(), snapshot().operator))).to.equal("unchanged");
    // At the minimum with the TWAP above the band: the step down is clamped back to the floor.
    expect(skipReason(refreshDue(policyState(), snapshot({ twapWad: wad("1.01") }).operator))).to.equal("unchanged");
  });

  it("steps down above the band from a raised target", function () {
    const r = refreshDue(policyState({ targetRatioWad: wad("1.05") }), snapshot({ twapWad: wad("1.01") }).operator);
    expect(r.due && r.toWad).to.equal(wad("1.04"));
  });

  it("is due inside the band when the risk floor rises above the target", function () {
    // 100 bps haircut × 5,000 bps weight = +0.005 over the minimum.
    const p = policyState({ riskWeightBps: 5_000n });
    expect(riskFloorWad(p, 100n)).to.equal(wad("1.005"));
    const r = refreshDue(p, snapshot().operator);
    expect(r.due && r.toWad).to.equal(wad("1.005"));
  });

  it("adds the weighted haircut and caps the floor at the hard maximum, as the contract", function () {
    // haircut (bps → WAD) × weight (bps): 1 bps × 1 bps adds 1e10; 3 bps × 3,333 bps adds 9.999e13.
    expect(riskFloorWad(policyState({ riskWeightBps: 1n }), 1n)).to.equal(wad("1") + 10n ** 10n);
    expect(riskFloorWad(policyState({ riskWeightBps: 3_333n }), 3n)).to.equal(wad("1") + 99_990_000_000_000n);
    expect(riskFloorWad(policyState({ riskWeightBps: 10_000n }), 20_000n)).to.equal(wad("2"));
  });

  it("waits for the cooldown; a policy never refreshed is due at once", function () {
    const inCooldown = policyState({ lastRefreshAt: T0 - 3_599n });
    const r = refreshDue(inCooldown, snapshot(TWAP_BELOW).operator);
    expect(skipReason(r)).to.equal("cooldown");
    expect(r.due ? "" : r.detail).to.include(`next refresh at ${T0 + 1n}`);
    expect(skipReason(refreshDue(policyState({ lastRefreshAt: T0 - 3_600n }), snapshot(TWAP_BELOW).operator))).to.equal(
      "due",
    );
    expect(skipReason(refreshDue(policyState({ lastRefreshAt: 0n }), snapshot(TWAP_BELOW).operator))).to.equal("due");
  });

  it("is not due on a stale TWAP, an invalid market or an unreadable risk figure", function () {
    const stale = snapshot({ ...TWAP_BELOW, twapSpanSec: 3_601n }).operator;
    expect(skipReason(refreshDue(policyState(), stale))).to.equal("twap-stale");
    expect(skipReason(refreshDue(policyState(), snapshot({ ...TWAP_BELOW, marketOk: false }).operator))).to.equal(
      "market-invalid",
    );
    expect(skipReason(refreshDue(policyState({ riskHaircutBps: null }), snapshot(TWAP_BELOW).operator))).to.equal(
      "risk-unavailable",
    );
  });

  describe("in decide()", function () {
    it("sends refresh in place of a standing-still operation, priced at the minimum cap, with no observation", function () {
      const r = decide(snapshot(TWAP_BELOW, { policy: policyState() }), PARAMS, INITIAL_MEMORY, NOW_MS);
      expect(r.decision.kind).to.equal("act");
      if (r.decision.kind !== "act") return;
      expect(r.decision.action).to.equal(Action.Refresh);
      expect(r.decision.amount).to.equal(0n);
      expect(r.decision.gasUnits).to.equal(PARAMS.gasUnits.refresh);
      expect(r.decision.feeCapWei).to.equal(PARAMS.feeCap.minWei);
      expect(r.observation.kind).to.equal("skip");
    });

    it("stands still inside the band with a policy whose target would not move", function () {
      const r = decide(snapshot({}, { policy: policyState() }), PARAMS, INITIAL_MEMORY, NOW_MS);
      expect(r.decision.kind).to.equal("stand-still");
      expect(r.decision.kind === "stand-still" && r.decision.reason).to.equal("inside-band");
    });

    it("sends no refresh when the config turns it off (policy.refreshPolicy: false), even when one is due", function () {
      const r = decide(
        snapshot(TWAP_BELOW, { policy: policyState() }),
        { ...PARAMS, refreshPolicy: false },
        INITIAL_MEMORY,
        NOW_MS,
      );
      expect(r.decision.kind).to.equal("stand-still");
    });

    it("lets a due operation go first", function () {
      // 2% below the peg, TWAP too: the contraction acts; the refresh waits for a quiet cycle.
      const below = { reserveToken: wad("1020100"), reserveQuote: 1_000_000n * 10n ** 6n };
      const r = decide(snapshot(below, { policy: policyState() }), PARAMS, INITIAL_MEMORY, NOW_MS);
      expect(r.decision.kind === "act" && r.decision.action).to.equal(Action.Contract);
    });

    it("sends nothing on an old snapshot or with the gas budget spent", function () {
      const snap = snapshot(TWAP_BELOW, { policy: policyState() });
      const late = decide(snap, PARAMS, INITIAL_MEMORY, NOW_MS + PARAMS.maxSnapshotAgeMs + 1_000);
      expect(late.decision.kind).to.equal("stand-still");
      const spent = recordGasSpend(INITIAL_MEMORY, NOW_MS, PARAMS.dailyGasBudgetWad);
      const broke = decide(snap, PARAMS, spent, NOW_MS);
      expect(broke.decision.kind).to.equal("stand-still");
    });
  });
});
