/**
 * Fault-injection tests that kill, stop and race keeper OS processes (issue: keeper resilience),
 * against a real `hardhat node` with fault proxies in front of it. Ground truth: the operator's
 * events and each keeper account's nonce on chain; the journal is read from outside.
 */
import { expect } from "chai";
import { Journal, type ActionRecord, type AttemptRecord } from "../../keeper/src/tx";
import { KEEPER_INDEX, SECOND_KEEPER_INDEX, keeperWallet, operationsSince, operatorAt, swap } from "./support/chainSystem";
import { spawnKeeper, type KeeperChild } from "./support/spawnKeeper";
import { FaultWorld, sleep, waitFor } from "./support/world";

function readJournal(file: string): { actions: ActionRecord[]; attempts: AttemptRecord[] } {
  try {
    const j = Journal.inspect(file);
    try {
      return { actions: j.actions(), attempts: j.allAttempts() };
    } finally {
      j.close();
    }
  } catch {
    return { actions: [], attempts: [] };
  }
}

describe("keeper faults: killed, stopped and racing keeper processes (hardhat node + fault proxy)", function () {
  this.timeout(120_000);
  const world = new FaultWorld();
  let journalPath: string;
  let startBlock: number;
  let startNonce: number;
  let children: KeeperChild[] = [];

  const keeper = (overrides: Record<string, unknown> = {}): KeeperChild => {
    const child = spawnKeeper({
      urls: [world.proxyA.url, world.proxyB.url],
      privateKey: keeperWallet().privateKey,
      journalPath,
      operatorAddress: world.chain.operatorAddress,
      pollMs: 100,
      ...overrides,
    });
    children.push(child);
    return child;
  };
  const forwarded = (): string[] => [...world.proxyA.forwardedRawTransactions(), ...world.proxyB.forwardedRawTransactions()];

  before(async function () {
    await world.setUp();
  });
  beforeEach(async function () {
    journalPath = await world.reset();
    startBlock = await world.blockNumber();
    startNonce = await world.keeperNonce();
    children = [];
  });
  afterEach(async function () {
    for (const c of children) {
      c.kill("SIGKILL");
      await c.exited;
    }
    if (this.currentTest?.state === "failed") for (const c of children) process.stderr.write(c.output().slice(-4_000));
    await world.afterEach();
  });
  after(async function () {
    await world.tearDown();
  });

  it("5. SIGKILL after broadcast, before the receipt: the restarted keeper adopts the pending transaction; one action", async function () {
    await world.chain.send("evm_setAutomine", [false]);
    const first = keeper();
    await waitFor("the action to be broadcast", () => readJournal(journalPath).attempts.some((a) => a.status === "sent"), 60_000);
    first.kill("SIGKILL");
    expect((await first.exited).signal).to.equal("SIGKILL");
    const [sent] = readJournal(journalPath).attempts;
    expect(await world.keeperNonce("pending")).to.equal(startNonce + 1, "the transaction is in the node's pool");

    const second = keeper();
    await waitFor("the restarted keeper to adopt", () => second.output().includes("reconciling journal leftover"), 60_000);
    await world.chain.send("evm_setAutomine", [true]);
    await world.chain.send("evm_mine");
    await waitFor("the action to be confirmed", () => readJournal(journalPath).actions.some((a) => a.status === "confirmed"));
    await sleep(1_000); // several more cycles: the condition is gone (cooldown), nothing more is sent
    second.kill("SIGTERM");
    expect((await second.exited).code).to.equal(0);

    const { actions, attempts } = readJournal(journalPath);
    expect(actions.map((a) => a.status)).to.deep.equal(["confirmed"]);
    expect(attempts.map((a) => a.hash)).to.deep.equal([sent.hash], "no new signature after the restart");
    expect(forwarded()).to.deep.equal([sent.raw]);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  });

  for (const stillNeeded of [true, false]) {
    it(`6${stillNeeded ? "" : "b"}. killed after signing, before broadcast: the restart re-checks the condition, then ${stillNeeded ? "sends the same bytes" : "drops it"}; never two`, async function () {
      // The broadcast never reaches the node: the proxies hold it until the process dies.
      for (const p of [world.proxyA, world.proxyB]) p.onMethod("eth_sendRawTransaction", { kind: "hang" });
      const first = keeper({ rpcTimeoutMs: 30_000 });
      await waitFor("the action to be signed", () => readJournal(journalPath).attempts.length === 1, 60_000);
      await sleep(300);
      first.kill("SIGKILL");
      await first.exited;
      expect(forwarded()).to.have.length(0);
      const [signed] = readJournal(journalPath).attempts;
      expect(signed.status).to.equal("signed");
      for (const p of [world.proxyA, world.proxyB]) p.clearFaults();
      if (!stillNeeded) await swap(world.chain, "below", "30000");

      const second = keeper();
      await waitFor("the leftover to be settled", () => readJournal(journalPath).actions.every((a) => a.status === "confirmed" || a.status === "dropped"), 60_000);
      await sleep(1_000);
      second.kill("SIGTERM");
      expect((await second.exited).code).to.equal(0);

      const { actions, attempts } = readJournal(journalPath);
      expect(attempts.map((a) => a.hash)).to.deep.equal([signed.hash], "never a second signature");
      if (stillNeeded) {
        expect(actions.map((a) => a.status)).to.deep.equal(["confirmed"]);
        expect(forwarded()).to.deep.equal([signed.raw], "the journaled bytes");
        expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
        expect(await world.keeperNonce()).to.equal(startNonce + 1);
      } else {
        expect(actions.map((a) => a.status)).to.deep.equal(["dropped"]);
        expect(forwarded()).to.have.length(0);
        expect(await operationsSince(world.chain, startBlock + 1)).to.equal(0);
        expect(await world.keeperNonce("pending")).to.equal(startNonce, "no nonce used, no gap");
      }
    });
  }

  it("10. two keeper processes with different keys race on the same condition: one action lands, the other pays nothing", async function () {
    const backup = keeperWallet(SECOND_KEEPER_INDEX);
    const backupJournal = journalPath.replace(/\.sqlite$/, "-backup.sqlite");
    const backupBalance = await world.chain.provider.getBalance(backup.address);
    const backupNonce = await world.chain.provider.getTransactionCount(backup.address);
    // Both keepers run and stand still while the operator is paused; one unpause makes the
    // condition appear for both at once. The backup acts only if it persists for 1.5 s.
    const operator = operatorAt(world.chain);
    await (await operator.connect(world.chain.guardian).pause()).wait();
    const primary = keeper({ privateKey: keeperWallet(KEEPER_INDEX).privateKey });
    const second = keeper({ privateKey: backup.privateKey, journalPath: backupJournal, actAfterMs: 1_500 });
    for (const c of [primary, second]) await waitFor("both keepers to stand still on the pause", () => c.output().includes('"blocker":1'), 60_000);
    await (await operator.connect(world.chain.admin).unpause()).wait();
    await waitFor("the backup to see the condition", () => second.output().includes('"status":"waiting"'));
    await waitFor("one action", async () => (await operationsSince(world.chain, startBlock + 1)) === 1);
    await sleep(3_000); // well past the backup's delay: it re-checked and stood still
    for (const c of [primary, second]) c.kill("SIGTERM");
    expect((await primary.exited).code).to.equal(0);
    expect((await second.exited).code).to.equal(0);

    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
    expect(await world.chain.provider.getTransactionCount(backup.address)).to.equal(backupNonce, "the backup sent nothing");
    expect(await world.chain.provider.getBalance(backup.address)).to.equal(backupBalance, "and paid nothing");
    expect(second.output(), "the backup re-checked and stood still").to.match(/"status":"waiting".*\n(.*\n)*.*"status":"idle"/);
    expect(second.output()).not.to.include("action signed");
  });

  it("12. SIGTERM in the middle of a send: the journal records it, exit 0, and the restart finishes the job", async function () {
    await world.chain.send("evm_setAutomine", [false]);
    for (const p of [world.proxyA, world.proxyB]) p.onMethod("eth_sendRawTransaction", { kind: "delay", ms: 1_500 });
    const first = keeper();
    await waitFor("the action to be signed", () => readJournal(journalPath).attempts.length === 1, 60_000);
    first.kill("SIGTERM");
    const exit = await first.exited;
    expect(exit.code).to.equal(0);
    expect(first.output()).to.include("stopped cleanly");
    const { actions, attempts } = readJournal(journalPath);
    expect(actions.map((a) => a.status)).to.deep.equal(["sent"], "the send finished and was journaled before exit");
    expect(await world.keeperNonce("pending")).to.equal(startNonce + 1);
    for (const p of [world.proxyA, world.proxyB]) p.clearFaults();

    const second = keeper();
    await waitFor("the restarted keeper to adopt", () => second.output().includes("reconciling journal leftover"), 60_000);
    await world.chain.send("evm_setAutomine", [true]);
    await world.chain.send("evm_mine");
    await waitFor("the action to be confirmed", () => readJournal(journalPath).actions.some((a) => a.status === "confirmed"));
    await sleep(1_000);
    second.kill("SIGTERM");
    expect((await second.exited).code).to.equal(0);

    expect(readJournal(journalPath).attempts.map((a) => a.hash)).to.deep.equal([attempts[0].hash]);
    expect(forwarded()).to.deep.equal([attempts[0].raw]);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  });
});
