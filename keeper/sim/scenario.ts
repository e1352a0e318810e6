/**
 * Scenario files: what the market does to the stablecoin, block by block. Every built-in
 * scenario is such a JSON file (keeper/sim/scenarios/), with the real-world numbers it is modelled
 * on written beside it (`modelledOn`). A bad file is rejected with the field named.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";

/** [block, value] keyframes; values in between are interpolated linearly, held after the last. */
const keyframes = z.array(z.tuple([z.number().int().nonnegative(), z.number().positive()])).min(1);

const feedSchema = z
  .object({
    /** Chainlink answers when the price moved by this much since the last answer, bps. */
    deviationBps: z.number().positive().max(10_000),
    /** … or when this long passed since the last answer, seconds. */
    heartbeatSec: z.number().int().positive(),
    /** [fromBlock, toBlock] inclusive ranges during which the feed posts nothing. */
    outages: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).default([]),
    /** Oracle latency jitter: each new answer lands 0…jitterBlocks blocks after it is due (uniform, seeded). */
    jitterBlocks: z.number().int().nonnegative().max(1_000).default(0),
  })
  .strict();

const flowSchema = z
  .object({
    fromBlock: z.number().int().nonnegative(),
    toBlock: z.number().int().nonnegative(),
    /** Tokens sold into the pool per block over the range (negative: bought with quote), whole tokens. */
    sellTokensPerBlock: z.number(),
    note: z.string().optional(),
  })
  .strict();

const liquiditySchema = z
  .object({
    block: z.number().int().nonnegative(),
    /** Fraction of the pool's liquidity added (positive) or withdrawn (negative), e.g. -0.8. */
    fraction: z.number().gt(-1).lte(10),
    note: z.string().optional(),
  })
  .strict();

/** A competing arbitrageur beside the main one: its own latency and USD per block. */
const arbitrageurSchema = z
  .object({
    latencyBlocks: z.number().int().nonnegative(),
    capitalUsd: z.number().positive(),
  })
  .strict();

/** Holders who exit in proportion to the depeg (a run): redeem when the facility pays more than the pool, else sell. */
const reflexiveHoldersSchema = z
  .object({
    /** Whole tokens the reflexive holders start with (outside the pool). */
    tokens: z.number().positive(),
    /** Depeg below which they stay calm, bps below $1. */
    thresholdBps: z.number().nonnegative().max(10_000),
    /** Fraction of what they still hold that exits per block per bps of depeg beyond the threshold. */
    fractionPerBpsPerBlock: z.number().positive().max(0.01),
  })
  .strict();

/** Liquidity providers who withdraw as the depeg grows (either side of the peg). */
const lpWithdrawalSchema = z
  .object({
    thresholdBps: z.number().nonnegative().max(10_000),
    /** Fraction of the pool withdrawn per block per bps of depeg beyond the threshold. */
    fractionPerBpsPerBlock: z.number().positive().max(0.01),
    /** Most of the initial liquidity that ever leaves, e.g. 0.6. */
    maxFraction: z.number().positive().lt(1),
  })
  .strict();

/** A searcher watching the public mempool: it trades toward the peg just before a keeper's pool trade lands. */
const frontRunnerSchema = z
  .object({
    /** USD it can put into one front-run. */
    capitalUsd: z.number().positive(),
  })
  .strict();
/** Blocks after a one-block shock that maxDeviationAfterShockBps leaves out (the shock's own block first). */
export const DEFAULT_SHOCK_BLOCKS = 10;

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, "lower-case letters, digits and dashes"),
    title: z.string().min(1),
    /** The real-world episode and numbers the scenario is modelled on. */
    modelledOn: z.string().min(1),
    seed: z.number().int().nonnegative(),
    blocks: z.number().int().positive().max(200_000),
    blockTimeSec: z.number().int().positive().default(12),
    initial: z
      .object({
        /** Whole tokens and whole USDC on each side of the token/USDC pool. */
        poolToken: z.number().positive(),
        poolQuote: z.number().positive(),
        /** Total token supply, whole tokens (≥ the pool's token side). */
        supply: z.number().positive(),
        /** Collateral held by the protocol, whole units. */
        reserveUsdc: z.number().nonnegative(),
        reserveWeth: z.number().nonnegative(),
      })
      .strict(),
    /** True (external-market) USD prices of the collateral assets and of Frax's share token. */
    prices: z.object({ USDC: keyframes, WETH: keyframes, FXS: keyframes.optional() }).strict(),
    feeds: z.object({ USDC: feedSchema, WETH: feedSchema }).strict(),
    gas: z
      .object({
        baseGwei: z.number().positive(),
        /** Multiplier keyframes on the base gas price (6 for the 12 March 2020 congestion). */
        multiplier: keyframes.default([[0, 1]]),
      })
      .strict(),
    agents: z
      .object({
        /** Blocks an arbitrage opportunity must persist before arbitrageurs take it. */
        arbLatencyBlocks: z.number().int().nonnegative(),
        /** USD an arbitrageur can deploy per block. */
        arbCapitalUsd: z.number().positive(),
        /**
         * Gas of an arbitrage's pool-swap leg, the same for every design (a Uniswap V2 swap measured
         * ~108k); the facility call of the design it trades against is added (Facility.callGas).
         */
        arbGas: z.number().int().positive(),
        /** Expected noise trades per block and their typical size, USD (zero-mean direction). */
        noiseTradesPerBlock: z.number().nonnegative(),
        noiseTradeUsd: z.number().nonnegative(),
        /** Blocks between the keeper seeing a condition and its transaction landing. */
        keeperLatencyBlocks: z.number().int().nonnegative(),
        /** [fromBlock, toBlock] ranges during which no keeper runs at all. */
        keeperOutages: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).default([]),
        /** Competing arbitrageurs besides the main one (whose latency and capital are above). */
        arbitrageurs: z.array(arbitrageurSchema).default([]),
        reflexiveHolders: reflexiveHoldersSchema.optional(),
        lpWithdrawal: lpWithdrawalSchema.optional(),
        frontRunner: frontRunnerSchema.optional(),
      })
      .strict(),
    flows: z.array(flowSchema).default([]),
    liquidity: z.array(liquiditySchema).default([]),
    /** Optional sweep: one run per listed keeper latency (the keeper outage sweep). */
    sweep: z
      .object({ keeperLatencyBlocks: z.array(z.number().int().nonnegative()).min(1) })
      .strict()
      .optional(),
    /**
     * Blocks from a one-block shock (a flow with fromBlock = toBlock) that maxDeviationAfterShockBps
     * leaves out, the shock's own block first: the part no policy can influence.
     */
    shockBlocks: z.number().int().nonnegative().default(DEFAULT_SHOCK_BLOCKS),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type Keyframes = z.infer<typeof keyframes>;

