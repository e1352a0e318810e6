/**
 * The keeper's Prometheus metrics (names start with `ballast_`), on their own registry so tests
 * and several keepers in one process never collide on prom-client's global one. The RPC pool's
 * metrics (`ballast_rpc_*`, including `ballast_rpc_errors_total`) join the same registry from
 * keeper/src/rpc/metrics.ts.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export interface KeeperMetrics {
  registry: Registry;
  pegDeviationBps: Gauge<"price">;
  priceUsd: Gauge<"kind">;
  collateralRatio: Gauge<"kind">;
  reserveValueUsd: Gauge;
  supplyTokens: Gauge;
  oracleAgeSeconds: Gauge<"asset">;
  actionsTotal: Counter<"action" | "result">;
  standStillTotal: Counter<"reason">;
  cyclesTotal: Counter<"outcome">;
  lastSuccessTimestamp: Gauge;
  lastBlock: Gauge;
  keeperBalanceEth: Gauge;
  gasSpentUsd24h: Gauge;
  gasBudgetUsd: Gauge;
  feeCapGwei: Gauge;
  observationsTotal: Counter<"result">;
  observationAgeSeconds: Gauge;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): KeeperMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "ballast_keeper_" });
  const r = [registry];
  return {
    registry,
    pegDeviationBps: new Gauge({
      name: "ballast_peg_deviation_bps",
      help: "Deviation of the pool price from the peg, bps (signed)",
      labelNames: ["price"],
      registers: r,
    }),
    priceUsd: new Gauge({
      name: "ballast_price_usd",
      help: "Token price in USD from the pool",
      labelNames: ["kind"],
      registers: r,
    }),
    collateralRatio: new Gauge({
      name: "ballast_collateral_ratio",
      help: "Collateral ratio (reserve value after haircuts / supply)",
      labelNames: ["kind"],
      registers: r,
    }),
    reserveValueUsd: new Gauge({
      name: "ballast_reserve_value_usd",
      help: "Reserve value after haircuts, USD",
      registers: r,
    }),
    supplyTokens: new Gauge({ name: "ballast_supply_tokens", help: "Token total supply, whole tokens", registers: r }),
    oracleAgeSeconds: new Gauge({
      name: "ballast_oracle_age_seconds",
      help: "Age of each collateral feed's latest answer at the snapshot block, s",
      labelNames: ["asset"],
      registers: r,
    }),
    actionsTotal: new Counter({
      name: "ballast_actions_total",
      help: "Operations by action and result",
      labelNames: ["action", "result"],
      registers: r,
    }),
    standStillTotal: new Counter({
      name: "ballast_stand_still_total",
      help: "Cycles that decided not to act, by reason",
      labelNames: ["reason"],
      registers: r,
    }),
    cyclesTotal: new Counter({
      name: "ballast_cycles_total",
      help: "Keeper cycles by outcome",
      labelNames: ["outcome"],
      registers: r,
    }),
    lastSuccessTimestamp: new Gauge({
      name: "ballast_last_success_timestamp_seconds",
      help: "Unix time of the last cycle that completed",
      registers: r,
    }),
    lastBlock: new Gauge({ name: "ballast_last_block_number", help: "Block of the last snapshot", registers: r }),
    keeperBalanceEth: new Gauge({
      name: "ballast_keeper_balance_eth",
      help: "Native balance of the keeper account",
      registers: r,
    }),
    gasSpentUsd24h: new Gauge({
      name: "ballast_gas_spent_usd_24h",
      help: "Gas the keeper paid in the last 24 h (operations, rebalances, observations), USD",
      registers: r,
    }),
    gasBudgetUsd: new Gauge({
      name: "ballast_gas_budget_usd",
      help: "The keeper's rolling 24 h gas budget, USD (gas.dailyBudgetUsd)",
      registers: r,
    }),
    feeCapGwei: new Gauge({
      name: "ballast_fee_cap_gwei",
      help: "The fee cap (base fee + tip) at the current deviation, gwei",
      registers: r,
    }),
    observationsTotal: new Counter({
      name: "ballast_observations_total",
      help: "TWAP observations (PriceOracle.update()) the keeper wrote or tried, by result",
      labelNames: ["result"],
      registers: r,
    }),
    observationAgeSeconds: new Gauge({
      name: "ballast_observation_age_seconds",
      help: "Age of the oracle's newest TWAP observation at the snapshot block, s",
      registers: r,
    }),
  };
}
