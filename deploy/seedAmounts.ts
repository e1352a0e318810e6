/**
 * The amounts that seed the V2 pool at the peg, computed once for the Ignition deploy and the
 * stand-in testnet's launch (scripts/devnet/testnet.ts).
 */
import { parseUnits } from "ethers";
import type { CollateralParams } from "./parameters";

const BPS = 10_000n;

export interface SeedAmounts {
  /** Token side of the pool, 18 decimals. */
  tokenSide: bigint;
  /** Quote side of the pool, quote units. */
  quoteSide: bigint;
  /** Quote deposited in the Reserve to mint `tokenSide` at the peg after haircut and mint fee. */
  mintDeposit: bigint;
  /** Quote contributed to the Reserve as protocol equity, quote units. */
  equity: bigint;
}

/**
 * `mintDeposit` is rounded up (plus one unit) so the Reserve mints at least `tokenSide`: the reserve
 * rounds its own output down, and the seed must not fall one wei short of the pool's token side.
 * Assumes the quote asset's feed starts at 1 USD, as local networks configure it.
 */
export function seedAmounts(q: CollateralParams, poolDepth: string, seedEquity: string): SeedAmounts {
  const tokenSide = parseUnits(poolDepth, 18);
  const quoteSide = parseUnits(poolDepth, q.decimals);
  const mintDeposit = (quoteSide * BPS * BPS) / (BigInt(10_000 - q.haircutBps) * BigInt(10_000 - q.mintFeeBps)) + 1n;
  return { tokenSide, quoteSide, mintDeposit, equity: parseUnits(seedEquity, q.decimals) };
}
