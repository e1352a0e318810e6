/**
 * What a keeper cycle tells the world. The loop (keeper/src/loop.ts) keeps only control flow and
 * emits one event per step; logs, metrics and the status page are subscribers. An observer never
 * changes a decision: `fanOut` hands each event to every subscriber and a subscriber that throws is
 * reported and skipped, never allowed to stop the loop.
 */
import type { OperationRequest, SentTx, Simulation, TxOutcome } from "../chain/executor";
import type { SimulationRevertedError } from "../errors";
import type { ActDecision, KeeperMemory, OperationName, Snapshot } from "../policy";

/** The numbers a cycle's log lines carry: block, prices, deviation, ratio and target. */
export interface CycleState {
  block: number;
  spot: string;
  twap: string;
  deviationBps: number | null;
  ratio: string | null;
  target: string;
}

export interface CycleRef {
  /** Short id that ties one cycle's events together in the logs. */
  cycle: string;
}

export type CycleOutcome =
  | { kind: "error"; error: string }
  | { kind: "stand-still"; reason: string; detail: string; blockNumber: number; observation?: ObservationOutcome }
  | { kind: "simulated"; action: string; blockNumber: number; gasEstimate: bigint; gasLimit: bigint }
  | { kind: "simulation-reverted"; action: string; errorName: string; blockNumber: number }
  | { kind: "sent"; action: string; hash: string; nonce: number; minedIn: number; blockNumber: number }
  | { kind: "tx-failed"; action: string; hash: string; nonce: number; error: string; blockNumber: number };

/** What became of a TWAP observation (PriceOracle.update()) the decision asked for. */
export type ObservationOutcome =
  | { result: "confirmed"; hash: string; minedIn: number }
  | {
      result:
        | "dry-run"
        | "simulation-reverted"
        | "failed"
        | "not-worth-gas"
        | "gas-budget-exhausted"
        | "already-written";
      detail: string;
    };

/** The steps of an observation write: decided (or skipped by the policy), sent, done. */
export type ObservationEvent = CycleRef &
  (
    | { stage: "skipped"; reason: string; detail: string }
    | { stage: "write"; ageSec: number | null; intervalSec: number; gasCostUsd: string }
    | { stage: "sent"; tx: SentTx }
    | { stage: "done"; outcome: ObservationOutcome; gasUsed?: bigint }
  );

/** The keeper's gas economics after a cycle's decision or a payment: the budget, what it spent, the fee cap. */
export interface EconomicsEvent {
  dailyBudgetUsd: number;
  spent24hUsd: number;
  /** The fee cap at this deviation, gwei; null when the decision priced none. */
  feeCapGwei: number | null;
  /** Age of the oracle's newest observation at the snapshot block, s; null when unknown. */
  observationAgeSec: number | null;
}

export interface SnapshotEvent extends CycleRef {
  snapshot: Snapshot;
  state: CycleState;
}

export interface StandStillEvent extends CycleRef {
  reason: string;
  detail: string;
  /** Absent when the cycle stood still after its state was logged (e.g. the snapshot aged). */
  state?: CycleState;
  /** The policy's hysteresis memory, for decisions of the pure policy. */
  engaged?: KeeperMemory["engaged"];
  /** The stand-still's numbers (gas, fee cap, budget…) as decimal strings. */
  facts?: Record<string, string | null>;
}

export interface ActEvent extends CycleRef {
  action: OperationName;
  decision: ActDecision;
  state: CycleState;
  /** Several keepers: this one waits this long and looks again before simulating; null when it goes on. */
  deferredMs: number | null;
}

export type SimulatedEvent = CycleRef & { action: OperationName; request: OperationRequest; dryRun: boolean } & (
    | { ok: true; simulation: Simulation }
    | { ok: false; error: SimulationRevertedError }
  );

export interface SentEvent extends CycleRef {
  action: OperationName;
  tx: SentTx;
  request: OperationRequest;
  simulation: Simulation;
}

export interface ConfirmedEvent extends CycleRef {
  action: OperationName;
  request: OperationRequest;
  outcome: TxOutcome;
  snapshotBlock: number;
}

/** `read`: no snapshot this cycle; `send`: the transaction failed; `cycle`: anything else (the node dropped mid-cycle). */
export type FailedEvent = CycleRef & { error: unknown; message: string } & (
    | { stage: "read"; endpoint: string }
    | { stage: "send"; action: OperationName; request: OperationRequest; hash: string; nonce: number }
    | { stage: "cycle" }
  );

export interface CycleObserver {
  onSnapshot?(e: SnapshotEvent): void;
  onStandStill?(e: StandStillEvent): void;
  onAct?(e: ActEvent): void;
  onSimulated?(e: SimulatedEvent): void;
  onSent?(e: SentEvent): void;
  onConfirmed?(e: ConfirmedEvent): void;
  onFailed?(e: FailedEvent): void;
  onObservation?(e: ObservationEvent): void;
  onEconomics?(e: EconomicsEvent): void;
  /** Every cycle's outcome, last; `atMs` by the loop's clock. */
  onCycleDone?(e: { outcome: CycleOutcome; atMs: number }): void;
}

type Hook = keyof CycleObserver;
const HOOKS: Hook[] = [
  "onSnapshot",
  "onStandStill",
  "onAct",
  "onSimulated",
  "onSent",
  "onConfirmed",
  "onFailed",
  "onObservation",
  "onEconomics",
  "onCycleDone",
];

/** One observer that hands every event to each of `observers`, in order; a throwing one is reported and skipped. */
export function fanOut(
  observers: readonly CycleObserver[],
  onObserverError: (hook: string, err: unknown) => void,
): Required<CycleObserver> {
  const out = {} as Record<Hook, (e: never) => void>;
  for (const hook of HOOKS) {
    out[hook] = (e: never) => {
      for (const o of observers) {
        const fn = o[hook] as ((e: never) => void) | undefined;
        if (!fn) continue;
        try {
          fn.call(o, e);
        } catch (err) {
          onObserverError(hook, err);
        }
      }
    };
  }
  return out as Required<CycleObserver>;
}

/** The first line of an error's message. */
export function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split("\n")[0];
}
