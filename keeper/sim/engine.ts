/**
 * Runs one scenario under one policy, block by block. Order inside a block: the world moves
 * (true prices, gas, feeds, liquidity), the oracle records (unless the policy models its own
 * observation writers, as Ballast does), the policy acts on what the last block
 * left, arbitrageurs act, then the block's own order flow lands; the block's price is sampled at
 * its end. Deterministic: the only randomness is the scenario's seeded generator.
 */
import { SIM_PARAMS, SIM_PARAMS_V3 } from "../../deploy/parameters";
import type { DecisionParams } from "../src/policy";
import { applyFlows, arbitrageursOf } from "./agents";
import { type BallastConfig, ballastConfigFrom } from "./ballastReserve";
import { Market, QUOTE_UNIT, TOKEN_UNIT, type VenueKind, fromRaw, toRaw } from "./market";
import { shockBlocksOf } from "./metrics";
import { createPolicy } from "./policies";
import { Rng } from "./rng";
import { type Scenario, inRanges, valueAt } from "./scenario";
import { StressAgents } from "./stressAgents";
import type { Policy, PolicyName, Sample } from "./types";
import { V3Pool } from "./venues/v3Pool";

export interface RunOptions {
  /** The pool the token trades in: the V2 pair (default) or the V3 pool with protocol-owned liquidity. */
  venue?: VenueKind;
  /** Overrides the scenario's keeper latency (the outage sweep). */
  keeperLatencyBlocks?: number;
  config?: BallastConfig;
  /** Overrides the keeper's decision parameters (the sweep); default: the keeper's config defaults. */
  decision?: DecisionParams;
  /** Called every `progressEvery` blocks with the block number. */
  onProgress?: (block: number) => void;
  progressEvery?: number;
  /** Start from a given market (e.g. one read from a chain) instead of the scenario's initial state. */
  market?: Market;
  /** Adjusts the fresh policy before the first block (e.g. to a chain's reserve and operator state). */
  seedPolicy?: (policy: Policy, m: Market) => void;
  /** Skip the TWAP warm-up (the caller's market already has its observations). */
  skipWarmUp?: boolean;
}

export interface RunResult {
  scenario: string;
  /** Scenario name plus the sweep value, e.g. "keeper-outage@300". */
  label: string;
  policy: PolicyName;
  venue: VenueKind;
  keeperLatencyBlocks: number;
  samples: Sample[];
  policyState: Policy;
  arbitrageProfitUsd: number;
  initialSupply: number;
  /** The scenario's one-block shocks and the blocks left out after each (maxDeviationAfterShockBps). */
  shocks: { blocks: number[]; window: number };
}

/** What the reports need of a run: its per-block samples and names, not the policy's live state. */
export type RunTrace = Pick<RunResult, "scenario" | "label" | "policy" | "keeperLatencyBlocks" | "samples">;

const START_TIME = 1_700_000_000n;

/** Ballast's configuration on a venue: the simulator's deploy parameters for it (deploy/parameters.ts). */
export function simConfigFor(venue: VenueKind): BallastConfig {
  return ballastConfigFrom(venue === "v3" ? SIM_PARAMS_V3 : SIM_PARAMS);
}

export function buildMarket(s: Scenario, config: BallastConfig, venue: VenueKind = "v2"): Market {
  const feeds = {
    USDC: {
      ...config.feeds.USDC,
      deviationBps: s.feeds.USDC.deviationBps,
      heartbeatSec: s.feeds.USDC.heartbeatSec,
      jitterBlocks: s.feeds.USDC.jitterBlocks,
    },
    WETH: {
      ...config.feeds.WETH,
      deviationBps: s.feeds.WETH.deviationBps,
      heartbeatSec: s.feeds.WETH.heartbeatSec,
      jitterBlocks: s.feeds.WETH.jitterBlocks,
    },
  };
  return new Market({
    blockTimeSec: s.blockTimeSec,
    startTime: START_TIME,
    poolToken: toRaw(s.initial.poolToken, TOKEN_UNIT),
    poolQuote: toRaw(s.initial.poolQuote, QUOTE_UNIT),
    supply: toRaw(s.initial.supply, TOKEN_UNIT),
    truth: {
      USDC: valueAt(s.prices.USDC, 0),
      WETH: valueAt(s.prices.WETH, 0),
      FXS: s.prices.FXS ? valueAt(s.prices.FXS, 0) : 5,
    },
    feeds,
    oracle: { twapWindowSec: config.twapWindowSec },
    gasGwei: s.gas.baseGwei,
    jitterSeed: s.seed,
    v3:
      venue === "v3"
        ? V3Pool.deploy({
            lpQuote: s.initial.poolQuote,
            tokenUnit: TOKEN_UNIT,
            quoteUnit: QUOTE_UNIT,
            startTime: START_TIME,
            twapWindowSec: config.twapWindowSec,
            blockTimeSec: s.blockTimeSec,
            venue: SIM_PARAMS_V3.venue?.kind === "v3" ? SIM_PARAMS_V3.venue : undefined,
          })
        : undefined,
  });
}

