/**
 * The keeper's transaction manager: one action at a time, from simulation to a confirmed (or
 * provably abandoned) transaction, with every step written to the journal before its side
 * effect.
 *
 * Rules it keeps (issue "keeper resilience"):
 * - Nonces come from the chain's pending count, taken under the manager's lock, never from a
 *   local counter (ethers' NonceManager advances on failed sends and jams).
 * - A signed transaction is only ever re-broadcast as the same bytes. A new signature at the
 *   same nonce is made only for a fee bump or a cancel, so at most one of them can execute.
 * - "already known", "nonce too low", "replacement underpriced": the transaction may be in;
 *   the manager reconciles by hash and receipt and never signs a second action for it.
 * - Done means mined and `confirmations` deep on the canonical chain. If a reorg removes it, the
 *   condition is re-checked (by simulating the same call) before it may execute again.
 * - A stuck transaction is replaced with bumped fees up to a cap; at the cap the manager
 *   alerts and, when the call would no longer succeed, cancels with a zero-value self-transfer.
 * - A nonce gap below one of its transactions is filled with zero-value self-transfers.
 */
import { formatEther, keccak256, type TransactionLike } from "ethers";
import { AllEndpointsDownError, RpcAnswerError } from "../rpc/errors";
import { silentLogger, type KeeperLogger } from "../rpc/logger";
import type { ChainClient, Receipt } from "./chain";
import { TxConfigError } from "./errors";
import { gasLimitWithBuffer } from "./gasLimit";
import { bumpFees, cancelFees, initialFees, validateFeePolicy, type FeePolicy, type Fees } from "./fees";
import type { ActionRecord, AttemptRecord, Journal } from "./journal";
import type { TxMetrics } from "./metrics";
import { isRevert, revertReason } from "../chain/revert";
import { classifyBroadcastError } from "./sendErrors";

/** What the keeper wants done: one contract call, named by the condition it answers. */
export interface ActionRequest {
  /** The condition, e.g. "Expand": appears in logs, journal and status. */
  key: string;
  to: string;
  data: string;
  value?: bigint;
  /** Optional fixed gas limit; otherwise estimated plus `gasLimitBufferBps`. */
  gasLimit?: bigint;
  /** Fees the caller priced for the first attempt (clamped to the cap); otherwise from the latest block. */
  fees?: Fees;
  /** This action's own fee cap, wei (e.g. scaled by the deviation it corrects): its first attempt and
   * every bump stay under it and under the manager's cap. Held in memory only: an action adopted
   * from the journal after a restart is bumped up to the manager's cap. */
  feeCapWei?: bigint;
  /** Called once, when the first transaction for this action has been handed to a node. */
  onBroadcast?: (tx: { hash: string; nonce: number }) => void;
}

export type ActionOutcome =
  | {
      status: "confirmed" | "reverted";
      actionId: number;
      hash: string;
      nonce: number;
      blockNumber: number;
      gasUsed: bigint;
      effectiveGasPriceWei: bigint;
    }
  | { status: "cancelled"; actionId: number; hash: string; nonce: number }
  /** Abandoned without executing: no longer needed, or its nonce was used by another transaction. */
  | { status: "dropped"; actionId: number; reason: string }
  /** The simulation reverted: nothing was signed. `reason` names the contract's error. */
  | { status: "rejected"; reason: string }
  /** Balance below the floor (or funds insufficient): nothing sent. */
  | { status: "halted"; reason: string; actionId?: number }
  /** stop() was called; the journal holds the action for the next start. */
  | { status: "interrupted"; actionId?: number };

export interface TxSigner {
  readonly address: string;
  signTransaction(tx: TransactionLike<string>): Promise<string>;
}

