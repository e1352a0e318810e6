/**
 * `txTimeoutSec` from the keeper's config file is the managed sender's stuck timeout: a sent
 * transaction still unmined that long after its broadcast is replaced at the same nonce with a
 * fee bump. Wired exactly as the daemon wires it (loadConfig → txSettingsFromEnv →
 * createResilience), against a real `hardhat node` with automine off, so no block is mined and
 * only the timeout can make the transaction count as stuck. An action's own fee cap (the keeper's
 * deviation-scaled cap) bounds its replacements below the manager's.
 */
import { expect } from "chai";
import { Transaction } from "ethers";
import { operationsSince, operatorAt } from "../../support/process/chainSystem";
import { OPERATION_GAS_LIMIT } from "../../support/process/keeperHarness";
import { FaultWorld, sleep, waitFor } from "../../support/process/world";

const TX_TIMEOUT_SEC = 5;

describe("keeper faults: txTimeoutSec drives the fee bump of a stuck transaction (hardhat node)", function () {
  this.timeout(120_000);
  const world = FaultWorld.forSuite();

  it(`a transaction unmined ${TX_TIMEOUT_SEC} s after its broadcast is replaced with a bumped fee at the same nonce, not before; one action`, async function () {
    const journalPath = await world.reset();
    // The replace-after-blocks trigger stays at its default (3); with automine off no block comes.
    const { config, logger, resilience } = await world.wireAsDaemon(journalPath, { txTimeoutSec: TX_TIMEOUT_SEC });
    expect(config.txTimeoutSec).to.equal(TX_TIMEOUT_SEC);
    const startBlock = await world.blockNumber();
    const startNonce = await world.keeperNonce();

    const operator = operatorAt(world.chain);
    const p = await operator.preview();
    expect(p.action).to.equal(1n, "the world is pushed above the peg: an expansion is due");
    await world.chain.send("evm_setAutomine", [false]);
    const outcome = resilience.manager.submit({
      key: "expand",
      to: world.chain.operatorAddress,
      data: operator.interface.encodeFunctionData("expandSupply", [p.amount, (p.expectedOut * 99n) / 100n]),
      gasLimit: OPERATION_GAS_LIMIT,
    });

    const sent = () => world.proxyA.forwardedRawTransactions();
    await waitFor("the first broadcast", () => sent().length === 1, 30_000, 20);
    const firstAtMs = Date.now();
    await waitFor("the replacement", () => sent().length === 2, (TX_TIMEOUT_SEC + 10) * 1_000, 20);
    const waitedMs = Date.now() - firstAtMs;
    expect(waitedMs, "replaced only once the timeout passed").to.be.gte(TX_TIMEOUT_SEC * 1_000);
    expect(waitedMs, "and soon after it (a poll or two)").to.be.lessThan(TX_TIMEOUT_SEC * 1_000 + 2_000);
    expect(await world.blockNumber(), "no block was mined: the timeout alone triggered it").to.equal(startBlock);
    expect(logger.said(/transaction stuck; replaced with a fee bump/)).to.equal(true);

    const [first, replacement] = sent().map((raw) => Transaction.from(raw));
    expect(replacement.nonce).to.equal(first.nonce);
    expect(replacement.data).to.equal(first.data);
    expect(replacement.maxFeePerGas! * 10_000n >= first.maxFeePerGas! * 11_000n, "at least a 10% bump").to.equal(true);

    await sleep(300);
    await world.chain.send("evm_setAutomine", [true]);
    await world.chain.send("evm_mine");
    const done = await outcome;
    expect(done.status).to.equal("confirmed");
    expect((done as { hash: string }).hash).to.equal(replacement.hash);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
    expect(await world.keeperNonce()).to.equal(startNonce + 1);
  });

  it("an action's own fee cap bounds its replacements: 100 → 112.5 gwei fits under 120, the next bump (126.6) would not, so the cap alert instead", async function () {
    const journalPath = await world.reset();
    const { config, logger, resilience } = await world.wireAsDaemon(journalPath, { txTimeoutSec: TX_TIMEOUT_SEC });
    const GWEI = 1_000_000_000n;
    const operator = operatorAt(world.chain);
    const p = await operator.preview();
    expect(p.action).to.equal(1n);
    await world.chain.send("evm_setAutomine", [false]);
    const outcome = resilience.manager.submit({
      key: "expand",
      to: world.chain.operatorAddress,
      data: operator.interface.encodeFunctionData("expandSupply", [p.amount, (p.expectedOut * 99n) / 100n]),
      gasLimit: OPERATION_GAS_LIMIT,
      fees: { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI },
      feeCapWei: 120n * GWEI,
    });
    const sent = () => world.proxyA.forwardedRawTransactions().map((raw) => Transaction.from(raw));
    await waitFor("the replacement", () => sent().length === 2, (TX_TIMEOUT_SEC + 10) * 1_000, 20);
    await waitFor("the cap alert", () => logger.said(/fee cap reached/), (TX_TIMEOUT_SEC + 10) * 1_000, 20);
    // Two signed transactions (a re-broadcast repeats the same bytes): the first and one bump.
    const signed = () => [...new Map(sent().map((t) => [t.hash, t.maxFeePerGas])).values()];
    expect(signed()).to.deep.equal([100n * GWEI, 112_500_000_000n]);
    // The manager's own cap (2,000 gwei) would have allowed many more bumps.
    expect(config.decision.feeCap.maxWei).to.equal(2_000n * GWEI);

    await world.chain.send("evm_setAutomine", [true]);
    await world.chain.send("evm_mine");
    const done = await outcome;
    expect(done.status).to.equal("confirmed");
    expect(signed()).to.deep.equal([100n * GWEI, 112_500_000_000n]);
  });
});
