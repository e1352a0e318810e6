/**
 * The RPC endpoints the keeper may use, in order of preference. Minimal failover: the reader
 * moves to the next endpoint after a failed snapshot. A richer pool (health scoring, backoff) can
 * replace this behind the same two methods.
 */
import { JsonRpcProvider } from "ethers";

/** The part of an RPC URL that is safe to log and to use as a metric label: scheme and host. */
export function endpointLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "invalid-url";
  }
}

export class Endpoints {
  readonly #providers: { label: string; provider: JsonRpcProvider }[];
  #index = 0;

  constructor(urls: string[], chainId?: number) {
    if (urls.length === 0) throw new RangeError("Endpoints: no RPC URL");
    this.#providers = urls.map((url) => ({
      label: endpointLabel(url),
      // No request cache: the keeper's block numbers, nonces and prices must be fresh.
      provider: new JsonRpcProvider(url, chainId, { cacheTimeout: -1, staticNetwork: chainId !== undefined, polling: true }),
    }));
  }

  current(): { label: string; provider: JsonRpcProvider } {
    return this.#providers[this.#index];
  }

  all(): readonly { label: string; provider: JsonRpcProvider }[] {
    return this.#providers;
  }

  /** Makes endpoint `index` the current one (start-up picks one that answered the right chain). */
  use(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#providers.length) throw new RangeError(`Endpoints: no endpoint #${index}`);
    this.#index = index;
  }

  /** Moves to the next endpoint (after a failure on the current one). */
  rotate(): void {
    this.#index = (this.#index + 1) % this.#providers.length;
  }

  destroy(): void {
    for (const p of this.#providers) p.provider.destroy();
  }
}