export interface TxManagerOptions {
  chain: ChainClient;
  signer: TxSigner;
  chainId: bigint;
  journal: Journal;
  logger?: KeeperLogger;
  metrics?: TxMetrics;
  /** Blocks on top of (and including) the one that mined the action before it counts as done. */
  confirmations: number;
  pollMs: number;
  /** A transaction is stuck when not mined this many blocks, or this many ms, after its last broadcast. */
  replaceAfterBlocks: number;
  replaceAfterMs: number;
  fees: FeePolicy;
  /** Added to the gas estimate, bps. */
  gasLimitBufferBps: number;
  balanceWarnWei: bigint;
  balanceFloorWei: bigint;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const CANCEL_GAS = 21_000n;
/** Polls to wait before re-broadcasting (same bytes) a transaction no node accepted yet. */
const UNSENT_RETRY_POLLS = 10;

function clampFees(fees: Fees, capWei: bigint): Fees {
  const maxFeePerGas = fees.maxFeePerGas < capWei ? fees.maxFeePerGas : capWei;
  return {
    maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas < maxFeePerGas ? fees.maxPriorityFeePerGas : maxFeePerGas,
  };
}

export class TxManager {
  private readonly o: TxManagerOptions;
  private readonly log: KeeperLogger;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly sender: string;
  private lock: Promise<unknown> = Promise.resolve();
  /** Per-action fee caps (ActionRequest.feeCapWei) of actions submitted by this process. */
  private readonly actionCaps = new Map<number, bigint>();
  private stopping = false;

