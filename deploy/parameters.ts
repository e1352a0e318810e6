/**
 * Deployment parameters, one typed object per network, every value in its unit.
 * WAD = 1e18 (prices, ratios), bps = 1/10_000, seconds for time, token amounts in whole units
 * (converted with each asset's decimals at deploy time).
 */
import { parseUnits } from "ethers";

export interface CollateralParams {
  symbol: string;
  decimals: number;
  /** Chainlink feed answer decimals and initial answer (local mock feeds only), USD. */
  feedDecimals: number;
  initialPriceUsd: string;
  maxAgeSec: number;
  minPriceUsd: string;
  maxPriceUsd: string;
  haircutBps: number;
  mintFeeBps: number;
  redeemFeeBps: number;
  bufferBps: number;
  /** Deposit ceiling, whole units of the asset. */
  ceiling: string;
  /** Park the excess over the buffer in an ERC-4626 strategy (a local vault on local networks). */
  strategy: boolean;
}

export interface BallastParams {
  collateral: { quote: CollateralParams; others: CollateralParams[] };
  oracle: { twapWindowSec: number };
  policy: {
    minRatioWad: bigint;
    maxRatioWad: bigint;
    stepWad: bigint;
    bandBps: number;
    riskWeightBps: number;
    refreshCooldownSec: number;
  };
  operator: {
    bandBps: number;
    maxSpotTwapDeviationBps: number;
    /** Whole tokens (expansion) and whole quote units (contraction). */
    maxExpansionPerOp: string;
    maxExpansionPerEpoch: string;
    maxContractionPerOp: string;
    maxContractionPerEpoch: string;
    cooldownSec: number;
    epochSec: number;
  };
  reserve: { recoveryMintFeeBps: number; recoveryRedeemFeeBps: number; bufferToleranceBps: number };
  /** Local networks: tokens of each side seeded into the pool at the peg, whole units. */
  poolDepth: string;
  /** Local networks: quote asset the treasury contributes as protocol equity, whole units. */
  seedEquity: string;
}

export const LOCAL_PARAMS: BallastParams = {
  collateral: {
    quote: {
      symbol: "USDC",
      decimals: 6,
      feedDecimals: 8,
      initialPriceUsd: "1",
      maxAgeSec: 86_400 + 3_600,
      minPriceUsd: "0.5",
      maxPriceUsd: "2",
      haircutBps: 100,
      mintFeeBps: 5,
      redeemFeeBps: 5,
      bufferBps: 5_000,
      ceiling: "100000000",
      strategy: true,
    },
    others: [
      {
        symbol: "WETH",
        decimals: 18,
        feedDecimals: 8,
        initialPriceUsd: "3000",
        maxAgeSec: 3_600 + 600,
        minPriceUsd: "10",
        maxPriceUsd: "100000",
        haircutBps: 2_000,
        mintFeeBps: 30,
        redeemFeeBps: 30,
        bufferBps: 10_000,
        ceiling: "50000",
        strategy: false,
      },
    ],
  },
  oracle: { twapWindowSec: 1_800 },
  policy: {
    minRatioWad: parseUnits("1", 18),
    maxRatioWad: parseUnits("1.5", 18),
    stepWad: parseUnits("0.0025", 18),
    bandBps: 50,
    riskWeightBps: 5_000,
    refreshCooldownSec: 3_600,
  },
  operator: {
    bandBps: 50,
    maxSpotTwapDeviationBps: 300,
    maxExpansionPerOp: "250000",
    maxExpansionPerEpoch: "1000000",
    maxContractionPerOp: "250000",
    maxContractionPerEpoch: "1000000",
    cooldownSec: 60,
    epochSec: 86_400,
  },
  reserve: { recoveryMintFeeBps: 0, recoveryRedeemFeeBps: 50, bufferToleranceBps: 1_000 },
  poolDepth: "1000000",
  seedEquity: "50000",
};
