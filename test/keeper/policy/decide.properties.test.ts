/**
 * Laws of the keeper's decision, checked with fast-check on random injected states: no action
 * inside the band; the size never exceeds the caps; the post-trade price never crosses the peg;
 * the decision is monotone in the deviation; never acts when the gas costs more than the value or
 * the fee is above the deviation's cap; the fee cap is monotone in the deviation; the budget holds.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  Action,
  INITIAL_MEMORY,
  PEG_WAD,
  amountOut,
  decide,
  feeCapWei,
  spentInWindow,
  type DecideResult,
  type OperatorState,
} from "../../../keeper/src/policy";
import { NOW_MS, PARAMS, T0, snapshot, spotOf, tok, usdc, wad } from "../../support/policyFixtures";

const RUNS = 400;

/** Reserves around a 1M pool, the quote side moved by ±`devBps`. */
const reservesArb = fc.record({
  depth: fc.bigInt({ min: 10_000n, max: 50_000_000n }),
  devBps: fc.integer({ min: -1_500, max: 1_500 }),
});

const capsArb = fc.record({
  perOpExp: fc.bigInt({ min: 1n, max: 500_000n }),
  perOpCon: fc.bigInt({ min: 1n, max: 500_000n }),
  usedExp: fc.bigInt({ min: 0n, max: 1_000_000n }),
  usedCon: fc.bigInt({ min: 0n, max: 1_000_000n }),
  idle: fc.bigInt({ min: 0n, max: 2_000_000n }),
});

function state(r: { depth: bigint; devBps: number }, over: Partial<OperatorState> = {}): Partial<OperatorState> {
  const reserveToken = tok(r.depth.toString());
  const reserveQuote = (usdc(r.depth.toString()) * BigInt(10_000 + r.devBps)) / 10_000n;
  const spot = spotOf(reserveToken, reserveQuote);
  return { reserveToken, reserveQuote, spotWad: spot, twapWad: spot, ...over };
}

const run = (over: Partial<OperatorState>): DecideResult =>
  decide(snapshot(over), { ...PARAMS, dailyGasBudgetWad: wad("1000000") }, INITIAL_MEMORY, NOW_MS);

