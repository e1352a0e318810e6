/**
 * On-chain constants mirrored once (contracts/libraries/Constants.sol). Pure: no ethers, no I/O.
 */
export const WAD = 10n ** 18n;
export const BPS = 10_000n;
export const PEG_WAD = WAD;
export const UNI_V2_FEE_NUMERATOR = 997n;
export const UNI_V2_FEE_DENOMINATOR = 1000n;
/** PriceOracle.update() records at most one observation per twapWindowSec / OBSERVATIONS_PER_WINDOW. */
export const OBSERVATIONS_PER_WINDOW = 4n;
/** The TWAP is stale beyond this many windows of span (PriceOracle.twapSpan). */
export const MAX_TWAP_SPAN_WINDOWS = 2n;
/** Constants.sol HARD_MAX_TARGET_RATIO_WAD: CollateralPolicy's risk floor never exceeds it. */
export const HARD_MAX_TARGET_RATIO_WAD = 2n * WAD;
/** Bounds of MarketOperator's sizing parameters (setSizing) and limit prices. */
export const MIN_OPERATION_SHARE_LOWER_BPS = 100n;
export const MIN_OPERATION_SHARE_UPPER_BPS = 5_000n;
/** The contract's constructor defaults for setSizing: 10% minimum share, no loss budget. */
export const DEFAULT_MIN_OPERATION_SHARE_BPS = 1_000n;
export const HARD_MAX_LOSS_BPS = 30n;
export const MAX_LIMIT_PRICE_WAD = 10n ** 30n;

/** floor(a * b / d), as Solidity's Math.mulDiv rounding down. */
export function mulDiv(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("mulDiv: division by zero");
  return (a * b) / d;
}

/** ceil(a * b / d), as Math.mulDiv with Rounding.Ceil. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("mulDivUp: division by zero");
  const p = a * b;
  return p === 0n ? 0n : (p - 1n) / d + 1n;
}

export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** floor(sqrt(n)), as OpenZeppelin's Math.sqrt. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("isqrt: negative");
  if (n < 2n) return n;
  // Float seed (exact to ~2^-52 relative, far off in absolute terms for large n), then one Newton
  // step, which lands at or above floor(sqrt(n)) for any positive seed; from above, integer Newton
  // decreases monotonically to the exact floor in a few steps.
  const seed = Math.sqrt(Number(n));
  let x =
    Number.isFinite(seed) && seed >= 1 ? BigInt(Math.floor(seed)) : 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  x = (x + n / x) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return x;
}
