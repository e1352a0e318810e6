/**
 * The keeper's configuration file (JSON), validated with zod. Every field is optional and has a
 * default that suits a local network; units are in the names (Ms, Sec, Bps, Gwei, Usd).
 */
import { z } from "zod";

/** The RPC pool polls over HTTP (keeper/src/rpc); a WebSocket URL would only fail at start-up. */
export const RPC_URL_RULE =
  "must be an http(s) URL (the keeper polls its RPC endpoints over HTTP; ws(s) is not supported)";

const url = z
  .string()
  .url("not a URL")
  .refine((u) => /^https?:\/\//.test(u), RPC_URL_RULE);

const gwei = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d{1,9})?$/.test(v), "must be a non-negative decimal number of gwei with at most 9 decimals");

const bps = (max: number) => z.number().int().min(0).max(max);

/** A decimal number as a string (so it converts to bigint exactly), within [min, max]. */
const decimal = (unit: string, decimals: number, min: number, max: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .refine(
      (v) => new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`).test(v),
      `must be a non-negative decimal number of ${unit} with at most ${decimals} decimals`,
    )
    .refine((v) => Number(v) >= min && Number(v) <= max, `must be between ${min} and ${max} ${unit}`);

/** A setting that was replaced: rejected with a message that names its replacement. */
const replaced = (by: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, `was replaced by ${by} (see docs/keeper.md)`)
    .optional();

/** Gas units of one transaction: at least a plain transfer, at most a third of a 30M block. */
const gasUnits = (fallback: number) => z.number().int().min(21_000).max(10_000_000).default(fallback);

export const fileConfigSchema = z
  .object({
    /** Networks beyond the built-in `localhost`: RPC URLs (first preferred) and the expected chain id. */
    networks: z
      .record(z.object({ rpcUrls: z.array(url).min(1), chainId: z.number().int().positive().optional() }).strict())
      .default({}),
    /** Send signed transactions to this endpoint (a private-transaction relay) instead of the RPC
     * URLs; reads still go through the RPC pool. */
    privateTxUrl: url.optional(),
    /** Address book path; default `deployments/<network>.json`. */
    addressBook: z.string().min(1).optional(),
    confirmations: z.number().int().min(1).max(64).default(1),
    /** How often to poll for a new block, ms (the per-block trigger's fallback). */
    pollIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
    /** Run a cycle at least this often even without a new block, s (keeps /healthz honest on idle chains). */
    idleCycleSec: z.number().int().min(1).max(3_600).default(15),
    /** Running several keepers on one system: after deciding to act, wait this long, read again and
     * decide again before simulating. Give each keeper a different value (0, 2000, 4000, …), so one
     * acts and the others find the cooldown or the corrected price and send nothing. The one backup
     * delay setting: BALLAST_KEEPER_ACT_DELAY_MS may give it instead (they must agree if both are set);
     * the default is 0 (act at once). */
    actDelayMs: z.number().int().min(0).max(600_000).optional(),
    /** Never act on a snapshot read longer ago than this, ms. */
    maxSnapshotAgeMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Stand still when the head block is older than this, s (a lagging node); 0 disables. */
    maxBlockAgeSec: z.number().int().min(0).max(86_400).default(0),
    /** /healthz answers 503 when no cycle completed within this, s. */
    healthMaxAgeSec: z.number().int().min(1).max(86_400).default(60),
    /** A sent transaction not mined this long after its last broadcast is stuck, s: the transaction
     * manager then replaces it at the same nonce with a fee bump, or cancels it when the action is no
     * longer valid (also after BALLAST_KEEPER_REPLACE_AFTER_BLOCKS blocks, whichever comes first). */
    txTimeoutSec: z.number().int().min(5).max(3_600).default(90),
    http: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65_535).default(9464),
      })
      .strict()
      .default({}),
    log: z
      .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info") })
      .strict()
      .default({}),
    policy: z
      .object({
        hysteresisBps: bps(1_000).default(0),
        slippageBps: bps(1_000).default(50),
        oracleAgeMarginSec: z.number().int().min(0).max(86_400).default(30),
        maxSpotTwapDeviationBps: bps(10_000).nullable().default(null),
        /** Act only when value ≥ gas × this / 10000; at least 10000, so never when the gas costs more than the value. */
        minValueOverGasBps: z.number().int().min(10_000).max(1_000_000).default(10_000),
        minProfitOverGasBps: replaced(
          "policy.minValueOverGasBps (value = deviation removed × pool depth + the operation's P&L)",
        ),
        rebalance: z.boolean().default(true),
        /** Call CollateralPolicy.refresh() when it would move the target ratio (off: another party refreshes it). */
        refreshPolicy: z.boolean().default(true),
        /** Write a TWAP observation (PriceOracle.update()) when the newest is older than window / observations per window. */
        writeObservations: z.boolean().default(true),
        /**
         * ...and only when the newest is at least this old, s (0: whenever the oracle says one is due).
         * The TWAP then spans at most window + this, well inside the oracle's stale bound (2 windows),
         * at a fraction of the writes. Default 900 s: half the local 1,800 s window (see docs/keeper-economics.md).
         */
        observationIntervalSec: z.number().int().min(0).max(86_400).default(900),
        nativeUsdFeed: z.string().min(1).nullable().default("WETH"),
      })
      .strict()
      .default({}),
    gas: z
      .object({
        maxFeePerGasGwei: replaced("gas.feeCap.{gweiPerBps, minGwei, maxGwei} (a cap that scales with the deviation)"),
        maxPriorityFeePerGasGwei: gwei.default("2"),
        feeHistoryBlocks: z.number().int().min(1).max(1_024).default(10),
        rewardPercentile: z.number().min(0).max(100).default(50),
        gasLimitBufferBps: bps(10_000).default(2_000),
        /** Gas paid in any rolling 24 h (operations, rebalances, observations) stays within this, USD. */
        dailyBudgetUsd: decimal("USD", 2, 1, 1_000_000).default("30000"),
        /** Fee cap (base fee + tip) = clamp(|deviation bps| × gweiPerBps, minGwei, maxGwei). */
        feeCap: z
          .object({
            gweiPerBps: decimal("gwei", 9, 0, 1_000).default("5"),
            minGwei: decimal("gwei", 9, 0.001, 10_000).default("50"),
            maxGwei: decimal("gwei", 9, 0.001, 10_000).default("2000"),
          })
          .strict()
          .refine((c) => Number(c.minGwei) <= Number(c.maxGwei), {
            message: "must be at least gas.feeCap.minGwei",
            path: ["maxGwei"],
          })
          .default({}),
        /** Measured receipt gas (npm run bench); rebalance is not benchmarked, observe measured by test/keeper/policy/observation.test.ts. */
        units: z
          .object({
            expand: gasUnits(270_606),
            contract: gasUnits(268_587),
            rebalance: gasUnits(200_000),
            // The limit of every observation: covers one that also reads the feeds (hourly) for last good prices.
            observe: gasUnits(150_000),
            // CollateralPolicy.refresh() with the reserve's valuation cache stale (the bench's case).
            refresh: gasUnits(131_578),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;
