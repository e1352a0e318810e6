/**
 * The keeper's cycle on the in-process Hardhat network, wired as the daemon wires it (the keeper's
 * own reader, the managed transaction path, the metrics subscriber), for tests that drive
 * `loop.cycle()` themselves: a system settled at the peg whose newest observation is 500 s old
 * (one is due every 450 s), a test clock, and a recorder of observation outcomes and skips.
 */
import { network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BrowserProvider } from "ethers";
import { addressBookOf, deploySystemFixture, refreshFeeds, type Fixture } from "./system";
import { connectProtocol, SymbolCache } from "../../keeper/src/chain/protocol";
import { readSnapshot } from "../../keeper/src/chain/reader";
import { KeeperLoop, type LoopDeps } from "../../keeper/src/loop";
import { createLogger } from "../../keeper/src/logger";
import { createMetrics } from "../../keeper/src/metrics";
import { fanOut, metricsObserver, type CycleObserver } from "../../keeper/src/observe";
import type { ObservationOutcome } from "../../keeper/src/observe/cycleObserver";
import { inProcessSender, type InProcessSender } from "./inProcessSender";
import { PARAMS } from "./policyFixtures";

export interface InProcessLoop {
  provider: BrowserProvider;
  /** Keeper #2's transaction path; the test closes it. */
  tx: InProcessSender;
  /** The loop's wall clock, ms: a test moves it with the chain. */
  clock: { nowMs: number };
  /** A loop over the system: the daemon's wiring (metrics subscriber, silent logger; a subscriber that throws fails the cycle), `over` replacing any of it. */
  loop(over?: Partial<LoopDeps>): KeeperLoop;
}

/** Keeper #2 (the fixture's keeper; a fresh journal) looping over `f` as it stands; `oracleWrites` lets its sender call PriceOracle.update(). */
export async function inProcessLoop(f: Fixture, { oracleWrites = true } = {}): Promise<InProcessLoop> {
  // A plain ethers provider over the in-process network's EIP-1193 interface: what the keeper
  // gets in production (receipts polled, not Hardhat's plugin shortcuts).
  const provider = new BrowserProvider(network.provider, undefined, { pollingInterval: 20, cacheTimeout: -1 });
  const protocol = await connectProtocol(await addressBookOf(f), provider);
  const symbols = new SymbolCache(provider);
  const tx = inProcessSender(
    network.provider,
    31337n,
    2,
    await f.operator.getAddress(),
    oracleWrites ? await f.oracle.getAddress() : undefined,
    await f.policy.getAddress(),
  );
  const clock = { nowMs: ((await provider.getBlock("latest"))!.timestamp + 1) * 1000 };
  const loop = (over: Partial<LoopDeps> = {}) =>
    new KeeperLoop({
      read: () =>
        readSnapshot(provider, protocol, symbols, {
          feeHistoryBlocks: 5,
          rewardPercentile: 50,
          keeper: f.keeper.address,
          now: () => clock.nowMs,
        }),
      blockNumber: () => provider.getBlockNumber(),
      endpoint: () => "in-process",
      sender: tx.sender,
      params: PARAMS,
      dryRun: false,
      logger: createLogger("silent"),
      observer: fanOut([metricsObserver(createMetrics({ defaultMetrics: false }))], (_hook, err) => {
        throw err;
      }),
      pollIntervalMs: 1_000,
      idleCycleSec: 60,
      now: () => clock.nowMs,
      ...over,
    });
  return { provider, tx, clock, loop };
}

export interface InProcessKeeper extends InProcessLoop {
  f: Fixture;
  /** Each observation write that finished, in order. */
  outcomes: ObservationOutcome[];
  /** Each skipped write, stand-still and failed subscriber, as `reason: detail`. */
  skipped: string[];
}

/** A system settled at the peg with an observation due, and a loop that records what it writes and skips. */
export async function keeperAtDueObservation(): Promise<InProcessKeeper> {
  const f = await loadFixture(deploySystemFixture);
  // The fixture's buffer is off target and its target ratio never refreshed (the first refresh lifts
  // it to the risk floor): settle both first, so the keeper's decision is to stand still.
  await f.operator.connect(f.keeper).rebalance();
  await f.policy.refresh();
  await time.increase(500);
  await refreshFeeds(f);
  const base = await inProcessLoop(f);
  const outcomes: ObservationOutcome[] = [];
  const skipped: string[] = [];
  const recorder: CycleObserver = {
    onObservation: (e) => {
      if (e.stage === "done") outcomes.push(e.outcome);
      if (e.stage === "skipped") skipped.push(`${e.reason}: ${e.detail}`);
    },
    onStandStill: (e) => skipped.push(`stand-still ${e.reason}: ${e.detail}`),
  };
  const observer = fanOut([recorder, metricsObserver(createMetrics({ defaultMetrics: false }))], (hook, err) =>
    skipped.push(`${hook}: ${String(err)}`),
  );
  return { ...base, f, outcomes, skipped, loop: (over = {}) => base.loop({ observer, ...over }) };
}
