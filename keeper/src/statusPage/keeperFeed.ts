/** Feeds the status model from the running keeper's cycle events, without changing how it decides. */
import type { OperationRequest } from "../chain/executor";
import type { CycleObserver, CycleOutcome } from "../observe/cycleObserver";
import type { Snapshot } from "../policy";
import type { StatusDetail } from "../status/model";
import type { StatusModel } from "./model";
import type { StatusView } from "./types";

export interface FeedOptions {
  now?: () => number;
  /** Called when the status detail read fails (the view then shows prices without amounts). */
  onDetailReadError?: (err: unknown) => void;
}

/** The part of chain/statusReader's StatusReader the feed uses. */
export interface StatusDetailSource {
  read(snapshot: Snapshot): Promise<StatusDetail>;
}

/**
 * The status page as a subscriber of the loop's events: every snapshot goes to the model (with the
 * status detail read at its block, after the loop has moved on, so it never delays a decision or
 * ages the snapshot), a failed read counts as a failed cycle, each simulation that reverts, each
 * confirmed or failed transaction and (in a dry run) each simulation that passed becomes a row of
 * "last operations", and each cycle's outcome is the last decision. In a dry run the loop can
 * still stand still after a passing simulation when the real gas estimate makes the trade not
 * worth it; the row then says "simulated", which is what happened.
 */
export function statusObserver(
  model: StatusModel,
  details: StatusDetailSource,
  options: FeedOptions = {},
): CycleObserver {
  const now = options.now ?? Date.now;
  const row = (req: OperationRequest) => ({ action: req.action, amount: req.amount });
  return {
    onSnapshot: ({ snapshot }) => {
      void details
        .read(snapshot)
        .catch((err: unknown) => {
          options.onDetailReadError?.(err);
          return null;
        })
        .then((detail) => model.observeCycle({ snapshot, detail, decision: null, atMs: now() }));
    },
    onSimulated: (e) => {
      if (e.ok && e.dryRun) {
        model.observeOperation({
          ...row(e.request),
          atMs: now(),
          block: null,
          txHash: null,
          gasUsed: e.simulation.gasEstimate,
          result: "dry-run",
          detail: `simulated ok, gas estimate ${e.simulation.gasEstimate}; not sent`,
        });
      } else if (!e.ok) {
        model.observeOperation({
          ...row(e.request),
          atMs: now(),
          block: null,
          txHash: null,
          gasUsed: null,
          result: "reverted",
          detail: `in simulation, not sent: ${e.error.errorName}`,
        });
      }
    },
    onConfirmed: (e) => {
      model.observeOperation({
        ...row(e.request),
        atMs: now(),
        block: e.outcome.blockNumber,
        txHash: e.outcome.hash,
        gasUsed: e.outcome.gasUsed,
        result: "confirmed",
        detail: null,
      });
    },
    onFailed: (e) => {
      if (e.stage === "read") model.observeCycleFailure(e.message, now());
      if (e.stage !== "send") return;
      model.observeOperation({
        ...row(e.request),
        atMs: now(),
        block: null,
        txHash: e.hash || null,
        gasUsed: null,
        result: /revert/i.test(e.message) ? "reverted" : "failed",
        detail: e.message,
      });
    },
    onCycleDone: ({ outcome }) => model.observeDecision(decisionOf(outcome), now()),
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
      return {
        kind: "act",
        summary: `${outcome.action} confirmed`,
        detail: `${outcome.hash} in block ${outcome.minedIn}`,
      };
    case "tx-failed":
      return { kind: "act", summary: `${outcome.action} failed`, detail: outcome.error };
    case "error":
      return { kind: "stand-still", summary: "cycle error", detail: outcome.error };
  }
}
