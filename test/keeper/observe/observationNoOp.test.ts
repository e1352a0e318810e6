/**
 * Several keepers watch one oracle: when another writer's update() is already mined or waiting in
 * the node's pool, ours would record nothing and still pay ~30k gas. The loop simulates update() on
 * the pending block and does not send it then ("already-written"); alone, it writes.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BrowserProvider } from "ethers";
import { addressBookOf, deploySystemFixture, refreshFeeds } from "../../support/system";
import { connectProtocol, SymbolCache } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { KeeperLoop } from "../../../keeper/src/loop";
import { createLogger } from "../../../keeper/src/logger";
import { createMetrics } from "../../../keeper/src/metrics";
import { fanOut, metricsObserver, type CycleObserver } from "../../../keeper/src/observe";
import type { ObservationOutcome } from "../../../keeper/src/observe/cycleObserver";
import { inProcessSender, type InProcessSender } from "../../support/inProcessSender";
import { PARAMS } from "../../support/policyFixtures";

describe("keeper observation writes under several writers: no no-op update()", function () {
  let tx: InProcessSender | undefined;
  afterEach(async () => {
    tx?.close();
    tx = undefined;
    await network.provider.send("evm_setAutomine", [true]);
  });

  /** A system at the peg whose newest observation is 500 s old (one is due every 450 s), and a loop for keeper #2. */
  async function setup() {
    const f = await loadFixture(deploySystemFixture);
    // The fixture's buffer is off target: settle it first, so the keeper's decision is to stand still.
    await f.operator.connect(f.keeper).rebalance();
    await time.increase(500);
    await refreshFeeds(f);
    const provider = new BrowserProvider(network.provider, undefined, { cacheTimeout: -1 });
    const protocol = await connectProtocol(await addressBookOf(f), provider);
    const symbols = new SymbolCache(provider);
    tx = inProcessSender(network.provider, 31337n, 2, await f.operator.getAddress(), await f.oracle.getAddress());
    const clock = { nowMs: ((await provider.getBlock("latest"))!.timestamp + 1) * 1000 };
    const outcomes: ObservationOutcome[] = [];
    const skipped: string[] = [];
    const recorder: CycleObserver = {
      onObservation: (e) => {
        if (e.stage === "done") outcomes.push(e.outcome);
        if (e.stage === "skipped") skipped.push(`${e.reason}: ${e.detail}`);
      },
      onStandStill: (e) => skipped.push(`stand-still ${e.reason}: ${e.detail}`),
    };
    const loop = new KeeperLoop({
      read: () => readSnapshot(provider, protocol, symbols, { feeHistoryBlocks: 5, rewardPercentile: 50, keeper: f.keeper.address, now: () => clock.nowMs }),
      blockNumber: () => provider.getBlockNumber(),
      endpoint: () => "in-process",
      sender: tx.sender,
      params: PARAMS,
      dryRun: false,
      logger: createLogger("silent"),
      observer: fanOut([recorder, metricsObserver(createMetrics({ defaultMetrics: false }))], (hook, err) => skipped.push(`${hook}: ${String(err)}`)),
      pollIntervalMs: 1_000,
      idleCycleSec: 60,
      now: () => clock.nowMs,
    });
    expect(await f.oracle.observationDue()).to.equal(true);
    return { f, loop, outcomes, skipped, provider };
  }

  it("alone, the keeper writes the due observation", async function () {
    const { f, loop, outcomes, skipped } = await setup();
    const before = (await f.oracle.latestObservation())[0];
    await loop.cycle();
    expect(outcomes, skipped.join("; ")).to.have.length(1);
    expect(outcomes[0].result).to.equal("confirmed");
    expect((await f.oracle.latestObservation())[0]).to.be.greaterThan(before);
  });

  it("another writer's update() waiting in the pool: the keeper sends nothing", async function () {
    const { f, loop, outcomes, provider } = await setup();
    const keeper = await f.keeper.getAddress();
    const nonce = await provider.getTransactionCount(keeper, "latest");
    await network.provider.send("evm_setAutomine", [false]);
    await f.oracle.connect(f.stranger).update(); // pending, not mined
    await loop.cycle();
    expect(outcomes).to.have.length(1);
    expect(outcomes[0].result).to.equal("already-written");
    expect(await provider.getTransactionCount(keeper, "pending")).to.equal(nonce, "no transaction from the keeper");
  });

  it("another writer's update() mined after the keeper's read: the keeper sends nothing", async function () {
    const { f, loop, outcomes, provider } = await setup();
    const keeper = await f.keeper.getAddress();
    const nonce = await provider.getTransactionCount(keeper, "latest");
    // The competitor lands between the snapshot and the send: wrap the read.
    const read = (loop as unknown as { deps: { read: () => Promise<unknown> } }).deps;
    const original = read.read;
    read.read = async () => {
      const snap = await original();
      await (await f.oracle.connect(f.stranger).update()).wait();
      return snap;
    };
    await loop.cycle();
    expect(outcomes.map((o) => o.result)).to.deep.equal(["already-written"]);
    expect(await provider.getTransactionCount(keeper, "latest")).to.equal(nonce);
  });
});
