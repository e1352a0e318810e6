/**
 * Exact decimal rendering of on-chain integers for the page: bigint in, string out, no float on
 * the way (a float would show $0.99999999 for a peg price that is exactly 1).
 */

/** `raw / 10^decimals` as a decimal string with at most `maxFraction` digits (truncated), trailing zeros dropped. */
export function toDecimal(raw: bigint, decimals: number, maxFraction = 6): string {
  if (!Number.isInteger(decimals) || decimals < 0)
    throw new RangeError(`toDecimal: decimals must be a non-negative integer, got ${decimals}`);
  if (!Number.isInteger(maxFraction) || maxFraction < 0)
    throw new RangeError(`toDecimal: maxFraction must be a non-negative integer, got ${maxFraction}`);
  const neg = raw < 0n;
  const abs = neg ? -raw : raw;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  let fraction = (abs % unit).toString().padStart(decimals, "0").slice(0, maxFraction).replace(/0+$/, "");
  if (fraction.length > 0) fraction = `.${fraction}`;
  const body = `${whole}${fraction}`;
  return neg && body !== "0" ? `-${body}` : body;
}

/** A WAD quantity as a decimal string. */
export const wadToDecimal = (wad: bigint, maxFraction = 6): string => toDecimal(wad, 18, maxFraction);

/** A WAD quantity as a float, for chart points only (never for shown numbers or arithmetic). */
export function wadToNumber(wad: bigint): number {
  // Split so values far above 2^53 wei keep their leading digits.
  return Number(wad / 10n ** 9n) / 1e9;
}

/** A decimal string grouped in thousands for people ("1234567.5" → "1,234,567.5"). */
export function groupThousands(decimal: string): string {
  const [whole, fraction] = decimal.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}
