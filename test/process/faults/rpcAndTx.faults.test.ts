/**
 * Fault-injection tests of the keeper's resilience layer (issue: keeper resilience), against a
 * real `hardhat node` process with fault proxies in front of it. "An action" is a real
 * MarketOperator.expandSupply / contractSupply; the ground truth for "once" is the operator's
 * SupplyExpanded / SupplyContracted events and the keeper account's nonce on chain.
 */
import { expect } from "chai";
import { Journal } from "../../../keeper/src/tx";
import { MarketOperator__factory } from "../../../typechain-types";
import {
  keeperWallet,
  operationsSince,
  pushOffPeg,
  revertTo,
  setBalance,
  snapshot,
  swap,
} from "../../support/process/chainSystem";
import { CapturingLogger, type CycleResult } from "../../support/process/keeperHarness";
import { FaultWorld, sleep, waitFor } from "../../support/process/world";

const confirmed = (r: CycleResult): boolean => r.status === "confirmed";

describe("keeper faults: RPC endpoints and transactions (hardhat node + fault proxy)", function () {
  this.timeout(120_000);
  const world = new FaultWorld();
  let journalPath: string;
  let startBlock: number;
  let startNonce: number;

  before(async function () {
    await world.setUp();
  });
  beforeEach(async function () {
    journalPath = await world.reset();
    startBlock = await world.blockNumber();
    startNonce = await world.keeperNonce();
  });
  afterEach(async function () {
    await world.afterEach();
  });
  after(async function () {
    await world.tearDown();
  });

  it("1. an endpoint answering 503, then timing out: the keeper fails over, misses no cycle, sends no duplicate", async function () {
    // Endpoint A fails for the whole test (longer than any request the keeper makes in it).
    world.proxyA.setFault({ kind: "http", status: 503 });
    const h = await world.harness(journalPath, { rpc: { timeoutMs: 1_000 } });

    const first = await h.cycle();
    expect(first.status, "the first cycle acts despite the failing endpoint").to.equal("confirmed");
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(world.proxyA.forwardedRawTransactions()).to.have.length(0);
    expect(world.proxyB.forwardedRawTransactions()).to.have.length(1);
    expect(h.pool.failovers).to.be.greaterThan(0);
    expect(await h.metric("ballast_rpc_endpoint_up")).to.equal(1, "only B is up");

    // Now A hangs instead (timeouts), and the price falls below the band: one contraction.
    world.proxyA.setFault({ kind: "hang" });
    await pushOffPeg(world.chain, "below", "60000");
    const cycles = await h.runUntil(confirmed, 30_000);
    expect(
      cycles.filter((c) => c.status !== "confirmed" && c.status !== "idle"),
      "no failed cycle",
    ).to.deep.equal([]);
    for (let i = 0; i < 3; i++) expect((await h.cycle()).status, "afterwards the keeper stands still").to.equal("idle");
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(2);
    expect(await world.keeperNonce()).to.equal(startNonce + 2, "exactly two transactions from the keeper");
    expect(world.proxyB.forwardedRawTransactions()).to.have.length(2);
  });

  it("2. all endpoints down, then back: the keeper waits, reports unhealthy, resumes and acts once", async function () {
    const h = await world.harness(journalPath);
    world.proxyA.setFault({ kind: "http", status: 503 });
    world.proxyB.setFault({ kind: "drop" });
    for (let i = 0; i < 3; i++) {
      const r = await h.cycle().catch((e: Error) => e);
      expect(r).to.be.instanceOf(Error);
      expect((r as Error).name).to.equal("AllEndpointsDownError");
      await sleep(100);
    }
    expect(await h.metric("ballast_rpc_healthy")).to.equal(0);
    expect(await world.keeperNonce()).to.equal(startNonce);

    world.proxyA.clearFaults();
    world.proxyB.clearFaults();
    await h.runUntil(confirmed, 15_000);
    expect(await h.metric("ballast_rpc_healthy")).to.equal(1);
    expect((await h.cycle()).status).to.equal("idle");
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  });

  it("3. a fee spike with automine off: the transaction is replaced with a bumped fee at the same nonce and mines; one action", async function () {
    const h = await world.harness(journalPath);
    await world.chain.send("evm_setAutomine", [false]);
    const running = h.cycle();
    await waitFor(
      "the action to be broadcast",
      () => world.proxyA.forwardedRawTransactions().length + world.proxyB.forwardedRawTransactions().length === 1,
    );

    // The next blocks cost 40 gwei of base fee: far above what the first attempt offered.
    let mined = 0;
    let outcome: CycleResult | undefined;
    void running.then((r) => (outcome = r));
    while (!outcome && mined < 40) {
      await world.chain.send("hardhat_setNextBlockBaseFeePerGas", [`0x${40_000_000_000n.toString(16)}`]);
      await world.chain.send("evm_mine");
      mined += 1;
      await sleep(250);
    }
    await world.chain.send("evm_setAutomine", [true]);
    expect(outcome?.status).to.equal("confirmed");

    const journal = Journal.inspect(journalPath);
    const attempts = journal.allAttempts();
    journal.close();
    expect(attempts.length).to.be.greaterThan(1, "at least one replacement");
    expect(new Set(attempts.map((a) => a.nonce)).size).to.equal(1, "every attempt at the same nonce");
    expect(attempts[1].maxFeePerGas * 10_000n).to.be.gte(attempts[0].maxFeePerGas * 11_000n, "bumped by at least 10%");
    expect(attempts.filter((a) => a.status === "mined")).to.have.length(1);
    expect(attempts[0].status).to.equal("replaced");
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  });

  it("4. 'already known' and 'nonce too low' on send: reconciled by hash and receipt, no new nonce used", async function () {
    // The node receives (and, automining, mines) the transaction, but the keeper is told "already known".
    for (const proxy of [world.proxyA, world.proxyB])
      proxy.onMethod("eth_sendRawTransaction", { kind: "forwardThenError", message: "already known" }, 1);
    const logger = new CapturingLogger();
    const h = await world.harness(journalPath, { logger, rpc: { timeoutMs: 2_000 } });
    expect((await h.cycle()).status).to.equal("confirmed");
    expect(logger.said(/already has this transaction/)).to.equal(true);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);

    // Next condition: the node mines it, the keeper hears "nonce too low".
    await pushOffPeg(world.chain, "below", "60000");
    for (const proxy of [world.proxyA, world.proxyB])
      proxy.onMethod("eth_sendRawTransaction", { kind: "forwardThenError", message: "nonce too low" }, 1);
    expect((await h.cycle()).status).to.equal("confirmed");
    expect(logger.said(/may already be in/)).to.equal(true);
    expect((await h.cycle()).status).to.equal("idle");

    const journal = Journal.inspect(journalPath);
    const attempts = journal.allAttempts();
    journal.close();
    expect(attempts, "one signed transaction per action").to.have.length(2);
    expect(attempts.map((a) => a.nonce)).to.deep.equal([startNonce, startNonce + 1]);
    expect(
      [...world.proxyA.forwardedRawTransactions(), ...world.proxyB.forwardedRawTransactions()],
      "each sent once",
    ).to.have.length(2);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(2);
    expect(await world.keeperNonce()).to.equal(startNonce + 2);
  });

  it("7. a nonce gap below a journaled transaction, and a journal ahead of the chain: detected and repaired", async function () {
    const wallet = keeperWallet();
    const operator = MarketOperator__factory.connect(world.chain.operatorAddress, world.chain.provider);
    const p = await operator.preview();
    const data = operator.interface.encodeFunctionData("expandSupply", [p.amount, (p.expectedOut * 99n) / 100n]);
    const chainId = (await world.chain.provider.getNetwork()).chainId;

    // Journal ahead of the chain: a previous run signed the action at nonce+2 and the pool lost it.
    const journal = Journal.open(journalPath);
    const id = journal.prepare({
      key: "Expand",
      kind: "action",
      sender: wallet.address,
      chainId,
      to: world.chain.operatorAddress,
      data,
      value: 0n,
      gasLimit: 900_000n,
    });
    const fees = { maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n };
    const raw = await wallet.signTransaction({
      type: 2,
      chainId,
      nonce: startNonce + 2,
      to: world.chain.operatorAddress,
      data,
      gasLimit: 900_000n,
      ...fees,
    });
    const { keccak256 } = await import("ethers");
    journal.recordSigned(id, { kind: "action", nonce: startNonce + 2, hash: keccak256(raw), raw, ...fees });
    journal.setActionStatus(id, "sent");
    journal.close();

    const h = await world.harness(journalPath);
    const recovered = await h.cycle();
    expect(recovered.status).to.equal("recovered");
    const outcomes = (recovered as { outcomes: Array<{ status: string }> }).outcomes;
    expect(outcomes.map((o) => o.status)).to.deep.equal(["confirmed"]);
    // The fillers are settled on the next cycle.
    await h.runUntil((r) => r.status === "idle", 10_000);
    expect(await h.metric("ballast_keeper_tx_nonce_repairs_total")).to.equal(2);
    expect(await world.keeperNonce("latest")).to.equal(startNonce + 3, "nonces n, n+1 filled, n+2 the action");
    expect(await world.keeperNonce("pending")).to.equal(startNonce + 3, "no gap left");
    expect([...world.proxyA.forwardedRawTransactions(), ...world.proxyB.forwardedRawTransactions()]).to.include(
      raw,
      "the journaled bytes, not a new signature",
    );
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    const after = Journal.inspect(journalPath);
    expect(after.actions().map((a) => `${a.kind}:${a.status}`)).to.deep.equal([
      "action:confirmed",
      "filler:confirmed",
      "filler:confirmed",
    ]);
    after.close();
  });

  for (const stillNeeded of [true, false]) {
    it(`8${stillNeeded ? "" : "b"}. a reorg removes the mined action: the keeper notices and acts again ${
      stillNeeded ? "because it is still needed" : "only if needed (here: not)"
    }`, async function () {
      const beforeAction = await snapshot(world.chain);
      const h = await world.harness(journalPath, { tx: { confirmations: 3 } });
      let outcome: CycleResult | undefined;
      void h.cycle().then((r) => (outcome = r));
      await waitFor("the action to be mined", () => {
        const j = Journal.inspect(journalPath);
        const mined = j.allAttempts().some((a) => a.status === "mined");
        j.close();
        return mined;
      });
      const firstRaw = [...world.proxyA.forwardedRawTransactions(), ...world.proxyB.forwardedRawTransactions()];
      expect(firstRaw).to.have.length(1);

      // Freeze the keeper's view, reorg the block away, and (8b) bring the price back meanwhile.
      world.proxyA.setFault({ kind: "hang" });
      world.proxyB.setFault({ kind: "hang" });
      await revertTo(world.chain, beforeAction);
      if (!stillNeeded) await swap(world.chain, "below", "30000");
      world.proxyA.clearFaults();
      world.proxyB.clearFaults();

      for (let i = 0; i < 60 && !outcome; i++) {
        await world.chain.send("evm_mine");
        await sleep(200);
      }
      expect(await h.metric("ballast_keeper_tx_reorgs_total")).to.equal(1);
      const allRaw = [...world.proxyA.forwardedRawTransactions(), ...world.proxyB.forwardedRawTransactions()];
      if (stillNeeded) {
        expect(outcome?.status).to.equal("confirmed");
        expect(new Set(allRaw), "re-broadcast as the same bytes").to.deep.equal(new Set(firstRaw));
        expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
        expect(await world.keeperNonce()).to.equal(startNonce + 1);
      } else {
        expect(outcome?.status).to.equal("dropped");
        expect(allRaw).to.have.length(1, "nothing sent after the reorg");
        expect(await operationsSince(world.chain, startBlock + 1)).to.equal(0);
        expect(await world.keeperNonce()).to.equal(startNonce);
      }
    });
  }

  it("9. simulation reverts (cooldown, paused): nothing is sent and the reason is logged by name", async function () {
    const logger = new CapturingLogger();
    const h = await world.harness(journalPath, { logger });
    expect((await h.cycle()).status).to.equal("confirmed");
    const sent = (): number =>
      world.proxyA.forwardedRawTransactions().length + world.proxyB.forwardedRawTransactions().length;
    const sentBefore = sent();
    const operator = MarketOperator__factory.connect(world.chain.operatorAddress, world.chain.provider);
    const request = {
      key: "Expand",
      to: world.chain.operatorAddress,
      data: operator.interface.encodeFunctionData("expandSupply", [10n ** 21n, 0n]),
    };

    const cooldown = await h.manager.submit(request);
    expect(cooldown.status).to.equal("rejected");
    expect((cooldown as { reason: string }).reason).to.match(/^CooldownActive\(readyAt=\d+, nowSec=\d+\)$/);

    await (await operator.connect(world.chain.guardian).pause()).wait();
    const paused = await h.manager.submit(request);
    expect((paused as { reason: string }).reason).to.equal("EnforcedPause()");

    expect(
      logger.entries
        .filter((e) => e.message === "simulation reverted; nothing sent")
        .map((e) => (e.fields as { reason: string }).reason.split("(")[0]),
    ).to.deep.equal(["CooldownActive", "EnforcedPause"]);
    expect(sent()).to.equal(sentBefore);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
    expect(await h.metric("ballast_keeper_tx_outcomes_total")).to.equal(3);
  });

  it("a low balance raises the warning metric; below the floor the keeper stops sending, and resumes when funded", async function () {
    const logger = new CapturingLogger();
    const h = await world.harness(journalPath, { logger });
    await setBalance(world.chain, keeperWallet().address, "0.05"); // floor 0.1 ETH, warning 1 ETH
    const halted = await h.cycle();
    expect(halted.status).to.equal("halted");
    expect(await h.metric("ballast_keeper_tx_sending_halted")).to.equal(1);
    expect(logger.said(/below the floor/)).to.equal(true);
    expect(await world.keeperNonce("pending")).to.equal(startNonce);

    await setBalance(world.chain, keeperWallet().address, "0.5");
    expect((await h.cycle()).status).to.equal("confirmed");
    expect(await h.metric("ballast_keeper_tx_sending_halted")).to.equal(0);
    expect(await h.metric("ballast_keeper_tx_balance_low")).to.equal(1);
    expect(logger.said(/keeper balance low/)).to.equal(true);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
  });
});
