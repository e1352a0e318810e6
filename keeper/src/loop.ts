/**
 * The keeper loop: on each new block (eth_blockNumber polled; at least every `idleCycleSec`), one
 * cycle: read one snapshot → decide (pure policy) → simulate → send → confirm. When the operation
 * stands still and the decision asks for a TWAP observation, the cycle writes one
 * (PriceOracle.update()). Gas paid (from receipts) goes into the decision's memory, which holds the
 * rolling 24 h gas budget. The loop keeps only control flow: every step is an event for its
 * observers (keeper/src/observe: logs, metrics, the status page). Cycles never overlap; `stop()`
 * stops taking new work and waits for the in-flight cycle to finish.
 */
import { randomUUID } from "node:crypto";
import { formatUnits } from "ethers";
import { KeeperError, SimulationRevertedError, TxFailedError } from "./errors";
import { observationWouldWrite, refreshedTargetWad, type TxSender } from "./chain/executor";
import type { Logger } from "./logger";
import {
  firstLine,
  type CycleObserver,
  type CycleOutcome,
  type CycleState,
  type ObservationOutcome,
  type StandStillEvent,
} from "./observe/cycleObserver";
import {
  Action,
  INITIAL_MEMORY,
  actionName,
  decide,
  describeGas,
  gasCostWad,
  gasVerdict,
  recordGasSpend,
  spentInWindow,
  type ActDecision,
  type DecisionParams,
  type GasSpend,
  type KeeperMemory,
  type ObservationDecision,
  type Snapshot,
  type StandStillFacts,
} from "./policy";

export type { CycleOutcome } from "./observe/cycleObserver";

export interface LoopDeps {
  read(): Promise<Snapshot>;
  blockNumber(): Promise<number>;
  /** Label of the RPC endpoint that answered last (index and host), for the logs. */
  endpoint(): string;
  sender: TxSender;
  params: DecisionParams;
  dryRun: boolean;
  /** The loop's own lines (started, stopped, a failed block poll); a cycle's lines come from its observers. */
  logger: Logger;
  /** Hears every step of every cycle (keeper/src/observe: logs, metrics, the status page). */
  observer: Required<CycleObserver>;
  pollIntervalMs: number;
  idleCycleSec: number;
  /** One of several keepers: after deciding to act, wait this long and look again before simulating. */
  actDelayMs?: number;
  /** Where the gas budget's ledger is kept across restarts (the journal's database); none: in memory only. */
  gasLedger?: GasLedger;
  now?: () => number;
}

export type { ObservationOutcome } from "./observe/cycleObserver";

/** A persistent store of the gas the keeper paid: read once at start, appended on each payment. */
export interface GasLedger {
  /** The spends at or after `sinceSec` (unix seconds), oldest first. */
  load(sinceSec: bigint): GasSpend[];
  record(spend: GasSpend): void;
}

/** The budget's window, s: what a restart must remember. */
const LEDGER_WINDOW_SEC = 86_400n;

/** A stand-still's facts as log fields (bigints as decimal strings, which JSON can carry). */
function loggable(facts: StandStillFacts): Record<string, string | null> {
  return Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, v === null ? null : String(v)]));
}

const wad = (v: bigint, digits = 6): string => Number(formatUnits(v, 18)).toFixed(digits);

export class KeeperLoop {
  #memory: KeeperMemory = INITIAL_MEMORY;
  #lastCycleAtMs: number | null = null;
  readonly #startedAtMs: number;
  #stopping = false;
  #inFlight: Promise<CycleOutcome> | null = null;
  #wake: (() => void) | null = null;
  readonly #now: () => number;

