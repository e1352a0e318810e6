/**
 * The status page's state: accumulates each cycle's status (the one model, status/model.ts, that
 * the CLI and `ballast:status` format too), the decisions and operation outcomes into one view
 * (the JSON the page renders), with a bounded price history and a bounded list of recent operations. Pure: no ethers, no I/O, no clock (callers pass times). Subscribers
 * hear about every change so the HTTP layer can push it to open pages.
 */
import { Action, actionName, type Decision, type Snapshot } from "../policy";
import { protocolStatus, type ProtocolStatus, type StatusDetail } from "../status/model";
import { groupThousands, toDecimal, wadToDecimal, wadToNumber } from "./format";
import type { CapsView, OperationResult, OperationView, PricePoint, ReserveAssetView, StatusView } from "./types";

export interface CycleObservation {
  snapshot: Snapshot;
  /** The status detail read at the snapshot's block (chain/statusReader); null when it failed: the page then shows prices without amounts. */
  detail: StatusDetail | null;
  decision: Decision | null;
  /** Wall clock when the cycle finished, ms. */
  atMs: number;
}

export interface OperationObservation {
  atMs: number;
  block: number | null;
  action: Action.Expand | Action.Contract | Action.Rebalance | Action.Refresh;
  /** Tokens sold (expand) or quote spent (contract), raw units; 0 for rebalance and refresh. */
  amount: bigint;
  txHash: string | null;
  gasUsed: bigint | null;
  result: OperationResult;
  detail: string | null;
}

export interface StatusModelOptions {
  network: string;
  chainId: number | null;
  tokenSymbol: string;
  quoteSymbol: string;
  /** Decimals of the quote asset, for operation sizes (the token's come from the snapshot). */
  quoteDecimals: number;
  dryRun: boolean;
  /** Price points kept (one per cycle). */
  historyLength?: number;
  /** Operations kept, newest first. */
  operationsLength?: number;
}

export type StatusListener = (view: StatusView) => void;

const DEFAULT_HISTORY = 240;
const DEFAULT_OPERATIONS = 20;

function positive(n: number | undefined, fallback: number, field: string): number {
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`StatusModel: ${field} must be a positive integer, got ${n}`);
  return n;
}

const big = (v: string): bigint => BigInt(v);
/** Ratios from 2^255 up are the reserve's "no supply" sentinel: shown as no ratio. */
const NO_SUPPLY_RATIO_WAD = 2n ** 255n;

function capsOf(st: ProtocolStatus): CapsView {
  const c = st.caps;
  return {
    maxExpansionPerOp: toDecimal(big(c.maxExpansionPerOp), st.tokenDecimals, 2),
    expansionLeftThisEpoch: toDecimal(big(c.expansionLeftInEpoch), st.tokenDecimals, 2),
    maxContractionPerOp: wadToDecimal(big(c.maxContractionPerOp), 2),
    contractionLeftThisEpoch: wadToDecimal(big(c.contractionLeftInEpoch), 2),
    cooldownSec: st.cooldowns.operationCooldownSec,
    cooldownLeftSec: st.cooldowns.operationReadyInSec,
    epochSec: c.epochSec,
    epochEndsInSec: c.epochEndsInSec,
  };
}

function reserveOf(st: ProtocolStatus): ReserveAssetView[] {
  return st.assets.map((a) => ({
    symbol: a.symbol,
    address: a.address,
    amount: a.amount === null || a.decimals === null ? null : toDecimal(big(a.amount), a.decimals, 6),
    priceUsd: a.price === null ? null : wadToDecimal(big(a.price), 6),
    haircutBps: a.haircutBps,
    valueUsd: a.value === null ? null : wadToDecimal(big(a.value), 2),
    valueUsdNumber: a.value === null ? null : wadToNumber(big(a.value)),
    feedValid: a.feed.valid,
    degradedSince: a.degradedSince,
    feedNote: a.priceNote,
    feedAgeSec: a.feed.ageSec,
    feedMaxAgeSec: a.feed.maxAgeSec,
  }));
}

