/**
 * Several JSON-RPC endpoints behind one `request()`: reads go to the healthiest endpoint and fail
 * over to the next on a transport failure; a failed endpoint backs off (exponential, jittered).
 * `broadcast()` sends a signed transaction as the SAME bytes to the next endpoint when one fails,
 * so a failover can never produce a second, differently signed transaction.
 *
 * Node answers (reverts, "nonce too low", ...) are not endpoint failures: they are thrown as
 * `RpcAnswerError` at once, without trying another endpoint.
 *
 * With `chainId` set, an endpoint serves nothing until it has answered `eth_chainId` with that id,
 * and again after every failure (a node that was down may come back as another chain). One that
 * answers another id is taken out of the pool for the life of the process and logged as an error:
 * its reads would be another chain's state.
 */
import { AllEndpointsDownError, EndpointError, RpcAnswerError } from "./errors";
import { EndpointHealth, endpointLabel, type EndpointSnapshot } from "./endpointHealth";
import { silentLogger, type KeeperLogger } from "./logger";

export interface RpcPoolOptions {
  /** Per-request timeout; a slower endpoint counts as failed for this request. */
  timeoutMs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  logger?: KeeperLogger;
  now?: () => number;
  random?: () => number;
  /** The chain every endpoint must serve; unset: not checked. */
  chainId?: bigint | number;
}

export const DEFAULT_RPC_POOL_OPTIONS: Omit<RpcPoolOptions, "logger" | "now" | "random" | "chainId"> = {
  timeoutMs: 5_000,
  baseBackoffMs: 500,
  maxBackoffMs: 30_000,
};

interface Endpoint {
  url: string;
  health: EndpointHealth;
  /** Answered the expected chain id since its last failure. */
  verified: boolean;
  /** Set when it answered another chain id: never used again. */
  wrongChain?: string;
}

/** JSON-RPC error answers that say the endpoint, not the request, is at fault. */
const ENDPOINT_FAULT_CODES = new Set([-32005]);
const ENDPOINT_FAULT_MESSAGE =
  /rate limit|too many requests|header not found|service unavailable|temporarily unavailable|upstream|backend/i;

export class RpcPool {
  private readonly endpoints: Endpoint[];
  private readonly options: RpcPoolOptions;
  private readonly logger: KeeperLogger;
  private readonly now: () => number;
  private nextId = 1;
  private failoverCount = 0;
  private lastUsed = "none";

  constructor(urls: readonly string[], options: Partial<RpcPoolOptions> = {}) {
    if (urls.length === 0) throw new Error("rpc: at least one RPC URL is required");
    this.options = { ...DEFAULT_RPC_POOL_OPTIONS, ...options };
    for (const [field, value] of Object.entries({
      timeoutMs: this.options.timeoutMs,
      baseBackoffMs: this.options.baseBackoffMs,
      maxBackoffMs: this.options.maxBackoffMs,
    })) {
      if (!Number.isFinite(value) || value <= 0)
        throw new Error(`rpc: ${field} must be a positive number of ms, got ${value}`);
    }
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.endpoints = urls.map((url, i) => {
      try {
        const parsed = new URL(url);
        if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
      } catch {
        throw new Error(`rpc: RPC URL #${i} is not an http(s) URL`);
      }
      return {
        url,
        health: new EndpointHealth(endpointLabel(url, i), this.options, options.random),
        verified: options.chainId === undefined,
      };
    });
  }

  /** One JSON-RPC call, failing over across endpoints on transport failures. */
  async request<T = unknown>(method: string, params: readonly unknown[] = []): Promise<T> {
    return this.withFailover(method, (endpoint) => this.post<T>(endpoint, method, params));
  }

  /**
   * Broadcasts a signed transaction. On a transport failure the same bytes go to the next
   * endpoint. Node answers ("already known", "nonce too low", ...) are thrown as RpcAnswerError for the
   * caller to reconcile. Returns the hash the node reported.
   */
  async broadcast(rawTx: string): Promise<string> {
    return this.request<string>("eth_sendRawTransaction", [rawTx]);
  }

  /** True when at least one endpoint has no recorded failure. */
  healthy(): boolean {
    return this.endpoints.some((e) => e.health.failures === 0 && e.wrongChain === undefined);
  }

  /** Label of the endpoint that answered last (for logs and metric labels; never the full URL). */
  get lastLabel(): string {
    return this.lastUsed;
  }

