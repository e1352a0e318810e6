/**
 * The keeper transaction every keeper-driven reference policy sends (PegKeeper's update caller,
 * Frax's refreshCollateralRatio caller, Ampleforth's rebase caller, RAI's rate-setter caller, the
 * oracle bound), with the constraints the run imposes on keepers:
 *  - the keeper decides at block b on what it sees then, and its transaction lands at
 *    b + keeperLatencyBlocks, where the contract re-checks and re-sizes against the state of that
 *    block (each policy's `land` is the contract's own code: it reverts or clamps as the real one);
 *  - while the keeper is down (keeperOutages) it decides nothing, but a transaction already sent
 *    still lands; one transaction in flight at a time;
 *  - a transaction that trades the pool (`side`) is public in the mempool: when the scenario has
 *    a searcher (agents.frontRunner) it trades first, on the block the transaction lands.
 * A policy with perfect information (`oracle`) passes `ignoreKeeperConstraints` and lands at once.
 */
import { type FrontRun, type KeeperTradeSide, frontRun } from "../stressAgents";
import type { StepContext } from "../types";

export interface KeeperRequest {
  /** Which way the transaction trades the pool, if it does (the searcher's cue). */
  side?: KeeperTradeSide;
}

export class KeeperTxQueue<R extends KeeperRequest> {
  private pending: { executeAt: number; request: R } | null = null;
  /** Front-runs suffered, and the searcher's profit from them (USD). */
  frontRuns = 0;
  frontRunProfitUsd = 0;

  constructor(private readonly ignoreKeeperConstraints = false) {}

  /**
   * One block: lands the transaction that is due, then, if the keeper is up and has nothing in
   * flight, asks `decide` for a new one (null: stand still).
   */
  step(ctx: StepContext, decide: () => R | null, land: (request: R) => void): void {
    const b = ctx.m.block;
    if (this.pending && this.pending.executeAt <= b) {
      const { request } = this.pending;
      this.pending = null;
      this.land(ctx, request, land);
    }
    const up = this.ignoreKeeperConstraints || ctx.keeperUp;
    if (!up || this.pending) return;
    const request = decide();
    if (request === null) return;
    const latency = this.ignoreKeeperConstraints ? 0 : ctx.keeperLatencyBlocks;
    if (latency === 0) this.land(ctx, request, land);
    else this.pending = { executeAt: b + latency, request };
  }

  private land(ctx: StepContext, request: R, land: (request: R) => void): void {
    if (request.side) this.noteFrontRun(frontRun(ctx.m, ctx.scenario, request.side));
    land(request);
  }

  private noteFrontRun(f: FrontRun | null): void {
    if (!f) return;
    this.frontRuns += 1;
    this.frontRunProfitUsd += f.profitUsd;
  }
}
