/**
 * The statistics of the Monte Carlo benchmark, from first principles (no library): the mean and
 * its 95% confidence interval with Student's t, the paired difference of two policies run on the
 * same seeds (common random numbers), the ratio of two means (delta method), and the empirical
 * expected shortfall of a lower tail.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const num of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on this side of the mean; use the symmetry on the other.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t quantile q with P(T ≤ q) = p, by bisection on the CDF (monotone), to 1e-12. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be > 0, got ${df}`);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Sample variance (n − 1 in the denominator). */
export function sampleVariance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

export interface Estimate {
  mean: number;
  /** Half-width of the two-sided 95% confidence interval (mean ± ci95); null with fewer than two values. */
  ci95: number | null;
  n: number;
}

/** Mean and 95% CI half-width t(0.975, n−1) · s / √n of independent draws. */
export function meanCi95(xs: readonly number[]): Estimate {
  if (xs.length === 0) throw new RangeError("meanCi95: no values");
  const n = xs.length;
  if (n === 1) return { mean: xs[0], ci95: null, n };
  return { mean: mean(xs), ci95: studentTQuantile(0.975, n - 1) * Math.sqrt(sampleVariance(xs) / n), n };
}

/**
 * The mean of a − b over paired draws (the same seeds) and its 95% CI: pairing removes the
 * seed-to-seed noise both share, so a real difference shows with far fewer seeds.
 */
export function pairedDifferenceCi95(a: readonly number[], b: readonly number[]): Estimate {
  if (a.length !== b.length) throw new RangeError(`pairedDifferenceCi95: ${a.length} values against ${b.length}`);
  return meanCi95(a.map((x, i) => x - b[i]));
}

/**
 * mean(x) / mean(y) and its 95% CI by the delta method:
 * Var(R) ≈ (Var x − 2R·Cov(x, y) + R²·Var y) / (n · mean(y)²). Null where mean(y) ≤ 0.
 */
export function ratioOfMeansCi95(x: readonly number[], y: readonly number[]): Estimate | null {
  if (x.length !== y.length || x.length === 0)
    throw new RangeError(`ratioOfMeansCi95: ${x.length} values against ${y.length}`);
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  if (!(my > 0)) return null;
  const r = mx / my;
  if (n === 1) return { mean: r, ci95: null, n };
  const cov = x.reduce((a, xi, i) => a + (xi - mx) * (y[i] - my), 0) / (n - 1);
  const variance = Math.max(0, (sampleVariance(x) - 2 * r * cov + r * r * sampleVariance(y)) / (n * my * my));
  return { mean: r, ci95: studentTQuantile(0.975, n - 1) * Math.sqrt(variance), n };
}

/**
 * Expected shortfall of the lower tail at level α: the mean of the worst α share of the draws,
 * ES = (1/(αn)) · (x₍₁₎ + … + x₍ₖ₎ + (αn − k) · x₍ₖ₊₁₎), k = ⌊αn⌋, draws sorted ascending.
 * With 12 draws and α = 5% it is the lowest draw.
 */
export function expectedShortfallLow(xs: readonly number[], alpha = 0.05): number {
  if (xs.length === 0) throw new RangeError("expectedShortfallLow: no values");
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`expectedShortfallLow: alpha must be in (0, 1], got ${alpha}`);
  const sorted = [...xs].sort((p, q) => p - q);
  const tail = alpha * sorted.length;
  const k = Math.floor(tail);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += sorted[i];
  if (tail > k) sum += (tail - k) * sorted[k];
  return sum / tail;
}
