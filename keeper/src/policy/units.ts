/**
 * On-chain constants mirrored once (contracts/libraries/Constants.sol). Pure: no ethers, no I/O.
 */
export const WAD = 10n ** 18n;
export const BPS = 10_000n;
export const PEG_WAD = WAD;
export const UNI_V2_FEE_NUMERATOR = 997n;
export const UNI_V2_FEE_DENOMINATOR = 1000n;
export const UPKEEP_SLIPPAGE_BPS = 50n;

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
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton iterations from a float seed, then fix up to the exact floor.
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}
