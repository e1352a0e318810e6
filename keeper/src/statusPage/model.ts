/**
 * The status page's state: accumulates the keeper's per-cycle snapshots, decisions and operation
 * outcomes into one view (the JSON the page renders), with a bounded price history and a bounded
 * list of recent operations. Pure: no ethers, no I/O, no clock (callers pass times). Subscribers
 * hear about every change so the HTTP layer can push it to open pages.
 */
import { Action, BPS, actionName, deviationBps, expansionRoom, type Decision, type OperatorState, type Snapshot } from "../policy";
import { groupThousands, toDecimal, wadToDecimal, wadToNumber } from "./format";
import type { CapsView, OperationResult, OperationView, PricePoint, ReserveAssetView, StatusView } from "./types";

/** Per-asset facts the snapshot does not carry, read at the snapshot's block (see reserveReader). */
export interface ReserveAssetDetail {
  asset: string;
  /** Reserve.accountedAmount(asset), the asset's units. */
  amount: bigint;
  decimals: number;
  haircutBps: bigint;
  /** PriceOracle.priceInfo(asset): 0 ok, 1 degraded (last good price), 2 invalid; and since when it is degraded (unix s, 0 otherwise). Absent when not read. */
  priceStatus?: number;
  staleSinceSec?: bigint;
}

export interface ReserveDetail {
  blockNumber: number;
  assets: ReserveAssetDetail[];
  mintingPaused: boolean;
  redemptionsPaused: boolean;
}

export interface CycleObservation {
  snapshot: Snapshot;
  /** Null when the extra reserve read failed; the page then shows prices without amounts. */
  reserve: ReserveDetail | null;
  decision: Decision | null;
  /** Wall clock when the cycle finished, ms. */
  atMs: number;
}

export interface OperationObservation {
  atMs: number;
  block: number | null;
  action: Action.Expand | Action.Contract | Action.Rebalance;
  /** Tokens sold (expand) or quote spent (contract), raw units; 0 for rebalance. */
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

/** Seconds left until `end` at `now` (0 once passed), as a number (bounded by uint values the contract accepts). */
const secondsLeft = (end: bigint, now: bigint): number => (end > now ? Number(end - now) : 0);

export function capsOf(s: OperatorState): CapsView {
  const epochOver = s.timestamp >= s.epoch.startedAt + s.limits.epochSec;
  const contracted = epochOver ? 0n : s.epoch.contracted;
  const contractionLeft = contracted >= s.limits.maxContractionPerEpoch ? 0n : s.limits.maxContractionPerEpoch - contracted;
  return {
    maxExpansionPerOp: toDecimal(s.limits.maxExpansionPerOp, s.tokenDecimals, 2),
    expansionLeftThisEpoch: toDecimal(expansionRoom(s), s.tokenDecimals, 2),
    maxContractionPerOp: wadToDecimal(s.limits.maxContractionPerOp, 2),
    contractionLeftThisEpoch: wadToDecimal(contractionLeft, 2),
    cooldownSec: Number(s.limits.cooldownSec),
    cooldownLeftSec: s.lastOperationAt === 0n ? 0 : secondsLeft(s.lastOperationAt + s.limits.cooldownSec, s.timestamp),
    epochSec: Number(s.limits.epochSec),
    epochEndsInSec: epochOver ? Number(s.limits.epochSec) : secondsLeft(s.epoch.startedAt + s.limits.epochSec, s.timestamp),
  };
}

export function reserveOf(snap: Snapshot, detail: ReserveDetail | null): ReserveAssetView[] {
  const byAsset = new Map((detail?.assets ?? []).map((a) => [a.asset.toLowerCase(), a]));
  return snap.feeds.map((f) => {
    const d = byAsset.get(f.asset.toLowerCase());
    const priced = f.valid && f.priceWad > 0n;
    // Reserve.reserveValue(): amount × price / unit, then × (1 − haircut), each rounded down.
    const valueWad = d && priced ? (((d.amount * f.priceWad) / 10n ** BigInt(d.decimals)) * (BPS - d.haircutBps)) / BPS : null;
    return {
      symbol: f.symbol,
      address: f.asset,
      amount: d ? toDecimal(d.amount, d.decimals, 6) : null,
      priceUsd: priced ? wadToDecimal(f.priceWad, 6) : null,
      haircutBps: d ? Number(d.haircutBps) : null,
      valueUsd: valueWad === null ? null : wadToDecimal(valueWad, 2),
      valueUsdNumber: valueWad === null ? null : wadToNumber(valueWad),
      feedValid: f.valid,
      degradedSince: d?.priceStatus === 1 && d.staleSinceSec !== undefined ? Number(d.staleSinceSec) : null,
      feedAgeSec: secondsLeft(snap.blockTimestamp, f.updatedAt),
      feedMaxAgeSec: Number(f.maxAgeSec),
    };
  });
}

function decisionSummary(d: Decision): NonNullable<StatusView["keeper"]["lastDecision"]> {
  if (d.kind === "act") return { kind: "act", summary: actionName(d.action), detail: `amount ${d.amount}, min out ${d.minOut}` };
  return { kind: "stand-still", summary: d.reason, detail: d.detail };
}

export class StatusModel {
  readonly #opts: Required<StatusModelOptions>;
  readonly #listeners = new Set<StatusListener>();
  #last: CycleObservation | null = null;
  #history: PricePoint[] = [];
  #operations: OperationView[] = [];
  #cycles = 0;
  #failedCycles = 0;
  #rpc: StatusView["keeper"]["rpc"] = { ok: true, error: null, sinceMs: null };
  #lastDecision: StatusView["keeper"]["lastDecision"] = null;
  #reserve: ReserveDetail | null = null;
  #version = 0;

