import { expect } from "chai";
import { Action, maxContraction, previewOperation } from "../../keeper/src/policy";
import { QUOTE_UNIT, toRaw } from "../../keeper/sim/market";
import { BallastPolicy, operatorStateOf } from "../../keeper/sim/policies/ballast";
import type { StepContext } from "../../keeper/sim";
import { CONFIG, marketAt, scenario } from "./helpers";

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
    ballast.onBlock({ m, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: true } as StepContext);
    expect(ballast.blockers["inside-band"]).to.equal(1);
    const off = marketAt(1_030_000, 970_000);
    const idle = new BallastPolicy(CONFIG, holdings, off.now);
    idle.onBlock({ m: off, scenario: scenario(), keeperLatencyBlocks: 0, keeperUp: false } as StepContext);
    expect(idle.stats.actions).to.equal(0);
  });
});
