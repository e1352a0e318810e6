/**
 * The 256-bit integer helpers the Uniswap V3 pool uses, in bigint: results that do not fit a uint256
 * (or uint160 for prices) throw, as the pool's `require`s revert.
 */
import { KeeperError } from "../../errors";
import { mulDiv as floorMulDiv, mulDivUp } from "../units";

export const MAX_UINT256 = (1n << 256n) - 1n;
export const MAX_UINT160 = (1n << 160n) - 1n;
export const MAX_UINT128 = (1n << 128n) - 1n;

/** A V3 computation the pool would revert: under the keeper's one error root. */
export class V3MathError extends KeeperError {}

function checkUint256(value: bigint, what: string): bigint {
  if (value > MAX_UINT256) throw new V3MathError(`${what} overflows uint256`);
  return value;
}

/** floor(a · b / d), as FullMath.mulDiv (reverts when the result passes uint256). */
export function mulDiv(a: bigint, b: bigint, d: bigint): bigint {
  return checkUint256(floorMulDiv(a, b, d), "mulDiv");
}

/** ceil(a · b / d), as FullMath.mulDivRoundingUp. */
export function mulDivRoundingUp(a: bigint, b: bigint, d: bigint): bigint {
  return checkUint256(mulDivUp(a, b, d), "mulDivRoundingUp");
}

/** ceil(a / b), as UnsafeMath.divRoundingUp. */
export function divRoundingUp(a: bigint, b: bigint): bigint {
  return a / b + (a % b === 0n ? 0n : 1n);
}

export function toUint160(value: bigint): bigint {
  if (value < 0n || value > MAX_UINT160) throw new V3MathError(`${value} does not fit a uint160 price`);
  return value;
}
