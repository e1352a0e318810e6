import { expect } from "chai";
import {
  expectedShortfallLow,
  meanCi95,
  pairedDifferenceCi95,
  ratioOfMeansCi95,
  studentTCdf,
  studentTQuantile,
} from "../../keeper/sim/stats";

describe("Monte Carlo statistics", function () {
  it("Student t quantiles match the published table (two-sided 95%)", function () {
    const table: [number, number][] = [
      [1, 12.7062047],
      [2, 4.3026527],
      [5, 2.5705818],
      [11, 2.2009852],
      [30, 2.0422725],
      [120, 1.9799304],
    ];
    for (const [df, q] of table) expect(studentTQuantile(0.975, df), `t(0.975, ${df})`).to.be.closeTo(q, 1e-6);
    expect(studentTCdf(0, 7)).to.be.closeTo(0.5, 1e-12);
    expect(studentTQuantile(0.025, 11)).to.be.closeTo(-2.2009852, 1e-6);
  });

  it("the mean's 95% CI is t · s / √n, and undefined for one draw", function () {
    // [1..5]: s = √2.5, n = 5, t(0.975, 4) = 2.7764451.
    const e = meanCi95([1, 2, 3, 4, 5]);
    expect(e.mean).to.equal(3);
    expect(e.ci95).to.be.closeTo((2.7764451 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-6);
    expect(meanCi95([7])).to.deep.equal({ mean: 7, ci95: null, n: 1 });
    expect(meanCi95([4, 4, 4]).ci95).to.equal(0);
    expect(() => meanCi95([])).to.throw(RangeError);
  });

  it("pairing removes the noise two policies share on the same seeds", function () {
    const a = [10, 20, 30, 40];
    const b = [9, 19, 29, 39];
    const d = pairedDifferenceCi95(a, b);
    expect(d.mean).to.equal(1);
    expect(d.ci95).to.equal(0);
    expect(() => pairedDifferenceCi95([1], [1, 2])).to.throw(RangeError);
  });

  it("a ratio of means carries the delta-method CI, and is null without a positive denominator", function () {
    const r = ratioOfMeansCi95([2, 4, 6], [1, 2, 3]);
    expect(r?.mean).to.equal(2);
    // x = 2y exactly: Var x − 2R·Cov + R²·Var y = 4 − 8 + 4 = 0.
    expect(r?.ci95).to.be.closeTo(0, 1e-9);
    expect(ratioOfMeansCi95([1, 2], [0, 0])).to.equal(null);
    expect(ratioOfMeansCi95([1, 2], [-1, -2])).to.equal(null);
  });

  it("the 5% expected shortfall is the mean of the worst 5% of draws, fractions weighted", function () {
    // 12 draws: 0.6 of a draw → the lowest.
    expect(expectedShortfallLow([5, 1.2, 3, 2, 4, 6, 7, 8, 9, 10, 11, 12])).to.equal(1.2);
    // 40 draws 1..40: the two lowest, (1 + 2) / 2.
    expect(expectedShortfallLow(Array.from({ length: 40 }, (_, i) => i + 1))).to.equal(1.5);
    // 30 draws: 1.5 draws → (1 + 0.5 · 2) / 1.5.
    expect(expectedShortfallLow(Array.from({ length: 30 }, (_, i) => i + 1))).to.be.closeTo(2 / 1.5, 1e-12);
  });
});
