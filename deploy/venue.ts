/**
 * The market venue, chosen at deploy time: the Uniswap V2 pair (the default), or a Uniswap V3 pool
 * with protocol-owned liquidity around the peg. `checkVenue` validates a V3 choice before anything
 * is sent and names the parameter at fault.
 */

/** Fee tiers (pips) and their tick spacing on the V3 factory; 100 is enabled by `enableFeeAmount(100, 1)`. */
export const V3_TICK_SPACING: Readonly<Record<number, number>> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };
/** Fee tiers the factory enables at construction (100 needs the owner's `enableFeeAmount`). */
export const V3_FACTORY_DEFAULT_TIERS: readonly number[] = [500, 3000, 10000];
/** The most observations a V3 pool can keep (its ring buffer is uint16-indexed). */
export const V3_MAX_CARDINALITY = 65_535;
/** Bounds on the position's half-width, bps (mirror of Constants.sol MIN/MAX_POL_RANGE_BPS). */
export const MIN_POL_RANGE_BPS = 1;
export const MAX_POL_RANGE_BPS = 200;

export interface V3VenueParams {
  kind: "v3";
  /** Pool fee tier in pips: 100 (0.01%, local networks enable it) or 500 (0.05%). */
  feePips: number;
  /** Protocol-owned liquidity half-width around the peg, bps (one tick ≈ one bps). */
  polRangeBps: number;
  /** Observations the pool keeps: must cover the TWAP window at `blockTimeSec` per block. */
  observationCardinality: number;
  /** Shortest time between blocks on the network, seconds (each block writes at most one observation). */
  blockTimeSec: number;
  /** Cap on quote the LiquidityManager may hold in the pool, whole quote units. */
  polMaxQuote: string;
}

export type VenueParams = { kind: "v2" } | V3VenueParams;

/** The venues a deploy can choose (`--venue`). */
export const VENUE_KINDS = ["v2", "v3"] as const satisfies readonly VenueParams["kind"][];
export type VenueKind = (typeof VENUE_KINDS)[number];

/**
 * The venue `npm start` deploys when `--venue` is not given: the V2 pair until the V3 venue has met
 * its peg targets on the bench (switching is this one line).
 */
export const DEFAULT_VENUE: VenueKind = "v2";

export const DEFAULT_V3_VENUE: V3VenueParams = {
  kind: "v3",
  feePips: 100,
  polRangeBps: 20,
  observationCardinality: 1_801,
  blockTimeSec: 1,
  polMaxQuote: "1000000",
};

export class VenueParamError extends Error {
  constructor(readonly parameter: string, message: string) {
    super(`venue.${parameter}: ${message}`);
    this.name = "VenueParamError";
  }
}

/** Observations needed so the oldest is at least `twapWindowSec` old: one per block, plus the current. */
export function cardinalityForWindow(twapWindowSec: number, blockTimeSec: number): number {
  return Math.ceil(twapWindowSec / blockTimeSec) + 1;
}

/**
 * Throws a VenueParamError naming the first bad parameter of a V3 venue. `enabledTiers` are the
 * tiers the factory has (or will have, for one this deploy enables) enabled.
 */
export function checkV3Venue(v: V3VenueParams, twapWindowSec: number, enabledTiers: readonly number[]): void {
  if (!Number.isInteger(v.feePips) || !enabledTiers.includes(v.feePips)) {
    throw new VenueParamError(
      "feePips",
      `tier ${v.feePips} is not enabled on the factory (enabled: ${enabledTiers.join(", ")})`,
    );
  }
  const spacing = V3_TICK_SPACING[v.feePips];
  if (spacing === undefined) throw new VenueParamError("feePips", `tier ${v.feePips} has no known tick spacing`);
  if (!Number.isInteger(v.polRangeBps) || v.polRangeBps < MIN_POL_RANGE_BPS || v.polRangeBps > MAX_POL_RANGE_BPS) {
    throw new VenueParamError(
      "polRangeBps",
      `${v.polRangeBps} must be an integer in [${MIN_POL_RANGE_BPS}, ${MAX_POL_RANGE_BPS}]`,
    );
  }
  if (v.polRangeBps < spacing) {
    throw new VenueParamError(
      "polRangeBps",
      `±${v.polRangeBps} bps is narrower than one tick spacing (${spacing} ticks ≈ ${spacing} bps at tier ${v.feePips}): the range could not contain the peg`,
    );
  }
  if (!Number.isInteger(v.blockTimeSec) || v.blockTimeSec < 1)
    throw new VenueParamError("blockTimeSec", `${v.blockTimeSec} must be a positive integer`);
  const needed = cardinalityForWindow(twapWindowSec, v.blockTimeSec);
  if (!Number.isInteger(v.observationCardinality) || v.observationCardinality > V3_MAX_CARDINALITY) {
    throw new VenueParamError(
      "observationCardinality",
      `${v.observationCardinality} must be an integer ≤ ${V3_MAX_CARDINALITY}`,
    );
  }
  if (v.observationCardinality < needed) {
    throw new VenueParamError(
      "observationCardinality",
      `${v.observationCardinality} observations at ${v.blockTimeSec} s per block cannot cover the ${twapWindowSec} s TWAP window (needs ≥ ${needed})`,
    );
  }
  if (!/^\d+(\.\d+)?$/.test(v.polMaxQuote))
    throw new VenueParamError("polMaxQuote", `"${v.polMaxQuote}" is not a non-negative decimal amount`);
}

/**
 * The V3 position's range around the peg tick, as the LiquidityManager computes it: ±rangeBps ticks,
 * rounded outward to the spacing, the peg strictly inside. Throws naming `polRangeBps` when it cannot
 * contain the peg.
 */
export function polRange(pegTick: number, rangeBps: number, spacing: number): { tickLower: number; tickUpper: number } {
  const tickLower = Math.floor((pegTick - rangeBps) / spacing) * spacing;
  let tickUpper = Math.ceil((pegTick + rangeBps) / spacing) * spacing;
  if (tickUpper <= pegTick) tickUpper += spacing;
  if (!(tickLower <= pegTick && pegTick < tickUpper))
    throw new VenueParamError(
      "polRangeBps",
      `range [${tickLower}, ${tickUpper}) does not contain the peg tick ${pegTick}`,
    );
  return { tickLower, tickUpper };
}