describe("keeper decide(): properties", function () {
  it("never expands or contracts while spot is inside the band or the TWAP is across the peg (the contract's band test)", function () {
    fc.assert(
      fc.property(
        reservesArb,
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: -400, max: 400 }),
        (r, bandBps, twapOffsetBps) => {
          const s = state(r, { bandBps: BigInt(bandBps) });
          const twap = (s.spotWad! * BigInt(10_000 + twapOffsetBps)) / 10_000n;
          const band = (PEG_WAD * BigInt(bandBps)) / 10_000n;
          const spotInside = s.spotWad! <= PEG_WAD + band && s.spotWad! + band >= PEG_WAD;
          const acrossPeg = s.spotWad! > PEG_WAD ? twap <= PEG_WAD : twap >= PEG_WAD;
          fc.pre(spotInside || acrossPeg);
          const d = run({ ...s, twapWad: twap }).decision;
          expect(d.kind === "act" && (d.action === Action.Expand || d.action === Action.Contract)).to.equal(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("never sizes an operation beyond the per-operation, per-epoch or liquidity caps", function () {
    let acted = 0;
    fc.assert(
      fc.property(reservesArb, capsArb, (r, c) => {
        const limits = {
          ...snapshot().operator.limits,
          maxExpansionPerOp: tok(c.perOpExp.toString()),
          maxContractionPerOp: wad(c.perOpCon.toString()),
        };
        const epoch = {
          startedAt: snapshot().operator.epoch.startedAt,
          netMinted: tok(c.usedExp.toString()),
          contracted: wad(c.usedCon.toString()),
          lossWad: 0n,
        };
        const s = state(r, { limits, epoch, quoteIdle: usdc(c.idle.toString()) });
        const d = run(s).decision;
        if (d.kind !== "act") return;
        acted++;
        if (d.action === Action.Expand) {
          expect(d.amount <= limits.maxExpansionPerOp).to.equal(true);
          expect(d.amount <= limits.maxExpansionPerEpoch - epoch.netMinted).to.equal(true);
        }
        if (d.action === Action.Contract) {
          expect(d.amount <= usdc(c.perOpCon.toString())).to.equal(true);
          expect(d.amount <= usdc((1_000_000n - c.usedCon).toString())).to.equal(true);
          expect(d.amount <= usdc(c.idle.toString())).to.equal(true);
        }
        expect(d.minOut <= d.expectedOut).to.equal(true);
      }),
      { numRuns: RUNS },
    );
    expect(acted).to.be.greaterThan(RUNS / 10, "too few random states acted: the law was barely exercised");
  });

  it("the post-trade pool price never crosses the peg", function () {
    let acted = 0;
    fc.assert(
      fc.property(reservesArb, fc.integer({ min: 9_900, max: 10_100 }), (r, quoteUsdBps) => {
        const quoteUsdWad = (PEG_WAD * BigInt(quoteUsdBps)) / 10_000n;
        const base = state(r);
        // Spot and TWAP in USD, as the oracle reports them with this quote price.
        const spot = (base.spotWad! * quoteUsdWad) / PEG_WAD;
        const d = run({ ...base, quoteUsdWad, spotWad: spot, twapWad: spot }).decision;
        if (d.kind !== "act" || d.action === Action.Rebalance) return;
        acted++;
        let { reserveToken: rT, reserveQuote: rQ } = base as { reserveToken: bigint; reserveQuote: bigint };
        if (d.action === Action.Expand) {
          const out = amountOut(d.amount, rT, rQ);
          rT += d.amount;
          rQ -= out;
        } else {
          const out = amountOut(d.amount, rQ, rT);
          rQ += d.amount;
          rT -= out;
        }
        // USD price after (WAD) = rQ · 1e12 · quoteUsd / rT; compared with the peg cross-multiplied, exactly.
        const afterTimesRT = rQ * 10n ** 12n * quoteUsdWad;
        const pegTimesRT = PEG_WAD * rT;
        if (d.action === Action.Expand)
          expect(afterTimesRT >= pegTimesRT).to.equal(true, "expansion pushed the price below the peg");
        else expect(afterTimesRT <= pegTimesRT).to.equal(true, "contraction pushed the price above the peg");
      }),
      { numRuns: RUNS },
    );
    expect(acted).to.be.greaterThan(RUNS / 4);
  });

  it("is monotone in the deviation: a larger excursion on the same side never gets a smaller (or no) operation", function () {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10_000n, max: 50_000_000n }),
        fc.integer({ min: 1, max: 1_500 }),
        fc.integer({ min: 1, max: 1_500 }),
        fc.boolean(),
        (depth, a, b, above) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          const sign = above ? 1 : -1;
          const small = run(state({ depth, devBps: sign * lo })).decision;
          const large = run(state({ depth, devBps: sign * hi })).decision;
          if (small.kind !== "act") return;
          compared++;
          expect(large.kind).to.equal("act");
          if (large.kind !== "act") return;
          expect(large.action).to.equal(small.action);
          expect(large.amount >= small.amount).to.equal(true);
        },
      ),
      { numRuns: RUNS },
    );
    expect(compared).to.be.greaterThan(RUNS / 4);
  });
});

