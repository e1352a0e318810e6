/**
 * The keeper's pure decision, table-driven with injected state and exact expected amounts.
 * The sizes below were cross-checked against the contract's own pure PegMath (last test).
 */
import { expect } from "chai";
import {
  decide,
  INITIAL_MEMORY,
  previewOperation,
  type DecideResult,
  type DecisionParams,
  type KeeperMemory,
  type Snapshot,
} from "../../../keeper/src/policy";
import { Action, NOW_MS, PARAMS, T0, snapshot, tok, usdc, wad } from "../../support/policyFixtures";
import { pegMathHarness } from "../../support/pureHarness";

const ABOVE_2PCT = { reserveToken: tok("1000000"), reserveQuote: usdc("1020100") };
const BELOW_2PCT = { reserveToken: tok("1020100"), reserveQuote: usdc("1000000") };

interface Case {
  name: string;
  snap: Snapshot;
  params?: Partial<DecisionParams>;
  memory?: KeeperMemory;
  nowMs?: number;
  expect: (r: DecideResult) => void;
}

const standsStill = (reason: string, detailIncludes?: string) => (r: DecideResult) => {
  expect(r.decision.kind).to.equal("stand-still");
  if (r.decision.kind !== "stand-still") return;
  expect(r.decision.reason).to.equal(reason);
  if (detailIncludes) expect(r.decision.detail).to.include(detailIncludes);
};

