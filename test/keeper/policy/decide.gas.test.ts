/**
 * The keeper's gas economics in decide(), with injected state and exact expected outcomes: the
 * value of the correction against its gas, the rolling 24 h gas budget (exhaustion and roll-over),
 * the fee cap scaled by the deviation, and the TWAP observation write.
 * Fixture: 1 gwei base fee + 1 gwei tip, ETH $3,000, 400k gas per operation ($2.40), 95k per
 * observation ($0.57), a $1,000 budget, the cap 5 gwei per bps within [50, 2,000] gwei.
 */
import { expect } from "chai";
import {
  Action,
  GAS_BUDGET_WINDOW_SEC,
  INITIAL_MEMORY,
  decide,
  feeCapWei,
  recordGasSpend,
  type DecideResult,
  type DecisionParams,
  type KeeperMemory,
  type Snapshot,
} from "../../../keeper/src/policy";
import { NOW_MS, PARAMS, T0, snapshot, tok, usdc, wad } from "../../support/policyFixtures";

const GWEI = 1_000_000_000n;
const ABOVE_2PCT = { reserveToken: tok("1000000"), reserveQuote: usdc("1020100") };
/** 404 bps above: spot 1.0404. */
const ABOVE_4PCT = { reserveToken: tok("1000000"), reserveQuote: usdc("1040400") };
/** 70 bps above: spot 1.0070 (past the 60 bps where landing on the peg through a 0.3% pool pays). */
const ABOVE_70BPS = { reserveToken: tok("1000000"), reserveQuote: usdc("1007000") };
const fees = (baseGwei: bigint) => ({ fees: { nextBaseFeeWei: baseGwei * GWEI, priorityFeeWei: GWEI } });
const spentAt = (atSec: bigint, usd: string): KeeperMemory => ({
  engaged: null,
  gasSpent: [{ atSec, usdWad: wad(usd) }],
});
const run = (
  snap: Snapshot,
  params: Partial<DecisionParams> = {},
  memory: KeeperMemory = INITIAL_MEMORY,
): DecideResult => decide(snap, { ...PARAMS, ...params }, memory, NOW_MS);

