/**
 * Fault-injection tests that kill, stop and race the real keeper daemon (`keeper/src/main.ts run`,
 * with the resilience layer wired in) as OS processes, against a real `hardhat node` with fault
 * proxies in front of it. Ground truth: the operator's events and each keeper account's nonce on
 * chain; the journal is read from outside the process.
 */
import { expect } from "chai";
import { Transaction } from "ethers";
import path from "node:path";
import { Journal, type ActionRecord, type AttemptRecord } from "../../../keeper/src/tx";
import {
  KEEPER_INDEX,
  SECOND_KEEPER_INDEX,
  keeperWallet,
  operationsSince,
  operatorAt,
  passTime,
  pushOffPeg,
  swap,
  writeDaemonConfig,
} from "../../support/process/chainSystem";
import { spawnDaemon, type KeeperChild } from "../../support/process/spawnKeeper";
import { FaultWorld, sleep, waitFor } from "../../support/process/world";

/** The keeper also writes TWAP observations (PriceOracle.update()) on the clock; operation counts leave them out. */
const toOperator = (raws: readonly string[], operator: string): string[] =>
  raws.filter((raw) => Transaction.from(raw).to?.toLowerCase() === operator.toLowerCase());

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

/** Receipts of every transaction the keeper account sent since `fromBlock`. */
async function keeperReceipts(
  world: FaultWorld,
  fromBlock: number,
): Promise<Array<{ hash: string; status: number | null }>> {
  const out: Array<{ hash: string; status: number | null }> = [];
  const head = await world.blockNumber();
  for (let n = fromBlock; n <= head; n++) {
    const block = await world.chain.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.from !== keeperWallet().address) continue;
      const receipt = await world.chain.provider.getTransactionReceipt(tx.hash);
      out.push({ hash: tx.hash, status: receipt?.status ?? null });
    }
  }
  return out;
}

/** Reads one metric's value from the daemon's /metrics (its port is in the "http.listening" log line). */
async function scrape(child: KeeperChild, line: RegExp): Promise<string | undefined> {
  const port = /"event":"http.listening"[^\n]*"port":(\d+)/.exec(child.output())?.[1];
  if (!port) return undefined;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split("\n").find((l) => line.test(l));
}

/**
 * Each test starts the built daemon one to three times: minutes in all, so these run in
 * the process suites (`npm run test:process`, part of `npm test`).
 */

