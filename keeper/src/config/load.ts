/**
 * Builds the keeper's configuration from the config file, the environment and the CLI, and
 * validates all of it before anything touches the chain. Every problem is collected and reported
 * at once, each named by its field (a config path, an environment variable or a CLI flag).
 * Precedence: CLI > environment > config file > defaults, except the backup delay (`actDelayMs` or
 * BALLAST_KEEPER_ACT_DELAY_MS), which is rejected when both are given and differ.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseUnits } from "ethers";
import { ConfigError, type ConfigIssue } from "../errors";
import type { DecisionParams } from "../policy";
import { readAddressBookFile, type AddressBook } from "./addressBook";
import { keySourceFromEnv, type KeySource } from "./key";
import { fileConfigSchema, RPC_URL_RULE, type FileConfig } from "./schema";

export interface CliOptions {
  network: string;
  config?: string;
  rpc?: string[];
  port?: number;
  dryRun?: boolean;
  once?: boolean;
}

export interface KeeperConfig {
  network: string;
  rpcUrls: string[];
  /** Where the RPC URLs came from, to name a bad one: `--rpc`, `BALLAST_RPC_URLS`, `networks.<name>.rpcUrls`, `BALLAST_LOCALHOST_URL`. */
  rpcUrlsField: string;
  expectedChainId?: number;
  /** Signed transactions go here when set (config `privateTxUrl`); reads through the RPC pool. */
  privateTxUrl?: string;
  addressBookPath: string;
  addressBook: AddressBook;
  /** null when the command needs no key (status). */
  key: KeySource | null;
  http: { host: string; port: number };
  logLevel: FileConfig["log"]["level"];
  confirmations: number;
  pollIntervalMs: number;
  idleCycleSec: number;
  /** Backup delay before acting, ms (config `actDelayMs` or BALLAST_KEEPER_ACT_DELAY_MS). */
  actDelayMs: number;
  healthMaxAgeSec: number;
  /** A transaction unmined this long after its last broadcast is bumped or cancelled, s. */
  txTimeoutSec: number;
  gas: { feeHistoryBlocks: number; rewardPercentile: number; gasLimitBufferBps: number };
  decision: DecisionParams;
  dryRun: boolean;
}

const NETWORK_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function isRpcUrl(u: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}

