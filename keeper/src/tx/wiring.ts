/**
 * Builds the resilience layer for the daemon's composition root (keeper/src/main.ts) on the
 * daemon's one RPC pool: the journal (of this chain, by genesis hash), the TxManager behind the
 * daemon's TxSender, and their metrics on the daemon's registry. One call, so main.ts stays a
 * list of parts.
 */
import type { Registry } from "prom-client";
import { RpcPool, registerRpcMetrics, type KeeperLogger, type PoolProvider } from "../rpc";
import { ChainClient } from "./chain";
import { Journal } from "./journal";
import type { GasLedger } from "../loop";
import { ManagedTxSender } from "./managedTxSender";
import { createTxMetrics } from "./metrics";
import type { TxSettings } from "./settings";
import { TxManager, type TxSigner } from "./txManager";

export interface ResilienceInputs {
  /** The daemon's one RPC pool (keeper/src/rpc) and the ethers provider over it. */
  pool: RpcPool;
  provider: PoolProvider;
  /** Sends signed transactions here instead of the read endpoints (a private-transaction relay). */
  privateTxUrl?: string;
  chainId: number | bigint;
  signer: TxSigner;
  operator: string;
  /** PriceOracle, for the keeper's observation writes. */
  oracle?: string;
  /** CollateralPolicy, for the keeper's refresh(). */
  policy?: string;
  confirmations: number;
  pollIntervalMs: number;
  /** The absolute fee cap (config gas.feeCap.maxGwei): replacements never bid above it. */
  maxFeePerGasWei: bigint;
  gasLimitBufferBps: number;
  settings: TxSettings;
  logger: KeeperLogger;
  registry: Registry;
}

export interface Resilience {
  pool: RpcPool;
  provider: PoolProvider;
  manager: TxManager;
  sender: ManagedTxSender;
  journalPath: string;
  /** The keeper's gas budget ledger, kept in the journal's database (survives restarts). */
  gasLedger: GasLedger;
  close(): void;
}

export async function createResilience(i: ResilienceInputs): Promise<Resilience> {
  const { pool, provider } = i;
  registerRpcMetrics(i.registry, pool);
  // A private relay takes the signed transactions (its chain id is checked like any endpoint's);
  // every read, receipts included, still goes through the pool.
  const relay =
    i.privateTxUrl === undefined ? null : new RpcPool([i.privateTxUrl], { logger: i.logger, chainId: i.chainId });
  const chain = new ChainClient(
    relay === null
      ? pool
      : { request: (method, params) => pool.request(method, params), broadcast: (raw) => relay.broadcast(raw) },
  );
  const genesisHash = await chain.blockHash(0);
  if (genesisHash === null)
    throw new Error("the node did not return its genesis block: the journal cannot tell which chain it is on");
  const journal = Journal.open(i.settings.journalPath, {
    genesisHash,
    onSetAside: (s) =>
      i.logger.warn(
        {
          event: "journal.set-aside",
          path: s.file,
          setAsideAs: s.setAsideAs,
          recordedGenesis: s.recordedGenesis,
          chainGenesis: s.chainGenesis,
        },
        `transaction journal was written on another chain (genesis ${s.recordedGenesis.slice(
          0,
          10,
        )}…, this chain ${s.chainGenesis.slice(0, 10)}…): set aside as ${s.setAsideAs}, starting a fresh one`,
      ),
  });
  const manager = new TxManager({
    chain,
    signer: i.signer,
    chainId: BigInt(i.chainId),
    journal,
    logger: i.logger,
    metrics: createTxMetrics(i.registry),
    confirmations: i.confirmations,
    pollMs: i.pollIntervalMs,
    replaceAfterBlocks: i.settings.replaceAfterBlocks,
    replaceAfterMs: i.settings.replaceAfterMs,
    fees: { bumpBps: i.settings.bumpBps, maxFeePerGasCapWei: i.maxFeePerGasWei, minPriorityFeeWei: 0n },
    gasLimitBufferBps: i.gasLimitBufferBps,
    balanceWarnWei: i.settings.balanceWarnWei,
    balanceFloorWei: i.settings.balanceFloorWei,
  });
  const sender = new ManagedTxSender(
    manager,
    chain,
    { operator: i.operator, oracle: i.oracle, policy: i.policy },
    i.gasLimitBufferBps,
  );
  return {
    pool,
    provider,
    manager,
    sender,
    journalPath: i.settings.journalPath,
    gasLedger: {
      load: (sinceSec) => journal.gasSpendsSince(sinceSec),
      record: (spend) => journal.recordGasSpend(spend.atSec, spend.usdWad),
    },
    /** Stops the manager and closes the journal; the pool and provider are the caller's. */
    close: () => {
      manager.stop();
      journal.close();
    },
  };
}
