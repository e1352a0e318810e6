/**
 * The keeper loop: on each new block (eth_blockNumber polled; at least every `idleCycleSec`), one
 * cycle: read one snapshot → decide (pure policy) → simulate → send → confirm → record. When the
 * operation stands still and the decision asks for a TWAP observation, the cycle writes one
 * (PriceOracle.update()). Gas paid (from receipts) goes into the decision's memory, which holds the
 * rolling 24 h gas budget. Cycles never overlap; `stop()` stops taking new work and waits for the in-flight cycle (including a
 * transaction being confirmed) to finish.
 */
import { randomUUID } from "node:crypto";
import { formatUnits } from "ethers";
import { KeeperError, SimulationRevertedError, TxFailedError } from "./errors";
import type { TxSender } from "./chain/executor";
import type { Logger } from "./logger";
import type { KeeperMetrics } from "./metrics";
import {
  Action,
  INITIAL_MEMORY,
  decide,
  describeGas,
  gasCostWad,
  gasVerdict,
  recordGasSpend,
  spentInWindow,
  type ActDecision,
  type DecisionParams,
  type KeeperMemory,
  type ObservationDecision,
  type Snapshot,
  type StandStillFacts,
} from "./policy";

export interface LoopDeps {
  read(): Promise<Snapshot>;
  blockNumber(): Promise<number>;
  /** Label of the RPC endpoint that answered last (index and host), for the logs. */
  endpoint(): string;
  sender: TxSender;
  params: DecisionParams;
  dryRun: boolean;
  logger: Logger;
  metrics: KeeperMetrics;
  pollIntervalMs: number;
  idleCycleSec: number;
  /** One of several keepers: after deciding to act, wait this long and look again before simulating. */
  actDelayMs?: number;
  now?: () => number;
  /** Hears every cycle's outcome (the status page shows the last decision); must not throw. */
  onOutcome?: (outcome: CycleOutcome) => void;
}

export type CycleOutcome =
  | { kind: "error"; error: string }
  | { kind: "stand-still"; reason: string; detail: string; blockNumber: number; observation?: ObservationOutcome }
  | { kind: "simulated"; action: string; blockNumber: number }
  | { kind: "simulation-reverted"; action: string; errorName: string; blockNumber: number }
  | { kind: "sent"; action: string; hash: string; nonce: number; minedIn: number; blockNumber: number }
  | { kind: "tx-failed"; action: string; hash: string; nonce: number; error: string; blockNumber: number };

/** What became of a TWAP observation the decision asked for. */
export type ObservationOutcome =
  | { result: "confirmed"; hash: string; minedIn: number }
  | { result: "dry-run" | "simulation-reverted" | "failed" | "not-worth-gas" | "gas-budget-exhausted"; detail: string };

/** A stand-still's facts as log fields (bigints as decimal strings, which JSON can carry). */
function loggable(facts: StandStillFacts): Record<string, string | null> {
  return Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, v === null ? null : String(v)]));
}