describe("keeper faults: the daemon killed, stopped and racing (hardhat node + fault proxy)", function () {
  this.timeout(300_000);
  const world = new FaultWorld();
  let journalPath: string;
  let configPath: string;
  let startBlock: number;
  let startNonce: number;
  let children: KeeperChild[] = [];

  const daemon = (
    overrides: { privateKey?: string; journalPath?: string; env?: Record<string, string> } = {},
  ): KeeperChild => {
    const child = spawnDaemon({
      urls: [world.proxyA.url, world.proxyB.url],
      privateKey: overrides.privateKey ?? keeperWallet().privateKey,
      journalPath: overrides.journalPath ?? journalPath,
      configPath,
      env: overrides.env,
    });
    children.push(child);
    return child;
  };
  const forwarded = (): string[] => [
    ...world.proxyA.forwardedRawTransactions(),
    ...world.proxyB.forwardedRawTransactions(),
  ];
  const stopCleanly = async (c: KeeperChild): Promise<void> => {
    c.kill("SIGTERM");
    const exit = await c.exited;
    expect(exit.code, `exit code (output tail: ${c.output().slice(-2_000)})`).to.equal(0);
  };
  /** A restarted daemon adopts the journal's pending leftover; the node then mines it, the daemon confirms it, stands still and stops. */
  const restartAdoptAndConfirm = async (): Promise<void> => {
    const second = daemon();
    await waitFor(
      "the restarted daemon to adopt",
      () => second.output().includes("reconciling journal leftover"),
      180_000,
    );
    await world.chain.send("evm_setAutomine", [true]);
    await world.chain.send("evm_mine");
    await waitFor("the action to be confirmed", () =>
      readJournal(journalPath).actions.some((a) => a.status === "confirmed"),
    );
    await waitFor(
      "the daemon to stand still afterwards",
      () => /"event":"cycle.stand-still"/.test(second.output()),
      30_000,
    );
    await stopCleanly(second);
  };
  /** Exactly one operation on chain since the test began, sent with the keeper's next nonce. */
  const expectOneOperation = async (): Promise<void> => {
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  };

  before(async function () {
    await world.setUp();
  });
  beforeEach(async function () {
    journalPath = await world.reset();
    configPath = await writeDaemonConfig(world.chain, path.dirname(journalPath));
    startBlock = await world.blockNumber();
    startNonce = await world.keeperNonce();
    children = [];
  });
  afterEach(async function () {
    for (const c of children) {
      c.kill("SIGKILL");
      await c.exited;
    }
    if (this.currentTest?.state === "failed")
      for (const c of children) process.stderr.write(`\n--- daemon output ---\n${c.output().slice(-6_000)}\n`);
    await world.afterEach();
  });
  after(async function () {
    await world.tearDown();
  });

  it("1 (daemon). an endpoint answering 503, then timing out: the daemon fails over and acts once", async function () {
    // rpc0 answers 503 from the start. The pool orders untried endpoints by index, so its first
    // request goes to rpc0 and must fail over (were the fault set later, the pool could already
    // prefer rpc1 on latency and never touch rpc0). Start-up reports rpc0 down and goes on.
    world.proxyA.setFault({ kind: "http", status: 503 });
    const d = daemon();
    await world.chain.send("evm_setAutomine", [true]);
    const operator = operatorAt(world.chain);
    await (await operator.connect(world.chain.guardian).pause()).wait();
    await waitFor("the daemon to run", () => d.output().includes('"reason":"paused"'), 180_000);
    expect(d.output()).to.include("rpc.unreachable-at-start");
    await (await operator.connect(world.chain.admin).unpause()).wait();
    await waitFor("one action", async () => (await operationsSince(world.chain, startBlock + 1)) === 1, 60_000);
    world.proxyA.setFault({ kind: "hang" });
    await pushOffPeg(world.chain, "below", "60000");
    await waitFor(
      "a second action through the healthy endpoint",
      async () => (await operationsSince(world.chain, startBlock + 1)) === 2,
      90_000,
    );
    await sleep(1_500);
    expect(await scrape(d, /^ballast_rpc_endpoint_up\{endpoint="rpc0 /)).to.match(/ 0$/);
    await stopCleanly(d);
    expect(world.proxyA.forwardedRawTransactions()).to.have.length(0);
    const viaB = world.proxyB.forwardedRawTransactions();
    expect(toOperator(viaB, world.chain.operatorAddress)).to.have.length(2);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(2);
    expect(await world.keeperNonce()).to.equal(
      startNonce + viaB.length,
      "no duplicate: every nonce is one forwarded transaction",
    );
  });

  it("2 (daemon). all endpoints down, then back: the daemon waits, reports unhealthy, resumes and acts once", async function () {
    const operator = operatorAt(world.chain);
    await (await operator.connect(world.chain.guardian).pause()).wait();
    const d = daemon();
    await waitFor("the daemon to run", () => d.output().includes('"reason":"paused"'), 180_000);
    world.proxyA.setFault({ kind: "http", status: 503 });
    world.proxyB.setFault({ kind: "drop" });
    await (await operator.connect(world.chain.admin).unpause()).wait();
    await waitFor(
      "the daemon to report the outage",
      async () => (await scrape(d, /^ballast_rpc_healthy /)) === "ballast_rpc_healthy 0",
      60_000,
    );
    expect(await world.keeperNonce("pending")).to.equal(startNonce);
    world.proxyA.clearFaults();
    world.proxyB.clearFaults();
    await waitFor(
      "one action after the outage",
      async () => (await operationsSince(world.chain, startBlock + 1)) === 1,
      90_000,
    );
    await sleep(1_500);
    expect(await scrape(d, /^ballast_rpc_healthy /)).to.equal("ballast_rpc_healthy 1");
    await stopCleanly(d);
    await expectOneOperation();
  });

  it("5. SIGKILL after broadcast, before the receipt: the restarted daemon adopts the pending transaction; one action", async function () {
    await world.chain.send("evm_setAutomine", [false]);
    const first = daemon();
    await waitFor(
      "the action to be broadcast",
      () => readJournal(journalPath).attempts.some((a) => a.status === "sent"),
      180_000,
    );
    first.kill("SIGKILL");
    expect((await first.exited).signal).to.equal("SIGKILL");
    const [sent] = readJournal(journalPath).attempts;
    expect(await world.keeperNonce("pending")).to.equal(startNonce + 1, "the transaction is in the node's pool");

    await restartAdoptAndConfirm();

    const { actions, attempts } = readJournal(journalPath);
    expect(actions.map((a) => a.status)).to.deep.equal(["confirmed"]);
    expect(attempts.map((a) => a.hash)).to.deep.equal([sent.hash], "no new signature after the restart");
    expect(forwarded()).to.deep.equal([sent.raw]);
    await expectOneOperation();
  });

  for (const stillNeeded of [true, false]) {
    it(`6${stillNeeded ? "" : "b"}. killed after signing, before broadcast: the restart re-checks the condition, then ${
      stillNeeded ? "sends the same bytes" : "drops it"
    }; never two`, async function () {
      // The broadcast never reaches the node: the proxies hold it until the process dies.
      for (const p of [world.proxyA, world.proxyB]) p.onMethod("eth_sendRawTransaction", { kind: "hang" });
      const first = daemon();
      await waitFor("the action to be signed", () => readJournal(journalPath).attempts.length === 1, 180_000);
      await sleep(300);
      first.kill("SIGKILL");
      await first.exited;
      expect(forwarded()).to.have.length(0);
      const [signed] = readJournal(journalPath).attempts;
      expect(signed.status).to.equal("signed");
      for (const p of [world.proxyA, world.proxyB]) p.clearFaults();
      if (!stillNeeded) await swap(world.chain, "below", "30000");

      const second = daemon();
      await waitFor(
        "the leftover to be settled",
        () => readJournal(journalPath).actions.every((a) => a.status === "confirmed" || a.status === "dropped"),
        180_000,
      );
      await waitFor("the daemon to run cycles afterwards", () => /"event":"cycle\./.test(second.output()), 30_000);
      await stopCleanly(second);

      const { actions, attempts } = readJournal(journalPath);
      expect(attempts.map((a) => a.hash)).to.deep.equal([signed.hash], "never a second signature");
      if (stillNeeded) {
        expect(actions.map((a) => a.status)).to.deep.equal(["confirmed"]);
        expect(forwarded()).to.deep.equal([signed.raw], "the journaled bytes");
        await expectOneOperation();
      } else {
        expect(actions.map((a) => a.status)).to.deep.equal(["dropped"]);
        expect(forwarded()).to.have.length(0);
        expect(await operationsSince(world.chain, startBlock + 1)).to.equal(0);
        expect(await world.keeperNonce("pending")).to.equal(startNonce, "no nonce used, no gap");
      }
    });
  }

  it("10. two daemons with different keys race on the same condition: one action lands, the other pays nothing", async function () {
    const backup = keeperWallet(SECOND_KEEPER_INDEX);
    const backupJournal = journalPath.replace(/\.sqlite$/, "-backup.sqlite");
    const backupBalance = await world.chain.provider.getBalance(backup.address);
    const backupNonce = await world.chain.provider.getTransactionCount(backup.address);
    // Both daemons run and stand still while the operator is paused; one unpause makes the
    // condition appear for both at once. The backup (actDelayMs 1.5 s, given by its environment
    // variable) waits, reads and decides again before it simulates.
    const operator = operatorAt(world.chain);
    await (await operator.connect(world.chain.guardian).pause()).wait();
    const primary = daemon({ privateKey: keeperWallet(KEEPER_INDEX).privateKey });
    const second = daemon({
      privateKey: backup.privateKey,
      journalPath: backupJournal,
      env: { BALLAST_KEEPER_ACT_DELAY_MS: "1500" },
    });
    for (const c of [primary, second])
      await waitFor(
        "both daemons to stand still on the pause",
        () => c.output().includes('"reason":"paused"'),
        180_000,
      );
    await (await operator.connect(world.chain.admin).unpause()).wait();
    // The primary logs "cycle.act"; the backup first "cycle.act-deferred" (its delay).
    await waitFor(
      "both daemons to decide to act",
      () => [primary, second].every((c) => c.output().includes('"event":"cycle.act')),
      30_000,
    );
    await waitFor("one action", async () => (await operationsSince(world.chain, startBlock + 1)) === 1, 30_000);
    // After its delay the backup reads again and finds the condition gone: a stand-still (cooldown,
    // corrected price), its own simulation reverting, or at the latest the pending-state check right
    // before broadcasting (primary's tx still in the pool). Wait for any of those after its
    // decision; the assertions below check that it sent and paid nothing.
    const settled = /condition gone before broadcast|"event":"(simulation\.reverted|cycle\.stand-still|tx\.failed)"/;
    await waitFor(
      "the backup to find the condition gone",
      () => {
        const out = second.output();
        const decided = out.indexOf('"event":"cycle.act');
        return decided >= 0 && settled.test(out.slice(decided));
      },
      60_000,
    );
    for (const c of [primary, second]) await stopCleanly(c);

    await expectOneOperation();
    expect(await world.chain.provider.getTransactionCount(backup.address)).to.equal(
      backupNonce,
      "the backup sent nothing",
    );
    expect(await world.chain.provider.getBalance(backup.address)).to.equal(backupBalance, "and paid nothing");
    const fromBackup = forwarded().filter((raw) => Transaction.from(raw).from === backup.address);
    expect(fromBackup, "no transaction of the backup reached the node").to.deep.equal([]);
  });

  it("11. a stale oracle: no action, an alert metric, and the daemon resumes when the feed is fresh", async function () {
    // Past USDC's maxAge (25 h) without a feed update: the feeds are stale.
    await world.chain.send("evm_increaseTime", [26 * 3_600]);
    await world.chain.send("evm_mine");
    const d = daemon();
    await waitFor("a stand-still on the stale feed", () => d.output().includes('"reason":"oracle-stale"'), 180_000);
    await sleep(1_500); // more cycles: still nothing sent
    expect(await scrape(d, /^ballast_stand_still_total\{reason="oracle-stale"\} [1-9]/)).to.not.equal(
      undefined,
      "the stand-still metric counts it",
    );
    const age = await scrape(d, /^ballast_oracle_age_seconds\{asset="USDC"\}/);
    expect(Number(age?.split(" ")[1])).to.be.greaterThan(25 * 3_600, "the oracle age metric shows the stale feed");
    expect(toOperator(forwarded(), world.chain.operatorAddress), "no operation sent").to.have.length(0);
    expect(await world.keeperNonce("pending")).to.equal(startNonce + forwarded().length, "only observations were sent");

    await passTime(world.chain, 1_800, 4); // fresh answers and TWAP observations
    await waitFor(
      "the action once the feed is fresh",
      async () => (await operationsSince(world.chain, startBlock + 1)) === 1,
      60_000,
    );
    await sleep(1_000);
    await stopCleanly(d);
    // The clock moves on while the feeds are refreshed, so a later, separate condition may be
    // acted on too; what must hold is that every keeper transaction was a successful operation.
    expect(await operationsSince(world.chain, startBlock + 1)).to.be.greaterThanOrEqual(1);
    const sent = await keeperReceipts(world, startBlock + 1);
    expect(sent.length).to.equal((await world.keeperNonce()) - startNonce);
    expect(
      sent.filter((r) => r.status !== 1),
      "no reverted keeper transaction",
    ).to.deep.equal([]);
  });

  it("12. SIGTERM in the middle of a send: the journal records it, exit 0, and the restart finishes the job", async function () {
    await world.chain.send("evm_setAutomine", [false]);
    for (const p of [world.proxyA, world.proxyB]) p.onMethod("eth_sendRawTransaction", { kind: "delay", ms: 1_500 });
    const first = daemon();
    await waitFor("the action to be signed", () => readJournal(journalPath).attempts.length === 1, 180_000);
    await stopCleanly(first);
    expect(first.output()).to.include("stopped cleanly");
    const { actions, attempts } = readJournal(journalPath);
    expect(actions.map((a) => a.status)).to.deep.equal(["sent"], "the send finished and was journaled before exit");
    expect(await world.keeperNonce("pending")).to.equal(startNonce + 1);
    for (const p of [world.proxyA, world.proxyB]) p.clearFaults();

    // The restart re-checks the adopted action with a simulation. Delaying eth_call makes the
    // transaction mine (below) while that simulation is usually still in flight: it then sees the
    // action's own effect (the cooldown) and must look for the receipt rather than sign a cancel
    // (which the node would refuse, "nonce too low"). Either order must end with one attempt.
    for (const p of [world.proxyA, world.proxyB]) p.onMethod("eth_call", { kind: "delay", ms: 1_500 });
    await restartAdoptAndConfirm();

    expect(
      readJournal(journalPath).attempts.map((a) => a.hash),
      "no cancel signed",
    ).to.deep.equal([attempts[0].hash]);
    expect(forwarded()).to.deep.equal([attempts[0].raw]);
    await expectOneOperation();
  });
});
