/**
 * Five keeper daemons, each its own process and key, against one `hardhat node` with the
 * protocol deployed by `npm run deploy`. The market pushes the price off peg again and again;
 * every condition must be acted on exactly once, and no daemon may pay for a reverted transaction
 * (the others see the cooldown or the corrected price in simulation and send nothing).
 */
import { expect } from "chai";
import path from "node:path";
import fs from "node:fs";
import { startHardhatNode, type RunningNode } from "../../support/process/hardhatNode";
import {
  Market,
  deployWithCli,
  devWallet,
  startDaemon,
  tempDir,
  writeKeeperConfig,
  type Daemon,
} from "../../support/process/swarm";

const WAD = 10n ** 18n;
const BAND_WAD = WAD / 200n; // the local operator band, 50 bps
/** Dev-mnemonic account indices of the five keepers; #2 is the deploy's keeper. */
const KEEPER_ACCOUNTS = [2, 10, 11, 12, 13];
/** Each keeper's `actDelayMs` is its rank times this: well above one poll plus one send-to-mine. */
const ACT_DELAY_STEP_MS = 2_000;
const ROUNDS: Array<{ direction: "up" | "down"; usdc: bigint }> = [
  { direction: "up", usdc: 30_000n },
  { direction: "down", usdc: 40_000n },
  { direction: "up", usdc: 20_000n },
  { direction: "down", usdc: 25_000n },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe("five keeper daemons against one hardhat node", function () {
  this.timeout(Number(process.env.BALLAST_SWARM_TIMEOUT_MS ?? 240_000));
  let node: RunningNode;
  let market: Market;
  let daemons: Daemon[] = [];
  let dir: string;

  before(async function () {
    node = await startHardhatNode();
    dir = tempDir("ballast-swarm-");
    progress(`node up at ${node.url}`);
    const book = await deployWithCli(node.url, dir);
    progress("deployed");
    market = new Market(node.url, book);
  });

  let failed = true; // until the test passes: a failing before() hook keeps the logs too
  /** A timestamped trail of the test's own steps, kept with the logs when it fails. */
  const progress = (step: string) =>
    fs.appendFileSync(path.join(dir, "progress.log"), `${new Date().toISOString()} ${step}\n`);
  afterEach(function () {
    failed = this.currentTest?.state !== "passed";
  });

  after(async function () {
    await Promise.all(daemons.map((d) => d.stop()));
    market?.destroy();
    await node?.stop();
    if (!dir) return;
    if (failed) {
      for (const d of daemons) fs.writeFileSync(path.join(dir, `keeper-${d.index}.log`), d.output());
      fs.writeFileSync(path.join(dir, "node.log"), node?.output() ?? "");
      process.stderr.write(`keeper swarm: logs kept in ${dir}\n`);
    } else fs.rmSync(dir, { recursive: true, force: true });
  });

  it("each off-peg condition is acted on exactly once; no keeper sends a transaction that reverts", async function () {
    const role = await market.operator.KEEPER_ROLE();
    for (const index of KEEPER_ACCOUNTS) {
      const address = devWallet(index).address;
      if (!(await market.operator.hasRole(role, address)))
        await (await market.operator.grantRole(role, address)).wait();
    }
    // Park the reserve's excess before the keepers start, so every action below is the market's doing.
    if ((await market.operator.preview()).action === 3n) {
      await (await market.operator.connect(devWallet(2).connect(market.provider)).rebalance()).wait();
    }
    const book = path.join(dir, "localhost.json");
    const startBlock = (await market.provider.getBlockNumber()) + 1;
    daemons = KEEPER_ACCOUNTS.map((account, i) =>
      startDaemon(
        i,
        account,
        node.url,
        // One operation per push, counted exactly: the policy refresh (its own transaction) is off.
        writeKeeperConfig(path.join(dir, `keeper-${i}.json`), book, {
          actDelayMs: i * ACT_DELAY_STEP_MS,
          policy: { refreshPolicy: false },
        }),
        path.join(dir, `journal-${i}.sqlite`),
      ),
    );
    progress("keepers started");
    await waitFor(
      "all five keepers to run a cycle",
      async () => daemons.every((d) => d.events().some((e) => e.event === "cycle.stand-still")),
      90_000,
    );

    const rounds: Array<{ from: number; to: number }> = [];
    for (const round of ROUNDS) {
      const from = (await market.provider.getBlockNumber()) + 1;
      progress(`round ${rounds.length}: push ${round.direction}`);
      await market.push(round.direction, round.usdc);
      await market.passTime(4_000, 5); // over two TWAP windows: spot and TWAP agree outside the band
      progress(`round ${rounds.length}: settled, spot ${await market.spotWad()}`);
      await waitFor(
        `the ${round.direction} condition to be corrected`,
        async () => {
          const spot = await market.spotWad();
          return spot < WAD + BAND_WAD && spot + BAND_WAD > WAD;
        },
        30_000,
      );
      // Past the last keeper's delay: every keeper has looked again and stood still.
      await sleep(KEEPER_ACCOUNTS.length * ACT_DELAY_STEP_MS + 1_000);
      rounds.push({ from, to: await market.provider.getBlockNumber() });
      progress(`round ${rounds.length - 1}: done`);
    }
    const clean = await Promise.all(daemons.map((d) => d.stop()));
    expect(clean, "every keeper stopped cleanly on SIGTERM").to.deep.equal(daemons.map(() => true));

    const ops = await market.operations(startBlock);
    for (const [i, r] of rounds.entries()) {
      const peg = ops.filter((o) => o.block >= r.from && o.block <= r.to && o.name !== "Rebalanced");
      expect(
        peg.map((o) => o.name),
        `round ${i}: one operation`,
      ).to.deep.equal([ROUNDS[i].direction === "up" ? "SupplyExpanded" : "SupplyContracted"]);
    }
    const keeperAddresses = daemons.map((d) => d.address);
    const txs = await market.transactionsFrom(keeperAddresses, startBlock);
    expect(
      txs.filter((t) => t.status !== 1),
      "no keeper transaction reverted",
    ).to.deep.equal([]);
    // Exactly one operator transaction per operation: nothing sent that did not act. The keepers'
    // other transactions are TWAP observations (PriceOracle.update(), written on the clock).
    const rebalanceTxs = new Set(ops.filter((o) => o.name === "Rebalanced").map((o) => o.block));
    const operator = (await market.operator.getAddress()).toLowerCase();
    const oracle = (
      JSON.parse(fs.readFileSync(book, "utf8")) as { contracts: { PriceOracle: string } }
    ).contracts.PriceOracle.toLowerCase();
    expect(txs.filter((t) => t.to.toLowerCase() === operator).length).to.equal(ROUNDS.length + rebalanceTxs.size);
    expect(
      txs.filter((t) => t.to.toLowerCase() !== operator).map((t) => t.to.toLowerCase()),
      "the only other keeper transactions are observations",
    ).to.satisfy((to: string[]) => to.every((a) => a === oracle));
    // The race was real: keepers behind the first saw the condition, deferred, looked again and sent nothing.
    const deferred = daemons.slice(1).filter((d) => d.events().some((e) => e.event === "cycle.act-deferred"));
    expect(deferred.length, "keepers that saw a condition and deferred").to.be.gte(1);
  });
});
