/**
 * `npm start`: Ballast working end to end on an embedded default. Starts a local Hardhat node,
 * deploys the protocol (the deploy's Ignition module, address book in a temporary directory),
 * starts the feed driver (mock Chainlink feeds re-posted at their heartbeat, so the stack keeps
 * working for hours) and the keeper daemon as its own process, then runs a short market
 * scenario: a trader pushes the price about 2% above the peg, time passes so the TWAP follows,
 * the keeper expands; then 2% below, the keeper contracts. An operation its cap stops short of the
 * peg is followed by the next a cooldown later, until spot is back inside the operator's band
 * (on V3, the 3 bps band: four operations each way). The terminal shows each step live and a
 * summary; then the stack stays up (keeper holding the peg, status page live) until Ctrl-C, which
 * stops everything (keeper, then node) and leaves no process behind. `--exit` stops after the
 * summary instead.
 *
 * `--venue v2|v3` chooses the market (default DEFAULT_VENUE, deploy/venue.ts): the Uniswap V2 pair,
 * or the Uniswap V3 venue (the pool at the 0.01% tier, MarketOperatorV3, the LiquidityManager with
 * its protocol-owned position, whose status is printed first). The scenario is the same on both;
 * only the trader's push differs (a V3 swap stops at its price limit).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, formatUnits, type JsonRpcSigner } from "ethers";
import { freePort, startHardhatNode, type RunningNode } from "./devnet/node";
import { deployToNode } from "./devnet/deploy";
import {
  LiquidityManager__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
  BallastDollar__factory,
} from "../typechain-types";
import { connectV3Pool } from "../deploy/uniswapV3";
import { advance, poolView, pushPrice, type LocalBook } from "./localMarket";
import { parseVenueFlag } from "./lib/args";
import { UserError } from "./lib/cli";
import { spawnKeeper, type KeeperProcess, type LogLine } from "./lib/keeperProcess";
import { FeedDriver, feedsOfBook } from "./devnet/feedDriver";
import { LOCAL_ACCOUNTS, LOCAL_PARAMS } from "../deploy/parameters";

/** How often the feed driver reads the chain's clock, ms. */
const FEED_POLL_MS = 1_000;
/** Operations the scenario waits for after one push (each capped at maxExpansionPerOp / maxContractionPerOp). */
const MAX_OPERATIONS_PER_PUSH = 6;

const out = (line = ""): void => void process.stdout.write(`${line}\n`);
const fmt = (wad: bigint, digits = 4): string => Number(formatUnits(wad, 18)).toFixed(digits);

interface Stack {
  node?: RunningNode;
  keeper?: KeeperProcess;
  feeds?: FeedDriver;
  provider?: JsonRpcProvider;
  dir?: string;
}

const stack: Stack = {};
let stopping = false;

async function stopKeeper(): Promise<void> {
  await stack.keeper?.stop("SIGTERM", 15_000);
}

async function teardown(): Promise<void> {
  await stopKeeper();
  await stack.feeds?.stop();
  stack.provider?.destroy();
  await stack.node?.stop();
  if (stack.dir) rmSync(stack.dir, { recursive: true, force: true });
}

function startKeeper(configPath: string, env: NodeJS.ProcessEnv, onEvent: (e: LogLine) => void): KeeperProcess {
  // Its own process group: Ctrl-C reaches this script, which then stops the keeper in order.
  const keeper = spawnKeeper(["run", "--network", "localhost", "--config", configPath], {
    env,
    detached: true,
    onLine: onEvent,
  });
  void keeper.exited.then(({ code }) => {
    if (!stopping && code !== 0) out(`keeper exited with code ${code}\n${keeper.stderr().slice(-4000)}`);
  });
  return keeper;
}

