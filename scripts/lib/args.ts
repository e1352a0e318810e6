/** Parsing of task arguments: each failure names the argument and says what was wrong. */
import { parseUnits } from "ethers";
import { UserError } from "./cli";
import { DEFAULT_VENUE, VENUE_KINDS, type VenueKind } from "../../deploy/venue";

/** An amount in whole units (`1000`, `0.5`) of a token with `decimals`, as base units; > 0. */
export function parseAmount(argName: string, value: string | undefined, decimals: number): bigint {
  if (value === undefined || value.trim() === "") throw new UserError(`${argName} is required`);
  const v = value.trim();
  if (/^-/.test(v)) throw new UserError(`${argName} ${v} must not be negative`);
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UserError(`${argName} ${v} is not a number (whole units, e.g. 1000 or 0.5)`);
  const fraction = v.split(".")[1] ?? "";
  if (fraction.length > decimals) throw new UserError(`${argName} ${v} has more than ${decimals} decimals`);
  const amount = parseUnits(v, decimals);
  if (amount === 0n) throw new UserError(`${argName} must be greater than zero`);
  return amount;
}

/** A non-negative integer number of basis points up to `max`. */
export function parseBps(argName: string, value: string, max = 10_000): number {
  const v = value.trim();
  if (!/^\d+$/.test(v)) throw new UserError(`${argName} ${v} must be a whole number of basis points (e.g. 50 for 0.5%)`);
  const bps = Number(v);
  if (bps > max) throw new UserError(`${argName} ${v} is above the maximum of ${max} bps`);
  return bps;
}

/** A positive decimal price in USD, e.g. `1`, `0.98`, `2500`. */
export function parsePriceUsd(argName: string, value: string | undefined, decimals: number): bigint {
  return parseAmount(argName, value, decimals);
}

/** One of the allowed words, case-insensitive. */
export function parseChoice<T extends string>(argName: string, value: string | undefined, choices: readonly T[]): T {
  const v = (value ?? "").trim().toLowerCase();
  const match = choices.find((c) => c === v);
  if (!match) throw new UserError(`${argName} ${value ?? "(missing)"} must be one of: ${choices.join(", ")}`);
  return match;
}

/** The venue from `--venue v2|v3` among command-line words, DEFAULT_VENUE without the flag. */
export function parseVenueFlag(argv: readonly string[]): VenueKind {
  const i = argv.indexOf("--venue");
  if (i < 0) return DEFAULT_VENUE;
  const value = argv[i + 1];
  return parseChoice("--venue", value === undefined || value.startsWith("--") ? undefined : value, VENUE_KINDS);
}
