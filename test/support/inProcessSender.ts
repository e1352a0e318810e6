/**
 * The daemon's transaction path (ManagedTxSender over the journaled TxManager) on the in-process
 * Hardhat network, for tests that run the keeper's cycle without a node process. The network's
 * EIP-1193 interface stands where the RPC pool stands in the daemon: node error answers become
 * RpcAnswerError, as the pool makes them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HDNodeWallet } from "ethers";
import { LOCAL_DEV_MNEMONIC } from "../../keeper/src/chain/account";
import { RpcAnswerError } from "../../keeper/src/rpc";
import { ChainClient, Journal, ManagedTxSender, TX_DEFAULTS, TxManager, type RpcTransport } from "../../keeper/src/tx";

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** Node errors of an EIP-1193 provider as the RPC pool reports them. */
export class Eip1193Transport implements RpcTransport {
  constructor(private readonly provider: Eip1193) {}

  async request<T = unknown>(method: string, params: readonly unknown[] = []): Promise<T> {
    try {
      return (await this.provider.request({ method, params: [...params] })) as T;
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; data?: unknown };
      throw new RpcAnswerError(
        method,
        typeof e.code === "number" ? e.code : -32000,
        typeof e.message === "string" ? e.message : String(error),
        e.data,
      );
    }
  }

  broadcast(rawTx: string): Promise<string> {
    return this.request<string>("eth_sendRawTransaction", [rawTx]);
  }
}

export interface InProcessSender {
  sender: ManagedTxSender;
  manager: TxManager;
  /** Stops the manager, closes and deletes its journal. */
  close(): void;
}

const GAS_LIMIT_BUFFER_BPS = 2_000;
const MAX_FEE_PER_GAS_CAP_WEI = 10n ** 12n;
/** The in-process network mines each transaction at once: poll fast. */
const POLL_MS = 10;

/**
 * A ManagedTxSender signing for Hardhat's development account `accountIndex` (the fixture's
 * keeper is #2), with its own journal in a fresh temporary directory.
 */
/** `oracle`: the PriceOracle, for senders that also write TWAP observations; `policy`: the CollateralPolicy, for refreshes. */
export function inProcessSender(
  provider: Eip1193,
  chainId: bigint,
  accountIndex: number,
  operator: string,
  oracle?: string,
  policy?: string,
): InProcessSender {
  const chain = new ChainClient(new Eip1193Transport(provider));
  const signer = HDNodeWallet.fromPhrase(LOCAL_DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${accountIndex}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "ballast-in-process-sender-"));
  const journal = Journal.open(path.join(dir, "journal.sqlite"));
  const manager = new TxManager({
    chain,
    signer,
    chainId,
    journal,
    confirmations: 1,
    pollMs: POLL_MS,
    replaceAfterBlocks: TX_DEFAULTS.replaceAfterBlocks,
    replaceAfterMs: 60_000,
    fees: { bumpBps: TX_DEFAULTS.bumpBps, maxFeePerGasCapWei: MAX_FEE_PER_GAS_CAP_WEI, minPriorityFeeWei: 0n },
    gasLimitBufferBps: GAS_LIMIT_BUFFER_BPS,
    balanceWarnWei: 0n,
    balanceFloorWei: 0n,
  });
  return {
    sender: new ManagedTxSender(manager, chain, { operator, oracle, policy }, GAS_LIMIT_BUFFER_BPS),
    manager,
    close: () => {
      manager.stop();
      journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