  get failovers(): number {
    return this.failoverCount;
  }

  snapshot(): EndpointSnapshot[] {
    return this.endpoints.map((e) =>
      e.wrongChain === undefined
        ? e.health.snapshot()
        : { ...e.health.snapshot(), healthy: false, lastError: e.wrongChain },
    );
  }

  private async withFailover<T>(method: string, call: (endpoint: Endpoint) => Promise<T>): Promise<T> {
    const now = this.now();
    const order = this.endpoints
      .filter((e) => e.wrongChain === undefined && e.health.available(now))
      .sort((a, b) => EndpointHealth.compare(a.health, b.health));
    const failures: EndpointError[] = [];
    for (const endpoint of order) {
      try {
        if (!endpoint.verified && !(await this.verifyChain(endpoint))) continue;
        // Latency of the call alone: the one-off chain-id check must not make an endpoint look slow.
        const started = this.now();
        const result = await call(endpoint);
        const wasFailing = endpoint.health.failures > 0;
        endpoint.health.recordSuccess(this.now() - started);
        this.lastUsed = endpoint.health.label;
        if (wasFailing) this.logger.info({ endpoint: endpoint.health.label }, "rpc endpoint recovered");
        return result;
      } catch (error) {
        if (!(error instanceof EndpointError)) throw error;
        failures.push(error);
        endpoint.verified = this.options.chainId === undefined;
        const backoffMs = endpoint.health.recordFailure(this.now(), error.message);
        this.failoverCount += 1;
        this.logger.warn(
          { endpoint: endpoint.health.label, method, backoffMs, err: error.message },
          "rpc endpoint failed; failing over",
        );
      }
    }
    const retryAtMs = Math.min(...this.endpoints.map((e) => e.health.retryAtMs));
    throw new AllEndpointsDownError(method, retryAtMs, failures);
  }

  /** Asks the endpoint its chain id; false (and out of the pool for good) when it is another chain. */
  private async verifyChain(endpoint: Endpoint): Promise<boolean> {
    const expected = BigInt(this.options.chainId!);
    let answer: string;
    try {
      answer = await this.post<string>(endpoint, "eth_chainId", []);
    } catch (error) {
      // An error answer to eth_chainId says the endpoint, not a request, is broken.
      if (error instanceof RpcAnswerError)
        throw new EndpointError(endpoint.health.label, `eth_chainId: ${error.message}`);
      throw error;
    }
    let served: bigint | undefined;
    try {
      served = BigInt(answer);
    } catch {
      served = undefined;
    }
    if (served === expected) {
      endpoint.verified = true;
      return true;
    }
    endpoint.wrongChain = `serves chain ${served ?? JSON.stringify(answer)}, expected ${expected}`;
    this.logger.error(
      { endpoint: endpoint.health.label, chainId: String(served ?? answer), expected: String(expected) },
      "rpc endpoint serves another chain; removed from the pool until restart",
    );
    return false;
  }

  private async post<T>(endpoint: Endpoint, method: string, params: readonly unknown[]): Promise<T> {
    const label = endpoint.health.label;
    const id = this.nextId++;
    let response: Response;
    try {
      response = await fetch(endpoint.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
      throw new EndpointError(
        label,
        timedOut ? `timed out after ${this.options.timeoutMs} ms` : `request failed (${describe(cause)})`,
        { cause },
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new EndpointError(label, `response body lost (${describe(cause)})`, { cause });
    }
    if (response.status === 429 || response.status >= 500) throw new EndpointError(label, `HTTP ${response.status}`);
    let body: { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new EndpointError(label, `HTTP ${response.status} with a body that is not JSON`);
    }
    if (body && typeof body === "object" && body.error) {
      const code = typeof body.error.code === "number" ? body.error.code : 0;
      const message = typeof body.error.message === "string" ? body.error.message : "unknown JSON-RPC error";
      if (ENDPOINT_FAULT_CODES.has(code) || ENDPOINT_FAULT_MESSAGE.test(message))
        throw new EndpointError(label, `${method}: ${message}`);
      throw new RpcAnswerError(method, code, message, body.error.data);
    }
    if (!response.ok) throw new EndpointError(label, `HTTP ${response.status}`);
    if (!body || typeof body !== "object" || !("result" in body))
      throw new EndpointError(label, `${method}: answer without a result`);
    return body.result as T;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
