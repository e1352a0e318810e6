/**
 * Several keepers watch one oracle: when another writer's update() is already mined or waiting in
 * the node's pool, ours would record nothing and still pay ~30k gas. The loop simulates update() on
 * the pending block and does not send it then ("already-written"); alone, it writes.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { InProcessSender } from "../../support/inProcessSender";
import { keeperAtDueObservation } from "../../support/inProcessLoop";

describe("keeper observation writes under several writers: no no-op update()", function () {
  let tx: InProcessSender | undefined;
  afterEach(async () => {
    tx?.close();
    tx = undefined;
    await network.provider.send("evm_setAutomine", [true]);
  });

  async function setup() {
    const k = await keeperAtDueObservation();
    tx = k.tx;
    expect(await k.f.oracle.observationDue()).to.equal(true);
    return { ...k, loop: k.loop() };
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