async function main(): Promise<void> {
  // Checked before anything starts: a bad --venue leaves no node behind.
  const venue = parseVenueFlag(process.argv.slice(2));
  out("Ballast — a stablecoin held on its peg by market operations\n");
  out("• starting a local Hardhat node …");
  stack.node = await startHardhatNode();
  out(`  node at ${stack.node.url}`);

  stack.dir = mkdtempSync(path.join(os.tmpdir(), "ballast-start-"));
  const venueName = venue === "v3" ? "Uniswap V3 pool with protocol-owned liquidity" : "Uniswap V2 pair";
  out(`• deploying Ballast (${venueName}, Chainlink mock feeds, reserve, policy, operator) …`);
  const deployed = (await deployToNode(stack.node.url, { dir: stack.dir, venue })).outcome;
  const book = deployed.addressBook as unknown as LocalBook & { contracts: { MarketOperator: string } };
  // The V3 trader pays the pool's callback (the deploy's UniswapV3Trader).
  const pushVenue = { v3Trader: deployed.record.extra.UniswapV3Trader };
  out(`  MarketOperator ${book.contracts.MarketOperator}, pool ${book.contracts.Pool}`);

  const provider = new JsonRpcProvider(stack.node.url, undefined, { cacheTimeout: -1 });
  stack.provider = provider;
  const admin: JsonRpcSigner = await provider.getSigner(0);
  const trader: JsonRpcSigner = await provider.getSigner(5);
  const oracle = PriceOracle__factory.connect(book.contracts.PriceOracle, provider);
  const reserve = Reserve__factory.connect(book.contracts.Reserve, provider);
  const stable = BallastDollar__factory.connect(book.contracts.BallastDollar, provider);
  const operator = MarketOperator__factory.connect(book.contracts.MarketOperator, provider);

  out("• starting the feed driver (mock Chainlink feeds re-posted at their heartbeat and on deviation) …");
  stack.feeds = new FeedDriver({
    provider,
    signer: await provider.getSigner(LOCAL_ACCOUNTS.feedDriver),
    feeds: feedsOfBook(deployed.addressBook, LOCAL_PARAMS),
  });
  stack.feeds.start(FEED_POLL_MS);

  const port = process.env.BALLAST_KEEPER_PORT ? Number(process.env.BALLAST_KEEPER_PORT) : await freePort();
  const configPath = path.join(stack.dir, "keeper.json");
  writeFileSync(
    configPath,
    JSON.stringify({ addressBook: deployed.addressBookPath, pollIntervalMs: 250, idleCycleSec: 5, http: { port } }),
  );

  const events: LogLine[] = [];
  let lastReason = "";
  const waiters: { pred: (e: LogLine) => boolean; resolve: (e: LogLine) => void }[] = [];
  const onEvent = (e: LogLine): void => {
    events.push(e);
    if (e.event === "cycle.act")
      out(
        `  keeper  block ${e.block}: ${e.action} ${
          e.action === "rebalance" ? "" : `${e.amount} (expected profit $${e.expectedProfitUsd})`
        }`,
      );
    else if (e.event === "tx.sent") out(`  keeper  sent ${e.action}: tx ${e.txHash} nonce ${e.nonce}`);
    else if (e.event === "tx.confirmed")
      out(`  keeper  ${e.action} confirmed in block ${e.minedIn} (gas ${e.gasUsed})`);
    else if (e.event === "tx.failed" || e.event === "simulation.reverted")
      out(`  keeper  ${e.event}: ${e.action} ${String(e.error ?? e.detail ?? "")}`);
    else if (e.event === "cycle.stand-still" && e.reason !== lastReason)
      out(`  keeper  block ${e.block}: stands still — ${e.reason}`);
    if (e.event === "cycle.stand-still") lastReason = String(e.reason);
    if (e.event === "cycle.act") lastReason = "";
    for (const w of [...waiters])
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
  };
  const waitFor = (pred: (e: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const hit = events.find(pred);
      if (hit) return resolve(hit);
      const t = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for the keeper: ${what}`)),
        timeoutMs,
      );
      waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
    });

  if (deployed.addressBook.venue === "v3") await printV3Status(deployed.addressBook.contracts, provider);

  out("• starting the keeper daemon …");
  stack.keeper = startKeeper(
    configPath,
    { BALLAST_LOCALHOST_URL: stack.node.url, BALLAST_KEEPER_JOURNAL: path.join(stack.dir, "journal.sqlite") },
    onEvent,
  );
  await waitFor((e) => e.event === "http.listening", 120_000, "start");
  out(
    `  metrics http://127.0.0.1:${port}/metrics   health http://127.0.0.1:${port}/healthz   status http://127.0.0.1:${port}/`,
  );
  await waitFor((e) => e.event === "cycle.stand-still" && e.reason === "inside-band", 120_000, "first quiet cycle");

  const row = async (label: string): Promise<{ deviationBps: number }> => {
    if (stopping) throw new Error("stopping");
    const [spot, twap] = await oracle.marketPrice().catch(() => [0n, 0n]);
    const ratio = await reserve.collateralRatio();
    const supply = await stable.totalSupply();
    // Deviation of the oracle's spot (USD), read in the same round as the other columns.
    const deviationBps = spot === 0n ? 0 : Number(((spot - 10n ** 18n) * 10_000n) / 10n ** 18n);
    out(
      `  ${label.padEnd(34)} spot ${fmt(spot)}  twap ${fmt(twap)}  dev ${String(deviationBps).padStart(
        5,
      )} bps  ratio ${fmt(ratio)}  supply ${Number(formatUnits(supply, 18)).toFixed(0)}`,
    );
    return { deviationBps };
  };

  const band = Number(await operator.bandBps());
  const cooldownSec = Number((await operator.limits()).cooldownSec);
  const supplyBefore = await stable.totalSupply();
  const ratioBefore = await reserve.collateralRatio();
  let maxDev = 0;
  const track = (p: { deviationBps: number }) => (maxDev = Math.max(maxDev, Math.abs(p.deviationBps)));

  for (const [bps, action, story] of [
    [200, "expand", "buys"],
    [-200, "contract", "sells"],
  ] as const) {
    out(`\n• a trader ${story} on the pool: price ${bps > 0 ? "+" : ""}${bps / 100}%`);
    track(await pushPrice(book, trader, bps, pushVenue));
    await row("after the trade");
    out("  30 minutes pass; the TWAP follows spot …");
    const seen = events.length;
    for (
      let step = 1;
      step <= 3 && !events.slice(seen).some((e) => e.event === "tx.confirmed" && e.action === action);
      step++
    ) {
      await advance(book, provider, admin, 600, 1);
      track(await row(`+${step * 10} min`));
      await new Promise((r) => setTimeout(r, 1_500));
    }
    await waitFor(
      (e) => e.event === "tx.confirmed" && e.action === action && events.indexOf(e) >= seen,
      90_000,
      `${action} confirmed`,
    );
    // An operation the per-operation cap stops short of the peg is followed by the next one as
    // soon as the cooldown ends, until spot is back inside the band.
    for (let done = 1; ; done++) {
      const { deviationBps } = await row(done === 1 ? "after the keeper's operation" : `after operation ${done}`);
      if (Math.abs(deviationBps) <= band || done === MAX_OPERATIONS_PER_PUSH) break;
      const before = events.length;
      await advance(book, provider, admin, cooldownSec + 1, 1);
      await waitFor(
        (e) => e.event === "tx.confirmed" && e.action === action && events.indexOf(e) >= before,
        90_000,
        `${action} ${done + 1} confirmed`,
      );
    }
    // Past the operator's cooldown before the next push.
    await advance(book, provider, admin, cooldownSec + 1, 1);
  }

  const supplyAfter = await stable.totalSupply();
  const ratioAfter = await reserve.collateralRatio();
  const final = await poolView(book, admin);
  const confirmed = events.filter((e) => e.event === "tx.confirmed");
  out("\n• summary");
  out(`  operations confirmed  ${confirmed.map((e) => e.action).join(", ") || "none"}`);
  out(`  max deviation seen    ${maxDev} bps; final ${final.deviationBps} bps (band ±${band} bps)`);
  out(
    `  supply                ${Number(formatUnits(supplyBefore, 18)).toFixed(2)} → ${Number(
      formatUnits(supplyAfter, 18),
    ).toFixed(2)}`,
  );
  out(`  collateral ratio      ${fmt(ratioBefore)} → ${fmt(ratioAfter)}`);
  out(`  keeper gas used       ${confirmed.reduce((s, e) => s + Number(e.gasUsed ?? 0), 0)}`);
  if (process.argv.includes("--exit")) {
    out("\n• stopping the keeper and the node …");
    stopping = true;
    await teardown();
    out("done.");
    return;
  }
  // The stack stays up: the keeper keeps holding the peg and the status page stays live.
  out(`\n• still running: the keeper holds the peg; status page http://127.0.0.1:${port}/`);
  out(`  move the price yourself: BALLAST_LOCALHOST_URL=${stack.node.url} BALLAST_DEPLOYMENTS_DIR=${stack.dir} \\`);
  out("    npx hardhat ballast:swap --network localhost --side buy --amount 20000");
  out("  Ctrl-C stops everything (`npm start -- --exit` stops after the summary instead).");
}

/** The V3 venue at a glance: the pool's price and in-range liquidity, the protocol's position and the reserve. */
async function printV3Status(
  c: { Pool: string; LiquidityManager?: string; PriceOracle: string; Reserve: string; BallastDollar: string },
  provider: JsonRpcProvider,
): Promise<void> {
  const pool = connectV3Pool(c.Pool, provider);
  const lm = LiquidityManager__factory.connect(c.LiquidityManager!, provider);
  const [spot, twap] = await PriceOracle__factory.connect(c.PriceOracle, provider).marketPrice();
  const slot0 = await pool.slot0();
  out("• the V3 venue");
  out(
    `  pool               ${c.Pool}  fee ${Number(await pool.fee()) / 10_000}%  tick ${
      slot0.tick
    }  in-range liquidity ${await pool.liquidity()}`,
  );
  out(
    `  LiquidityManager   ${
      c.LiquidityManager
    }  range [${await lm.tickLower()}, ${await lm.tickUpper()})  liquidity ${await lm.positionLiquidity()}  quote deployed $${fmt(
      await lm.quoteDeployedWad(),
      2,
    )}`,
  );
  out(`  oracle             spot ${fmt(spot)}  twap ${fmt(twap)}`);
  out(
    `  reserve            ratio ${fmt(
      await Reserve__factory.connect(c.Reserve, provider).collateralRatio(),
    )}  supply ${Number(
      formatUnits(await BallastDollar__factory.connect(c.BallastDollar, provider).totalSupply(), 18),
    ).toFixed(0)}`,
  );
}

process.on("SIGINT", () => {
  if (stopping) return;
  stopping = true;
  out("\n• Ctrl-C: stopping the keeper and the node …");
  void teardown().then(() => process.exit(130));
});

main().catch(async (err: unknown) => {
  if (stopping) return;
  stopping = true;
  out(`\nnpm start failed: ${err instanceof UserError ? err.message : (err as Error).stack ?? String(err)}`);
  await teardown();
  process.exit(1);
});