describe("keeper decide(): gas economics properties", function () {
  const GWEI = 1_000_000_000n;
  const feesArb = fc.record({
    baseGwei: fc.bigInt({ min: 0n, max: 3_000n }),
    tipGwei: fc.bigInt({ min: 0n, max: 5n }),
    ethUsd: fc.bigInt({ min: 100n, max: 20_000n }),
  });
  const capArb = fc.record({
    weiPerBps: fc.bigInt({ min: 0n, max: 50n * GWEI }),
    minWei: fc.bigInt({ min: GWEI / 1000n, max: 500n * GWEI }),
    span: fc.bigInt({ min: 0n, max: 5_000n * GWEI }),
  });

  function economicsSnap(
    r: { depth: bigint; devBps: number },
    f: { baseGwei: bigint; tipGwei: bigint; ethUsd: bigint },
  ) {
    const snap = snapshot(state(r), { fees: { nextBaseFeeWei: f.baseGwei * GWEI, priorityFeeWei: f.tipGwei * GWEI } });
    return {
      ...snap,
      feeds: snap.feeds.map((x) =>
        x.symbol === "WETH" ? { ...x, answer: f.ethUsd * 10n ** 8n, priceWad: f.ethUsd * 10n ** 18n } : x,
      ),
    };
  }

  it("never acts when the gas costs more than the value (correction + P&L), nor above the deviation's fee cap", function () {
    let acted = 0;
    let refused = 0;
    fc.assert(
      fc.property(reservesArb, feesArb, fc.integer({ min: 10_000, max: 40_000 }), (r, f, marginBps) => {
        const params = { ...PARAMS, minValueOverGasBps: BigInt(marginBps), dailyGasBudgetWad: wad("1000000000") };
        const d = decide(economicsSnap(r, f), params, INITIAL_MEMORY, NOW_MS).decision;
        if (d.kind !== "act") {
          if (d.reason === "not-worth-gas" || d.reason === "fee-above-cap") refused++;
          return;
        }
        if (d.action === Action.Rebalance) return;
        acted++;
        const value = d.correctionValueWad + d.expectedProfitWad;
        expect(value >= d.gasCostWad, `value ${value} < gas ${d.gasCostWad}`).to.equal(true);
        expect(value * 10_000n >= d.gasCostWad * BigInt(marginBps)).to.equal(true);
        expect(d.effectiveGasPriceWei <= d.feeCapWei && d.maxFeePerGasWei <= d.feeCapWei).to.equal(true);
        expect(d.feeCapWei).to.equal(feeCapWei(d.preview.deviationBps, PARAMS.feeCap));
      }),
      { numRuns: RUNS },
    );
    expect(acted).to.be.greaterThan(RUNS / 10);
    expect(refused).to.be.greaterThan(RUNS / 20, "too few states refused on gas: the gates were barely exercised");
  });

  it("the fee cap is monotone in |deviation| and stays within [minWei, maxWei]", function () {
    fc.assert(
      fc.property(
        capArb,
        fc.bigInt({ min: -20_000n, max: 20_000n }),
        fc.bigInt({ min: -20_000n, max: 20_000n }),
        (c, a, b) => {
          const cap = { weiPerBps: c.weiPerBps, minWei: c.minWei, maxWei: c.minWei + c.span };
          const abs = (x: bigint) => (x < 0n ? -x : x);
          const [lo, hi] = abs(a) <= abs(b) ? [a, b] : [b, a];
          const capLo = feeCapWei(lo, cap);
          const capHi = feeCapWei(hi, cap);
          expect(capLo <= capHi).to.equal(true);
          for (const v of [capLo, capHi]) expect(v >= cap.minWei && v <= cap.maxWei).to.equal(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("acting never takes the gas paid in the last 24 h above the budget", function () {
    let acted = 0;
    fc.assert(
      fc.property(
        reservesArb,
        feesArb,
        fc.array(
          fc.record({ ageSec: fc.bigInt({ min: 0n, max: 200_000n }), usd: fc.bigInt({ min: 0n, max: 2_000n }) }),
          { maxLength: 8 },
        ),
        fc.bigInt({ min: 1n, max: 5_000n }),
        (r, f, spends, budgetUsd) => {
          const memory = {
            engaged: null,
            gasSpent: spends.map((x) => ({ atSec: T0 - x.ageSec, usdWad: wad(x.usd.toString()) })),
          };
          const { decision: d, observation: o } = decide(
            economicsSnap(r, f),
            { ...PARAMS, dailyGasBudgetWad: wad(budgetUsd.toString()) },
            memory,
            NOW_MS,
          );
          const window = spentInWindow(memory.gasSpent, T0);
          if (d.kind === "act") {
            acted++;
            expect(window + d.gasCostWad <= wad(budgetUsd.toString())).to.equal(true);
          }
          if (o.kind === "write") expect(window + o.gasCostWad <= wad(budgetUsd.toString())).to.equal(true);
        },
      ),
      { numRuns: RUNS },
    );
    expect(acted).to.be.greaterThan(RUNS / 20);
  });
});
