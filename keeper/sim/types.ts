/** Shared shapes of the simulator: policies, facilities arbitrageurs use, per-block samples. */
import type { Market } from "./market";
import type { Scenario } from "./scenario";

export const POLICY_NAMES = [
  "ballast",
  "pegkeeper",
  "frax",
  "ampleforth",
  "ampleforth-sigmoid",
  "psm",
  "rai",
  "none",
  "ideal",
  "oracle",
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * Policies that ignore the constraints every other one lives under (gas, fees, latency, caps):
 * reported as curiosities, labelled "unconstrained", never ranked or compared.
 */
export const UNCONSTRAINED_POLICIES: readonly string[] = ["ideal"];
export const isUnconstrained = (policy: string): boolean => UNCONSTRAINED_POLICIES.includes(policy);

/** Bounds, not designs (perfect information, zero latency): shown beside Ballast, never "the best reference". */
export const BOUND_POLICIES: readonly string[] = ["oracle"];

/** The policy costs and improvements are measured against: the same reserve with no keeper. */
export const BASELINE_POLICY = "none";

export interface PolicyStats {
  /** Successful policy transactions (operations, rebases, rate updates…). */
  actions: number;
  /** Reverted policy transactions (gas still paid). */
  failedTx: number;
  /** Gas units the policy's own transactions used. */
  gas: number;
  /** USD of reserve collateral spent buying the token back. */
  reserveSpentUsd: number;
  /** USD the policy's operations earned (value received minus value given at the peg), before any share paid to a caller. */
  profitUsd: number;
  /** USD of gas its transactions paid, each at its block's gas price and true ETH price. */
  gasUsd: number;
  /** USD the design pays others to act for it (PegKeeper caller share, keeper rewards). */
  subsidyUsd: number;
  /**
   * USD of gas paid by third-party callers the design compensates through subsidyUsd (PegKeeper's
   * caller share, RAI's reimbursement). Kept out of gasUsd so a total cost of gas + subsidy − profit
   * counts the caller's gas once, as the subsidy that pays for it.
   */
  callerGasUsd: number;
  /** USD of LP fees the protocol's own pool position earned (V3: collected into the Reserve, plus owed at the end). */
  lpFeesUsd: number;
  /** USD the protocol's own pool position gained or lost by the pool's trades (its mark-to-market at the end). */
  polPnlUsd: number;
}

/** Who pays a transaction's gas: the protocol (or the keeper it runs), or a caller it pays a subsidy to. */
export type GasPayer = "protocol" | "caller";

export const emptyStats = (): PolicyStats => ({
  actions: 0,
  failedTx: 0,
  gas: 0,
  reserveSpentUsd: 0,
  profitUsd: 0,
  gasUsd: 0,
  subsidyUsd: 0,
  callerGasUsd: 0,
  lpFeesUsd: 0,
  polPnlUsd: 0,
});

/** Charges one transaction's gas to a policy: units, and USD at the block's gas and ETH prices. */
export function spendGas(stats: PolicyStats, m: Market, gasUnits: number, payer: GasPayer = "protocol"): void {
  stats.gas += gasUnits;
  if (payer === "protocol") stats.gasUsd += m.gasUsd(gasUnits);
  else stats.callerGasUsd += m.gasUsd(gasUnits);
}

/**
 * What arbitrageurs can do against the protocol besides the pool: mint tokens by paying
 * collateral, redeem tokens for collateral. Marginal prices are true USD per token.
 */
export interface Facility {
  /** Gas of the facility call an arbitrage makes besides its pool swap (gas.ts: measured for Ballast, published or estimated for the others). */
  readonly callGas: { mint: number; redeem: number };
  /** Whether any holder can redeem (false for a CDP, where only a borrower repaying debt can). */
  readonly holdersRedeem: boolean;
  /** USD it costs to mint one more token, or null when minting is closed. */
  mintCostUsd(m: Market): number | null;
  maxMintTokens(m: Market): number;
  /** Mints about `tokens`; returns the tokens actually minted (raw) and their USD cost. */
  mint(m: Market, tokens: number): { tokensRaw: bigint; costUsd: number };
  /** USD one more token redeems for, or null when redemption is closed. */
  redeemValueUsd(m: Market): number | null;
  maxRedeemTokens(m: Market): number;
  /** Redeems `tokensRaw`; returns the USD value received (0 when refused). */
  redeem(m: Market, tokensRaw: bigint): number;
}

export interface StepContext {
  m: Market;
  scenario: Scenario;
  /** Keeper latency in blocks for this run (the sweep overrides the scenario's value). */
  keeperLatencyBlocks: number;
  keeperUp: boolean;
}

export interface Policy {
  readonly name: PolicyName;
  readonly facility: Facility | null;
  readonly stats: PolicyStats;
  /**
   * True when the policy models who writes the pool TWAP's observations (Ballast: its keeper, its
   * operations and CollateralPolicy.refresh, as on chain); the engine then records none itself.
   * Otherwise the engine records one every block: the design's own oracle is assumed watched.
   */
  readonly writesOwnObservations?: boolean;
  /** Runs at the start of each block, before arbitrageurs and the market's own flows. */
  onBlock(ctx: StepContext): void;
  /** Collateral value at true prices over supply, or null where the design holds no collateral. */
  trueRatio(m: Market): number | null;
  /** True once the policy can no longer defend the downside with its own reserve. */
  reserveExhausted(m: Market): boolean;
  /** Extra per-block columns for the CSV (target ratio, collateral ratio parameter, redemption price…). */
  columns(m: Market): Record<string, number>;
  /** After the last block: books what the policy holds but has not realised (a pool position's owed fees and mark-to-market). */
  settle?(m: Market): void;
}

export interface Sample {
  block: number;
  timeSec: number;
  priceUsd: number;
  deviationBps: number;
  supply: number;
  poolToken: number;
  poolQuote: number;
  ratio: number | null;
  extra: Record<string, number>;
}