  constructor(options: TxManagerOptions) {
    validateFeePolicy(options.fees);
    const positive: Array<[string, number]> = [
      ["confirmations", options.confirmations],
      ["pollMs", options.pollMs],
      ["replaceAfterBlocks", options.replaceAfterBlocks],
      ["replaceAfterMs", options.replaceAfterMs],
    ];
    for (const [field, value] of positive) {
      if (!Number.isInteger(value) || value < 1)
        throw new TxConfigError(`tx.${field} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(options.gasLimitBufferBps) || options.gasLimitBufferBps < 0) {
      throw new TxConfigError(`tx.gasLimitBufferBps must be a non-negative integer, got ${options.gasLimitBufferBps}`);
    }
    if (options.balanceFloorWei < 0n || options.balanceWarnWei < options.balanceFloorWei) {
      throw new TxConfigError(
        `tx.balanceWarnWei (${options.balanceWarnWei}) must be at least tx.balanceFloorWei (${options.balanceFloorWei}) and both non-negative`,
      );
    }
    this.o = options;
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.sender = options.signer.address;
  }

  get address(): string {
    return this.sender;
  }

  /** Asks the manager to return at the next safe point; the journal keeps what is in flight. */
  stop(): void {
    this.stopping = true;
  }

  /** The fee policy under an action's own cap (never above the manager's). */
  private capped(actionCapWei: bigint | undefined): FeePolicy {
    const cap = this.o.fees.maxFeePerGasCapWei;
    return actionCapWei === undefined || actionCapWei >= cap
      ? this.o.fees
      : { ...this.o.fees, maxFeePerGasCapWei: actionCapWei };
  }

  /** Actions left unresolved in the journal (by a crash or a stop), for status and tests. */
  pending(): ActionRecord[] {
    return this.o.journal.unresolved(this.sender, this.o.chainId);
  }

  /**
   * Settles every action the journal left unresolved: adopts what the chain or the pool has,
   * re-checks and re-broadcasts (same bytes) or drops what it never saw, cancels what is no
   * longer valid, and fills nonce gaps. Run at start, before any new action.
   */
  async recover(): Promise<ActionOutcome[]> {
    return this.exclusive(() => this.recoverUnlocked());
  }

  /**
   * Simulates, signs, journals, broadcasts and follows one action until it is confirmed,
   * reverted, cancelled or dropped. Leftovers from a previous run are settled first.
   */
  async submit(request: ActionRequest): Promise<ActionOutcome> {
    return this.exclusive(async () => {
      const leftovers = await this.recoverUnlocked();
      const interrupted = leftovers.find((r) => r.status === "interrupted" || r.status === "halted");
      if (interrupted) return interrupted;
      if (this.stopping) return { status: "interrupted" };
      return this.submitUnlocked(request);
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async recoverUnlocked(): Promise<ActionOutcome[]> {
    const outcomes: ActionOutcome[] = [];
    for (const action of this.pending()) {
      this.log.info(
        { actionId: action.id, condition: action.key, status: action.status, nonce: action.nonce },
        "reconciling journal leftover",
      );
      outcomes.push(await this.settle(action, true));
      if (this.stopping) break;
    }
    return outcomes;
  }

  private async submitUnlocked(request: ActionRequest): Promise<ActionOutcome> {
    const { chain, journal, chainId } = this.o;
    const halted = await this.checkBalance();
    if (halted) return this.outcome({ status: "halted", reason: halted });

    const call = { from: this.sender, to: request.to, data: request.data, value: request.value ?? 0n };
    try {
      await chain.call(call, "latest");
    } catch (error) {
      if (!isRevert(error)) throw error;
      const reason = revertReason(error);
      this.log.warn({ condition: request.key, reason }, "simulation reverted; nothing sent");
      return this.outcome({ status: "rejected", reason });
    }
    const gasLimit = request.gasLimit ?? gasLimitWithBuffer(await chain.estimateGas(call), this.o.gasLimitBufferBps);
    if (request.feeCapWei !== undefined && request.feeCapWei <= 0n)
      throw new TxConfigError(`feeCapWei must be positive, got ${request.feeCapWei}`);
    const policy = this.capped(request.feeCapWei);
    const fees = request.fees
      ? clampFees(request.fees, policy.maxFeePerGasCapWei)
      : initialFees(await chain.latestBaseFee(), await chain.suggestedTip(), policy);

    const actionId = journal.prepare({
      key: request.key,
      kind: "action",
      sender: this.sender,
      chainId,
      to: request.to,
      data: request.data,
      value: call.value,
      gasLimit,
    });
    if (request.feeCapWei !== undefined) this.actionCaps.set(actionId, policy.maxFeePerGasCapWei);
    const nonce = await chain.nonce(this.sender, "pending");
    const attempt = await this.signAndRecord(journal.action(actionId), "action", nonce, fees);
    this.log.info(
      {
        actionId,
        condition: request.key,
        nonce,
        hash: attempt.hash,
        gasLimit: String(gasLimit),
        maxFeePerGas: String(fees.maxFeePerGas),
      },
      "action signed",
    );

    // Last look before the transaction leaves: against the pending state, so a competing keeper's
    // transaction already in the pool makes ours unnecessary before anyone pays for it.
    try {
      await chain.call(call, "pending");
    } catch (error) {
      if (isRevert(error)) {
        const reason = revertReason(error);
        journal.setAttemptStatus(attempt.hash, "dropped");
        journal.setActionStatus(actionId, "dropped", `not broadcast: pending state reverts with ${reason}`);
        this.log.warn(
          { actionId, condition: request.key, reason },
          "condition gone before broadcast; dropped the signed transaction unsent",
        );
        return this.outcome({ status: "dropped", actionId, reason });
      }
      this.log.debug({ actionId, err: String(error) }, "pending-state check unavailable; broadcasting");
    }
    const halt = await this.broadcast(journal.action(actionId), attempt, "action");
    if (halt) return halt;
    request.onBroadcast?.({ hash: attempt.hash, nonce });
    return this.settle(journal.action(actionId), false);
  }

  /** Follows one action to a final state. `adopted`: left by an earlier run, check everything first. */
  private async settle(start: ActionRecord, adopted: boolean): Promise<ActionOutcome> {
    const { journal, chain } = this.o;
    const id = start.id;
    if (journal.attempts(id).length === 0) {
      journal.setActionStatus(id, "dropped", "nothing was signed before the process stopped");
      return this.outcome({ status: "dropped", actionId: id, reason: "nothing was signed" });
    }
    let lastSendMs = this.now();
    let lastSendBlock = await this.retrying(() => chain.blockNumber());
    let recheck = adopted;
    let capAlerted = false;
    this.o.metrics?.inFlight.set(1);

    for (;;) {
      try {
        const action = journal.action(id);
        const attempts = journal.attempts(id);
        const nonce = attempts[0].nonce;
        const head = await chain.blockNumber();

        const mined = await this.findMined(attempts);
        if (mined) {
          const { attempt, receipt } = mined;
          if (attempt.status !== "mined" || attempt.blockHash !== receipt.blockHash) {
            journal.setAttemptStatus(attempt.hash, "mined", { number: receipt.blockNumber, hash: receipt.blockHash });
            journal.setActionStatus(id, "mined");
            this.log.info(
              { actionId: id, hash: attempt.hash, block: receipt.blockNumber, success: receipt.success },
              "transaction mined; waiting for confirmations",
            );
          }
          if (
            head >= receipt.blockNumber + this.o.confirmations - 1 &&
            (await chain.blockHash(receipt.blockNumber)) === receipt.blockHash
          ) {
            return this.finish(action, attempts, attempt, receipt);
          }
        } else {
          const vanished = attempts.find((a) => a.status === "mined");
          if (vanished) {
            // A reorg took the block: nothing of ours is mined now. Re-check before it may run again.
            this.o.metrics?.reorgs.inc();
            this.log.warn(
              { actionId: id, hash: vanished.hash, block: vanished.blockNumber },
              "mined transaction removed by a reorg; re-checking the condition",
            );
            for (const a of attempts)
              if (a.status === "mined" || a.status === "replaced") journal.setAttemptStatus(a.hash, "sent");
            journal.setActionStatus(id, "sent", "reorged out");
            recheck = true;
          }
          const latestNonce = await chain.nonce(this.sender, "latest");
          if (latestNonce > nonce) {
            if (await this.findMined(journal.attempts(id))) continue; // mined between the two reads
            for (const a of attempts) journal.setAttemptStatus(a.hash, "dropped");
            const reason = `nonce ${nonce} was used by a transaction not in the journal`;
            journal.setActionStatus(id, "dropped", reason);
            this.log.warn({ actionId: id, nonce }, `${reason}; the condition will be re-checked`);
            return this.outcome({ status: "dropped", actionId: id, reason });
          }
          if (this.stopping) return this.outcome({ status: "interrupted", actionId: id });

          await this.fillGapBelow(nonce);
          const stuck =
            head - lastSendBlock >= this.o.replaceAfterBlocks || this.now() - lastSendMs >= this.o.replaceAfterMs;
          // A broadcast that reached no node (every endpoint down) is retried soon, not only when stuck.
          const unsent =
            attempts[attempts.length - 1].status === "signed" &&
            this.now() - lastSendMs >= this.o.pollMs * UNSENT_RETRY_POLLS;
          if (recheck || stuck || unsent) {
            const step = await this.unstick(action, attempts, stuck, capAlerted);
            recheck = false;
            capAlerted = step.capAlerted;
            if (step.outcome) return step.outcome;
            if (step.sent) {
              lastSendMs = this.now();
              lastSendBlock = head;
            }
          }
        }
        if (this.stopping) return this.outcome({ status: "interrupted", actionId: id });
      } catch (error) {
        if (!(error instanceof AllEndpointsDownError || error instanceof RpcAnswerError)) throw error;
        this.log.warn(
          { actionId: id, err: error.message },
          "chain unreachable while following a transaction; retrying",
        );
        if (this.stopping) return this.outcome({ status: "interrupted", actionId: id });
      }
      await this.sleep(this.o.pollMs);
    }
  }

  /**
   * One decision for an unmined transaction: re-broadcast the same bytes if the pool lost it,
   * bump fees if stuck, cancel if no longer valid, drop if never seen and no longer valid.
   */
  private async unstick(
    action: ActionRecord,
    attempts: AttemptRecord[],
    stuck: boolean,
    capAlerted: boolean,
  ): Promise<{ sent: boolean; capAlerted: boolean; outcome?: ActionOutcome }> {
    const { chain, journal } = this.o;
    const newest = attempts[attempts.length - 1];
    const inPool = await this.anyKnown(attempts);
    const cancelling = newest.kind === "cancel";
    const valid = cancelling || action.kind === "filler" ? true : await this.stillValid(action);

    if (valid !== true) {
      // The re-check may run on a state in which this very transaction was just mined (its own effect,
      // e.g. the cooldown, is what makes the action look invalid). Then the nonce has moved and the
      // next poll finds the receipt; a cancel would only be refused with "nonce too low".
      if ((await chain.nonce(this.sender, "latest")) > newest.nonce) {
        this.log.info(
          { actionId: action.id, nonce: newest.nonce, reason: valid },
          "nonce already used on chain; looking for the receipt instead of cancelling",
        );
        return { sent: false, capAlerted };
      }
      if (!inPool) {
        for (const a of attempts) journal.setAttemptStatus(a.hash, "dropped");
        journal.setActionStatus(action.id, "dropped", `no longer needed (${valid}); never reached the pool`);
        this.log.info(
          { actionId: action.id, reason: valid },
          "unsent transaction no longer needed; dropped without broadcasting",
        );
        return {
          sent: false,
          capAlerted,
          outcome: this.outcome({ status: "dropped", actionId: action.id, reason: valid }),
        };
      }
      const fees = cancelFees(newest, await chain.latestBaseFee(), this.o.fees);
      const cancel = await this.signAndRecord(action, "cancel", newest.nonce, fees);
      this.log.warn(
        { actionId: action.id, nonce: newest.nonce, reason: valid, hash: cancel.hash },
        "action no longer valid; cancelling with a zero-value self-transfer",
      );
      const halt = await this.broadcast(action, cancel, "cancel");
      return { sent: true, capAlerted, outcome: halt };
    }

    // Not in the pool and not yet due for a bump: the same bytes again. (A node that refused it
    // for its fee keeps refusing: once stuck, it gets a bumped replacement at the same nonce.)
    if (!inPool && !stuck) {
      this.log.info(
        { actionId: action.id, hash: newest.hash, nonce: newest.nonce },
        "transaction not in the pool; re-broadcasting the same bytes",
      );
      const halt = await this.broadcast(action, newest, "rebroadcast");
      return { sent: true, capAlerted, outcome: halt };
    }
    if (!stuck) return { sent: false, capAlerted };

    const base = await chain.latestBaseFee();
    const policy = this.capped(this.actionCaps.get(action.id));
    const bump = cancelling
      ? { atCap: false as const, fees: cancelFees(newest, base, policy) }
      : bumpFees(newest, base, await chain.suggestedTip(), policy);
    if (bump.atCap) {
      if (!capAlerted) {
        this.o.metrics?.feeCapReached.set(1);
        this.log.error(
          {
            actionId: action.id,
            nonce: newest.nonce,
            maxFeePerGas: String(newest.maxFeePerGas),
            capWei: String(policy.maxFeePerGasCapWei),
          },
          "fee cap reached; transaction still pending and still valid",
        );
      }
      await this.broadcast(action, newest, "rebroadcast");
      return { sent: true, capAlerted: true };
    }
    const replacement = await this.signAndRecord(action, newest.kind, newest.nonce, bump.fees);
    this.log.warn(
      {
        actionId: action.id,
        nonce: newest.nonce,
        hash: replacement.hash,
        maxFeePerGas: String(bump.fees.maxFeePerGas),
        previous: String(newest.maxFeePerGas),
      },
      "transaction stuck; replaced with a fee bump",
    );
    const halt = await this.broadcast(action, replacement, "replacement");
    return { sent: true, capAlerted, outcome: halt };
  }

  /** true when the action's call still succeeds at the latest block; otherwise the reason it reverts. */
  private async stillValid(action: ActionRecord): Promise<true | string> {
    try {
      await this.o.chain.call({ from: this.sender, to: action.to, data: action.data, value: action.value }, "latest");
      return true;
    } catch (error) {
      if (!isRevert(error)) throw error;
      return revertReason(error);
    }
  }

  /** Broadcasts a journaled attempt and reconciles the node's answer. Returns an outcome only to halt. */
  private async broadcast(
    action: ActionRecord,
    attempt: AttemptRecord,
    kind: string,
  ): Promise<ActionOutcome | undefined> {
    const { chain, journal } = this.o;
    const markSent = (): void => {
      journal.setAttemptStatus(attempt.hash, "sent");
      if (action.status === "prepared" || action.status === "signed") journal.setActionStatus(action.id, "sent");
    };
    try {
      await chain.broadcast(attempt.raw);
      markSent();
      this.o.metrics?.broadcasts.inc({ kind });
      return undefined;
    } catch (error) {
      if (error instanceof AllEndpointsDownError) {
        this.log.warn(
          { actionId: action.id, hash: attempt.hash, err: error.message },
          "broadcast failed on every endpoint; will re-broadcast the same bytes",
        );
        return undefined;
      }
      if (!(error instanceof RpcAnswerError)) throw error;
      const verdict = classifyBroadcastError(error);
      const fields = { actionId: action.id, hash: attempt.hash, nonce: attempt.nonce, verdict, answer: error.message };
      switch (verdict) {
        case "already-known":
          markSent();
          this.log.info(fields, "node already has this transaction; adopting it");
          return undefined;
        case "nonce-too-low":
        case "replacement-underpriced":
          // Maybe ours is already in (mined, or an earlier attempt pays more): the follow-up loop
          // reconciles by hash and receipt. Nothing new is signed for this action.
          this.log.info(fields, "transaction may already be in; reconciling by hash and receipt");
          return undefined;
        case "insufficient-funds":
          this.o.metrics?.sendingHalted.set(1);
          this.log.error(fields, "insufficient funds for the transaction; sending halted");
          return this.outcome({ status: "halted", reason: "insufficient funds", actionId: action.id });
        default:
          this.log.warn(fields, "node refused the transaction; it will be retried when due");
          return undefined;
      }
    }
  }

  private async signAndRecord(
    action: ActionRecord,
    kind: "action" | "cancel",
    nonce: number,
    fees: Fees,
  ): Promise<AttemptRecord> {
    const self = kind === "cancel" || action.kind === "filler";
    const raw = await this.o.signer.signTransaction({
      type: 2,
      chainId: this.o.chainId,
      nonce,
      to: self ? this.sender : action.to,
      data: self ? "0x" : action.data,
      value: self ? 0n : action.value,
      gasLimit: self ? CANCEL_GAS : action.gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    // Journaled (fsync'd) before it can leave the process.
    return this.o.journal.recordSigned(action.id, { kind, nonce, hash: keccak256(raw), raw, ...fees });
  }

  /**
   * Our transaction at `nonce` can only run once every lower nonce is used. If the pool's next
   * nonce is below it, fill the hole with zero-value self-transfers (each journaled as a filler).
   */
  private async fillGapBelow(nonce: number): Promise<void> {
    const { chain, journal, chainId } = this.o;
    const next = await chain.nonce(this.sender, "pending");
    if (next >= nonce) return;
    const fees = initialFees(await chain.latestBaseFee(), await chain.suggestedTip(), this.o.fees);
    for (let n = next; n < nonce; n++) {
      const fillerId = journal.prepare({
        key: `nonce-gap:${n}`,
        kind: "filler",
        sender: this.sender,
        chainId,
        to: this.sender,
        data: "0x",
        value: 0n,
        gasLimit: CANCEL_GAS,
      });
      const filler = journal.action(fillerId);
      const attempt = await this.signAndRecord(filler, "action", n, fees);
      this.log.warn(
        { nonce: n, below: nonce, hash: attempt.hash },
        "nonce gap; filling it with a zero-value self-transfer",
      );
      this.o.metrics?.nonceRepairs.inc();
      await this.broadcast(filler, attempt, "filler");
    }
  }

  private async finish(
    action: ActionRecord,
    attempts: AttemptRecord[],
    attempt: AttemptRecord,
    receipt: Receipt,
  ): Promise<ActionOutcome> {
    const { journal } = this.o;
    for (const other of attempts) if (other.hash !== attempt.hash) journal.setAttemptStatus(other.hash, "replaced");
    this.o.metrics?.feeCapReached.set(0);
    const base = { actionId: action.id, hash: attempt.hash, nonce: attempt.nonce };
    if (attempt.kind === "cancel") {
      journal.setActionStatus(action.id, "cancelled", "replaced by a zero-value self-transfer");
      this.log.warn({ ...base, condition: action.key }, "action cancelled");
      return this.outcome({ status: "cancelled", ...base });
    }
    const status = receipt.success ? "confirmed" : "reverted";
    journal.setActionStatus(action.id, status);
    const fields = {
      ...base,
      condition: action.key,
      block: receipt.blockNumber,
      gasUsed: String(receipt.gasUsed),
      confirmations: this.o.confirmations,
    };
    if (receipt.success) this.log.info(fields, "action confirmed");
    else this.log.error(fields, "action mined but reverted");
    return this.outcome({
      status,
      ...base,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      effectiveGasPriceWei: receipt.effectiveGasPrice,
    });
  }

  private async findMined(
    attempts: AttemptRecord[],
  ): Promise<{ attempt: AttemptRecord; receipt: Receipt } | undefined> {
    for (const attempt of [...attempts].reverse()) {
      const receipt = await this.o.chain.receipt(attempt.hash);
      if (receipt) return { attempt, receipt };
    }
    return undefined;
  }

  private async anyKnown(attempts: AttemptRecord[]): Promise<boolean> {
    for (const attempt of attempts) if (await this.o.chain.known(attempt.hash)) return true;
    return false;
  }

  /** Below the floor: the reason to halt. Below the warning level: a warning, and sending goes on. */
  private async checkBalance(): Promise<string | undefined> {
    const balance = await this.o.chain.balance(this.sender);
    const m = this.o.metrics;
    m?.balanceEth.set(Number(formatEther(balance)));
    const low = balance < this.o.balanceWarnWei;
    const halted = balance < this.o.balanceFloorWei;
    m?.balanceLow.set(low ? 1 : 0);
    m?.sendingHalted.set(halted ? 1 : 0);
    if (halted) {
      const reason = `balance ${formatEther(balance)} ETH is below the floor ${formatEther(
        this.o.balanceFloorWei,
      )} ETH`;
      this.log.error({ address: this.sender }, `${reason}; sending stopped`);
      return reason;
    }
    if (low)
      this.log.warn(
        { address: this.sender, balanceEth: formatEther(balance), warnEth: formatEther(this.o.balanceWarnWei) },
        "keeper balance low; top it up",
      );
    return undefined;
  }

  private outcome(outcome: ActionOutcome): ActionOutcome {
    this.o.metrics?.outcomes.inc({ outcome: outcome.status });
    if (outcome.status !== "interrupted" && "actionId" in outcome && outcome.actionId !== undefined)
      this.actionCaps.delete(outcome.actionId);
    if (outcome.status !== "interrupted") this.o.metrics?.inFlight.set(this.pending().length);
    return outcome;
  }

  private async retrying<T>(read: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof AllEndpointsDownError) || this.stopping) throw error;
        await this.sleep(this.o.pollMs);
      }
    }
  }
}
