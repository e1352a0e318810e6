/**
 * Builds the resilience layer for the daemon's composition root (keeper/src/main.ts): the RPC pool
 * and its ethers provider for reads, the journaled TxManager behind the daemon's TxSender, and
 * their metrics on the daemon's registry. One call, so main.ts stays a list of parts.
 */
import type { Registry } from "prom-client";
import { PoolProvider, RpcPool, registerRpcMetrics, type KeeperLogger } from "../rpc";
import { ChainClient } from "./chain";
import { Journal } from "./journal";
import { ManagedTxSender } from "./managedTxSender";
import { createTxMetrics } from "./metrics";
import type { TxSettings } from "./settings";
import { TxManager, type TxSigner } from "./txManager";
import { CollateralPolicy__factory } from "../../../typechain-types/factories/contracts/CollateralPolicy__factory";
import { MarketOperator__factory } from "../../../typechain-types/factories/contracts/MarketOperator__factory";
import { PriceOracle__factory } from "../../../typechain-types/factories/contracts/PriceOracle__factory";
import { Reserve__factory } from "../../../typechain-types/factories/contracts/Reserve__factory";

/** The ABIs whose custom errors name a revert in the keeper's logs. */
const ERROR_INTERFACES = [
  MarketOperator__factory.createInterface(),
  PriceOracle__factory.createInterface(),
  Reserve__factory.createInterface(),
  CollateralPolicy__factory.createInterface(),
];

export interface ResilienceInputs {
  rpcUrls: string[];
  /** Sends signed transactions here instead of the read endpoints (a private-transaction relay). */
  privateTxUrl?: string;
  chainId: number | bigint;
  signer: TxSigner;
  operator: string;
  /** PriceOracle, for the keeper's observation writes. */
  oracle?: string;
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
  close(): void;
}

export function createResilience(i: ResilienceInputs): Resilience {
  // The pool checks each endpoint's chain id before it serves, and again after each failure.
  const pool = new RpcPool(i.rpcUrls, { logger: i.logger, chainId: i.chainId });
  registerRpcMetrics(i.registry, pool);
  const provider = new PoolProvider(pool, i.chainId);
  // A private relay takes the signed transactions (its chain id is checked like any endpoint's);
  // every read, receipts included, still goes through the pool.
  const relay = i.privateTxUrl === undefined ? null : new RpcPool([i.privateTxUrl], { logger: i.logger, chainId: i.chainId });
  const chain = new ChainClient(relay === null ? pool : { request: (method, params) => pool.request(method, params), broadcast: (raw) => relay.broadcast(raw) });
  const journal = Journal.open(i.settings.journalPath);
  const manager = new TxManager({
    chain,
    signer: i.signer,
    chainId: BigInt(i.chainId),
    journal,
    logger: i.logger,
    metrics: createTxMetrics(i.registry),
    errorInterfaces: ERROR_INTERFACES,
    confirmations: i.confirmations,
    pollMs: i.pollIntervalMs,
    replaceAfterBlocks: i.settings.replaceAfterBlocks,
    replaceAfterMs: i.settings.replaceAfterMs,
    fees: { bumpBps: i.settings.bumpBps, maxFeePerGasCapWei: i.maxFeePerGasWei, minPriorityFeeWei: 0n },
    gasLimitBufferBps: i.gasLimitBufferBps,
    balanceWarnWei: i.settings.balanceWarnWei,
    balanceFloorWei: i.settings.balanceFloorWei,
  });
  const sender = new ManagedTxSender(manager, chain, { operator: i.operator, oracle: i.oracle }, ERROR_INTERFACES, i.gasLimitBufferBps);
  return {
    pool,
    provider,
    manager,
    sender,
    journalPath: i.settings.journalPath,
    close: () => {
      manager.stop();
      provider.destroy();
      journal.close();
    },
  };
}