  constructor(private readonly deps: LoopDeps) {
    this.#now = deps.now ?? Date.now;
    this.#startedAtMs = this.#now();
    // The last 24 h of spending, as recorded before a restart: the budget does not reset with the process.
    if (deps.gasLedger)
      this.#memory = {
        ...INITIAL_MEMORY,
        gasSpent: deps.gasLedger.load(BigInt(Math.floor(this.#startedAtMs / 1000)) - LEDGER_WINDOW_SEC),
      };
  }

  /** Gas paid in the last 24 h, WAD USD (what the budget gate counts). */
  gasSpent24hWad(): bigint {
    return spentInWindow(this.#memory.gasSpent, BigInt(Math.floor(this.#now() / 1000)));
  }

  lastCycleAtMs(): number | null {
    return this.#lastCycleAtMs;
  }

  startedAtMs(): number {
    return this.#startedAtMs;
  }

  /** One cycle, never overlapping another. */
  cycle(): Promise<CycleOutcome> {
    if (this.#inFlight) return this.#inFlight;
    const cycle = randomUUID().slice(0, 8);
    const run = this.#cycle(cycle)
      .catch((err: unknown): CycleOutcome => {
        // A failure outside the read (e.g. the node dropped during simulation): report, go on.
        // The RPC pool counts transport failures per endpoint itself (ballast_rpc_errors_total).
        this.deps.observer.onFailed({ cycle, stage: "cycle", error: err, message: firstLine(err) });
        return { kind: "error", error: (err as Error).message };
      })
      .then((outcome) => {
        if (outcome.kind !== "error") this.#lastCycleAtMs = this.#now();
        this.deps.observer.onCycleDone({ outcome, atMs: this.#now() });
        return outcome;
      })
      .finally(() => {
        this.#inFlight = null;
      });
    this.#inFlight = run;
    return run;
  }

  /** Runs until `stop()`: a cycle per new block, and at least one every idleCycleSec. */
  async run(): Promise<void> {
    const { logger } = this.deps;
    let lastBlock = -1;
    let lastCycleMs = 0;
    logger.info(
      {
        event: "loop.started",
        pollIntervalMs: this.deps.pollIntervalMs,
        idleCycleSec: this.deps.idleCycleSec,
        dryRun: this.deps.dryRun,
      },
      "keeper loop started",
    );
    while (!this.#stopping) {
      let head: number | null = null;
      try {
        head = await this.deps.blockNumber();
      } catch (err) {
        logger.warn(
          { event: "rpc.error", endpoint: this.deps.endpoint(), err: err as Error },
          "eth_blockNumber failed",
        );
      }
      const idle = this.#now() - lastCycleMs >= this.deps.idleCycleSec * 1000;
      if (head !== null && (head !== lastBlock || idle) && !this.#stopping) {
        lastBlock = head;
        lastCycleMs = this.#now();
        await this.cycle();
      }
      if (!this.#stopping) await this.#sleep(this.deps.pollIntervalMs);
    }
    logger.info({ event: "loop.stopped" }, "keeper loop stopped");
  }

  /** Stops taking new work and waits for the in-flight cycle. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    if (this.#inFlight) await this.#inFlight;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
    });
  }

  async #cycle(cycle: string, deferred = false): Promise<CycleOutcome> {
    const { observer, params } = this.deps;
    let snap: Snapshot;
    try {
      snap = await this.deps.read();
    } catch (err) {
      observer.onFailed({ cycle, stage: "read", endpoint: this.deps.endpoint(), error: err, message: firstLine(err) });
      return { kind: "error", error: (err as Error).message };
    }
    const s = snap.operator;
    const state: CycleState = {
      block: snap.blockNumber,
      spot: wad(s.spotWad),
      twap: wad(s.twapWad),
      deviationBps: s.marketOk ? Number(((s.spotWad - 10n ** 18n) * 10_000n) / 10n ** 18n) : null,
      ratio: snap.collateralRatioWad === null ? null : wad(snap.collateralRatioWad, 4),
      target: wad(s.targetRatioWad, 4),
    };
    observer.onSnapshot({ cycle, snapshot: snap, state });
    const { decision, observation, memory } = decide(snap, params, this.#memory, this.#now());
    this.#memory = memory;
    this.#economics(
      snap,
      decision.kind === "act"
        ? decision.feeCapWei
        : decision.facts.reason === "fee-above-cap"
        ? decision.facts.capWei
        : null,
    );

    const delayMs = this.deps.actDelayMs ?? 0;
    const wantsToSend = decision.kind === "act" || observation.kind === "write";
    if (wantsToSend && delayMs > 0 && !deferred) {
      // Several keepers on one system, each with its own delay: the ones ahead act first. Looking
      // again afterwards, we see their cooldown, the corrected price or their observation and send nothing.
      if (decision.kind === "act")
        observer.onAct({ cycle, action: actionName(decision.action), decision, state, deferredMs: delayMs });
      await this.#sleep(delayMs);
      if (this.#stopping)
        return this.#standStill({ cycle, reason: "stopping", detail: "stopped during the act delay" }, snap);
      return this.#cycle(randomUUID().slice(0, 8), true);
    }
    if (decision.kind === "stand-still") {
      const outcome = this.#standStill(
        {
          cycle,
          reason: decision.reason,
          detail: decision.detail,
          state,
          engaged: memory.engaged,
          facts: loggable(decision.facts),
        },
        snap,
      );
      if (observation.kind === "skip") {
        observer.onObservation({ cycle, stage: "skipped", reason: observation.reason, detail: observation.detail });
        return outcome;
      }
      return {
        kind: "stand-still",
        reason: decision.reason,
        detail: decision.detail,
        blockNumber: snap.blockNumber,
        observation: await this.#observe(cycle, observation, snap),
      };
    }
    observer.onAct({ cycle, action: actionName(decision.action), decision, state, deferredMs: null });
    return this.#act(cycle, decision, snap, state);
  }

  #standStill(e: StandStillEvent, snap: Snapshot): CycleOutcome {
    this.deps.observer.onStandStill(e);
    return { kind: "stand-still", reason: e.reason, detail: e.detail, blockNumber: snap.blockNumber };
  }

  /** Gas paid, into the budget's ledger (the decision's memory). */
  #spent(usdWad: bigint, snap: Snapshot): void {
    this.#memory = recordGasSpend(this.#memory, this.#now(), usdWad);
    this.deps.gasLedger?.record({ atSec: BigInt(Math.floor(this.#now() / 1000)), usdWad });
    this.#economics(snap, null);
  }

  /** Tells the observers the budget, what the last 24 h spent and the fee cap at this deviation. */
  #economics(snap: Snapshot, feeCapWei: bigint | null): void {
    const o = snap.observations;
    this.deps.observer.onEconomics({
      dailyBudgetUsd: Number(formatUnits(this.deps.params.dailyGasBudgetWad, 18)),
      spent24hUsd: Number(
        formatUnits(spentInWindow(this.#memory.gasSpent, BigInt(Math.floor(this.#now() / 1000))), 18),
      ),
      feeCapGwei: feeCapWei === null ? null : Number(formatUnits(feeCapWei, 9)),
      observationAgeSec: o !== null && o.count > 0n ? Number(snap.blockTimestamp - o.newestAt) : null,
    });
  }

  /** Writes a TWAP observation (PriceOracle.update()): simulate, re-check its gas, send, count what it paid. */
  async #observe(
    cycle: string,
    o: Extract<ObservationDecision, { kind: "write" }>,
    snap: Snapshot,
  ): Promise<ObservationOutcome> {
    const { observer, sender, params } = this.deps;
    const done = (outcome: ObservationOutcome, gasUsed?: bigint): ObservationOutcome => {
      observer.onObservation({ cycle, stage: "done", outcome, gasUsed });
      return outcome;
    };
    const req = {
      action: "observe" as const,
      maxFeePerGasWei: o.maxFeePerGasWei,
      maxPriorityFeePerGasWei: o.maxPriorityFeePerGasWei,
      feeCapWei: o.feeCapWei,
    };
    observer.onObservation({
      cycle,
      stage: "write",
      ageSec: o.ageSec === null ? null : Number(o.ageSec),
      intervalSec: Number(o.intervalSec),
      gasCostUsd: wad(o.gasCostWad),
    });
    let sim;
    try {
      sim = await sender.simulate(req);
    } catch (err) {
      if (!(err instanceof SimulationRevertedError)) throw err;
      return done({ result: "simulation-reverted", detail: err.errorName });
    }
    // Another writer got there between our read and now (or its update() is pending): ours would
    // pay ~30k gas to record nothing.
    if (!observationWouldWrite(sim.returnData))
      return done({
        result: "already-written",
        detail: "update() would record nothing: this interval's observation is already written or pending",
      });
    // update() is cheap when it records nothing, and whether it records depends on the mining
    // block's time: an estimate taken on the latest block can price the no-op path while the
    // transaction mines later and writes (a swarm keeper ran out of gas so). The limit always
    // covers a write: the configured gas for one observation.
    if (sim.gasLimit < params.gasUnits.observe) sim = { ...sim, gasLimit: params.gasUnits.observe };
    const verdict = gasVerdict(
      {
        valueWad: null,
        correctionWad: 0n,
        pnlWad: 0n,
        gasUnits: sim.gasEstimate,
        effectiveWei: o.effectiveGasPriceWei,
        nativeUsdWad: o.nativeUsdWad,
      },
      params,
      this.#memory,
      this.#now(),
    );
    if (verdict)
      return done({
        result: verdict.reason === "gas-budget-exhausted" ? "gas-budget-exhausted" : "not-worth-gas",
        detail: describeGas(verdict),
      });
    if (this.deps.dryRun) return done({ result: "dry-run", detail: `simulated ok, gas estimate ${sim.gasEstimate}` });
    let sentHash = "";
    try {
      const out = await sender.send(req, sim, (tx) => {
        sentHash = tx.hash;
        observer.onObservation({ cycle, stage: "sent", tx });
      });
      this.#spent(gasCostWad(out.gasUsed, out.effectiveGasPriceWei, o.nativeUsdWad), snap);
      return done({ result: "confirmed", hash: out.hash, minedIn: out.blockNumber }, out.gasUsed);
    } catch (err) {
      // Sent but no receipt to read: count the estimate, so a failing transaction still uses the budget.
      if (sentHash !== "") this.#spent(o.gasCostWad, snap);
      return done({ result: "failed", detail: firstLine(err) });
    }
  }

  async #act(cycle: string, d: ActDecision, snap: Snapshot, state: CycleState): Promise<CycleOutcome> {
    const { observer, sender, params } = this.deps;
    const action = actionName(d.action);
    const request = {
      action: d.action,
      amount: d.amount,
      minOut: d.minOut,
      limitPriceWad: d.limitPriceWad,
      maxFeePerGasWei: d.maxFeePerGasWei,
      maxPriorityFeePerGasWei: d.maxPriorityFeePerGasWei,
      feeCapWei: d.feeCapWei,
    };
    const dryRun = this.deps.dryRun;

    let sim;
    try {
      sim = await sender.simulate(request);
    } catch (err) {
      if (!(err instanceof SimulationRevertedError)) throw err;
      // Another keeper refreshed between our read and now: nothing left to do, not a failure.
      if (d.action === Action.Refresh && err.errorName === "RefreshTooSoon")
        return this.#standStill(
          { cycle, reason: "refresh-too-soon", detail: `another refresh came first: ${err.detail}`, state },
          snap,
        );
      observer.onSimulated({ cycle, action, request, dryRun, ok: false, error: err });
      return { kind: "simulation-reverted", action, errorName: err.errorName, blockNumber: snap.blockNumber };
    }
    observer.onSimulated({ cycle, action, request, dryRun, ok: true, simulation: sim });
    // The chain's own answer decides: a refresh that would leave the target where it is is not sent.
    if (d.action === Action.Refresh && refreshedTargetWad(sim.returnData) === snap.operator.targetRatioWad)
      return this.#standStill(
        {
          cycle,
          reason: "refresh-unchanged",
          detail: `refresh() would keep the target at ${wad(snap.operator.targetRatioWad, 4)}`,
          state,
        },
        snap,
      );
    // The simulation's real gas estimate replaces the configured figure in the value and budget gates.
    const value =
      d.action === Action.Rebalance || d.action === Action.Refresh ? null : d.correctionValueWad + d.expectedProfitWad;
    const verdict = gasVerdict(
      {
        valueWad: value,
        correctionWad: d.correctionValueWad,
        pnlWad: d.expectedProfitWad,
        gasUnits: sim.gasEstimate,
        effectiveWei: d.effectiveGasPriceWei,
        nativeUsdWad: d.nativeUsdWad,
      },
      params,
      this.#memory,
      this.#now(),
    );
    if (verdict) {
      return this.#standStill(
        {
          cycle,
          reason: verdict.reason,
          detail: `after simulation: ${describeGas(verdict)}`,
          state,
          facts: loggable(verdict),
        },
        snap,
      );
    }
    if (dryRun)
      return {
        kind: "simulated",
        action,
        blockNumber: snap.blockNumber,
        gasEstimate: sim.gasEstimate,
        gasLimit: sim.gasLimit,
      };
    const ageMs = this.#now() - snap.readAtMs;
    if (ageMs > params.maxSnapshotAgeMs) {
      return this.#standStill(
        { cycle, reason: "snapshot-too-old", detail: `${ageMs} ms after the read, before sending` },
        snap,
      );
    }
    let sent: { hash: string; nonce: number } | null = null;
    try {
      const out = await sender.send(request, sim, (tx) => {
        sent = tx;
        observer.onSent({ cycle, action, tx, request, simulation: sim });
      });
      this.#spent(gasCostWad(out.gasUsed, out.effectiveGasPriceWei, d.nativeUsdWad), snap);
      observer.onConfirmed({ cycle, action, request, outcome: out, snapshotBlock: snap.blockNumber });
      return {
        kind: "sent",
        action,
        hash: out.hash,
        nonce: out.nonce,
        minedIn: out.blockNumber,
        blockNumber: snap.blockNumber,
      };
    } catch (err) {
      const hash = err instanceof TxFailedError ? err.hash : (sent as { hash: string } | null)?.hash ?? "";
      const nonce = err instanceof TxFailedError ? err.nonce : (sent as { nonce: number } | null)?.nonce ?? -1;
      // Sent but no receipt to read: count the estimate, so a failing transaction still uses the budget.
      if (hash !== "") this.#spent(d.gasCostWad, snap);
      const message = err instanceof KeeperError ? err.message : firstLine(err);
      observer.onFailed({ cycle, stage: "send", action, request, hash, nonce, error: err, message });
      return { kind: "tx-failed", action, hash, nonce, error: message, blockNumber: snap.blockNumber };
    }
  }
}