export class ScenarioError extends Error {
  constructor(message: string, readonly source: string, readonly field?: string) {
    super(message);
    this.name = "ScenarioError";
  }
}

/** Validates a parsed object; throws ScenarioError naming the first bad field. */
export function parseScenario(raw: unknown, source = "<inline>"): Scenario {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    // An unknown field is a typo or a field from another version: name it, do not ignore it.
    const unknown = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const field = [...issue.path, ...(unknown === undefined ? [] : [unknown])].join(".") || "<root>";
    const message = unknown === undefined ? issue.message : "unknown field";
    throw new ScenarioError(`scenario ${source}: field "${field}": ${message}`, source, field);
  }
  const s = result.data;
  const check = (ok: boolean, field: string, message: string): void => {
    if (!ok) throw new ScenarioError(`scenario ${source}: field "${field}": ${message}`, source, field);
  };
  check(s.initial.supply >= s.initial.poolToken, "initial.supply", "must be at least initial.poolToken");
  check(s.shockBlocks <= s.blocks, "shockBlocks", `must be ≤ blocks (${s.blocks})`);
  s.flows.forEach((f, i) => {
    check(f.toBlock >= f.fromBlock, `flows.${i}.toBlock`, "must be ≥ fromBlock");
    check(f.fromBlock < s.blocks, `flows.${i}.fromBlock`, `must be < blocks (${s.blocks})`);
  });
  for (const [asset, frames] of Object.entries(s.prices)) {
    frames?.forEach((k, i) => {
      if (i > 0) check(k[0] > frames[i - 1][0], `prices.${asset}.${i}`, "keyframe blocks must increase");
    });
  }
  return s;
}

export const SCENARIO_DIR = resolve(__dirname, "scenarios");

/** The names of the built-in scenarios, in file order. */
export function builtInScenarioNames(dir = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => basename(f, ".json").replace(/^\d+-/, ""));
}

/** Loads a scenario by built-in name or by path to a JSON file. */
export function loadScenario(nameOrFile: string, dir = SCENARIO_DIR): Scenario {
  let file = nameOrFile;
  if (!nameOrFile.endsWith(".json")) {
    const match = readdirSync(dir).find(
      (f) => f.endsWith(".json") && basename(f, ".json").replace(/^\d+-/, "") === nameOrFile,
    );
    if (!match)
      throw new ScenarioError(
        `unknown scenario "${nameOrFile}" (built in: ${builtInScenarioNames(dir).join(", ")})`,
        nameOrFile,
      );
    file = join(dir, match);
  }
  if (!existsSync(file)) throw new ScenarioError(`scenario file not found: ${file}`, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ScenarioError(`scenario ${file}: not valid JSON (${(e as Error).message})`, file);
  }
  return parseScenario(raw, file);
}

/** Value of keyframes at a block: linear between frames, held outside them. */
export function valueAt(frames: Keyframes, block: number): number {
  if (block <= frames[0][0]) return frames[0][1];
  for (let i = 1; i < frames.length; i++) {
    const [b1, v1] = frames[i];
    if (block <= b1) {
      const [b0, v0] = frames[i - 1];
      return v0 + ((v1 - v0) * (block - b0)) / (b1 - b0);
    }
  }
  return frames[frames.length - 1][1];
}

export function inRanges(ranges: [number, number][], block: number): boolean {
  return ranges.some(([a, b]) => block >= a && block <= b);
}
