/** The mirror of CollateralPolicy.computeTargetRatio (contracts/CollateralPolicy.sol). */
import { BPS, PEG_WAD, max, min, mulDiv } from "./units";

export function computeTargetRatio(
  currentWad: bigint,
  twapWad: bigint,
  bandBps: bigint,
  stepWad: bigint,
  floorWad: bigint,
  maxWad: bigint,
): bigint {
  const bandWad = mulDiv(PEG_WAD, bandBps, BPS);
  let next = currentWad;
  if (twapWad + bandWad < PEG_WAD) next = currentWad + stepWad;
  else if (twapWad > PEG_WAD + bandWad) next = currentWad > stepWad ? currentWad - stepWad : 0n;
  return max(min(next, maxWad), floorWad);
}
