/**
 * The chain reads and writes the transaction manager needs, as typed functions over one
 * injected JSON-RPC transport (the RpcPool in the daemon). Raw JSON-RPC rather than an ethers
 * provider: no request cache, no hidden retries, no nonce bookkeeping.
 */
import { RpcAnswerError } from "../rpc/errors";

export interface RpcTransport {
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  broadcast(rawTx: string): Promise<string>;
}

export interface CallRequest {
  from: string;
  to: string;
  data: string;
  value?: bigint;
}

export interface Receipt {
  hash: string;
  blockNumber: number;
  blockHash: string;
  success: boolean;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
}

export type BlockTag = "latest" | "pending";

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

export class ChainClient {
  constructor(readonly transport: RpcTransport) {}

  async chainId(): Promise<bigint> {
    return BigInt(await this.transport.request<string>("eth_chainId"));
  }

  async blockNumber(): Promise<number> {
    return Number(BigInt(await this.transport.request<string>("eth_blockNumber")));
  }

  /** Transactions sent from `address` and mined (`latest`) or also in the node's pool (`pending`). */
  async nonce(address: string, tag: BlockTag): Promise<number> {
    return Number(BigInt(await this.transport.request<string>("eth_getTransactionCount", [address, tag])));
  }

  async balance(address: string): Promise<bigint> {
    return BigInt(await this.transport.request<string>("eth_getBalance", [address, "latest"]));
  }

  async latestBaseFee(): Promise<bigint> {
    const block = await this.transport.request<{ baseFeePerGas?: string } | null>("eth_getBlockByNumber", [
      "latest",
      false,
    ]);
    if (!block?.baseFeePerGas)
      throw new Error("chain: the latest block has no baseFeePerGas (a pre-London chain is not supported)");
    return BigInt(block.baseFeePerGas);
  }

  async blockHash(number: number): Promise<string | null> {
    const block = await this.transport.request<{ hash: string } | null>("eth_getBlockByNumber", [hex(number), false]);
    return block?.hash ?? null;
  }

  /** The node's suggested priority fee; 0 when the method is not supported (the policy's floor applies). */
  async suggestedTip(): Promise<bigint> {
    try {
      return BigInt(await this.transport.request<string>("eth_maxPriorityFeePerGas"));
    } catch (error) {
      if (error instanceof RpcAnswerError) return 0n;
      throw error;
    }
  }

  /** eth_call; throws RpcAnswerError (with revert data) when the call reverts. */
  async call(request: CallRequest, tag: BlockTag = "latest"): Promise<string> {
    return this.transport.request<string>("eth_call", [toRpc(request), tag]);
  }

  async estimateGas(request: CallRequest): Promise<bigint> {
    return BigInt(await this.transport.request<string>("eth_estimateGas", [toRpc(request)]));
  }

  async receipt(hash: string): Promise<Receipt | null> {
    const r = await this.transport.request<{
      blockNumber: string;
      blockHash: string;
      status: string;
      gasUsed: string;
      effectiveGasPrice?: string;
    } | null>("eth_getTransactionReceipt", [hash]);
    if (!r || r.blockNumber === null || r.blockNumber === undefined) return null;
    return {
      hash,
      blockNumber: Number(BigInt(r.blockNumber)),
      blockHash: r.blockHash,
      success: BigInt(r.status) === 1n,
      gasUsed: BigInt(r.gasUsed),
      effectiveGasPrice: BigInt(r.effectiveGasPrice ?? 0),
    };
  }

  /** Whether the node knows the transaction at all (mined or in its pool). */
  async known(hash: string): Promise<boolean> {
    return (await this.transport.request<unknown>("eth_getTransactionByHash", [hash])) !== null;
  }

  async broadcast(rawTx: string): Promise<string> {
    return this.transport.broadcast(rawTx);
  }
}

function toRpc(request: CallRequest): Record<string, string> {
  const out: Record<string, string> = { from: request.from, to: request.to, data: request.data };
  if (request.value && request.value > 0n) out.value = hex(request.value);
  return out;
}
