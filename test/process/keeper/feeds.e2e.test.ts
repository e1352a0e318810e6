/**
 * A local stack left running for hours: a real `hardhat node`, the deployed system, the feed driver
 * (scripts/devnet) and the keeper daemon as its own process. The clock is warped 80 minutes in
 * 5-minute steps (each recording an oracle observation, as the market's clock), past the WETH
 * feed's max age (70 min), with nothing else refreshing the feeds: the driver re-posts WETH at its
 * heartbeat and again when its CSV price path drops past the deviation threshold, so the keeper
 * never stands still `oracle-stale` and still restores the peg afterwards. A process test that
 * takes about a minute: `npm run test:process` (part of `npm test`).
 */
import { expect } from "chai";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ACCOUNTS, LOCAL_PARAMS } from "../../../deploy/parameters";
import { FeedDriver, feedsOfBook } from "../../../scripts/devnet/feedDriver";
import { parsePathSpec } from "../../../scripts/devnet/pricePath";
import { advance, pushPrice } from "../../../scripts/localMarket";
import { startHardhatNode, type RunningNode } from "../../support/process/hardhatNode";
import { deployOnNode, type LocalDeployment } from "../../support/process/localDeploy";
import { spawnKeeper, type KeeperProcess } from "../../../scripts/lib/keeperProcess";

const WARP_STEP_SEC = 300;
const WARP_TOTAL_SEC = 80 * 60;

describe("a local stack past the feeds' max age: the feed driver keeps the keeper acting (hardhat node process)", function () {
  this.timeout(300_000);
  let node: RunningNode;
  let d: LocalDeployment;
  let driver: FeedDriver;
  let keeper: KeeperProcess;

  before(async function () {
    node = await startHardhatNode();
    d = await deployOnNode(node.url);
    const configPath = path.join(d.dir, "keeper.json");
    writeFileSync(configPath, JSON.stringify({ addressBook: d.bookPath, pollIntervalMs: 100, idleCycleSec: 2 }));
    // WETH holds $3000 past its heartbeat (60 min), then falls 2% between 65 and 80 minutes.
    const csv = path.join(d.dir, "weth.csv");
    writeFileSync(csv, "offsetSec,priceUsd\n0,3000\n3900,3000\n4800,2940\n");
    driver = new FeedDriver({
      provider: d.provider,
      signer: await d.provider.getSigner(LOCAL_ACCOUNTS.feedDriver),
      feeds: feedsOfBook(d.book, LOCAL_PARAMS, { WETH: parsePathSpec(`csv:${csv}`, 3_000) }),
    });
    driver.start(100);
    keeper = spawnKeeper(["run", "--network", "localhost", "--config", configPath], {
      env: {
        BALLAST_LOCALHOST_URL: node.url,
        BALLAST_KEEPER_JOURNAL: path.join(d.dir, "journal.sqlite"),
        BALLAST_KEEPER_KEY: undefined,
        BALLAST_RPC_URLS: undefined,
        BALLAST_KEEPER_PORT: "0",
      },
    });
    await keeper.waitFor((l) => l.event === "cycle.stand-still" && l.reason === "inside-band", 120_000);
  });

  after(async function () {
    if (keeper && keeper.child.exitCode === null) await keeper.stop("SIGTERM");
    await driver?.stop();
    d?.provider.destroy();
    await node?.stop();
    if (d) rmSync(d.dir, { recursive: true, force: true });
  });

  /** Warps the clock one step (mining, recording an observation), then waits for the driver to look. */
  async function warp(seconds: number): Promise<void> {
    await advance(d.book, d.provider, d.admin, seconds, 1, false);
    const t = BigInt((await d.provider.getBlock("latest"))!.timestamp);
    const deadline = Date.now() + 30_000;
    while (driver.checkedChainTime < t) {
      if (Date.now() > deadline) throw new Error(`the feed driver did not reach chain time ${t} in 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("re-posts WETH at its heartbeat and on deviation; the keeper never sees a stale oracle", async function () {
    const seen = keeper.lines.length;
    const start = BigInt((await d.provider.getBlock("latest"))!.timestamp);
    for (let t = 0; t < WARP_TOTAL_SEC; t += WARP_STEP_SEC) await warp(WARP_STEP_SEC);
    // Let the keeper run a few cycles on the last block.
    const head = await d.provider.getBlockNumber();
    await keeper.waitFor((l) => l.event === "cycle.stand-still" && Number(l.block) >= head, 30_000, seen);

    const heartbeats = driver.posts.filter((p) => p.reason === "heartbeat" && p.chainTime > start);
    expect(
      heartbeats.map((p) => p.symbol),
      "WETH's heartbeat (60 min) fell inside the 80 minutes",
    ).to.deep.equal(["WETH"]);
    const moves = driver.posts.filter((p) => p.symbol === "WETH" && p.reason === "deviation");
    expect(moves.length, "the CSV path's 2% fall crossed the 50 bps threshold more than once").to.be.greaterThan(1);
    expect(moves[moves.length - 1].answer).to.equal(2_940n * 10n ** 8n);
    for (const p of driver.posts)
      expect(Number(p.ageSec), `${p.symbol} ${p.reason}`).to.be.lessThan(
        LOCAL_PARAMS.collateral.others[0].maxAgeSec - 30,
      );

    const cycles = keeper.lines.slice(seen).filter((l) => l.event === "cycle.stand-still" || l.event === "cycle.act");
    expect(cycles.length).to.be.greaterThan(WARP_TOTAL_SEC / WARP_STEP_SEC / 2);
    const stale = cycles.filter((l) => l.reason === "oracle-stale");
    expect(
      stale.map((l) => String(l.detail)),
      "no oracle-stale cycle",
    ).to.deep.equal([]);
  });

  it("80 minutes on, the keeper still restores the peg (an expansion confirmed)", async function () {
    const seen = keeper.lines.length;
    await pushPrice(d.book, d.trader, 200);
    // The TWAP follows spot over 30 minutes, in the same 5-minute steps.
    for (let t = 0; t < 1_800; t += WARP_STEP_SEC) await warp(WARP_STEP_SEC);
    const confirmed = await keeper.waitFor((l) => l.event === "tx.confirmed" && l.action === "expand", 90_000, seen);
    expect(String(confirmed.gasUsed)).to.match(/^\d+$/);
    expect(keeper.lines.slice(seen).filter((l) => l.reason === "oracle-stale")).to.deep.equal([]);
  });
});
