/**
 * Errors of the RPC layer. `RpcAnswerError` is an answer from a node (the endpoint worked, the request
 * did not); `EndpointError` is a transport failure (the endpoint did not work). Only the second
 * moves the pool to another endpoint. All sit under the keeper's one root, KeeperError.
 */
import { KeeperError } from "../errors";

/** A JSON-RPC error object returned by a node: revert, nonce too low, known transaction, ... */
export class RpcAnswerError extends KeeperError {
  readonly code: number;
  readonly data: unknown;
  readonly method: string;
  constructor(method: string, code: number, message: string, data: unknown) {
    super(message);
    this.method = method;
    this.code = code;
    this.data = data;
  }

  /** Revert data (0x-hex) when the node returned it, in any of the shapes nodes use. */
  revertData(): string | undefined {
    const d = this.data;
    if (typeof d === "string" && d.startsWith("0x")) return d;
    if (d && typeof d === "object") {
      const inner = (d as { data?: unknown }).data;
      if (typeof inner === "string" && inner.startsWith("0x")) return inner;
    }
    return undefined;
  }
}

/** One endpoint failed at the transport level: refused, timed out, HTTP error, garbage body. */
export class EndpointError extends KeeperError {
  readonly endpoint: string;
  constructor(endpoint: string, message: string, options?: { cause?: unknown }) {
    super(`${endpoint}: ${message}`, options);
    this.endpoint = endpoint;
  }
}

/** Every endpoint failed or is backing off; `retryAtMs` is when the first one may be tried again. */
export class AllEndpointsDownError extends KeeperError {
  readonly retryAtMs: number;
  readonly failures: EndpointError[];
  constructor(method: string, retryAtMs: number, failures: EndpointError[]) {
    const detail = failures.length ? failures.map((f) => f.message).join("; ") : "all endpoints are backing off";
    super(`no RPC endpoint answered ${method}: ${detail}`);
    this.retryAtMs = retryAtMs;
    this.failures = failures;
  }
}
