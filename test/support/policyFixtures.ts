/**
 * Injected state for the keeper's pure decision tests: a pool of 1,000,000 tokens (18 decimals)
 * against USDC (6 decimals) at $1, the local deployment's limits, a healthy reserve, fresh feeds.
 */
import { parseUnits } from "ethers";
import {
  Action,
  Blocker,
  type DecisionParams,
  type OperatorState,
  type PolicyState,
  type Snapshot,
} from "../../keeper/src/policy";

export const T0 = 1_800_000_000n;
export const NOW_MS = Number(T0) * 1000 + 500;
export const tok = (v: string): bigint => parseUnits(v, 18);
export const usdc = (v: string): bigint => parseUnits(v, 6);
export const wad = (v: string): bigint => parseUnits(v, 18);

/** Spot and TWAP (WAD USD) of a pool with these reserves and a $1 quote. */
export function spotOf(reserveToken: bigint, reserveQuote: bigint): bigint {
  return (reserveQuote * 10n ** 18n * 10n ** 18n) / (reserveToken * 10n ** 6n);
}

export function operatorState(over: Partial<OperatorState> = {}): OperatorState {
  const reserveToken = over.reserveToken ?? tok("1000000");
  const reserveQuote = over.reserveQuote ?? usdc("1000000");
  const spot = spotOf(reserveToken, reserveQuote);
  return {
    timestamp: T0,
    paused: false,
    marketOk: true,
    spotWad: spot,
    twapWad: spot,
    twapSpanSec: 1_800n,
    twapWindowSec: 1_800n,
    quoteUsdWad: wad("1"),
    reserveToken,
    reserveQuote,
    tokenDecimals: 18,
    quoteDecimals: 6,
    bandBps: 50n,
    maxSpotTwapDeviationBps: 300n,
    limits: {
      maxExpansionPerOp: tok("250000"),
      maxExpansionPerEpoch: tok("1000000"),
      maxContractionPerOp: wad("250000"),
      maxContractionPerEpoch: wad("1000000"),
      cooldownSec: 60n,
      epochSec: 86_400n,
    },
    minOperationShareBps: 1_000n,
    maxLossBps: 0n,
    maxLossPerEpochWad: 0n,
    lastOperationAt: T0 - 3_600n,
    epoch: { startedAt: T0 - 3_600n, netMinted: 0n, contracted: 0n, lossWad: 0n },
    backingOk: true,
    reserveValueWad: wad("1100000"),
    supply: tok("1000000"),
    targetRatioWad: wad("1"),
    quoteHaircutBps: 100n,
    quoteIdle: usdc("500000"),
    rebalanceNeeded: false,
    ...over,
  };
}

/** CollateralPolicy at its minimum target, its cooldown long past, with a risk floor below the target. */
export function policyState(over: Partial<PolicyState> = {}): PolicyState {
  return {
    minRatioWad: wad("1"),
    maxRatioWad: wad("1.5"),
    stepWad: wad("0.01"),
    bandBps: 50n,
    riskWeightBps: 0n,
    refreshCooldownSec: 3_600n,
    lastRefreshAt: T0 - 7_200n,
    targetRatioWad: wad("1"),
    riskHaircutBps: 100n,
    ...over,
  };
}

export function snapshot(over: Partial<OperatorState> = {}, snap: Partial<Snapshot> = {}): Snapshot {
  return {
    blockNumber: 100,
    blockHash: "0x" + "ab".repeat(32),
    blockTimestamp: T0,
    readAtMs: NOW_MS - 200,
    operator: operatorState(over),
    onchainPreview: null,
    feeds: [
      {
        symbol: "USDC",
        asset: "0x" + "11".repeat(20),
        aggregator: "0x" + "21".repeat(20),
        answer: 100_000_000n,
        feedDecimals: 8,
        updatedAt: T0 - 600n,
        maxAgeSec: 90_000n,
        valid: true,
        priceWad: wad("1"),
      },
      {
        symbol: "WETH",
        asset: "0x" + "12".repeat(20),
        aggregator: "0x" + "22".repeat(20),
        answer: 300_000_000_000n,
        feedDecimals: 8,
        updatedAt: T0 - 600n,
        maxAgeSec: 4_200n,
        valid: true,
        priceWad: wad("3000"),
      },
    ],
    collateralRatioWad: wad("1.1"),
    fees: { nextBaseFeeWei: 1_000_000_000n, priorityFeeWei: 1_000_000_000n },
    // A 1,800 s window with an observation 60 s old: none due (one is due every 450 s).
    observations: { due: false, twapWindowSec: 1_800n, observationsPerWindow: 4n, newestAt: T0 - 60n, count: 8n },
    policy: null,
    keeperBalanceWei: wad("10"),
    ...snap,
  };
}

export const PARAMS: DecisionParams = {
  maxSnapshotAgeMs: 10_000,
  maxBlockAgeSec: 120n,
  oracleAgeMarginSec: 30n,
  maxSpotTwapDeviationBps: null,
  hysteresisBps: 10n,
  slippageBps: 50n,
  minValueOverGasBps: 10_000n,
  dailyGasBudgetWad: wad("1000"),
  // 5 gwei per bps of deviation, between 50 and 2,000 gwei.
  feeCap: { weiPerBps: 5_000_000_000n, minWei: 50_000_000_000n, maxWei: 2_000_000_000_000n },
  gasUnits: { expand: 400_000n, contract: 400_000n, rebalance: 300_000n, observe: 95_000n, refresh: 131_578n },
  maxPriorityFeePerGasWei: 2_000_000_000n,
  rebalance: true,
  refreshPolicy: true,
  writeObservations: true,
  observationIntervalSec: 0n,
  nativeUsdFeedSymbol: "WETH",
};

export { Action, Blocker };
