/**
 * The keeper's configuration file (JSON), validated with zod. Every field is optional and has a
 * default that suits a local network; units are in the names (Ms, Sec, Bps, Gwei).
 */
import { z } from "zod";

/** The RPC pool polls over HTTP (keeper/src/rpc); a WebSocket URL would only fail at start-up. */
export const RPC_URL_RULE = "must be an http(s) URL (the keeper polls its RPC endpoints over HTTP; ws(s) is not supported)";

const url = z
  .string()
  .url("not a URL")
  .refine((u) => /^https?:\/\//.test(u), RPC_URL_RULE);

const gwei = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d{1,9})?$/.test(v), "must be a non-negative decimal number of gwei with at most 9 decimals");

const bps = (max: number) => z.number().int().min(0).max(max);

export const fileConfigSchema = z
  .object({
    /** Networks beyond the built-in `localhost`: RPC URLs (first preferred) and the expected chain id. */
    networks: z
      .record(z.object({ rpcUrls: z.array(url).min(1), chainId: z.number().int().positive().optional() }).strict())
      .default({}),
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
        hysteresisBps: bps(1_000).default(10),
        slippageBps: bps(1_000).default(50),
        oracleAgeMarginSec: z.number().int().min(0).max(86_400).default(30),
        maxSpotTwapDeviationBps: bps(10_000).nullable().default(null),
        minProfitOverGasBps: bps(1_000_000).default(10_000),
        rebalance: z.boolean().default(true),
        nativeUsdFeed: z.string().min(1).nullable().default("WETH"),
      })
      .strict()
      .default({}),
    gas: z
      .object({
        maxFeePerGasGwei: gwei.default("200"),
        maxPriorityFeePerGasGwei: gwei.default("2"),
        feeHistoryBlocks: z.number().int().min(1).max(1_024).default(10),
        rewardPercentile: z.number().min(0).max(100).default(50),
        gasLimitBufferBps: bps(10_000).default(2_000),
        units: z
          .object({
            expand: z.number().int().min(21_000).max(10_000_000).default(400_000),
            contract: z.number().int().min(21_000).max(10_000_000).default(400_000),
            rebalance: z.number().int().min(21_000).max(10_000_000).default(300_000),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;
