/**
 * Every configured RPC URL is checked at start, not only the first: one that serves another chain
 * stops the keeper (exit 3) with a line naming the URL's field and index; one that is down is
 * reported and skipped while another serves the right chain. The RPC pool keeps the rule after
 * start: an endpoint that was down and comes back as another chain is never used.
 * Real nodes: a `hardhat node` with the protocol deployed (chain 31337) and an Anvil node that
 * serves chain 1337; the keeper runs as its own process (`run --once`).
 */
import { expect } from "chai";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AllEndpointsDownError, RpcPool } from "../../../keeper/src/rpc";
import { FaultProxy } from "../../support/process/faultProxy";
import { freePort, startHardhatNode, type RunningNode } from "../../support/process/hardhatNode";
import { startAnvil, type RunningAnvil } from "../../support/process/anvilNode";
import { spawnKeeper, type KeeperProcess } from "../../../scripts/lib/keeperProcess";
import { deployOnNode, type LocalDeployment } from "../../support/process/localDeploy";

const OTHER_CHAIN_ID = 1337;
const hostOf = (url: string): string => new URL(url).host;

describe("keeper start-up checks every RPC URL (hardhat node + anvil)", function () {
  this.timeout(180_000);
  let node: RunningNode;
  let anvil: RunningAnvil;
  let deployment: LocalDeployment;
  let configPath: string;
  let deadUrl: string;
  let runs = 0;
  const keepers: KeeperProcess[] = [];

  before(async function () {
    [node, anvil] = await Promise.all([startHardhatNode(), startAnvil(OTHER_CHAIN_ID)]);
    deployment = await deployOnNode(node.url);
    configPath = path.join(deployment.dir, "keeper.json");
    writeFileSync(configPath, JSON.stringify({ addressBook: deployment.bookPath, pollIntervalMs: 100 }));
    // A loopback port nobody listens on: connection refused, as for a stopped node.
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });

  after(async function () {
    for (const k of keepers) await k.stop("SIGKILL");
    deployment?.provider.destroy();
    await Promise.all([node?.stop(), anvil?.stop()]);
    if (deployment) rmSync(deployment.dir, { recursive: true, force: true });
  });

  /** `run --once` on localhost with the given extra arguments; the development keeper key. */
  const runOnce = (args: string[], config = configPath): KeeperProcess => {
    const k = spawnKeeper(["run", "--once", "--network", "localhost", "--config", config, ...args], {
      env: {
        BALLAST_KEEPER_JOURNAL: path.join(deployment.dir, `journal-${++runs}.sqlite`),
      },
    });
    keepers.push(k);
    return k;
  };

  it("a second URL serving another chain is fatal: exit 3, the line names --rpc[1], its host and both chain ids", async function () {
    const k = runOnce(["--rpc", `${node.url},${anvil.url}`]);
    expect((await k.exited).code, k.stderr()).to.equal(3);
    expect(k.stderr().trim()).to.equal(
      `ballast-keeper: --rpc[1] rpc1 (${hostOf(anvil.url)}) serves chain ${OTHER_CHAIN_ID}, but the address book ${
        deployment.bookPath
      } is for chain 31337: remove that URL or fix the address book`,
    );
    expect(k.lines.filter((l) => l.event === "chain.mismatch")).to.have.length(1);
    expect(
      k.lines.some((l) => typeof l.event === "string" && l.event.startsWith("cycle.")),
      "no cycle ran",
    ).to.equal(false);
  });

  it("the config file's URL list is named by its path: networks.localhost.rpcUrls[0]", async function () {
    const config = path.join(deployment.dir, "keeper-urls.json");
    writeFileSync(
      config,
      JSON.stringify({ addressBook: deployment.bookPath, networks: { localhost: { rpcUrls: [anvil.url, node.url] } } }),
    );
    const k = runOnce([], config);
    expect((await k.exited).code, k.stderr()).to.equal(3);
    expect(k.stderr()).to.include(
      `networks.localhost.rpcUrls[0] rpc0 (${hostOf(anvil.url)}) serves chain ${OTHER_CHAIN_ID}`,
    );
  });

  it("a first URL that is down is reported and skipped: the keeper starts on the second and runs its cycle (exit 0)", async function () {
    const k = runOnce(["--rpc", `${deadUrl},${node.url}`]);
    const { code } = await k.exited;
    expect(code, `${k.stdout().slice(-3_000)}\n${k.stderr()}`).to.equal(0);
    const skipped = k.lines.filter((l) => l.event === "rpc.unreachable-at-start");
    expect(skipped.map((l) => [l.field, l.endpoint])).to.deep.equal([["--rpc[0]", `rpc0 (${hostOf(deadUrl)})`]]);
    expect(String(skipped[0].msg)).to.match(
      /^--rpc\[0\] rpc0 \(127\.0\.0\.1:\d+\) did not answer eth_chainId \(.+\); starting without it, it is used once it answers chain 31337$/,
    );
    expect(
      k.lines.filter((l) => typeof l.event === "string" && /^cycle\.(stand-still|act)$|^tx\.confirmed$/.test(l.event))
        .length,
      "one cycle ran",
    ).to.be.greaterThan(0);
  });

  it("no URL answers: exit 3, every URL named", async function () {
    const otherDead = `http://127.0.0.1:${await freePort()}`;
    const k = runOnce(["--rpc", `${deadUrl},${otherDead}`]);
    expect((await k.exited).code, k.stderr()).to.equal(3);
    expect(k.stderr().trim()).to.equal(
      `ballast-keeper: no RPC endpoint answered: --rpc[0] rpc0 (${hostOf(deadUrl)}), --rpc[1] rpc1 (${hostOf(
        otherDead,
      )})`,
    );
  });

  it("after start, the RPC pool never serves from an endpoint that was down and came back as another chain", async function () {
    const toAnvil = await FaultProxy.start(anvil.url);
    const toNode = await FaultProxy.start(node.url);
    const pool = new RpcPool([toAnvil.url, toNode.url], {
      chainId: 31337,
      timeoutMs: 2_000,
      baseBackoffMs: 50,
      maxBackoffMs: 100,
    });
    try {
      toAnvil.setFault({ kind: "drop" });
      const head = await deployment.provider.getBlockNumber();
      expect(Number(await pool.request<string>("eth_blockNumber"))).to.equal(
        head,
        "served by the hardhat node while the other is down",
      );

      // The other endpoint comes back, as chain 1337; the good one fails, so the pool must try it.
      toAnvil.clearFaults();
      toNode.setFault({ kind: "http", status: 503 });
      const before = toAnvil.seen("eth_blockNumber");
      const chainIdAsked = toAnvil.seen("eth_chainId"); // the pool's first try, dropped
      await new Promise((r) => setTimeout(r, 150)); // past every backoff
      const outage = await pool.request("eth_blockNumber").catch((e: unknown) => e);
      expect(outage).to.be.instanceOf(AllEndpointsDownError);
      expect(toAnvil.seen("eth_chainId"), "asked its chain id before serving").to.equal(chainIdAsked + 1);
      expect(toAnvil.seen("eth_blockNumber"), "never asked for state").to.equal(before);
      const wrong = pool.snapshot()[0];
      expect([wrong.healthy, wrong.lastError]).to.deep.equal([false, "serves chain 1337, expected 31337"]);

      toNode.clearFaults();
      await new Promise((r) => setTimeout(r, 150));
      expect(Number(await pool.request<string>("eth_blockNumber"))).to.equal(head);
      expect([toAnvil.seen("eth_chainId"), toAnvil.seen("eth_blockNumber")], "out of the pool for good").to.deep.equal([
        chainIdAsked + 1,
        before,
      ]);
      expect(pool.healthy()).to.equal(true);
    } finally {
      await Promise.all([toAnvil.close(), toNode.close()]);
    }
  });
});
