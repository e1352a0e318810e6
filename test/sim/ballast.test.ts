import { expect } from "chai";
import { Action, Blocker, maxContraction, previewOperation, twapStale } from "../../keeper/src/policy";
import { QUOTE_UNIT, TOKEN_UNIT, toRaw, type Market } from "../../keeper/sim/market";
import { BallastPolicy, defaultDecisionParams, operatorStateOf } from "../../keeper/sim/policies/ballast";
import { GAS } from "../../keeper/sim/gas";
import { riskFloorWad } from "../../keeper/src/policy/collateralPolicy";
import { buildMarket, runScenario, type StepContext } from "../../keeper/sim";
import { CONFIG, marketAt, scenario } from "../support/sim";

// 6M USDC against 5M supply: ratio ~1.19, above the target, so the ratio bound does not block.
const holdings = { USDC: toRaw(6_000_000, QUOTE_UNIT), WETH: 0n };

describe("Ballast in the model: the keeper's decision, the contract's execution", function () {
  it("below the band the keeper contracts exactly what preview() sizes, landing on the peg and never past it", function () {
    const m = marketAt(1_030_000, 970_000); // ~0.887, TWAP warmed there so spot and TWAP agree
    const ballast = new BallastPolicy(CONFIG, holdings, m.now);
    const state = operatorStateOf(m, ballast.reserve, ballast.book);
    const preview = previewOperation(state);
    expect(preview.action).to.equal(Action.Contract);
    const idleBefore = ballast.reserve.idle.USDC;
    const supplyBefore = m.supply;
    ballast.onBlock({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
    expect(idleBefore - ballast.reserve.idle.USDC).to.equal(maxContraction(state));
    expect(m.supply).to.be.lessThan(supplyBefore);
    expect(m.priceUsd()).to.be.at.most(1);
    expect(m.priceUsd()).to.be.closeTo(1, 1e-9);
    expect(ballast.stats.reserveSpentUsd).to.be.greaterThan(0);
  });

  it("with a keeper latency of N blocks the operation lands N blocks later, re-checked then", function () {
    const m = marketAt(1_030_000, 970_000);
    const ballast = new BallastPolicy(CONFIG, holdings, m.now);
    const ctx = { m, scenario: scenario(), keeperLatencyBlocks: 3, keeperUp: true } as StepContext;
    const supplyBefore = m.supply;
    for (let i = 0; i < 3; i++) {
      ballast.onBlock(ctx);
      expect(m.supply, `block ${i}`).to.equal(supplyBefore);
      m.advanceBlock();
      m.recordObservation();
    }
    ballast.onBlock(ctx);
    expect(m.supply).to.be.lessThan(supplyBefore);
  });

  it("stands still with a named reason inside the band and while the keeper is down", function () {
    const m = marketAt(1_000_000, 1_002_000); // +20 bps
    const ballast = new BallastPolicy(CONFIG, holdings, m.now);
    // The deploy's first refresh lifted the target to the risk floor: no refresh is due inside the band.
    ballast.reserve.refresh(m);
    ballast.onBlock({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
    expect(ballast.blockers["inside-band"]).to.equal(1);
    const off = marketAt(1_030_000, 970_000);
    const idle = new BallastPolicy(CONFIG, holdings, off.now);
    idle.onBlock({ m: off, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: false } as StepContext);
    expect(idle.stats.actions).to.equal(0);
  });
});

describe("Ballast in the model: the keeper's gas economics run through the same decide()", function () {
  const ctx = (m: Market): StepContext =>
    ({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
  /** Blocks pass with fresh feeds and nobody but the keeper writing observations. */
  const pass = (m: Market, blocks: number, record: boolean) => {
    for (let i = 0; i < blocks; i++) {
      m.advanceBlock();
      m.updateFeeds();
      if (record) m.recordObservation();
    }
  };

  it("writes a TWAP observation when the newest is the keeper's 900 s old (the oracle allows one per 450 s), and pays its gas", function () {
    const m = marketAt(1_000_000, 1_000_000);
    const ballast = new BallastPolicy(CONFIG, holdings, m.now);
    ballast.onBlock(ctx(m));
    expect(ballast.observationsWritten).to.equal(0, "the warm-up's observation is fresh");
    const written: bigint[] = [];
    for (let b = 0; b < 240; b++) {
      pass(m, 1, false);
      const before = ballast.observationsWritten;
      ballast.onBlock(ctx(m));
      if (ballast.observationsWritten > before) written.push(m.latestObservation().timestamp);
    }
    // 240 blocks of 12 s: one write every 900 s (75 blocks: 900 is a multiple of 12).
    expect(written.length).to.be.within(3, 4);
    expect(written.slice(1).map((t, i) => Number(t - written[i]))).to.deep.equal(
      new Array(written.length - 1).fill(900),
    );
    expect(ballast.stats.gas).to.equal(written.length * GAS.ballastObserve + GAS.ballastRefresh);
  });

  it("an observation an hour or more after the feeds were last read also pays their reads, once an hour (PriceOracle's last good prices)", function () {
    const m = marketAt(1_000_000, 1_000_000);
    const ballast = new BallastPolicy(CONFIG, holdings, m.now);
    const start = m.now;
    const written: bigint[] = [];
    // 800 blocks of 12 s = 2 h 40 min past the deploy's own read: the first write past 1 h reads the
    // feeds, and the first write an hour after that (observations come at most 900 s apart, and a
    // refresh's own write can push the keeper's later), but not a third (that needs 3 h).
    for (let b = 0; b < 800; b++) {
      pass(m, 1, false);
      const before = ballast.observationsWritten;
      ballast.onBlock(ctx(m));
      if (ballast.observationsWritten > before) written.push(m.latestObservation().timestamp);
    }
    const firstPastHour = written.find((t) => t >= start + 3_600n);
    expect(
      firstPastHour !== undefined && written.some((t) => t >= firstPastHour + 3_600n),
      "two reads, an hour apart",
    ).to.equal(true);
    const refreshes = ballast.stats.actions - written.length;
    expect(ballast.stats.gas).to.equal(
      written.length * GAS.ballastObserve + 2 * GAS.ballastObservePriceReads + refreshes * GAS.ballastRefresh,
    );
  });

  it("a $30 daily budget: the first operation (~$20 of gas) goes, the next stands still (gas-budget-exhausted) until 24 h later", function () {
    const params = { ...defaultDecisionParams(), dailyGasBudgetWad: 30n * 10n ** 18n };
    const m = marketAt(1_030_000, 970_000);
    const ballast = new BallastPolicy(CONFIG, holdings, m.now, true, params);
    // Refreshed at deploy: the policy's 1 h cooldown keeps the keeper's refresh out of this budget test.
    ballast.reserve.refresh(m);
    ballast.onBlock(ctx(m));
    expect(ballast.stats.actions).to.equal(1, "the contraction");
    // Pushed back down, past the 60 s cooldown; the TWAP still agrees with spot.
    m.sellTokens(toRaw(30_000, TOKEN_UNIT));
    pass(m, 10, true);
    ballast.onBlock(ctx(m));
    expect(ballast.blockers["gas-budget-exhausted"]).to.equal(1);
    expect(ballast.stats.actions).to.equal(1);
    // A day later (feeds fresh, observations written) the spend has left the window.
    pass(m, 7_200, true);
    m.sellTokens(toRaw(30_000, TOKEN_UNIT));
    pass(m, 160, true);
    ballast.onBlock(ctx(m));
    expect(ballast.stats.actions).to.be.greaterThan(1);
  });
});

describe("Ballast in the model: the pool TWAP is observed only when someone writes, as on chain", function () {
  it("the engine records no observation for Ballast or the keeper-less reserve, and one every block for the other designs", function () {
    const s = scenario({ blocks: 300 });
    // The age of the newest observation when the run ends (3,600 s after the warm-up).
    const newestAge = (policy: "ballast" | "none" | "psm") => {
      const m = buildMarket(s, CONFIG);
      runScenario(s, policy, { market: m });
      return Number(m.now - m.latestObservation().timestamp);
    };
    // The engine offers an observation every block; update() writes one every window / 4.
    expect(newestAge("psm")).to.be.lessThan(456, "the engine keeps the ring fresh");
    expect(newestAge("none")).to.be.greaterThan(3_500, "nobody writes: only the warm-up's observations");
    const keeper = newestAge("ballast");
    expect(keeper).to.be.lessThan(912, "the keeper writes one every 900 s");
    expect(keeper).to.be.greaterThan(0, "but not every block");
  });

  it("with nobody writing (the keeper-less reserve) the TWAP goes stale after two windows; the keeper's writes keep it fresh", function () {
    const s = scenario({ blocks: 400 }); // 4,800 s: past 2 × 1,800 s
    const none = marketAt(1_000_000, 1_000_000, s);
    const idle = new BallastPolicy(CONFIG, holdings, none.now, false);
    for (let b = 0; b < 400; b++) {
      none.advanceBlock();
      none.updateFeeds();
      if (!idle.writesOwnObservations) none.recordObservation();
      idle.onBlock({ m: none, scenario: s, keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
    }
    expect(twapStale(operatorStateOf(none, idle.reserve, idle.book))).to.equal(true);
    expect(previewOperation(operatorStateOf(none, idle.reserve, idle.book)).blocker).to.equal(Blocker.TwapStale);

    const watched = marketAt(1_000_000, 1_000_000, s);
    const keeper = new BallastPolicy(CONFIG, holdings, watched.now);
    for (let b = 0; b < 400; b++) {
      watched.advanceBlock();
      watched.updateFeeds();
      keeper.onBlock({ m: watched, scenario: s, keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
    }
    expect(twapStale(operatorStateOf(watched, keeper.reserve, keeper.book))).to.equal(false);
    // 4,800 s at one write per 912 s (the keeper's 900 s interval).
    expect(keeper.observationsWritten).to.be.within(4, 6);
  });

  it("refresh() lifts a target below the risk floor to CollateralPolicy's floor: the keeper's riskFloorWad of the weighted haircut", function () {
    const m = marketAt(1_000_000, 1_000_000); // at the peg: no step, only the floor can move the target
    // 6M USDC (1% haircut) and 1,000 WETH at $3,000 (20%): (6M × 100 + 3M × 2,000) / 9M = 733.3, rounded up to 734 bps.
    const r = new BallastPolicy(CONFIG, { USDC: toRaw(6_000_000, QUOTE_UNIT), WETH: 10n ** 21n }, m.now).reserve;
    expect(r.weightedHaircutBps(m)).to.deep.equal({ ok: true, bps: 734n });
    r.targetRatioWad = CONFIG.policy.minRatioWad;
    expect(r.refresh(m)).to.equal(true);
    // minRatio 1 + 7.34% × riskWeight 50% = 1.0367.
    expect(r.targetRatioWad)
      .to.equal(riskFloorWad(CONFIG.policy, 734n))
      .and.to.equal(10_367n * 10n ** 14n);
  });

  it("refresh() records an observation first, and on a stale TWAP holds the target and leaves its cooldown unspent (CollateralPolicy)", function () {
    const s = scenario();
    const m = marketAt(1_030_000, 970_000, s); // ~0.887: a fresh TWAP would step the target up
    const policy = new BallastPolicy(CONFIG, holdings, m.now, false);
    const r = policy.reserve;
    for (let b = 0; b < 400; b++) {
      m.advanceBlock();
      m.updateFeeds();
    }
    const before = m.latestObservation();
    r.targetRatioWad = 11n * 10n ** 17n; // 1.1, above the risk floor: only a step could move it
    const target = r.targetRatioWad;
    expect(r.refresh(m)).to.equal(true);
    expect(m.latestObservation().timestamp).to.equal(m.now);
    expect(m.latestObservation().count).to.equal(before.count + 1n);
    expect(r.targetRatioWad).to.equal(target, "held: no step on a stale average");
    expect(r.lastRefreshAt).to.equal(0n, "the cooldown is not spent");
    // A window later the refresh's own observation anchors a fresh average: it steps (TWAP below the band).
    for (let b = 0; b < 151; b++) {
      m.advanceBlock();
      m.updateFeeds();
      m.recordObservation();
    }
    expect(r.refresh(m)).to.equal(true);
    expect(r.targetRatioWad).to.equal(target + CONFIG.policy.stepWad);
    expect(r.lastRefreshAt).to.equal(m.now);
  });
});