export function splitUrls(list: string): string[] {
  return list
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

function readFileConfig(file: string | undefined, issues: ConfigIssue[]): FileConfig | undefined {
  let json: unknown = {};
  if (file !== undefined) {
    let raw: string;
    try {
      raw = readFileSync(file, "utf8");
    } catch (err) {
      issues.push({
        field: "--config",
        message: `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      });
      return undefined;
    }
    try {
      json = JSON.parse(raw);
    } catch (err) {
      issues.push({ field: "--config", message: `${file} is not valid JSON (${(err as Error).message})` });
      return undefined;
    }
  }
  const parsed = fileConfigSchema.safeParse(json);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const field = i.path.length > 0 ? i.path.join(".") : "(config file)";
      const extra = i.code === "unrecognized_keys" ? `: ${i.keys.join(", ")}` : "";
      issues.push({ field, message: `${i.message}${extra}` });
    }
    return undefined;
  }
  return parsed.data;
}

/** The RPC URLs and the field they came from (`--rpc`, `BALLAST_RPC_URLS`, `networks.<name>.rpcUrls`, ...). */
function rpcUrlsFor(
  cli: CliOptions,
  env: NodeJS.ProcessEnv,
  file: FileConfig | undefined,
  issues: ConfigIssue[],
): { urls: string[]; field: string } {
  const check = (urls: string[], field: string): { urls: string[]; field: string } => {
    if (urls.length === 0) issues.push({ field, message: "no URL given" });
    for (const u of urls) if (!isRpcUrl(u)) issues.push({ field, message: `"${u}" ${RPC_URL_RULE}` });
    return { urls, field };
  };
  if (cli.rpc !== undefined) return check(cli.rpc, "--rpc");
  if (env.BALLAST_RPC_URLS !== undefined) return check(splitUrls(env.BALLAST_RPC_URLS), "BALLAST_RPC_URLS");
  const fromFile = file?.networks[cli.network]?.rpcUrls;
  if (fromFile) return { urls: fromFile, field: `networks.${cli.network}.rpcUrls` };
  if (cli.network === "localhost")
    return check([env.BALLAST_LOCALHOST_URL ?? "http://127.0.0.1:8545"], "BALLAST_LOCALHOST_URL");
  if (cli.network === "hardhat") {
    issues.push({
      field: "--network",
      message: `"hardhat" is the in-process network and has no RPC endpoint: start one with \`npm run node\` and use --network localhost, or give --rpc`,
    });
  } else {
    issues.push({
      field: "--network",
      message: `unknown network "${cli.network}": give --rpc, BALLAST_RPC_URLS, or networks.${cli.network}.rpcUrls in the config file`,
    });
  }
  return { urls: [], field: "--rpc" };
}

/** The environment variable that gives `actDelayMs` instead of the config file. */
export const ACT_DELAY_ENV = "BALLAST_KEEPER_ACT_DELAY_MS";
/** The old, second backup-delay setting (read by the transaction manager): rejected so a backup keeper
 * started with it cannot silently lose its delay and race the primary. */
const REMOVED_BACKUP_DELAY_ENV = "BALLAST_KEEPER_BACKUP_DELAY_MS";
const MAX_ACT_DELAY_MS = 600_000;

/**
 * The one backup delay: `actDelayMs` in the config file or BALLAST_KEEPER_ACT_DELAY_MS. Both may be
 * given only when they agree: a keeper's delay is its rank among several keepers, and two sources
 * that disagree are a copied file or a stale environment, not an override to guess at.
 */
function actDelayFor(env: NodeJS.ProcessEnv, file: FileConfig | undefined, issues: ConfigIssue[]): number {
  if (env[REMOVED_BACKUP_DELAY_ENV] !== undefined) {
    issues.push({
      field: REMOVED_BACKUP_DELAY_ENV,
      message: `is no longer read: the backup delay is one setting, actDelayMs in the config file or ${ACT_DELAY_ENV}; move the value there and unset this variable`,
    });
  }
  const fromFile = file?.actDelayMs;
  const raw = env[ACT_DELAY_ENV];
  if (raw === undefined) return fromFile ?? 0;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n > MAX_ACT_DELAY_MS) {
    issues.push({
      field: ACT_DELAY_ENV,
      message: `must be an integer number of ms in [0, ${MAX_ACT_DELAY_MS}]; got "${raw}"`,
    });
    return 0;
  }
  if (fromFile !== undefined && fromFile !== n) {
    issues.push({
      field: ACT_DELAY_ENV,
      message: `is ${n} but actDelayMs in the config file is ${fromFile}: give the delay in one place, or the same value in both`,
    });
  }
  return n;
}

function portFor(cli: CliOptions, env: NodeJS.ProcessEnv, file: FileConfig | undefined, issues: ConfigIssue[]): number {
  if (cli.port !== undefined) return cli.port;
  const fromEnv = env.BALLAST_KEEPER_PORT;
  if (fromEnv !== undefined) {
    const n = Number(fromEnv);
    if (!/^\d+$/.test(fromEnv.trim()) || n > 65_535) {
      issues.push({ field: "BALLAST_KEEPER_PORT", message: `must be an integer port 0..65535; got "${fromEnv}"` });
      return 0;
    }
    return n;
  }
  return file?.http.port ?? 9464;
}

/** Loads and validates everything; throws one ConfigError listing every problem. */
export function loadConfig(
  cli: CliOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { requireKey?: boolean } = {},
): KeeperConfig {
  const issues: ConfigIssue[] = [];
  if (!NETWORK_NAME.test(cli.network))
    issues.push({ field: "--network", message: `"${cli.network}" is not a network name (letters, digits, - and _)` });
  const file = readFileConfig(cli.config === undefined ? undefined : path.resolve(cwd, cli.config), issues);
  const { urls: rpcUrls, field: rpcUrlsField } = rpcUrlsFor(cli, env, file, issues);
  const port = portFor(cli, env, file, issues);
  const actDelayMs = actDelayFor(env, file, issues);

  const bookPath = path.resolve(cwd, file?.addressBook ?? path.join("deployments", `${cli.network}.json`));
  const { book, issues: bookIssues } = NETWORK_NAME.test(cli.network)
    ? readAddressBookFile(bookPath)
    : { book: undefined, issues: [] };
  issues.push(...bookIssues);
  const expectedChainId = file?.networks[cli.network]?.chainId;
  if (book && expectedChainId !== undefined && book.chainId !== expectedChainId) {
    issues.push({
      field: "addressBook.chainId",
      message: `${book.chainId} differs from networks.${cli.network}.chainId ${expectedChainId}`,
    });
  }

  const requireKey = options.requireKey ?? true;
  const { source, issues: keyIssues } = keySourceFromEnv(env, cli.network);
  if (requireKey || env.BALLAST_KEEPER_KEY !== undefined || env.BALLAST_KEYSTORE !== undefined)
    issues.push(...keyIssues);
  const key = source ?? null;

  if (issues.length > 0 || !file || !book || (requireKey && !key)) throw new ConfigError(issues);

  return {
    network: cli.network,
    rpcUrls,
    rpcUrlsField,
    expectedChainId,
    privateTxUrl: file.privateTxUrl,
    addressBookPath: bookPath,
    addressBook: book,
    key,
    http: { host: file.http.host, port },
    logLevel: file.log.level,
    confirmations: file.confirmations,
    pollIntervalMs: file.pollIntervalMs,
    idleCycleSec: file.idleCycleSec,
    actDelayMs,
    healthMaxAgeSec: file.healthMaxAgeSec,
    txTimeoutSec: file.txTimeoutSec,
    gas: {
      feeHistoryBlocks: file.gas.feeHistoryBlocks,
      rewardPercentile: file.gas.rewardPercentile,
      gasLimitBufferBps: file.gas.gasLimitBufferBps,
    },
    decision: decisionParamsFromFile(file),
    dryRun: cli.dryRun ?? false,
  };
}

/** The pure policy's parameters from a validated config file: one mapping for the daemon and the simulator. */
export function decisionParamsFromFile(file: FileConfig): DecisionParams {
  const gwei = (v: string): bigint => parseUnits(v, "gwei");
  const units = file.gas.units;
  return {
    maxSnapshotAgeMs: file.maxSnapshotAgeMs,
    maxBlockAgeSec: BigInt(file.maxBlockAgeSec),
    oracleAgeMarginSec: BigInt(file.policy.oracleAgeMarginSec),
    maxSpotTwapDeviationBps:
      file.policy.maxSpotTwapDeviationBps === null ? null : BigInt(file.policy.maxSpotTwapDeviationBps),
    hysteresisBps: BigInt(file.policy.hysteresisBps),
    slippageBps: BigInt(file.policy.slippageBps),
    minValueOverGasBps: BigInt(file.policy.minValueOverGasBps),
    dailyGasBudgetWad: parseUnits(file.gas.dailyBudgetUsd, 18),
    feeCap: {
      weiPerBps: gwei(file.gas.feeCap.gweiPerBps),
      minWei: gwei(file.gas.feeCap.minGwei),
      maxWei: gwei(file.gas.feeCap.maxGwei),
    },
    gasUnits: {
      expand: BigInt(units.expand),
      contract: BigInt(units.contract),
      rebalance: BigInt(units.rebalance),
      observe: BigInt(units.observe),
      refresh: BigInt(units.refresh),
    },
    maxPriorityFeePerGasWei: gwei(file.gas.maxPriorityFeePerGasGwei),
    rebalance: file.policy.rebalance,
    refreshPolicy: file.policy.refreshPolicy,
    writeObservations: file.policy.writeObservations,
    observationIntervalSec: BigInt(file.policy.observationIntervalSec),
    nativeUsdFeedSymbol: file.policy.nativeUsdFeed,
  };
}
