/**
 * The transaction manager's settings in the daemon: the daemon's own config supplies
 * confirmations, poll interval, fee cap, gas buffer and the stuck-transaction timeout
 * (`txTimeoutSec`); the rest comes from the environment (BALLAST_KEEPER_JOURNAL,
 * BALLAST_KEEPER_BALANCE_WARN_ETH, BALLAST_KEEPER_BALANCE_FLOOR_ETH, BALLAST_KEEPER_FEE_BUMP_BPS,
 * BALLAST_KEEPER_REPLACE_AFTER_BLOCKS), validated with the variable's name in every error. The
 * backup delay is not a transaction setting: it is the loop's `actDelayMs` (keeper/src/config).
 */
import path from "node:path";
import { parseEther } from "ethers";
import { ConfigError, type ConfigIssue } from "../errors";
import { MIN_BUMP_BPS } from "./fees";

export interface TxSettings {
  journalPath: string;
  balanceWarnWei: bigint;
  balanceFloorWei: bigint;
  bumpBps: number;
  replaceAfterBlocks: number;
  /** From the config's `txTimeoutSec`: unmined this long after its last broadcast means stuck. */
  replaceAfterMs: number;
}

export const TX_DEFAULTS = {
  balanceWarnEth: "0.5",
  balanceFloorEth: "0.05",
  bumpBps: 1_250,
  replaceAfterBlocks: 3,
};

/** Default journal: one file per network, chain and key under `<cwd>/.ballast/`. */
export function defaultJournalPath(cwd: string, network: string, chainId: number | bigint, address: string): string {
  return path.join(cwd, ".ballast", `keeper-journal-${network}-${chainId}-${address.toLowerCase()}.sqlite`);
}

/** `config` is the daemon's validated config (keeper/src/config/load.ts): its `txTimeoutSec` is the stuck timeout. */
export function txSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  defaultJournal: string,
  config: { txTimeoutSec: number },
): TxSettings {
  const issues: ConfigIssue[] = [];
  const eth = (name: string, fallback: string): bigint => {
    const raw = env[name] ?? fallback;
    try {
      const wei = parseEther(raw);
      if (wei < 0n) throw new Error("negative");
      return wei;
    } catch {
      issues.push({ field: name, message: `"${raw}" is not a non-negative amount of ether` });
      return 0n;
    }
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      issues.push({ field: name, message: `"${raw}" is not an integer in [${min}, ${max}]` });
    return n;
  };
  const settings: TxSettings = {
    journalPath: env.BALLAST_KEEPER_JOURNAL ?? defaultJournal,
    balanceWarnWei: eth("BALLAST_KEEPER_BALANCE_WARN_ETH", TX_DEFAULTS.balanceWarnEth),
    balanceFloorWei: eth("BALLAST_KEEPER_BALANCE_FLOOR_ETH", TX_DEFAULTS.balanceFloorEth),
    bumpBps: int("BALLAST_KEEPER_FEE_BUMP_BPS", TX_DEFAULTS.bumpBps, MIN_BUMP_BPS, 100_000),
    replaceAfterBlocks: int("BALLAST_KEEPER_REPLACE_AFTER_BLOCKS", TX_DEFAULTS.replaceAfterBlocks, 1, 1_000),
    replaceAfterMs: config.txTimeoutSec * 1_000,
  };
  if (issues.length === 0 && settings.balanceWarnWei < settings.balanceFloorWei) {
    issues.push({
      field: "BALLAST_KEEPER_BALANCE_WARN_ETH",
      message: "must be at least BALLAST_KEEPER_BALANCE_FLOOR_ETH",
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return settings;
}
