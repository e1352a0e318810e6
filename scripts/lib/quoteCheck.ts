/**
 * The mint and redeem tasks warn when a quote differs from the peg value of what goes in by more
 * than QUOTE_WARN_BPS: a haircut path, a recovery fee, a degraded price or pro-rata
 * redemptions all show up this way. A warning only: `--slippage-bps` (even a minimum of 0) stays
 * the user's choice.
 */
const BPS = 10_000n;

/** 1%: above every normal fee and spread, so a warning means something unusual. */
export const QUOTE_WARN_BPS = 100n;

/** How far `receivedWad` is from `paidWad` (both WAD USD), either way, basis points rounded down. */
export function quoteGapBps(paidWad: bigint, receivedWad: bigint): bigint {
  if (paidWad === 0n) return 0n;
  const gap = receivedWad > paidWad ? receivedWad - paidWad : paidWad - receivedWad;
  return (gap * BPS) / paidWad;
}

/** USD (WAD) value of `amount` base units of an asset with `decimals`, at `priceWad`. */
export function usdValueWad(amount: bigint, decimals: number, priceWad: bigint): bigint {
  return (amount * priceWad) / 10n ** BigInt(decimals);
}

/** The warning line for a quote, or null when it is within QUOTE_WARN_BPS of the peg value. */
export function quoteWarning(what: "mint" | "redeem", paidWad: bigint, receivedWad: bigint): string | null {
  const gap = quoteGapBps(paidWad, receivedWad);
  if (gap <= QUOTE_WARN_BPS) return null;
  const pct = (Number(gap) / 100).toFixed(2);
  const way = receivedWad < paidWad ? "less" : "more";
  return `warning: this ${what} returns ${pct}% ${way} than the peg value of what it takes (haircut, recovery fee, degraded price or pro-rata); sending anyway with the given minimum`;
}


