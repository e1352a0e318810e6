import { randomUUID } from "node:crypto";
import { formatUnits } from "ethers";
import { KeeperError, SimulationRevertedError, TxFailedError } from "./errors";
import type { TxSender } from "./chain/executor";
import type { Logger } from "./logger";
import { firstLine, type CycleObserver, type CycleOutcome, type CycleState, type StandStillEvent } from "./observe/cycleObserver";
import {
  Action,
  INITIAL_MEMORY,
  actionName,
  decide,
  gasCostWad,
  worthGas,
  type ActDecision,
  type DecisionParams,
  type KeeperMemory,
  type Snapshot,
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
  now?: () => number;
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
    const run = this.#cycle(cycle).catch((err: unknown): CycleOutcome => {
      // A failure outside the read (e.g. the node dropped during simulation): report, go on.
      // The RPC pool counts transport failures per endpoint itself (ballast_rpc_errors_total).
      this.deps.observer.onFailed({ cycle, stage: "cycle", error: err, message: firstLine(err) });
      return { kind: "error", error: (err as Error).message };
    }).then((outcome) => {
      if (outcome.kind !== "error") this.#lastCycleAtMs = this.#now();
      this.deps.observer.onCycleDone({ outcome, atMs: this.#now() });
      return outcome;
    }).finally(() => {
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
    logger.info({ event: "loop.started", pollIntervalMs: this.deps.pollIntervalMs, idleCycleSec: this.deps.idleCycleSec, dryRun: this.deps.dryRun }, "keeper loop started");
    while (!this.#stopping) {
      let head: number | null = null;
      try {
        head = await this.deps.blockNumber();
      } catch (err) {
        logger.warn({ event: "rpc.error", endpoint: this.deps.endpoint(), err: err as Error }, "eth_blockNumber failed");
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
    const { decision, memory } = decide(snap, params, this.#memory, this.#now());
    this.#memory = memory;

    if (decision.kind === "stand-still") {
      return this.#standStill({ cycle, reason: decision.reason, detail: decision.detail, state, engaged: memory.engaged }, snap);
    }
    const delayMs = this.deps.actDelayMs ?? 0;
    if (delayMs > 0 && !deferred) {
      // Several keepers on one system, each with its own delay: the ones ahead act first. Looking
      // again afterwards, we see their cooldown or the corrected price and send nothing.
      observer.onAct({ cycle, action: actionName(decision.action), decision, state, deferredMs: delayMs });
      await this.#sleep(delayMs);
      if (this.#stopping) return this.#standStill({ cycle, reason: "stopping", detail: "stopped during the act delay" }, snap);
      return this.#cycle(randomUUID().slice(0, 8), true);
    }
    observer.onAct({ cycle, action: actionName(decision.action), decision, state, deferredMs: null });
    return this.#act(cycle, decision, snap, state);
  }

  #standStill(e: StandStillEvent, snap: Snapshot): CycleOutcome {
    this.deps.observer.onStandStill(e);
    return { kind: "stand-still", reason: e.reason, detail: e.detail, blockNumber: snap.blockNumber };
  }

  async #act(cycle: string, d: ActDecision, snap: Snapshot, state: CycleState): Promise<CycleOutcome> {
    const { observer, sender, params } = this.deps;
    const action = actionName(d.action);
    const request = { action: d.action, amount: d.amount, minOut: d.minOut, limitPriceWad: d.limitPriceWad, maxFeePerGasWei: d.maxFeePerGasWei, maxPriorityFeePerGasWei: d.maxPriorityFeePerGasWei };
    const dryRun = this.deps.dryRun;

    let sim;
    try {
      sim = await sender.simulate(request);
    } catch (err) {
      if (!(err instanceof SimulationRevertedError)) throw err;
      observer.onSimulated({ cycle, action, request, dryRun, ok: false, error: err });
      return { kind: "simulation-reverted", action, errorName: err.errorName, blockNumber: snap.blockNumber };
    }
    observer.onSimulated({ cycle, action, request, dryRun, ok: true, simulation: sim });
    // The simulation's real gas estimate replaces the configured guess in the gas check.
    const nativeFeed = params.nativeUsdFeedSymbol === null ? undefined : snap.feeds.find((f) => f.symbol === params.nativeUsdFeedSymbol);
    const cost = nativeFeed ? gasCostWad(sim.gasEstimate, snap.fees, d.maxPriorityFeePerGasWei, nativeFeed.priceWad) : 0n;
    if (d.action !== Action.Rebalance && !worthGas(d.expectedProfitWad, cost, params.minProfitOverGasBps)) {
      return this.#standStill({ cycle, reason: "not-worth-gas", detail: `profit ${wad(d.expectedProfitWad)} USD < gas ${wad(cost)} USD for ${sim.gasEstimate} gas`, state }, snap);
    }
    if (dryRun) return { kind: "simulated", action, blockNumber: snap.blockNumber, gasEstimate: sim.gasEstimate, gasLimit: sim.gasLimit };
    const ageMs = this.#now() - snap.readAtMs;
    if (ageMs > params.maxSnapshotAgeMs) {
      return this.#standStill({ cycle, reason: "snapshot-too-old", detail: `${ageMs} ms after the read, before sending` }, snap);
    }
    let sent: { hash: string; nonce: number } | null = null;
    try {
      const out = await sender.send(request, sim, (tx) => {
        sent = tx;
        observer.onSent({ cycle, action, tx, request, simulation: sim });
      });
      observer.onConfirmed({ cycle, action, request, outcome: out, snapshotBlock: snap.blockNumber });
      return { kind: "sent", action, hash: out.hash, nonce: out.nonce, minedIn: out.blockNumber, blockNumber: snap.blockNumber };
    } catch (err) {
      const hash = err instanceof TxFailedError ? err.hash : (sent as { hash: string } | null)?.hash ?? "";
      const nonce = err instanceof TxFailedError ? err.nonce : (sent as { nonce: number } | null)?.nonce ?? -1;
      const message = err instanceof KeeperError ? err.message : firstLine(err);
      observer.onFailed({ cycle, stage: "send", action, request, hash, nonce, error: err, message });
      return { kind: "tx-failed", action, hash, nonce, error: message, blockNumber: snap.blockNumber };
    }
  }
}
