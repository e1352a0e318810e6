/** Deterministic xorshift64* over bigints, so a failure reproduces from its seed. */
export function rng(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
}

/** Uniform in [lo, hi] (bigint). */
export function between(next: () => bigint, lo: bigint, hi: bigint): bigint {
  return lo + ((next() * (1n << 64n) + next()) % (hi - lo + 1n));
}
