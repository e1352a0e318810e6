/**
 * Prometheus metrics of the transaction manager, registered on the daemon's registry. Each one is
 * described for operators in the README ("Operating the keeper").
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface TxMetrics {
  broadcasts: Counter<"kind">;
  outcomes: Counter<"outcome">;
  feeCapReached: Gauge;
  balanceEth: Gauge;
  balanceLow: Gauge;
  sendingHalted: Gauge;
  nonceRepairs: Counter;
  reorgs: Counter;
  inFlight: Gauge;
}

export function createTxMetrics(registry: Registry): TxMetrics {
  const registers = [registry];
  return {
    broadcasts: new Counter({
      name: "ballast_keeper_tx_broadcasts_total",
      help: "Signed transactions broadcast, by kind: action, replacement (fee bump), rebroadcast (same bytes), cancel, filler (nonce gap)",
      labelNames: ["kind"],
      registers,
    }),
    outcomes: new Counter({
      name: "ballast_keeper_tx_outcomes_total",
      help: "Final outcome of each action: confirmed, reverted, cancelled, dropped, rejected (simulation failed), halted",
      labelNames: ["outcome"],
      registers,
    }),
    feeCapReached: new Gauge({
      name: "ballast_keeper_tx_fee_cap_reached",
      help: "1 while a pending action cannot be bumped further (fee cap reached)",
      registers,
    }),
    balanceEth: new Gauge({
      name: "ballast_keeper_tx_balance_eth",
      help: "Keeper account balance, in ether",
      registers,
    }),
    balanceLow: new Gauge({
      name: "ballast_keeper_tx_balance_low",
      help: "1 when the keeper balance is below the warning level",
      registers,
    }),
    sendingHalted: new Gauge({
      name: "ballast_keeper_tx_sending_halted",
      help: "1 when the keeper balance is below the floor and sending has stopped",
      registers,
    }),
    nonceRepairs: new Counter({
      name: "ballast_keeper_tx_nonce_repairs_total",
      help: "Nonce gaps closed with zero-value self-transfers",
      registers,
    }),
    reorgs: new Counter({
      name: "ballast_keeper_tx_reorgs_total",
      help: "Mined keeper transactions that a reorg removed before their confirmations",
      registers,
    }),
    inFlight: new Gauge({ name: "ballast_keeper_tx_in_flight", help: "Actions signed but not yet final", registers }),
  };
}