  constructor(options: StatusModelOptions) {
    if (!options.tokenSymbol) throw new RangeError("StatusModel: tokenSymbol is required");
    if (!options.quoteSymbol) throw new RangeError("StatusModel: quoteSymbol is required");
    if (!Number.isInteger(options.quoteDecimals) || options.quoteDecimals < 0) throw new RangeError(`StatusModel: quoteDecimals must be a non-negative integer, got ${options.quoteDecimals}`);
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

  /** A finished keeper cycle: its snapshot, the extra reserve read and what the policy decided. */
  observeCycle(obs: CycleObservation): void {
    const snap = obs.snapshot;
    if (this.#last && snap.blockNumber < this.#last.snapshot.blockNumber) {
      // A lagging RPC endpoint answered with an older block: keep the newer view, count the cycle.
      this.#cycles += 1;
      this.#rpcOk(obs.atMs);
      this.#emit(obs.atMs);
      return;
    }
    this.#last = obs;
    this.#cycles += 1;
    // Amounts are only shown beside the prices of the same block; a failed extra read shows none.
    this.#reserve = obs.reserve && obs.reserve.blockNumber === snap.blockNumber ? obs.reserve : null;
    if (obs.decision) this.#lastDecision = decisionSummary(obs.decision);
    this.#rpcOk(obs.atMs);
    const s = snap.operator;
    if (s.marketOk) {
      const point: PricePoint = {
        block: snap.blockNumber,
        timeSec: Number(snap.blockTimestamp),
        spotUsd: wadToNumber(s.spotWad),
        twapUsd: wadToNumber(s.twapWad),
        deviationBps: Number(deviationBps(s.spotWad)),
      };
      const tail = this.#history[this.#history.length - 1];
      // One point per block: a second cycle on the same block replaces the first.
      if (tail && tail.block === point.block) this.#history[this.#history.length - 1] = point;
      else this.#history.push(point);
      if (this.#history.length > this.#opts.historyLength) this.#history.splice(0, this.#history.length - this.#opts.historyLength);
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
    const tokenDecimals = this.#last?.snapshot.operator.tokenDecimals ?? 18;
    let size: string;
    if (op.action === Action.Expand) size = `${groupThousands(toDecimal(op.amount, tokenDecimals, 4))} ${this.#opts.tokenSymbol} sold`;
    else if (op.action === Action.Contract) size = `${groupThousands(toDecimal(op.amount, this.#opts.quoteDecimals, 4))} ${this.#opts.quoteSymbol} spent`;
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
    const last = this.#last;
    const snap = last?.snapshot;
    const s = snap?.operator;
    return {
      network: this.#opts.network,
      chainId: this.#opts.chainId,
      generatedAtMs: nowMs,
      ready: last !== null,
      block: snap?.blockNumber ?? null,
      blockTimeSec: snap ? Number(snap.blockTimestamp) : null,
      pegUsd: "1",
      bandBps: s ? Number(s.bandBps) : null,
      spotUsd: s?.marketOk ? wadToDecimal(s.spotWad, 6) : null,
      twapUsd: s?.marketOk ? wadToDecimal(s.twapWad, 6) : null,
      deviationBps: s?.marketOk ? Number(deviationBps(s.spotWad)) : null,
      marketOk: s?.marketOk ?? false,
      supply: s ? toDecimal(s.supply, s.tokenDecimals, 2) : null,
      reserveValueUsd: s?.backingOk ? wadToDecimal(s.reserveValueWad, 2) : null,
      collateralRatio: snap?.collateralRatioWad != null && snap.collateralRatioWad < 2n ** 255n ? wadToDecimal(snap.collateralRatioWad, 4) : null,
      targetRatio: s ? wadToDecimal(s.targetRatioWad, 4) : null,
      pool: s && !s.v3 ? { token: toDecimal(s.reserveToken, s.tokenDecimals, 2), quote: toDecimal(s.reserveQuote, s.quoteDecimals, 2) } : null,
      reserve: snap ? reserveOf(snap, this.#reserve) : [],
      caps: s ? capsOf(s) : null,
      paused: {
        operations: s?.paused ?? false,
        minting: this.#reserve?.mintingPaused ?? null,
        redemptions: this.#reserve?.redemptionsPaused ?? null,
      },
      history: [...this.#history],
      operations: [...this.#operations],
      keeper: {
        lastCycleAtMs: last?.atMs ?? null,
        lastCycleBlock: snap?.blockNumber ?? null,
        cycles: this.#cycles,
        failedCycles: this.#failedCycles,
        balance: snap?.keeperBalanceWei != null ? wadToDecimal(snap.keeperBalanceWei, 4) : null,
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
