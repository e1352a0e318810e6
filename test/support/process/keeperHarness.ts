/**
 * A minimal keeper loop over the resilience layer, for the in-process fault tests of the library
 * (the process-level tests run the real daemon): RPC pool → PoolProvider → MarketOperator.preview() → TxManager.submit() of the real
 * expandSupply / contractSupply call. The decision is the contract's own preview, so the tests
 * exercise transactions, not policy.
 */
import { Wallet } from "ethers";
import { Registry } from "prom-client";
import {
  PoolProvider,
  RpcPool,
  registerRpcMetrics,
  silentLogger,
  type KeeperLogger,
  type RpcPoolOptions,
} from "../../../keeper/src/rpc";
import {
  ChainClient,
  Journal,
  TxManager,
  createTxMetrics,
  type ActionOutcome,
  type TxManagerOptions,
  type TxMetrics,
} from "../../../keeper/src/tx";
// Factories imported one by one: the typechain index loads every contract's bytecode, which costs
// seconds at each keeper process start.
import type { MarketOperator } from "../../../typechain-types/contracts/MarketOperator";
import { MarketOperator__factory } from "../../../typechain-types/factories/contracts/MarketOperator__factory";

export const TEST_TX_OPTIONS = {
  confirmations: 1,
  pollMs: 100,
  replaceAfterBlocks: 2,
  replaceAfterMs: 60_000,
  fees: { bumpBps: 1_250, maxFeePerGasCapWei: 500_000_000_000n, minPriorityFeeWei: 1_000_000_000n },
  gasLimitBufferBps: 2_000,
  balanceWarnWei: 10n ** 18n,
  balanceFloorWei: 10n ** 17n,
} satisfies Partial<TxManagerOptions>;

export const TEST_RPC_OPTIONS: Partial<RpcPoolOptions> = { timeoutMs: 3_000, baseBackoffMs: 200, maxBackoffMs: 2_000 };

/**
 * Gas limit for the operator calls. Hardhat's eth_estimateGas takes 1-2 s per call here (a binary
 * search over full executions); a fixed limit keeps the fault tests fast. expandSupply and
 * contractSupply use about 410k gas.
 */
export const OPERATION_GAS_LIMIT = 700_000n;

export interface HarnessOptions {
  urls: string[];
  privateKey: string;
  journalPath: string;
  operatorAddress: string;
  tx?: Partial<TxManagerOptions>;
  rpc?: Partial<RpcPoolOptions>;
  logger?: KeeperLogger;
}

export type CycleResult =
  | ActionOutcome
  | { status: "idle"; blocker: number }
  | { status: "recovered"; outcomes: ActionOutcome[] };

export class KeeperHarness {
  private constructor(
    readonly pool: RpcPool,
    readonly provider: PoolProvider,
    readonly journal: Journal,
    readonly manager: TxManager,
    readonly operator: MarketOperator,
    readonly registry: Registry,
    readonly metrics: TxMetrics,
  ) {}

  static async start(o: HarnessOptions): Promise<KeeperHarness> {
    const logger = o.logger ?? silentLogger;
    const pool = new RpcPool(o.urls, { ...TEST_RPC_OPTIONS, ...o.rpc, logger });
    const chain = new ChainClient(pool);
    const chainId = await chain.chainId();
    const provider = new PoolProvider(pool, chainId);
    const registry = new Registry();
    registerRpcMetrics(registry, pool);
    const metrics = createTxMetrics(registry);
    const journal = Journal.open(o.journalPath);
    const signer = new Wallet(o.privateKey);
    const manager = new TxManager({
      ...TEST_TX_OPTIONS,
      ...o.tx,
      chain,
      signer,
      chainId,
      journal,
      logger,
      metrics,
    });
    const operator = MarketOperator__factory.connect(o.operatorAddress, provider);
    return new KeeperHarness(pool, provider, journal, manager, operator, registry, metrics);
  }

  /** One keeper cycle: settle leftovers, or read preview() and act on it. */
  async cycle(): Promise<CycleResult> {
    if (this.manager.pending().length > 0) return { status: "recovered", outcomes: await this.manager.recover() };
    const p = await this.operator.preview();
    if (p.action !== 1n && p.action !== 2n) return { status: "idle", blocker: Number(p.blocker) };
    const minOut = (p.expectedOut * 99n) / 100n;
    const to = await this.operator.getAddress();
    if (p.action === 1n) {
      return this.manager.submit({
        key: "Expand",
        to,
        data: this.operator.interface.encodeFunctionData("expandSupply", [p.amount, minOut]),
        gasLimit: OPERATION_GAS_LIMIT,
      });
    }
    return this.manager.submit({
      key: "Contract",
      to,
      data: this.operator.interface.encodeFunctionData("contractSupply", [p.amount, minOut]),
      gasLimit: OPERATION_GAS_LIMIT,
    });
  }

  /** Cycles until `done(result)` or the deadline. */
  async runUntil(done: (r: CycleResult) => boolean, timeoutMs: number, pauseMs = 100): Promise<CycleResult[]> {
    const results: CycleResult[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const r = await this.cycle();
        results.push(r);
        if (done(r)) return results;
      } catch (error) {
        results.push({ status: "halted", reason: `cycle failed: ${(error as Error).message}` });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    throw new Error(
      `keeper harness: condition not reached in ${timeoutMs} ms; results: ${JSON.stringify(results.slice(-5), (_k, v) =>
        typeof v === "bigint" ? v.toString() : v,
      )}`,
    );
  }

  async metric(name: string): Promise<number | undefined> {
    const m = await this.registry.getSingleMetric(name)?.get();
    return m?.values.reduce((sum, v) => sum + v.value, 0);
  }

  close(): void {
    this.manager.stop();
    this.provider.destroy();
    this.journal.close();
  }
}

/** A logger that keeps every entry, for asserting what the keeper said. */
export class CapturingLogger implements KeeperLogger {
  readonly entries: Array<{ level: string; fields: object; message: string }> = [];
  debug(fields: object, message: string): void {
    this.entries.push({ level: "debug", fields, message });
  }
  info(fields: object, message: string): void {
    this.entries.push({ level: "info", fields, message });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: "warn", fields, message });
  }
  error(fields: object, message: string): void {
    this.entries.push({ level: "error", fields, message });
  }
  said(pattern: RegExp): boolean {
    return this.entries.some((e) => pattern.test(e.message) || pattern.test(JSON.stringify(e.fields)));
  }
}
