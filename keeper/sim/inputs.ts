/**
 * The command-line inputs of `simulate` and `bench`, checked before anything runs or is written:
 * each bad value fails with the option named.
 */
import { VENUES, type VenueKind } from "./market";
import { POLICY_NAMES, type PolicyName } from "./types";

export class SimInputError extends Error {
  constructor(
    /** The option or field at fault, e.g. "--seeds" or "--sweep band". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "SimInputError";
  }
}

/** A whole number ≥ `min` from a command-line string. */
export function parseCount(field: string, raw: string | number, min: number): number {
  const text = String(raw).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new SimInputError(field, `must be a whole number, got "${raw}"`);
  if (n < min) throw new SimInputError(field, `must be ≥ ${min}, got ${n}`);
  return n;
}

/** Seeds per scenario × policy: at least one. */
export const parseSeeds = (raw: string | number): number => parseCount("--seeds", raw, 1);

/** Worker threads: 0 runs everything in this thread. */
export const parseWorkers = (raw: string | number): number => parseCount("--workers", raw, 0);

/** Policy names, each checked against the simulator's list. */
export function parsePolicies(names: readonly string[]): PolicyName[] {
  for (const n of names) {
    if (!(POLICY_NAMES as readonly string[]).includes(n))
      throw new SimInputError("--policy", `unknown policy "${n}" (known: ${POLICY_NAMES.join(", ")})`);
  }
  return [...new Set(names)] as PolicyName[];
}

/** `--venue v2|v3|both`: the pools to run on, in report order. */
export function parseVenues(raw: string): VenueKind[] {
  const text = raw.trim();
  if (text === "both") return [...VENUES];
  if ((VENUES as readonly string[]).includes(text)) return [text as VenueKind];
  throw new SimInputError("--venue", `must be one of ${VENUES.join(", ")} or both, got "${raw}"`);
}
