/**
 * An ethers v6 provider whose transport is the RpcPool, so contract reads (typechain, Interface
 * decoding) get failover and health scoring. Not a FallbackProvider: one endpoint answers each
 * request, so there is no "quorum not met" on a reverting call and no slower backend's "already
 * known" on a broadcast. The request cache is off (cacheTimeout -1): the keeper's reads of
 * nonces, blocks and prices must be fresh.
 */
import { JsonRpcApiProvider, Network, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { RpcAnswerError } from "./errors";
import type { RpcPool } from "./rpcPool";

export class PoolProvider extends JsonRpcApiProvider {
  constructor(readonly pool: RpcPool, chainId: bigint | number) {
    const network = Network.from(BigInt(chainId));
    super(network, { staticNetwork: network, cacheTimeout: -1, batchMaxCount: 1, polling: true });
  }

  async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<Array<JsonRpcResult | JsonRpcError>> {
    const requests = Array.isArray(payload) ? payload : [payload];
    const answers: Array<JsonRpcResult | JsonRpcError> = [];
    for (const request of requests) {
      try {
        answers.push({ id: request.id, result: await this.pool.request(request.method, request.params as unknown[]) });
      } catch (error) {
        // A node's own error answer goes back to ethers so it decodes reverts as usual;
        // transport failures on every endpoint surface as AllEndpointsDownError.
        if (!(error instanceof RpcAnswerError)) throw error;
        answers.push({ id: request.id, error: { code: error.code, message: error.message, data: error.data } });
      }
    }
    return answers;
  }
}