const ACTION_NAME: Record<number, string> = { [Action.None]: "none", [Action.Expand]: "expand", [Action.Contract]: "contract", [Action.Rebalance]: "rebalance" };

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
    const run = this.#cycle().catch((err: unknown): CycleOutcome => {
      // A failure outside the read (e.g. the node dropped during simulation): count, log, go on.
      // The RPC pool counts transport failures per endpoint itself (ballast_rpc_errors_total).
      this.deps.metrics.cyclesTotal.inc({ outcome: "error" });
      this.deps.logger.error({ event: "cycle.failed", err: err as Error }, "cycle failed");
      return { kind: "error", error: (err as Error).message };
    }).then((outcome) => {
      try {
        this.deps.onOutcome?.(outcome);
      } catch (err) {
        // An observer (the status page) must never stop the loop.
        this.deps.logger.warn({ event: "cycle.observer-failed", err: err as Error }, "outcome observer failed");
      }
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

  #record(snap: Snapshot): void {
    const m = this.deps.metrics;
    const s = snap.operator;
    m.lastBlock.set(snap.blockNumber);
    if (s.marketOk) {
      m.pegDeviationBps.set({ price: "spot" }, Number(((s.spotWad - 10n ** 18n) * 10_000n * 100n) / 10n ** 18n) / 100);
      m.pegDeviationBps.set({ price: "twap" }, Number(((s.twapWad - 10n ** 18n) * 10_000n * 100n) / 10n ** 18n) / 100);
      m.priceUsd.set({ kind: "spot" }, Number(formatUnits(s.spotWad, 18)));
      m.priceUsd.set({ kind: "twap" }, Number(formatUnits(s.twapWad, 18)));
    }
    if (snap.collateralRatioWad !== null && s.supply > 0n) m.collateralRatio.set({ kind: "actual" }, Number(formatUnits(snap.collateralRatioWad, 18)));
    m.collateralRatio.set({ kind: "target" }, Number(formatUnits(s.targetRatioWad, 18)));
    if (s.backingOk) m.reserveValueUsd.set(Number(formatUnits(s.reserveValueWad, 18)));
    m.supplyTokens.set(Number(formatUnits(s.supply, s.tokenDecimals)));
    for (const f of snap.feeds) m.oracleAgeSeconds.set({ asset: f.symbol }, Number(snap.blockTimestamp - f.updatedAt));
    if (snap.keeperBalanceWei !== null) m.keeperBalanceEth.set(Number(formatUnits(snap.keeperBalanceWei, 18)));
  }

  async #cycle(deferred = false): Promise<CycleOutcome> {
    const { metrics, params } = this.deps;
    const log = this.deps.logger.child({ cycle: randomUUID().slice(0, 8) });
    let snap: Snapshot;
    try {
      snap = await this.deps.read();
    } catch (err) {
      metrics.cyclesTotal.inc({ outcome: "error" });
      log.error({ event: "cycle.read-failed", endpoint: this.deps.endpoint(), err: err as Error }, "snapshot failed; standing still this cycle");
      return { kind: "error", error: (err as Error).message };
    }
    this.#record(snap);
    const s = snap.operator;
    const state = {
      block: snap.blockNumber,
      spot: wad(s.spotWad),
      twap: wad(s.twapWad),
      deviationBps: s.marketOk ? Number(((s.spotWad - 10n ** 18n) * 10_000n) / 10n ** 18n) : null,
      ratio: snap.collateralRatioWad === null ? null : wad(snap.collateralRatioWad, 4),
      target: wad(s.targetRatioWad, 4),
    };
    const { decision, observation, memory } = decide(snap, params, this.#memory, this.#now());
    this.#memory = memory;
    this.#recordEconomics(snap, decision.kind === "act" ? decision.feeCapWei : decision.facts.reason === "fee-above-cap" ? decision.facts.capWei : null);

    const delayMs = this.deps.actDelayMs ?? 0;
    if ((decision.kind === "act" || observation.kind === "write") && delayMs > 0 && !deferred) {
      // Several keepers on one system, each with its own delay: the ones ahead act first. Looking
      // again afterwards, we see their cooldown or the corrected price and send nothing.
      log.info({ event: "cycle.act-deferred", ...state, delayMs }, `act deferred ${delayMs} ms; looking again before simulating`);
      await this.#sleep(delayMs);
      if (this.#stopping) return this.#done({ kind: "stand-still", reason: "stopping", detail: "stopped during the act delay", blockNumber: snap.blockNumber });
      return this.#cycle(true);
    }

    if (decision.kind === "stand-still") {
      metrics.standStillTotal.inc({ reason: decision.reason });
      log.info({ event: "cycle.stand-still", ...state, reason: decision.reason, detail: decision.detail, facts: loggable(decision.facts), engaged: memory.engaged }, `standing still: ${decision.reason}`);
      const outcome = { kind: "stand-still" as const, reason: decision.reason, detail: decision.detail, blockNumber: snap.blockNumber };
      if (observation.kind === "skip") {
        log.debug({ event: "observation.skipped", reason: observation.reason, detail: observation.detail }, `no observation: ${observation.reason}`);
        return this.#done(outcome);
      }
      return this.#done({ ...outcome, observation: await this.#observe(observation, log) });
    }
    return this.#act(decision, snap, state, log);
  }

  #done(outcome: CycleOutcome): CycleOutcome {
    this.#lastCycleAtMs = this.#now();
    this.deps.metrics.lastSuccessTimestamp.set(Math.floor(this.#lastCycleAtMs / 1000));
    this.deps.metrics.cyclesTotal.inc({ outcome: outcome.kind });
    return outcome;
  }

  /** Gas paid, into the budget's ledger. */
  #spent(usdWad: bigint): void {
    this.#memory = recordGasSpend(this.#memory, this.#now(), usdWad);
    this.deps.metrics.gasSpentUsd24h.set(Number(formatUnits(spentInWindow(this.#memory.gasSpent, BigInt(Math.floor(this.#now() / 1000))), 18)));
  }

  #recordEconomics(snap: Snapshot, feeCapWei: bigint | null): void {
    const m = this.deps.metrics;
    m.gasBudgetUsd.set(Number(formatUnits(this.deps.params.dailyGasBudgetWad, 18)));
    m.gasSpentUsd24h.set(Number(formatUnits(spentInWindow(this.#memory.gasSpent, BigInt(Math.floor(this.#now() / 1000))), 18)));
    if (feeCapWei !== null) m.feeCapGwei.set(Number(formatUnits(feeCapWei, 9)));
    const o = snap.observations;
    if (o !== null && o.count > 0n) m.observationAgeSeconds.set(Number(snap.blockTimestamp - o.newestAt));
  }

  /** Writes a TWAP observation (PriceOracle.update()): simulate, re-check its gas, send, count what it paid. */
  async #observe(o: Extract<ObservationDecision, { kind: "write" }>, log: Logger): Promise<ObservationOutcome> {
    const { metrics, sender, params } = this.deps;
    const req = { action: "observe" as const, maxFeePerGasWei: o.maxFeePerGasWei, maxPriorityFeePerGasWei: o.maxPriorityFeePerGasWei, feeCapWei: o.feeCapWei };
    log.info({ event: "observation.write", ageSec: o.ageSec === null ? null : Number(o.ageSec), intervalSec: Number(o.intervalSec), gasCostUsd: wad(o.gasCostWad) }, "writing a TWAP observation");
    let sim;
    try {
      sim = await sender.simulate(req);
    } catch (err) {
      if (!(err instanceof SimulationRevertedError)) throw err;
      metrics.observationsTotal.inc({ result: "simulation_reverted" });
      log.warn({ event: "observation.reverted", error: err.errorName, detail: err.detail }, `observation simulation reverted with ${err.errorName}`);
      return { result: "simulation-reverted", detail: err.errorName };
    }
    const verdict = gasVerdict({ valueWad: null, correctionWad: 0n, pnlWad: 0n, gasUnits: sim.gasEstimate, effectiveWei: o.effectiveGasPriceWei, nativeUsdWad: o.nativeUsdWad }, params, this.#memory, this.#now());
    if (verdict) {
      metrics.observationsTotal.inc({ result: verdict.reason });
      log.info({ event: "observation.skipped", reason: verdict.reason, detail: describeGas(verdict) }, `no observation: ${verdict.reason}`);
      return { result: verdict.reason === "gas-budget-exhausted" ? "gas-budget-exhausted" : "not-worth-gas", detail: describeGas(verdict) };
    }
    if (this.deps.dryRun) {
      metrics.observationsTotal.inc({ result: "dry_run" });
      return { result: "dry-run", detail: `simulated ok, gas estimate ${sim.gasEstimate}` };
    }
    let sentHash = "";
    try {
      const out = await sender.send(req, sim, (tx) => {
        sentHash = tx.hash;
        log.info({ event: "tx.sent", action: "observe", txHash: tx.hash, nonce: tx.nonce }, "sent observe");
      });
      this.#spent(gasCostWad(out.gasUsed, out.effectiveGasPriceWei, o.nativeUsdWad));
      metrics.observationsTotal.inc({ result: "confirmed" });
      log.info({ event: "observation.confirmed", txHash: out.hash, minedIn: out.blockNumber, gasUsed: out.gasUsed.toString() }, `observation written in block ${out.blockNumber}`);
      return { result: "confirmed", hash: out.hash, minedIn: out.blockNumber };
    } catch (err) {
      if (sentHash !== "") this.#spent(o.gasCostWad);
      const message = (err as Error).message?.split("\n")[0] ?? String(err);
      metrics.observationsTotal.inc({ result: "failed" });
      log.error({ event: "observation.failed", txHash: sentHash, error: message }, `observation failed: ${message}`);
      return { result: "failed", detail: message };
    }
  }

  async #act(d: ActDecision, snap: Snapshot, state: Record<string, unknown>, log: Logger): Promise<CycleOutcome> {
    const { metrics, sender, params } = this.deps;
    const action = ACTION_NAME[d.action];
    const intent = { action, amount: d.amount.toString(), minOut: d.minOut.toString(), expectedOut: d.expectedOut.toString(), expectedProfitUsd: wad(d.expectedProfitWad), correctionValueUsd: wad(d.correctionValueWad), gasCostUsd: wad(d.gasCostWad), feeCapGwei: formatUnits(d.feeCapWei, 9) };
    log.info({ event: "cycle.act", ...state, ...intent }, `deciding to ${action}`);
    const req = { action: d.action, amount: d.amount, minOut: d.minOut, limitPriceWad: d.limitPriceWad, maxFeePerGasWei: d.maxFeePerGasWei, maxPriorityFeePerGasWei: d.maxPriorityFeePerGasWei, feeCapWei: d.feeCapWei };

    let sim;
    try {
      sim = await sender.simulate(req);
    } catch (err) {
      if (err instanceof SimulationRevertedError) {
        metrics.actionsTotal.inc({ action, result: "simulation_reverted" });
        log.warn({ event: "simulation.reverted", action, error: err.errorName, detail: err.detail }, `simulation reverted with ${err.errorName}; not sending`);
        return this.#done({ kind: "simulation-reverted", action, errorName: err.errorName, blockNumber: snap.blockNumber });
      }
      throw err;
    }
    // The simulation's real gas estimate replaces the configured figure in the value and budget gates.
    const value = d.action === Action.Rebalance ? null : d.correctionValueWad + d.expectedProfitWad;
    const verdict = gasVerdict({ valueWad: value, correctionWad: d.correctionValueWad, pnlWad: d.expectedProfitWad, gasUnits: sim.gasEstimate, effectiveWei: d.effectiveGasPriceWei, nativeUsdWad: d.nativeUsdWad }, params, this.#memory, this.#now());
    if (verdict) {
      const detail = `after simulation: ${describeGas(verdict)}`;
      metrics.standStillTotal.inc({ reason: verdict.reason });
      log.info({ event: "cycle.stand-still", ...state, reason: verdict.reason, detail, facts: loggable(verdict) }, `standing still: ${verdict.reason}`);
      return this.#done({ kind: "stand-still", reason: verdict.reason, detail, blockNumber: snap.blockNumber });
    }
    if (this.deps.dryRun) {
      metrics.actionsTotal.inc({ action, result: "dry_run" });
      log.info({ event: "dry-run", action, gasEstimate: sim.gasEstimate.toString(), gasLimit: sim.gasLimit.toString() }, `dry run: ${action} simulated ok, not sent`);
      return this.#done({ kind: "simulated", action, blockNumber: snap.blockNumber });
    }
    const ageMs = this.#now() - snap.readAtMs;
    if (ageMs > params.maxSnapshotAgeMs) {
      metrics.standStillTotal.inc({ reason: "snapshot-too-old" });
      log.warn({ event: "cycle.stand-still", reason: "snapshot-too-old", detail: `${ageMs} ms after the read, before sending` }, "standing still: snapshot-too-old");
      return this.#done({ kind: "stand-still", reason: "snapshot-too-old", detail: `${ageMs} ms`, blockNumber: snap.blockNumber });
    }
    let sent: { hash: string; nonce: number } | null = null;
    try {
      const out = await sender.send(req, sim, (tx) => {
        sent = tx;
        metrics.actionsTotal.inc({ action, result: "sent" });
        log.info({ event: "tx.sent", action, txHash: tx.hash, nonce: tx.nonce, gasLimit: sim.gasLimit.toString(), maxFeePerGasWei: d.maxFeePerGasWei.toString(), maxPriorityFeePerGasWei: d.maxPriorityFeePerGasWei.toString() }, `sent ${action}`);
      });
      metrics.actionsTotal.inc({ action, result: "confirmed" });
      this.#spent(gasCostWad(out.gasUsed, out.effectiveGasPriceWei, d.nativeUsdWad));
      log.info({ event: "tx.confirmed", action, txHash: out.hash, nonce: out.nonce, minedIn: out.blockNumber, snapshotBlock: snap.blockNumber, gasUsed: out.gasUsed.toString(), effectiveGasPriceWei: out.effectiveGasPriceWei.toString() }, `${action} confirmed in block ${out.blockNumber}`);
      return this.#done({ kind: "sent", action, hash: out.hash, nonce: out.nonce, minedIn: out.blockNumber, blockNumber: snap.blockNumber });
    } catch (err) {
      const hash = err instanceof TxFailedError ? err.hash : (sent as { hash: string } | null)?.hash ?? "";
      const nonce = err instanceof TxFailedError ? err.nonce : (sent as { nonce: number } | null)?.nonce ?? -1;
      metrics.actionsTotal.inc({ action, result: "failed" });
      // Sent but no receipt to read: count the estimate, so a failing transaction still uses the budget.
      if (hash !== "") this.#spent(d.gasCostWad);
      const message = err instanceof KeeperError ? err.message : (err as Error).message?.split("\n")[0];
      log.error({ event: "tx.failed", action, txHash: hash, nonce, error: message }, `${action} failed: ${message}`);
      return this.#done({ kind: "tx-failed", action, hash, nonce, error: message, blockNumber: snap.blockNumber });
    }
  }
}