function standStill(r: DecideResult, reason: string): Record<string, unknown> {
  expect(
    r.decision.kind,
    JSON.stringify(r.decision, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
  ).to.equal("stand-still");
  if (r.decision.kind !== "stand-still") throw new Error("unreachable");
  expect(r.decision.reason).to.equal(reason);
  expect(r.decision.facts.reason).to.equal(reason);
  return r.decision.facts as unknown as Record<string, unknown>;
}

describe("keeper decide(): gas economics", function () {
  describe("value of the correction against its gas", function () {
    it("61 bps above a pool of 100 tokens: value $0.6137 (correction $0.6137 + P&L $0.00001) < gas $2.40: not worth its gas", function () {
      const facts = standStill(
        run(snapshot({ reserveToken: tok("100"), reserveQuote: usdc("100.61") })),
        "not-worth-gas",
      );
      // Spot 1.0061 → 1.0000 (0.0060999978 of the peg removed) × $100.61 of quote depth.
      expect(facts).to.deep.equal({
        reason: "not-worth-gas",
        valueWad: 613732999330901896n,
        correctionWad: 613720779289859272n,
        pnlWad: 12220041042624n,
        gasCostWad: wad("2.4"),
        gasUnits: 400_000n,
        minValueOverGasBps: 10_000n,
      });
    });

    it("a margin above 1×: 2% above a 1,000-token pool ($20.5 value) acts at 1× and at 8×, stands still at 9× the $2.40 gas", function () {
      const snap = snapshot({ reserveToken: tok("1000"), reserveQuote: usdc("1020.1") });
      expect(run(snap).decision.kind).to.equal("act");
      expect(run(snap, { minValueOverGasBps: 80_000n }).decision.kind).to.equal("act");
      const facts = standStill(run(snap, { minValueOverGasBps: 90_000n }), "not-worth-gas");
      expect(facts.gasCostWad).to.equal(wad("2.4"));
    });

    it("a rebalance is not judged on value, only on the budget", function () {
      const r = run(snapshot({ rebalanceNeeded: true }), { minValueOverGasBps: 1_000_000n });
      expect(r.decision).to.include({ kind: "act", action: Action.Rebalance, gasCostWad: wad("1.8") }); // 300k × 2 gwei × $3,000
    });

    it("gas not valued (nativeUsdFeed null): no value gate, no budget, cost 0", function () {
      const r = run(snapshot({ reserveToken: tok("100"), reserveQuote: usdc("100.61") }), {
        nativeUsdFeedSymbol: null,
        dailyGasBudgetWad: 1n,
      });
      expect(r.decision).to.include({ kind: "act", gasCostWad: 0n });
    });

    it("the native feed is not in the snapshot: gas-unpriced, naming the feed", function () {
      const facts = standStill(run(snapshot(ABOVE_2PCT), { nativeUsdFeedSymbol: "ETH" }), "gas-unpriced");
      expect(facts).to.deep.equal({ reason: "gas-unpriced", feedSymbol: "ETH" });
    });
  });

  describe("daily gas budget (rolling 24 h)", function () {
    it("$998.00 spent an hour ago + $2.40 > $1,000: budget exhausted, with the time the spend leaves the window", function () {
      const facts = standStill(run(snapshot(ABOVE_2PCT), {}, spentAt(T0 - 3_600n, "998")), "gas-budget-exhausted");
      expect(facts).to.deep.equal({
        reason: "gas-budget-exhausted",
        spentWad: wad("998"),
        gasCostWad: wad("2.4"),
        budgetWad: wad("1000"),
        freesAtSec: T0 - 3_600n + 86_400n,
      });
    });

    it("$997.60 spent + $2.40 = $1,000 exactly: acts", function () {
      expect(run(snapshot(ABOVE_2PCT), {}, spentAt(T0 - 3_600n, "997.6")).decision.kind).to.equal("act");
    });

    it("rolls over: a spend 86,399 s old still counts, one 86,400 s old has left the window (and is pruned from memory)", function () {
      const inside = run(snapshot(ABOVE_2PCT), {}, spentAt(T0 - 86_399n, "999"));
      standStill(inside, "gas-budget-exhausted");
      expect(inside.memory.gasSpent).to.have.length(1);
      const rolled = run(snapshot(ABOVE_2PCT), {}, spentAt(T0 - GAS_BUDGET_WINDOW_SEC, "999"));
      expect(rolled.decision.kind).to.equal("act");
      expect(rolled.memory.gasSpent).to.deep.equal([]);
    });

    it("recordGasSpend adds the spend at the caller's time and drops those out of the window", function () {
      const m = recordGasSpend(spentAt(T0 - 90_000n, "5"), NOW_MS, wad("2.4"));
      expect(m.gasSpent).to.deep.equal([{ atSec: T0, usdWad: wad("2.4") }]);
    });
  });

  describe("fee cap scaled by the deviation", function () {
    const cap = PARAMS.feeCap;

    it("clamp(|bps| × 5 gwei, 50, 2,000): a 400 bps depeg is worth 2,000 gwei, a 40 bps one 200 gwei, 5 bps the 50 gwei floor", function () {
      expect(feeCapWei(400n, cap)).to.equal(2_000n * GWEI);
      expect(feeCapWei(-400n, cap)).to.equal(2_000n * GWEI);
      expect(feeCapWei(40n, cap)).to.equal(200n * GWEI);
      expect(feeCapWei(5n, cap)).to.equal(50n * GWEI);
      expect(feeCapWei(10_000n, cap)).to.equal(2_000n * GWEI);
    });

    it("404 bps above at a 1,000 gwei base fee: acts, maxFeePerGas capped at 2,000 gwei", function () {
      const r = run(snapshot(ABOVE_4PCT, fees(1_000n)), { dailyGasBudgetWad: wad("5000") });
      expect(r.decision).to.include({
        kind: "act",
        action: Action.Expand,
        feeCapWei: 2_000n * GWEI,
        effectiveGasPriceWei: 1_001n * GWEI,
        maxFeePerGasWei: 2_000n * GWEI,
      });
      if (r.decision.kind === "act") expect(r.decision.gasCostWad).to.equal(wad("1201.2")); // 400k × 1,001 gwei × $3,000
    });

    it("70 bps above at a 400 gwei base fee: 401 gwei > the 350 gwei cap: fee above cap, with its numbers", function () {
      const facts = standStill(
        run(snapshot(ABOVE_70BPS, fees(400n)), { dailyGasBudgetWad: wad("5000") }),
        "fee-above-cap",
      );
      expect(facts).to.deep.equal({
        reason: "fee-above-cap",
        effectiveWei: 401n * GWEI,
        capWei: 350n * GWEI,
        deviationBps: 70n,
      });
    });

    it("70 bps above at a 349 gwei base fee: 350 gwei is at the cap: acts, maxFeePerGas the cap", function () {
      const r = run(snapshot(ABOVE_70BPS, fees(349n)), { dailyGasBudgetWad: wad("5000") });
      expect(r.decision).to.include({ kind: "act", feeCapWei: 350n * GWEI, maxFeePerGasWei: 350n * GWEI });
    });
  });

  describe("TWAP observation write", function () {
    // What PriceOracle.observationDue() answers for that ring.
    const ring = (ageSec: bigint, count = 8n): Partial<Snapshot> => ({
      observations: {
        due: count === 0n || ageSec >= 450n,
        twapWindowSec: 1_800n,
        observationsPerWindow: 4n,
        newestAt: T0 - ageSec,
        count,
      },
    });

    it("inside the band with the newest observation 450 s old (1,800 s / 4): stands still and writes one for $0.57", function () {
      const r = run(snapshot({}, ring(450n)));
      standStill(r, "inside-band");
      expect(r.observation).to.deep.equal({
        kind: "write",
        ageSec: 450n,
        intervalSec: 450n,
        gasCostWad: wad("0.57"),
        gasUnits: 95_000n,
        nativeUsdWad: wad("3000"),
        feeCapWei: 50n * GWEI,
        effectiveGasPriceWei: 2n * GWEI,
        maxFeePerGasWei: 3n * GWEI,
        maxPriorityFeePerGasWei: GWEI,
      });
    });

    it("449 s old: fresh, nothing written", function () {
      expect(run(snapshot({}, ring(449n))).observation).to.include({ kind: "skip", reason: "fresh" });
    });

    it("an empty ring: written, age unknown", function () {
      expect(run(snapshot({}, ring(0n, 0n))).observation).to.include({ kind: "write", ageSec: null });
    });

    it("a stale TWAP blocks the operation (spot 2% above, TWAP at the peg): the observation is still written", function () {
      const r = run(snapshot({ ...ABOVE_2PCT, twapWad: wad("1"), maxSpotTwapDeviationBps: 100n }, ring(3_600n)));
      standStill(r, "spot-twap-divergence");
      expect(r.observation.kind).to.equal("write");
    });

    it("when the operation acts it writes the observation itself: none separately", function () {
      const r = run(snapshot(ABOVE_2PCT, ring(3_600n)));
      expect(r.decision.kind).to.equal("act");
      expect(r.observation).to.include({ kind: "skip", reason: "operation-pending" });
    });

    it("counted in the budget: $999.50 spent + $0.57 > $1,000: skipped, gas budget exhausted", function () {
      const r = run(snapshot({}, ring(450n)), {}, spentAt(T0 - 60n, "999.5"));
      expect(r.observation).to.include({ kind: "skip", reason: "gas-budget-exhausted" });
    });

    it("priced at the minimum cap: a 49 gwei base fee + 1 gwei tip is at the 50 gwei floor, 50 gwei is above it", function () {
      expect(run(snapshot({}, { ...ring(450n), ...fees(49n) })).observation.kind).to.equal("write");
      expect(run(snapshot({}, { ...ring(450n), ...fees(50n) })).observation).to.include({
        kind: "skip",
        reason: "fee-above-cap",
      });
    });

    it("the native feed rejected by the oracle: the operation stands still (oracle-invalid), the observation is skipped (gas-unpriced)", function () {
      const snap = snapshot({}, ring(450n));
      const r = run({
        ...snap,
        feeds: snap.feeds.map((f) => (f.symbol === "WETH" ? { ...f, answer: 0n, valid: false, priceWad: 0n } : f)),
      });
      standStill(r, "oracle-invalid");
      expect(r.observation).to.include({ kind: "skip", reason: "gas-unpriced" });
    });

    it("disabled in the config, not read, or on a snapshot too old: skipped with that reason", function () {
      expect(run(snapshot({}, ring(450n)), { writeObservations: false }).observation).to.include({
        kind: "skip",
        reason: "disabled",
      });
      expect(run(snapshot({}, { observations: null })).observation).to.include({ kind: "skip", reason: "not-read" });
      expect(decide(snapshot({}, ring(450n)), PARAMS, INITIAL_MEMORY, NOW_MS + 11_000).observation).to.include({
        kind: "skip",
        reason: "snapshot-too-old",
      });
    });
  });
});
