/**
 * `privateTxUrl`: signed transactions go to the private endpoint, never to the RPC pool, while
 * every read (simulation, nonce, receipts) still goes through the pool. Against a real `hardhat
 * node` behind two JSON-RPC proxies: A serves the pool, B plays the private relay. Wired as the
 * daemon wires it (loadConfig → txSettingsFromEnv → createResilience).
 */
import { expect } from "chai";
import { Transaction } from "ethers";
import { loadConfig } from "../../../keeper/src/config/load";
import { keeperWallet, operationsSince, operatorAt } from "../../support/process/chainSystem";
import { OPERATION_GAS_LIMIT } from "../../support/process/keeperHarness";
import { FaultWorld } from "../../support/process/world";

describe("keeper faults: a private-transaction endpoint (hardhat node behind two proxies)", function () {
  this.timeout(120_000);
  const world = FaultWorld.forSuite();

  it("sends the signed transaction only to privateTxUrl, reads through the pool, and confirms it", async function () {
    const journalPath = await world.reset();
    const { config, resilience } = await world.wireAsDaemon(journalPath, { privateTxUrl: world.proxyB.url });
    expect(config.privateTxUrl).to.equal(world.proxyB.url);
    const startBlock = await world.blockNumber();
    const operator = operatorAt(world.chain);
    const p = await operator.preview();
    expect(p.action).to.equal(1n, "the world is pushed above the peg: an expansion is due");
    const readsBefore = world.proxyA.seen();
    const done = await resilience.manager.submit({
      key: "expand",
      to: world.chain.operatorAddress,
      data: operator.interface.encodeFunctionData("expandSupply", [p.amount, (p.expectedOut * 99n) / 100n]),
      gasLimit: OPERATION_GAS_LIMIT,
    });
    expect(done.status).to.equal("confirmed");
    const viaRelay = world.proxyB.forwardedRawTransactions().map((raw) => Transaction.from(raw).hash);
    expect(viaRelay).to.include((done as { hash: string }).hash);
    expect(world.proxyA.forwardedRawTransactions(), "nothing signed went to the read pool").to.deep.equal([]);
    expect(
      world.proxyA.seen() - readsBefore,
      "the simulation, nonce and receipt reads went through the pool",
    ).to.be.greaterThan(3);
    expect(await operationsSince(world.chain, startBlock + 1)).to.equal(1);
  });

  it("a privateTxUrl that is not http(s) is refused at start, named by its field", async function () {
    const journalPath = await world.reset();
    const daemonConfig = await world.daemonConfig(journalPath, { privateTxUrl: "wss://relay.invalid" });
    expect(() =>
      loadConfig(
        { network: "faults", config: daemonConfig, rpc: [world.proxyA.url] },
        { BALLAST_KEEPER_KEY: keeperWallet().privateKey },
        process.cwd(),
      ),
    ).to.throw(/privateTxUrl/);
  });
});
