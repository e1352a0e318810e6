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
  /** Redemption spread outside a stable lane, bps (at least the feed's deviation threshold). */
  redeemSpreadBps?: number;
  /** The quote asset's stable lane: 1:1 mint and redeem while its feed is within `bandBps` of $1. */
  stableLane?: StableLaneParams;
}

export interface StableLaneParams {
  bandBps: number;
  baseFeeBps: number;
  /** Cap on the asset's share of the reserve's gross value after a lane mint, bps. */
  maxShareBps: number;
  /** Lane mints plus redeems per reserve epoch (one day), whole tokens. */
  volumePerEpoch: string;
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
      // The local reserve starts as all USDC, so the share cap is the whole reserve.
      stableLane: { bandBps: 50, baseFeeBps: 5, maxShareBps: 10_000, volumePerEpoch: "5000000" },
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
        // The ETH/USD feed's deviation threshold is 0.5%.
        redeemSpreadBps: 50,
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

// ---------------------------------------------------------------------------------------------
// Per-network deployment configuration. `local` networks deploy their own test tokens, mock
// feeds and Uniswap V2 factory; `live` networks name existing ones. Roles are addresses, a
// well-known local account index, or "deployer".
// ---------------------------------------------------------------------------------------------

/** An account: an address, or the index of one of the node's unlocked accounts (local networks). */
export type AccountRef = string | { localAccount: number };

export interface RoleConfig {
  /** DEFAULT_ADMIN_ROLE on every contract. "deployer" keeps it with the deploying account (local
   * networks); an address (e.g. an OpenZeppelin TimelockController) receives it and the deployer
   * renounces its own admin role at the end of the deploy. */
  admin: "deployer" | AccountRef;
  /** GUARDIAN_ROLE on the Reserve and the MarketOperator: may pause, never unpause. */
  guardian: AccountRef;
  /** KEEPER_ROLE on the MarketOperator. */
  keeper: AccountRef;
}

export interface LocalFunding {
  /** Indices of the node's unlocked accounts that receive test collateral. */
  accounts: number[];
  /** Whole units per account, by collateral symbol. */
  amountBySymbol: Record<string, string>;
}

export interface LocalNetworkConfig {
  kind: "local";
  params: BallastParams;
  roles: RoleConfig;
  funding: LocalFunding;
}

export interface LiveNetworkConfig {
  kind: "live";
  params: BallastParams;
  roles: RoleConfig;
  /** Existing contracts: one token and Chainlink feed per collateral symbol, and a Uniswap V2 factory. */
  external: {
    tokens: Record<string, string>;
    feeds: Record<string, string>;
    uniswapV2Factory: string;
  };
}

export type NetworkDeployConfig = LocalNetworkConfig | LiveNetworkConfig;

/**
 * Well-known accounts of a local Hardhat node (the default mnemonic's indices), the same roles the
 * test fixture uses. The keeper daemon on hardhat/localhost with no key configured signs with
 * `LOCAL_ACCOUNTS.keeper`.
 */
export const LOCAL_ACCOUNTS = { deployer: 0, guardian: 1, keeper: 2, user: 3, arbitrageur: 4, trader: 5 } as const;

/** The Hardhat account index that holds KEEPER_ROLE on local networks. */
export const LOCAL_KEEPER_ACCOUNT_INDEX: number = LOCAL_ACCOUNTS.keeper;

const LOCAL_NETWORK_CONFIG: LocalNetworkConfig = {
  kind: "local",
  params: LOCAL_PARAMS,
  roles: {
    admin: "deployer",
    guardian: { localAccount: LOCAL_ACCOUNTS.guardian },
    keeper: { localAccount: LOCAL_ACCOUNTS.keeper },
  },
  funding: {
    accounts: [LOCAL_ACCOUNTS.deployer, LOCAL_ACCOUNTS.user, LOCAL_ACCOUNTS.arbitrageur, LOCAL_ACCOUNTS.trader],
    amountBySymbol: { USDC: "5000000", WETH: "1000" },
  },
};

/** The one table of deployment configuration, by Hardhat network name. */
export const NETWORK_CONFIGS: Readonly<Record<string, NetworkDeployConfig>> = {
  hardhat: LOCAL_NETWORK_CONFIG,
  localhost: LOCAL_NETWORK_CONFIG,
};

/** The networks whose node we control: test tokens, mock feeds, time travel. */
export const LOCAL_NETWORKS: readonly string[] = ["hardhat", "localhost"];

export function isLocalNetwork(network: string): boolean {
  return LOCAL_NETWORKS.includes(network);
}

/** The deployment configuration of `network`; throws naming the network when there is none. */
export function networkDeployConfig(network: string): NetworkDeployConfig {
  const config = NETWORK_CONFIGS[network];
  if (!config) {
    throw new Error(`no deployment parameters for network "${network}": add an entry to NETWORK_CONFIGS in deploy/parameters.ts`);
  }
  return config;
}

/** A stable lane's parameters as the Reserve's `setStableLane` takes them (volume in 18-decimal tokens). */
export function stableLaneArgs(lane: StableLaneParams) {
  return {
    bandBps: lane.bandBps,
    baseFeeBps: lane.baseFeeBps,
    maxShareBps: lane.maxShareBps,
    volumePerEpoch: parseUnits(lane.volumePerEpoch, 18),
  };
}
