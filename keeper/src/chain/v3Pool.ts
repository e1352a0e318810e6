/**
 * Reads a Uniswap V3 pool's state for the keeper's exact swap mirror (policy/v3): price, tick,
 * in-range liquidity, and every initialized tick within `wordsEachSide` tick-bitmap words of the
 * price (each word covers 256 tick spacings). A mirrored swap is exact while its price stays
 * inside `coveredTicks`; beyond it the reader has not looked.
 */
import type { V3PoolState } from "../policy/v3";

/** A view call's block: every read of one snapshot names the same block (a mined one, or the pending one). */
export interface AtBlock {
  blockTag?: number | "pending";
}

/** The pool calls the reader makes (an ethers Contract with the pool's ABI satisfies it). */
export interface V3PoolReads {
  slot0(at: AtBlock): Promise<{ sqrtPriceX96: bigint; tick: bigint }>;
  liquidity(at: AtBlock): Promise<bigint>;
  fee(at: AtBlock): Promise<bigint>;
  tickSpacing(at: AtBlock): Promise<bigint>;
  tickBitmap(wordPosition: number, at: AtBlock): Promise<bigint>;
  ticks(tick: number, at: AtBlock): Promise<{ liquidityNet: bigint }>;
}

export interface V3PoolSnapshot {
  state: V3PoolState;
  /** [lowest, highest] tick the snapshot knows every initialized tick of. */
  coveredTicks: [number, number];
}

const WORD_BITS = 256;

/** `at`: the block to read (all calls at the same one); the latest when absent. */
export async function readV3PoolState(pool: V3PoolReads, wordsEachSide = 2, at: AtBlock = {}): Promise<V3PoolSnapshot> {
  const [slot0, liquidity, fee, spacingRaw] = await Promise.all([
    pool.slot0(at),
    pool.liquidity(at),
    pool.fee(at),
    pool.tickSpacing(at),
  ]);
  const spacing = Number(spacingRaw);
  const tick = Number(slot0.tick);
  const word = Math.floor(Math.floor(tick / spacing) / WORD_BITS);
  const words = Array.from({ length: 2 * wordsEachSide + 1 }, (_, i) => word - wordsEachSide + i);
  const bitmaps = await Promise.all(words.map((w) => pool.tickBitmap(w, at)));
  const initialized: number[] = [];
  words.forEach((w, i) => {
    for (let bit = 0; bit < WORD_BITS; bit++) {
      if ((bitmaps[i] >> BigInt(bit)) & 1n) initialized.push((w * WORD_BITS + bit) * spacing);
    }
  });
  const nets = await Promise.all(initialized.map((t) => pool.ticks(t, at)));
  const ticks = new Map<number, bigint>(initialized.map((t, i) => [t, nets[i].liquidityNet]));
  const coveredTicks: [number, number] = [
    words[0] * WORD_BITS * spacing,
    ((words[words.length - 1] + 1) * WORD_BITS - 1) * spacing,
  ];
  return {
    state: { sqrtPriceX96: slot0.sqrtPriceX96, tick, liquidity, feePips: fee, tickSpacing: spacing, ticks },
    coveredTicks,
  };
}
