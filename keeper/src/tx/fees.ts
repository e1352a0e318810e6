/**
 * EIP-1559 fee choice and replacement bumps, pure. Nodes accept a replacement at the same nonce
 * only if BOTH maxFeePerGas and maxPriorityFeePerGas rise by their minimum bump (10% on geth and
 * Hardhat), so both are bumped by `bumpBps` (at least 1_000) and rounded up.
 */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface FeePolicy {
  /** Replacement bump, bps of the previous fees; nodes require ≥ 1_000 (10%). */
  bumpBps: number;
  /** Ceiling on maxFeePerGas for an action, wei. A cancel may exceed it by one bump (21k gas only). */
  maxFeePerGasCapWei: bigint;
  /** Floor on the priority fee, wei, for nodes that suggest zero. */
  minPriorityFeeWei: bigint;
}

export const MIN_BUMP_BPS = 1_000;

export function validateFeePolicy(policy: FeePolicy): void {
  if (!Number.isInteger(policy.bumpBps) || policy.bumpBps < MIN_BUMP_BPS || policy.bumpBps > 100_000) {
    throw new RangeError(
      `fees.bumpBps must be an integer in [${MIN_BUMP_BPS}, 100000] (nodes reject bumps under 10%), got ${policy.bumpBps}`,
    );
  }
  if (policy.maxFeePerGasCapWei <= 0n)
    throw new RangeError(`fees.maxFeePerGasCapWei must be positive, got ${policy.maxFeePerGasCapWei}`);
  if (policy.minPriorityFeeWei < 0n)
    throw new RangeError(`fees.minPriorityFeeWei must not be negative, got ${policy.minPriorityFeeWei}`);
}

/** First fees for an action: room for the base fee to double, plus the tip; never above the cap. */
export function initialFees(baseFeeWei: bigint, suggestedTipWei: bigint, policy: FeePolicy): Fees {
  const tip = max(suggestedTipWei, policy.minPriorityFeeWei);
  const maxFee = min(baseFeeWei * 2n + tip, policy.maxFeePerGasCapWei);
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: min(tip, maxFee) };
}

export type BumpResult = { atCap: false; fees: Fees } | { atCap: true };

/**
 * Fees for a replacement: at least the previous fees plus the bump, and enough for the current
 * base fee. `atCap` when the cap leaves no room for a valid replacement.
 */
export function bumpFees(previous: Fees, baseFeeWei: bigint, suggestedTipWei: bigint, policy: FeePolicy): BumpResult {
  const minFee = bumped(previous.maxFeePerGas, policy.bumpBps);
  const minTip = bumped(previous.maxPriorityFeePerGas, policy.bumpBps);
  if (minFee > policy.maxFeePerGasCapWei || minTip > policy.maxFeePerGasCapWei) return { atCap: true };
  const tip = max(minTip, max(suggestedTipWei, policy.minPriorityFeeWei));
  const maxFee = min(max(minFee, baseFeeWei * 2n + tip), policy.maxFeePerGasCapWei);
  return { atCap: false, fees: { maxFeePerGas: maxFee, maxPriorityFeePerGas: min(tip, maxFee) } };
}

/** Fees for a cancel replacing `previous`: one bump over it, uncapped (it burns only 21k gas). */
export function cancelFees(previous: Fees, baseFeeWei: bigint, policy: FeePolicy): Fees {
  const tip = bumped(previous.maxPriorityFeePerGas, policy.bumpBps);
  const maxFee = max(bumped(previous.maxFeePerGas, policy.bumpBps), baseFeeWei * 2n + tip);
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
}

/** `value * (1 + bps/10_000)`, rounded up, and at least value + 1 so a bump always moves. */
export function bumped(value: bigint, bps: number): bigint {
  const raised = (value * BigInt(10_000 + bps) + 9_999n) / 10_000n;
  return raised > value ? raised : value + 1n;
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
