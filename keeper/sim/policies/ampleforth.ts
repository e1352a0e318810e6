/**
 * Ampleforth's supply policy: once a day, in the rebase window, read the market price (a 24-hour
 * average) and, outside the deviation threshold, change every balance by the same percentage —
 * the pool's too (the pair is synced), so the pool price moves by the inverse factor.
 *  - "ampleforth" (the original UFragmentsPolicy): Δsupply = supply · (price − target) / target / rebaseLag,
 *    threshold 5%, lag 10;
 *  - "ampleforth-sigmoid" (the current policy): Δsupply = supply · f(price/target − 1), with the
 *    bounded sigmoid f(δ) = (U − L) / (1 − (U/L) / 2^(G·δ)) + L, U = +5%, L = −7.7%, G = 3,
 *    threshold 2.5%.
 * It has no reserve and no redemption: nothing else anchors the price.
 *
 * Equal constraints: Orchestrator.rebase() (ampleforth-contracts) pays its caller nothing, so the
 * caller is the protocol's own keeper and the gas the protocol's cost (gasUsd, no subsidy). It is
 * sent when the interval has passed and lands after the keeper latency through KeeperTxQueue; the
 * policy refuses a rebase whose interval has not passed, and a landed rebase uses the average
 * where it lands. Keeper outages delay the rebase. The rebase window (a fixed time of day) is not
 * modelled: the interval counts from the start of the run.
 */
import { GAS } from "../gas";
import { type Market, TOKEN_UNIT, fromRaw } from "../market";
import { type Policy, type StepContext, emptyStats, spendGas } from "../types";
import { type KeeperRequest, KeeperTxQueue } from "./keeperTx";

export interface AmpleforthParams {
  variant: "linear" | "sigmoid";
  deviationThreshold: number;
  rebaseLag: number;
  upper: number;
  lower: number;
  growth: number;
  rebaseIntervalSec: number;
  averageWindowSec: number;
}

export const AMPLEFORTH_PARAMS: AmpleforthParams = {
  variant: "linear",
  deviationThreshold: 0.05,
  rebaseLag: 10,
  upper: 0.05,
  lower: -0.077,
  growth: 3,
  rebaseIntervalSec: 86_400,
  averageWindowSec: 86_400,
};

export const AMPLEFORTH_SIGMOID_PARAMS: AmpleforthParams = {
  ...AMPLEFORTH_PARAMS,
  variant: "sigmoid",
  deviationThreshold: 0.025,
};

/** The current policy's bounded sigmoid: rebase percentage for a normalised deviation δ. */
export function sigmoidRebasePercentage(delta: number, upper: number, lower: number, growth: number): number {
  return (upper - lower) / (1 - upper / lower / Math.pow(2, growth * delta)) + lower;
}

/** The supply change fraction one rebase makes at `price` (target $1). */
export function ampleforthSupplyChange(price: number, p: AmpleforthParams): number {
  const delta = price - 1;
  if (Math.abs(delta) < p.deviationThreshold) return 0;
  return p.variant === "linear" ? delta / p.rebaseLag : sigmoidRebasePercentage(delta, p.upper, p.lower, p.growth);
}

export class AmpleforthPolicy implements Policy {
  readonly name: "ampleforth" | "ampleforth-sigmoid";
  readonly facility = null;
  readonly stats = emptyStats();
  private readonly window: number[] = [];
  private lastRebase: number;
  lastSupplyChange = 0;
  readonly queue = new KeeperTxQueue<KeeperRequest>();

  constructor(startTime: number, private readonly p: AmpleforthParams = AMPLEFORTH_PARAMS) {
    this.name = p.variant === "linear" ? "ampleforth" : "ampleforth-sigmoid";
    this.lastRebase = startTime;
  }

  onBlock(ctx: StepContext): void {
    const { m } = ctx;
    this.window.push(m.priceUsd());
    const maxSamples = Math.max(1, Math.round(this.p.averageWindowSec / m.blockTimeSec));
    if (this.window.length > maxSamples) this.window.shift();
    this.queue.step(
      ctx,
      () => (this.due(m) ? {} : null),
      () => this.rebase(m),
    );
  }

  private due(m: Market): boolean {
    return Number(m.now) >= this.lastRebase + this.p.rebaseIntervalSec;
  }

  /** Orchestrator.rebase() where the transaction lands. */
  private rebase(m: Market): void {
    if (!this.due(m)) {
      spendGas(this.stats, m, GAS.revertedTx);
      this.stats.failedTx += 1;
      return;
    }
    this.lastRebase = Number(m.now);
    const average = this.window.reduce((a, b) => a + b, 0) / this.window.length;
    const change = ampleforthSupplyChange(average, this.p);
    this.stats.actions += 1;
    spendGas(this.stats, m, GAS.ampleforthRebase);
    this.lastSupplyChange = change;
    if (change === 0) return;
    const ppm = BigInt(Math.round((1 + change) * 1e9));
    m.supply = (m.supply * ppm) / 1_000_000_000n;
    m.rebasePool(ppm, 1_000_000_000n);
  }

  trueRatio(): null {
    return null;
  }

  reserveExhausted(): boolean {
    return false;
  }

  columns(m: Market): Record<string, number> {
    return { lastRebasePct: this.lastSupplyChange * 100, supplyTokens: fromRaw(m.supply, TOKEN_UNIT) };
  }
}