/** Fills one TWAP window of observations at the initial state, as the deploy fixture does. */
export function warmUp(m: Market, s: Scenario): void {
  const blocks = Math.ceil(m.oracle.twapWindowSec / s.blockTimeSec) + 1;
  for (let i = 0; i < blocks; i++) {
    m.recordObservation();
    m.advanceBlock();
    m.updateFeeds();
  }
  m.recordObservation();
  m.block = 0;
}

export function runScenario(s: Scenario, policyName: PolicyName, opts: RunOptions = {}): RunResult {
  const venue = opts.market?.venue ?? opts.venue ?? "v2";
  const config = opts.config ?? simConfigFor(venue);
  const latency = opts.keeperLatencyBlocks ?? s.agents.keeperLatencyBlocks;
  const m = opts.market ?? buildMarket(s, config, venue);
  if (!opts.skipWarmUp) warmUp(m, s);
  const policy = createPolicy(policyName, s, config, m, opts.decision);
  opts.seedPolicy?.(policy, m);
  const arbs = arbitrageursOf(s);
  const stress = new StressAgents(s);
  const rng = new Rng(s.seed);
  const samples: Sample[] = [];
  const every = opts.progressEvery ?? 1000;

  for (let b = 0; b < s.blocks; b++) {
    if (b > 0) m.advanceBlock();
    m.truth.USDC = valueAt(s.prices.USDC, b);
    m.truth.WETH = valueAt(s.prices.WETH, b);
    if (s.prices.FXS) m.truth.FXS = valueAt(s.prices.FXS, b);
    m.gasGwei = s.gas.baseGwei * valueAt(s.gas.multiplier, b);
    m.feeds.USDC.posting = !inRanges(s.feeds.USDC.outages, b);
    m.feeds.WETH.posting = !inRanges(s.feeds.WETH.outages, b);
    m.updateFeeds();
    for (const l of s.liquidity) if (l.block === b) m.scaleLiquidity(l.fraction);
    if (!policy.writesOwnObservations) m.recordObservation();

    policy.onBlock({ m, scenario: s, keeperLatencyBlocks: latency, keeperUp: !inRanges(s.agents.keeperOutages, b) });
    arbs.run(m, policy.facility);
    stress.run(m, policy.facility);
    applyFlows(m, s, b, rng);

    const price = m.priceUsd();
    samples.push({
      block: b,
      timeSec: b * s.blockTimeSec,
      priceUsd: price,
      deviationBps: (price - 1) * 10_000,
      supply: fromRaw(m.supply, TOKEN_UNIT),
      poolToken: fromRaw(m.reserveToken, TOKEN_UNIT),
      poolQuote: fromRaw(m.reserveQuote, QUOTE_UNIT),
      ratio: policy.trueRatio(m),
      extra: { ...policy.columns(m), exhausted: policy.reserveExhausted(m) ? 1 : 0 },
    });
    if (opts.onProgress && (b + 1) % every === 0) opts.onProgress(b + 1);
  }
  policy.settle?.(m);
  return {
    scenario: s.name,
    label: s.sweep ? `${s.name}@${latency}` : s.name,
    policy: policyName,
    venue,
    keeperLatencyBlocks: latency,
    samples,
    policyState: policy,
    arbitrageProfitUsd: arbs.profitUsd,
    initialSupply: s.initial.supply,
    shocks: { blocks: shockBlocksOf(s), window: s.shockBlocks },
  };
}