function decisionSummary(d: Decision): NonNullable<StatusView["keeper"]["lastDecision"]> {
  if (d.kind === "act")
    return { kind: "act", summary: actionName(d.action), detail: `amount ${d.amount}, min out ${d.minOut}` };
  return { kind: "stand-still", summary: d.reason, detail: d.detail };
}

export class StatusModel {
  readonly #opts: Required<StatusModelOptions>;
  readonly #listeners = new Set<StatusListener>();
  /** The newest cycle's status (the one model) and when that cycle finished. */
  #last: { status: ProtocolStatus; atMs: number } | null = null;
  #history: PricePoint[] = [];
  #operations: OperationView[] = [];
  #cycles = 0;
  #failedCycles = 0;
  #rpc: StatusView["keeper"]["rpc"] = { ok: true, error: null, sinceMs: null };
  #lastDecision: StatusView["keeper"]["lastDecision"] = null;
  #version = 0;

  constructor(options: StatusModelOptions) {
    if (!options.tokenSymbol) throw new RangeError("StatusModel: tokenSymbol is required");
    if (!options.quoteSymbol) throw new RangeError("StatusModel: quoteSymbol is required");
    if (!Number.isInteger(options.quoteDecimals) || options.quoteDecimals < 0)
      throw new RangeError(`StatusModel: quoteDecimals must be a non-negative integer, got ${options.quoteDecimals}`);
    this.#opts = {
      ...options,
      historyLength: positive(options.historyLength, DEFAULT_HISTORY, "historyLength"),
      operationsLength: positive(options.operationsLength, DEFAULT_OPERATIONS, "operationsLength"),
    };
  }

  /** Counts changes: a client that saw version N waits for N + 1 (long polling). */
  get version(): number {
    return this.#version;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A finished keeper cycle: its snapshot, the status detail read at its block and what the policy decided. */
  observeCycle(obs: CycleObservation): void {
    const snap = obs.snapshot;
    this.#cycles += 1;
    this.#rpcOk(obs.atMs);
    // A lagging RPC endpoint answered with an older block: keep the newer view, count the cycle.
    if (this.#last && snap.blockNumber < this.#last.status.blockNumber) return this.#emit(obs.atMs);
    const status = protocolStatus(snap, obs.detail, { network: this.#opts.network, chainId: this.#opts.chainId });
    this.#last = { status, atMs: obs.atMs };
    if (obs.decision) this.#lastDecision = decisionSummary(obs.decision);
    if (status.marketOk && status.spotPrice !== null && status.twapPrice !== null) {
      const point: PricePoint = {
        block: status.blockNumber,
        timeSec: status.timestamp,
        spotUsd: wadToNumber(big(status.spotPrice)),
        twapUsd: wadToNumber(big(status.twapPrice)),
        deviationBps: status.deviationBps ?? 0,
      };
      const tail = this.#history[this.#history.length - 1];
      // One point per block: a second cycle on the same block replaces the first.
      if (tail && tail.block === point.block) this.#history[this.#history.length - 1] = point;
      else this.#history.push(point);
      if (this.#history.length > this.#opts.historyLength)
        this.#history.splice(0, this.#history.length - this.#opts.historyLength);
    }
    this.#emit(obs.atMs);
  }

  /** What the keeper's last cycle ended with (acted, stood still and why), from the loop's outcome. */
  observeDecision(decision: NonNullable<StatusView["keeper"]["lastDecision"]>, atMs: number): void {
    this.#lastDecision = { ...decision };
    this.#emit(atMs);
  }

  /** A cycle that failed before deciding (RPC down, snapshot read failed). */
  observeCycleFailure(error: string, atMs: number): void {
    this.#failedCycles += 1;
    if (this.#rpc.ok) this.#rpc = { ok: false, error, sinceMs: atMs };
    else this.#rpc = { ...this.#rpc, error };
    this.#emit(atMs);
  }

  /** An operation's outcome from the executor (confirmed, reverted, failed to send, or dry run). */
  observeOperation(op: OperationObservation): void {
    const tokenDecimals = this.#last?.status.tokenDecimals ?? 18;
    let size: string;
    if (op.action === Action.Expand)
      size = `${groupThousands(toDecimal(op.amount, tokenDecimals, 4))} ${this.#opts.tokenSymbol} sold`;
    else if (op.action === Action.Contract)
      size = `${groupThousands(toDecimal(op.amount, this.#opts.quoteDecimals, 4))} ${this.#opts.quoteSymbol} spent`;
    else size = "rebalance";
    this.#operations.unshift({
      atMs: op.atMs,
      block: op.block,
      action: actionName(op.action),
      size,
      txHash: op.txHash,
      gasUsed: op.gasUsed === null ? null : op.gasUsed.toString(),
      result: op.result,
      detail: op.detail,
    });
    if (this.#operations.length > this.#opts.operationsLength) this.#operations.length = this.#opts.operationsLength;
    this.#emit(op.atMs);
  }

  view(nowMs: number): StatusView {
    const st = this.#last?.status;
    const ratio = st?.collateralRatio == null ? null : big(st.collateralRatio);
    return {
      network: this.#opts.network,
      chainId: this.#opts.chainId,
      generatedAtMs: nowMs,
      ready: st !== undefined,
      block: st?.blockNumber ?? null,
      blockTimeSec: st?.timestamp ?? null,
      pegUsd: "1",
      bandBps: st?.bandBps ?? null,
      spotUsd: st?.spotPrice == null ? null : wadToDecimal(big(st.spotPrice), 6),
      twapUsd: st?.twapPrice == null ? null : wadToDecimal(big(st.twapPrice), 6),
      deviationBps: st?.deviationBps ?? null,
      marketOk: st?.marketOk ?? false,
      supply: st ? toDecimal(big(st.supply), st.tokenDecimals, 2) : null,
      reserveValueUsd: st?.reserveValue == null ? null : wadToDecimal(big(st.reserveValue), 2),
      collateralRatio: ratio !== null && ratio < NO_SUPPLY_RATIO_WAD ? wadToDecimal(ratio, 4) : null,
      targetRatio: st ? wadToDecimal(big(st.targetRatio), 4) : null,
      pool:
        st?.pool.venue === "v2"
          ? {
              token: toDecimal(big(st.pool.reserveToken), st.tokenDecimals, 2),
              quote: toDecimal(big(st.pool.reserveQuote), st.quoteDecimals, 2),
            }
          : null,
      venue: st ? st.pool : null,
      reserve: st ? reserveOf(st) : [],
      caps: st ? capsOf(st) : null,
      paused: {
        operations: st?.paused.operations ?? false,
        minting: st?.paused.minting ?? null,
        redemptions: st?.paused.redemptions ?? null,
      },
      warnings: st ? [...st.warnings] : [],
      history: [...this.#history],
      operations: [...this.#operations],
      keeper: {
        lastCycleAtMs: this.#last?.atMs ?? null,
        lastCycleBlock: st?.blockNumber ?? null,
        cycles: this.#cycles,
        failedCycles: this.#failedCycles,
        balance: st?.keeperBalance == null ? null : wadToDecimal(big(st.keeperBalance), 4),
        rpc: { ...this.#rpc },
        lastDecision: this.#lastDecision,
        dryRun: this.#opts.dryRun,
      },
    };
  }

  #rpcOk(atMs: number): void {
    if (!this.#rpc.ok || this.#rpc.sinceMs === null) this.#rpc = { ok: true, error: null, sinceMs: atMs };
  }

  #emit(nowMs: number): void {
    this.#version += 1;
    if (this.#listeners.size === 0) return;
    const view = this.view(nowMs);
    for (const l of this.#listeners) l(view);
  }
}
