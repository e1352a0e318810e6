/**
 * Feeds the status model from the running keeper without changing how the keeper decides: the
 * composition root wraps the loop's snapshot read and its transaction sender. The extra reserve
 * read runs after the snapshot is handed back, so it never delays a decision or ages the snapshot.
 */
import type { KeeperRequest, OperationRequest, Simulation, SentTx, TxOutcome, TxSender } from "../chain/executor";
import { SimulationRevertedError, TxFailedError } from "../errors";
import type { CycleOutcome } from "../loop";
import type { Snapshot } from "../policy";
import type { ReserveDetail, StatusModel } from "./model";
import type { StatusView } from "./types";

export interface FeedOptions {
  now?: () => number;
  /** Called when the reserve detail read fails (the view then shows prices without amounts). */
  onReserveReadError?: (err: unknown) => void;
}

/** The part of ReserveReader the feed uses. */
export interface ReserveDetailSource {
  read(blockNumber: number, assets: readonly string[]): Promise<ReserveDetail>;
}

/**
 * Wraps the loop's `read()`: every snapshot goes to the model (with the reserve detail read at its
 * block), every failed read is counted as a failed cycle. The snapshot (or error) reaches the loop
 * unchanged and without waiting for the status page.
 */
export function observeReads(read: () => Promise<Snapshot>, model: StatusModel, reserve: ReserveDetailSource, options: FeedOptions = {}): () => Promise<Snapshot> {
  const now = options.now ?? Date.now;
  return async () => {
    let snapshot: Snapshot;
    try {
      snapshot = await read();
    } catch (err) {
      model.observeCycleFailure((err as Error).message?.split("\n")[0] ?? String(err), now());
      throw err;
    }
    void reserve
      .read(snapshot.blockNumber, snapshot.feeds.map((f) => f.asset))
      .catch((err: unknown) => {
        options.onReserveReadError?.(err);
        return null;
      })
      .then((detail) => model.observeCycle({ snapshot, reserve: detail, decision: null, atMs: now() }));
    return snapshot;
  };
}

/**
 * Wraps the executor: each simulation that reverts, each confirmed or failed transaction, and (in
 * a dry run) each simulation that passed becomes a row of "last operations". In a dry run the loop
 * can still stand still after a passing simulation when the real gas estimate makes the trade not
 * worth it; the row then says "simulated", which is what happened.
 */
export function observeSender(sender: TxSender, model: StatusModel, options: { dryRun: boolean; now?: () => number }): TxSender {
  const now = options.now ?? Date.now;
  const row = (req: OperationRequest) => ({ action: req.action, amount: req.amount });
  return {
    address: sender.address,
    async simulate(req: KeeperRequest): Promise<Simulation> {
      // Observation writes are not operations: the page's "last operations" lists only those.
      if (req.action === "observe") return sender.simulate(req);
      try {
        const sim = await sender.simulate(req);
        if (options.dryRun) {
          model.observeOperation({ ...row(req), atMs: now(), block: null, txHash: null, gasUsed: sim.gasEstimate, result: "dry-run", detail: `simulated ok, gas estimate ${sim.gasEstimate}; not sent` });
        }
        return sim;
      } catch (err) {
        if (err instanceof SimulationRevertedError) {
          model.observeOperation({ ...row(req), atMs: now(), block: null, txHash: null, gasUsed: null, result: "reverted", detail: `in simulation, not sent: ${err.errorName}` });
        }
        throw err;
      }
    },
    async send(req: KeeperRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome> {
      if (req.action === "observe") return sender.send(req, sim, onSent);
      let sent: SentTx | null = null;
      try {
        const out = await sender.send(req, sim, (tx) => {
          sent = tx;
          onSent(tx);
        });
        model.observeOperation({ ...row(req), atMs: now(), block: out.blockNumber, txHash: out.hash, gasUsed: out.gasUsed, result: "confirmed", detail: null });
        return out;
      } catch (err) {
        const hash = err instanceof TxFailedError ? err.hash : (sent as SentTx | null)?.hash ?? null;
        const message = (err as Error).message?.split("\n")[0] ?? String(err);
        model.observeOperation({ ...row(req), atMs: now(), block: null, txHash: hash, gasUsed: null, result: /revert/i.test(message) ? "reverted" : "failed", detail: message });
        throw err;
      }
    },
  };
}

/** The loop's cycle outcome, in the words the page shows as "last decision". */
export function decisionOf(outcome: CycleOutcome): NonNullable<StatusView["keeper"]["lastDecision"]> {
  switch (outcome.kind) {
    case "stand-still":
      return { kind: "stand-still", summary: outcome.reason, detail: outcome.detail };
    case "simulated":
      return { kind: "act", summary: `${outcome.action} (dry run, simulated)`, detail: `block ${outcome.blockNumber}` };
    case "simulation-reverted":
      return { kind: "act", summary: `${outcome.action}: simulation reverted`, detail: outcome.errorName };
    case "sent":
      return { kind: "act", summary: `${outcome.action} confirmed`, detail: `${outcome.hash} in block ${outcome.minedIn}` };
    case "tx-failed":
      return { kind: "act", summary: `${outcome.action} failed`, detail: outcome.error };
    case "error":
      return { kind: "stand-still", summary: "cycle error", detail: outcome.error };
  }
}

/** For LoopDeps.onOutcome: records each cycle's outcome as the last decision. */
export function observeOutcomes(model: StatusModel, now: () => number = Date.now): (outcome: CycleOutcome) => void {
  return (outcome) => model.observeDecision(decisionOf(outcome), now());
}
