/**
 * The journal knows its chain, against real `hardhat node` processes: the keeper acts on a node,
 * the node is restarted on the same port (a new chain with the same chain id, as after
 * `npm run node` is restarted), the protocol is deployed again, and the keeper, with the same
 * journal file, sets the old chain's journal aside and acts again. Before journals knew their
 * chain, the new chain's first transaction had the old one's very bytes and the second run failed
 * with `UNIQUE constraint failed: attempts.hash`.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startHardhatNode, type RunningNode } from "../../support/process/hardhatNode";
import { advance, pushPrice } from "../../../scripts/localMarket";
import { Journal } from "../../../keeper/src/tx";
import { deployOnNode, type LocalDeployment } from "../../support/process/localDeploy";
import { spawnKeeper, type LogLine } from "../../../scripts/lib/keeperProcess";

describe("keeper journal across a restarted node (hardhat node processes)", function () {
  this.timeout(300_000);
  let node: RunningNode | undefined;
  const deployments: LocalDeployment[] = [];
  let dir: string;
  let journalPath: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ballast-journal-chain-"));
    journalPath = path.join(dir, "journal.sqlite");
  });

  after(async function () {
    for (const d of deployments) {
      d.provider.destroy();
      rmSync(d.dir, { recursive: true, force: true });
    }
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Deploys on the running node, pushes the price 2% above the peg and runs one keeper cycle. */
  async function expandOnce(): Promise<{ lines: LogLine[]; genesis: string }> {
    const d = await deployOnNode(node!.url);
    deployments.push(d);
    const configPath = path.join(d.dir, "keeper.json");
    writeFileSync(configPath, JSON.stringify({ addressBook: d.bookPath, pollIntervalMs: 100 }));
    await pushPrice(d.book, d.trader, 200);
    await advance(d.book, d.provider, d.admin, 1_800, 1);
    const k = spawnKeeper(["run", "--once", "--network", "localhost", "--config", configPath], {
      env: {
        BALLAST_LOCALHOST_URL: node!.url,
        BALLAST_KEEPER_JOURNAL: journalPath,
        BALLAST_KEEPER_KEY: undefined,
        BALLAST_RPC_URLS: undefined,
      },
    });
    const { code } = await k.exited;
    expect(code, `${k.stdout()}\n${k.stderr()}`).to.equal(0);
    expect(
      k.lines.find((l) => l.event === "tx.confirmed"),
      k.stdout(),
    ).to.include({ action: "expand" });
    return { lines: k.lines, genesis: (await d.provider.getBlock(0))!.hash! };
  }

  it("a restarted node's journal is set aside with a log line and the keeper acts on the new chain", async function () {
    node = await startHardhatNode();
    const port = node.port;
    const first = await expandOnce();
    expect(first.lines.some((l) => l.event === "journal.set-aside")).to.equal(false);
    const firstHashes = journalHashes(journalPath);

    await node.stop();
    node = await startHardhatNode({ port });
    const second = await expandOnce();
    expect(second.genesis).to.not.equal(first.genesis);

    const setAside = second.lines.find((l) => l.event === "journal.set-aside");
    expect(setAside, "the old chain's journal is set aside with a log line").to.include({
      recordedGenesis: first.genesis,
      chainGenesis: second.genesis,
      path: journalPath,
    });
    const oldFile = String(setAside!.setAsideAs);
    expect(existsSync(oldFile)).to.equal(true);
    // The set-aside journal is the first chain's, whole; the live one holds only the new chain's.
    expect(journalHashes(oldFile)).to.deep.equal(firstHashes);
    const live = Journal.inspect(journalPath);
    try {
      expect(live.genesisHash()).to.equal(second.genesis);
      expect(live.actions().map((a) => a.status)).to.deep.equal(["confirmed"]);
      // The case that used to fail: the same deployment and trade on a fresh node sign the same bytes.
      expect(live.allAttempts().map((a) => a.hash)).to.deep.equal(firstHashes);
    } finally {
      live.close();
    }
  });
});

function journalHashes(file: string): string[] {
  const j = Journal.inspect(file);
  try {
    return j.allAttempts().map((a) => a.hash);
  } finally {
    j.close();
  }
}