const cases: Case[] = [
  { name: "at the peg: inside the band", snap: snapshot(), expect: standsStill("inside-band") },
  {
    name: "2% above the peg: expand 10,015.02 tokens to land on the peg",
    snap: snapshot(ABOVE_2PCT),
    expect: (r) => {
      expect(r.decision).to.include({
        kind: "act",
        action: Action.Expand,
        amount: 10015022645689587263711n,
        expectedOut: 10084977354n,
        minOut: 10034552467n,
      });
      if (r.decision.kind !== "act") return;
      expect(r.decision.expectedProfitWad).to.equal(69954708310412736289n); // ≈ $69.95 for the protocol
      expect(r.decision.gasCostWad).to.equal(wad("2.4")); // 400k gas × (1 gwei base + 1 gwei tip) × $3000
      // Spot 1.0201 → 1.0000 (a hair above): 0.0201 of the peg removed × $1,020,100 of quote depth ≈ $20,504.01.
      expect(r.decision.correctionValueWad).to.equal(20504009999686488586600n);
      expect(r.decision.feeCapWei).to.equal(1_005_000_000_000n); // 201 bps × 5 gwei
      expect(r.decision.maxFeePerGasWei).to.equal(3_000_000_000n); // 2 × 1 gwei base + 1 gwei tip, under the cap
      expect(r.memory.engaged).to.equal("above");
    },
  },
  {
    name: "2% below the peg: contract with 10,015.022645 USDC",
    snap: snapshot(BELOW_2PCT),
    expect: (r) => {
      expect(r.decision).to.include({
        kind: "act",
        action: Action.Contract,
        amount: 10015022645n,
        expectedOut: 10084977353622873782044n,
        minOut: 10034552466854759413133n,
      });
      if (r.decision.kind === "act") expect(r.decision.expectedProfitWad).to.equal(69954708622873782044n);
      expect(r.memory.engaged).to.equal("below");
    },
  },
  {
    name: "per-operation cap binds: exactly the cap",
    snap: snapshot({ ...ABOVE_2PCT, limits: { ...snapshot().operator.limits, maxExpansionPerOp: tok("1000") } }),
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Expand, amount: tok("1000") }),
  },
  {
    name: "105 bps above (outside a 100 bps band, inside band + 10 bps hysteresis), not engaged: stands still",
    snap: snapshot({ reserveToken: tok("1000000"), reserveQuote: usdc("1010500"), bandBps: 100n }),
    expect: standsStill("hysteresis", "not past band + hysteresis (110 bps)"),
  },
  {
    name: "105 bps above while engaged above: keeps acting",
    snap: snapshot({ reserveToken: tok("1000000"), reserveQuote: usdc("1010500"), bandBps: 100n }),
    memory: { engaged: "above", gasSpent: [] },
    expect: (r) => {
      expect(r.decision).to.include({ kind: "act", action: Action.Expand });
      expect(r.memory.engaged).to.equal("above");
    },
  },
  {
    name: "back inside the band: disengages",
    snap: snapshot({ reserveToken: tok("1000000"), reserveQuote: usdc("1009000"), bandBps: 100n }),
    memory: { engaged: "above", gasSpent: [] },
    expect: (r) => {
      standsStill("inside-band")(r);
      expect(r.memory.engaged).to.equal(null);
    },
  },
  {
    // The contract's band is on spot; the lagging TWAP only has to be above the peg. The old keeper
    // took the nearer of spot and TWAP (15 bps) and stood still "inside-band".
    name: "spot 2.01% above, TWAP only 15 bps above (lagging): expands on spot, as the contract does",
    snap: snapshot({ ...ABOVE_2PCT, twapWad: wad("1.0015") }),
    expect: (r) => {
      expect(r.decision).to.include({ kind: "act", action: Action.Expand, amount: 10015022645689587263711n });
      expect(r.memory.engaged).to.equal("above");
    },
  },
  {
    name: "spot 2.01% below, TWAP only 15 bps below: contracts on spot",
    snap: snapshot({ ...BELOW_2PCT, twapWad: wad("0.9985") }),
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Contract, amount: 10015022645n }),
  },
  {
    name: "spot 2.01% above but the TWAP below the peg (the same-side guard): inside the band",
    snap: snapshot({ ...ABOVE_2PCT, twapWad: wad("0.999") }),
    expect: (r) => {
      standsStill("inside-band")(r);
      expect(r.memory.engaged).to.equal(null);
    },
  },
  {
    name: "spot 115 bps above with the TWAP 5 bps above: past a 100 bps band + 10 bps hysteresis on spot alone",
    snap: snapshot({
      reserveToken: tok("1000000"),
      reserveQuote: usdc("1011500"),
      bandBps: 100n,
      twapWad: wad("1.0005"),
    }),
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Expand }),
  },
  {
    name: "engaged above, spot 105 bps above a 100 bps band with the TWAP at 1 bps: stays engaged on spot",
    snap: snapshot({
      reserveToken: tok("1000000"),
      reserveQuote: usdc("1010500"),
      bandBps: 100n,
      twapWad: wad("1.0001"),
    }),
    memory: { engaged: "above", gasSpent: [] },
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Expand }),
  },
  {
    name: "61 bps above a 1M pool: the correction (≈ $6,137) pays the $2.40 gas although the trade's own profit ($0.12) does not",
    snap: snapshot({ reserveToken: tok("1000000"), reserveQuote: usdc("1006100") }),
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Expand }),
  },
  {
    name: "priority fee above the tip cap is capped",
    snap: snapshot(ABOVE_2PCT, { fees: { nextBaseFeeWei: 1_000_000_000n, priorityFeeWei: 9_000_000_000n } }),
    expect: (r) =>
      expect(r.decision).to.include({
        kind: "act",
        maxPriorityFeePerGasWei: 2_000_000_000n,
        maxFeePerGasWei: 4_000_000_000n,
      }),
  },
  {
    name: "USDC feed 89,971 s old with maxAge 90,000 s and a 30 s margin: oracle stale",
    snap: snapshot(ABOVE_2PCT, {
      feeds: snapshot().feeds.map((f) => (f.symbol === "USDC" ? { ...f, updatedAt: T0 - 89_971n } : f)),
    }),
    expect: standsStill("oracle-stale", "USDC feed updatedAt 1799910029 is 89971 s old > 89970 s"),
  },
  {
    name: "feed rejected by the oracle (out of bounds): oracle invalid",
    snap: snapshot(ABOVE_2PCT, {
      feeds: snapshot().feeds.map((f) => (f.symbol === "WETH" ? { ...f, valid: false, priceWad: 0n } : f)),
    }),
    expect: standsStill("oracle-invalid", "WETH"),
  },
  {
    name: "marketPrice() reverts: oracle invalid",
    snap: snapshot({ ...ABOVE_2PCT, marketOk: false }),
    expect: standsStill("oracle-invalid", "marketPrice"),
  },
  { name: "paused", snap: snapshot({ ...ABOVE_2PCT, paused: true }), expect: standsStill("paused") },
  {
    name: "spot 2.01% above, TWAP 6% above: the contract's 300 bps guard",
    snap: snapshot({ ...ABOVE_2PCT, twapWad: wad("1.06") }),
    expect: standsStill("spot-twap-divergence", "differ by more than 300 bps"),
  },
  {
    name: "the keeper's own tighter guard (100 bps)",
    snap: snapshot({ ...ABOVE_2PCT, twapWad: wad("1.008") }),
    params: { maxSpotTwapDeviationBps: 100n },
    expect: standsStill("spot-twap-divergence", "100 bps"),
  },
  {
    name: "last operation 30 s ago with a 60 s cooldown",
    snap: snapshot({ ...ABOVE_2PCT, lastOperationAt: T0 - 30n }),
    expect: standsStill("cooldown", `cooldown until ${T0 + 30n}`),
  },
  {
    name: "snapshot read 11 s ago",
    snap: snapshot(ABOVE_2PCT),
    nowMs: NOW_MS + 11_000,
    expect: standsStill("snapshot-too-old"),
  },
  {
    name: "head block 200 s old",
    snap: snapshot(ABOVE_2PCT, { blockTimestamp: T0 - 200n }),
    expect: standsStill("chain-head-stale", "200 s old"),
  },
  {
    name: "inside the band with the buffer off target: rebalance",
    snap: snapshot({ rebalanceNeeded: true }),
    expect: (r) => expect(r.decision).to.include({ kind: "act", action: Action.Rebalance, amount: 0n }),
  },
  {
    name: "rebalance disabled in the config",
    snap: snapshot({ rebalanceNeeded: true }),
    params: { rebalance: false },
    expect: standsStill("rebalance-disabled"),
  },
  {
    name: "the on-chain preview disagrees with the mirror: stands still",
    snap: (() => {
      const s = snapshot(ABOVE_2PCT);
      return { ...s, onchainPreview: { ...previewOperation(s.operator), amount: 1n } };
    })(),
    expect: standsStill("policy-mismatch"),
  },
  {
    name: "the on-chain preview agrees: acts",
    snap: (() => {
      const s = snapshot(ABOVE_2PCT);
      return { ...s, onchainPreview: previewOperation(s.operator) };
    })(),
    expect: (r) => expect(r.decision.kind).to.equal("act"),
  },
  {
    name: "epoch cap used up: cap reached",
    snap: snapshot({
      ...ABOVE_2PCT,
      epoch: { startedAt: T0 - 10n, netMinted: tok("1000000"), contracted: 0n, lossWad: 0n },
    }),
    expect: standsStill("cap-reached"),
  },
  {
    name: "no idle quote in the reserve: no liquidity",
    snap: snapshot({ ...BELOW_2PCT, quoteIdle: 0n }),
    expect: standsStill("no-liquidity"),
  },
  {
    name: "ratio at the target with a target above what expansion can keep: ratio limit",
    snap: snapshot({ ...ABOVE_2PCT, reserveValueWad: wad("1200000"), targetRatioWad: wad("1.2") }),
    expect: standsStill("ratio-limit"),
  },
];

describe("keeper decide(): table", function () {
  for (const c of cases) {
    it(c.name, function () {
      c.expect(decide(c.snap, { ...PARAMS, ...c.params }, c.memory ?? INITIAL_MEMORY, c.nowMs ?? NOW_MS));
    });
  }

  it("the expected sizes match the contract's own PegMath (pure functions on chain)", async function () {
    const pegMath = await pegMathHarness();
    // Peg as a raw pool price: 1e18 · 1e6 / (1e18 · 1e18).
    const num = 10n ** 18n * 10n ** 6n;
    const den = 10n ** 18n * 10n ** 18n;
    expect(await pegMath.tokensToSellForPrice(ABOVE_2PCT.reserveToken, ABOVE_2PCT.reserveQuote, num, den)).to.equal(
      10015022645689587263711n,
    );
    expect(await pegMath.quoteToSpendForPrice(BELOW_2PCT.reserveToken, BELOW_2PCT.reserveQuote, num, den)).to.equal(
      10015022645n,
    );
  });
});
