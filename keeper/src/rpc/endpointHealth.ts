/**
 * Health scoring for one RPC endpoint, with exponential backoff and jitter after failures.
 * Pure bookkeeping over an injected clock and random source, so it is tested exactly.
 *
 * Score: an exponentially weighted success rate in [0, 1] (1 = every recent call worked). An
 * endpoint that failed is skipped until its backoff ends; then one request probes it and a
 * success resets the backoff. Backoff = min(max, base * 2^(failures - 1)) scaled by a jitter
 * factor in [0.5, 1), so several keepers do not retry a recovering node in lockstep.
 */
export interface BackoffOptions {
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export interface EndpointSnapshot {
  label: string;
  score: number;
  latencyMs: number;
  consecutiveFailures: number;
  /** Transport failures since start (the ballast_rpc_errors_total counter). */
  failuresTotal: number;
  backingOffUntilMs: number;
  healthy: boolean;
  lastError?: string;
}

const SCORE_WEIGHT = 0.3;

export class EndpointHealth {
  readonly label: string;
  private score = 1;
  private latencyMs = 0;
  private consecutiveFailures = 0;
  private failuresTotal = 0;
  private backingOffUntilMs = 0;
  private lastError?: string;

  constructor(
    label: string,
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.label = label;
  }

  /** True when the endpoint may be tried now (not in a backoff window). */
  available(nowMs: number): boolean {
    return nowMs >= this.backingOffUntilMs;
  }

  get retryAtMs(): number {
    return this.backingOffUntilMs;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  recordSuccess(latencyMs: number): void {
    this.score = this.score * (1 - SCORE_WEIGHT) + SCORE_WEIGHT;
    this.latencyMs = this.latencyMs === 0 ? latencyMs : this.latencyMs * (1 - SCORE_WEIGHT) + latencyMs * SCORE_WEIGHT;
    this.consecutiveFailures = 0;
    this.backingOffUntilMs = 0;
    this.lastError = undefined;
  }

  /** Records a transport failure and returns the backoff chosen, in ms. */
  recordFailure(nowMs: number, error: string): number {
    this.score = this.score * (1 - SCORE_WEIGHT);
    this.consecutiveFailures += 1;
    this.failuresTotal += 1;
    this.lastError = error;
    const exponential = this.options.baseBackoffMs * 2 ** Math.min(this.consecutiveFailures - 1, 30);
    const capped = Math.min(this.options.maxBackoffMs, exponential);
    const backoffMs = Math.round(capped * (0.5 + this.random() * 0.5));
    this.backingOffUntilMs = nowMs + backoffMs;
    return backoffMs;
  }

  /** Orders endpoints: best score first, then lower latency. */
  static compare(a: EndpointHealth, b: EndpointHealth): number {
    if (Math.abs(a.score - b.score) > 1e-9) return b.score - a.score;
    return a.latencyMs - b.latencyMs;
  }

  snapshot(): EndpointSnapshot {
    return {
      label: this.label,
      score: this.score,
      latencyMs: this.latencyMs,
      consecutiveFailures: this.consecutiveFailures,
      failuresTotal: this.failuresTotal,
      backingOffUntilMs: this.backingOffUntilMs,
      healthy: this.consecutiveFailures === 0,
      lastError: this.lastError,
    };
  }
}

/**
 * A label for logs and metrics that never carries credentials: many providers put an API key in
 * the URL path or query, so only the index and host are shown.
 */
export function endpointLabel(url: string, index: number): string {
  try {
    return `rpc${index} (${new URL(url).host})`;
  } catch {
    return `rpc${index}`;
  }
}
