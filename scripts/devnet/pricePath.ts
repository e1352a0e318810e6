/**
 * Price paths for the local feed driver: the "true" USD price of an asset as a function of chain
 * time since the driver started. A constant, a seeded random walk (the same seed gives the same
 * path on every machine), or a CSV of `offsetSec,priceUsd` keyframes interpolated linearly and
 * held after the last row.
 */
import { readFileSync } from "node:fs";
import { Rng } from "../../keeper/sim/rng";

export interface PricePath {
  /** What the path is, for log lines. */
  readonly label: string;
  /** USD price at `offsetSec` seconds of chain time after the driver started (offsetSec >= 0). */
  priceAt(offsetSec: number): number;
}

export class PricePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PricePathError";
  }
}

function requirePositive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new PricePathError(`${field} must be a positive number; got ${value}`);
  return value;
}

export function constantPath(priceUsd: number): PricePath {
  requirePositive(priceUsd, "constant price");
  return { label: `constant ${priceUsd}`, priceAt: () => priceUsd };
}

export interface RandomWalkOptions {
  seed: number;
  startUsd: number;
  /** Standard deviation of one step's log-return, bps. */
  volBps: number;
  /** Chain seconds per step. */
  stepSec: number;
}

/**
 * A geometric random walk: each `stepSec` of chain time the price moves by a normal log-return of
 * `volBps` standard deviation. Steps are generated in order and kept, so asking for any offset
 * (a time warp jumps ahead) always gives the same price for the same seed.
 */
export function randomWalkPath(o: RandomWalkOptions): PricePath {
  requirePositive(o.startUsd, "random walk start price");
  if (!Number.isInteger(o.seed)) throw new PricePathError(`random walk seed must be an integer; got ${o.seed}`);
  if (!(o.volBps >= 0 && o.volBps <= 10_000))
    throw new PricePathError(`random walk volBps must be in [0, 10000]; got ${o.volBps}`);
  if (!Number.isInteger(o.stepSec) || o.stepSec <= 0)
    throw new PricePathError(`random walk stepSec must be a positive integer; got ${o.stepSec}`);
  const rng = new Rng(o.seed);
  const prices = [o.startUsd];
  return {
    label: `random walk seed ${o.seed}, ${o.volBps} bps per ${o.stepSec} s from ${o.startUsd}`,
    priceAt(offsetSec: number): number {
      const step = Math.floor(Math.max(0, offsetSec) / o.stepSec);
      while (prices.length <= step)
        prices.push(prices[prices.length - 1] * Math.exp((rng.normal() * o.volBps) / 10_000));
      return prices[step];
    },
  };
}

/** Keyframes `[offsetSec, priceUsd]`, strictly increasing in time, the first at offset 0. */
export function keyframePath(rows: [number, number][], label: string): PricePath {
  if (rows.length === 0) throw new PricePathError(`${label}: no rows`);
  if (rows[0][0] !== 0) throw new PricePathError(`${label}: the first row must be at offset 0 s; got ${rows[0][0]}`);
  rows.forEach(([t, p], i) => {
    requirePositive(p, `${label} row ${i + 1} price`);
    if (i > 0 && !(t > rows[i - 1][0]))
      throw new PricePathError(`${label} row ${i + 1}: offsets must increase; ${t} after ${rows[i - 1][0]}`);
  });
  return {
    label,
    priceAt(offsetSec: number): number {
      const next = rows.findIndex(([t]) => t > offsetSec);
      if (next === -1) return rows[rows.length - 1][1];
      const [t0, p0] = rows[next - 1];
      const [t1, p1] = rows[next];
      return p0 + ((p1 - p0) * (offsetSec - t0)) / (t1 - t0);
    },
  };
}

/** Parses `offsetSec,priceUsd` lines (a header line and blank lines are skipped). */
export function parseCsvPath(text: string, label: string): PricePath {
  const rows: [number, number][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || (i === 0 && /[a-z]/i.test(trimmed))) return;
    const cells = trimmed.split(",").map((c) => c.trim());
    const [t, p] = cells.map(Number);
    if (cells.length !== 2 || !Number.isFinite(t) || !Number.isFinite(p)) {
      throw new PricePathError(`${label} line ${i + 1}: expected "offsetSec,priceUsd"; got "${trimmed}"`);
    }
    rows.push([t, p]);
  });
  return keyframePath(rows, label);
}

/** Default random-walk step: one Ethereum slot. */
const DEFAULT_WALK_STEP_SEC = 12;
/** Default random-walk volatility per step, bps (about 80% a year at 12 s steps). */
const DEFAULT_WALK_VOL_BPS = 5;

/**
 * A path from a command-line spec, starting from the feed's current price `startUsd`:
 * `constant` or `constant:<usd>`, `walk:<seed>[:<volBps>[:<stepSec>]]`, `csv:<file>`.
 */
export function parsePathSpec(spec: string, startUsd: number): PricePath {
  const [kind, ...rest] = spec.split(":");
  if (kind === "constant") return constantPath(rest.length > 0 ? Number(rest[0]) : startUsd);
  if (kind === "walk") {
    const [seed, volBps, stepSec] = rest.map(Number);
    if (rest.length === 0) throw new PricePathError(`"${spec}": a random walk needs a seed, e.g. walk:7`);
    return randomWalkPath({
      seed,
      startUsd,
      volBps: volBps ?? DEFAULT_WALK_VOL_BPS,
      stepSec: stepSec ?? DEFAULT_WALK_STEP_SEC,
    });
  }
  if (kind === "csv") {
    const file = rest.join(":");
    if (file === "") throw new PricePathError(`"${spec}": give the file, e.g. csv:prices.csv`);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new PricePathError(`"${spec}": cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    return parseCsvPath(text, `csv ${file}`);
  }
  throw new PricePathError(
    `unknown price path "${spec}": use constant[:usd], walk:seed[:volBps[:stepSec]] or csv:file`,
  );
}
