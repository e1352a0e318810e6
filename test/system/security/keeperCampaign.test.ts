/**
 * Stateful campaign on the TypeScript side (fast-check `fc.commands` over the in-process Hardhat
 * network): the real keeper cycle (reader → pure decide() → simulate → send through the daemon's
 * own ManagedTxSender and journaled TxManager) runs as one actor among random market steps — trades both ways, user mints and
 * redeems with both collaterals, feed moves, donations to the reserve, ratio refreshes and time
 * warps. The Foundry campaign drives a hostile keeper; this one checks that the honest keeper the
 * daemon runs never sends a transaction the chain refuses and that every operation it sends keeps
 * the keeper bounds:
 *  - no cycle errors, no simulation revert and no failed transaction (decide() mirrors preview());
 *  - an operation is sent only when preview() at that state asked for the same action;
 *  - it moves spot toward the peg without crossing it (INV-5), never lowers protocol equity
 *    (INV-6), and per-operation and per-epoch caps hold (INV-8).
 * Seeded for `npm test`; `BALLAST_KEEPER_CAMPAIGN_RUNS` / `BALLAST_KEEPER_CAMPAIGN_SEED` widen it.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits, type Log } from "ethers";
import {
  BPS,
  WAD,
  deploySystemFixture,
  equityWad,
  mintWithUsdc,
  passTime,
  swapIntoPool,
  type Fixture,
} from "../../support/system";
import type { CycleOutcome, KeeperLoop } from "../../../keeper/src/loop";
import type { InProcessSender } from "../../support/inProcessSender";
import { inProcessLoop } from "../../support/inProcessLoop";
import { Action } from "../../../keeper/src/policy";

const RUNS = Number(process.env.BALLAST_KEEPER_CAMPAIGN_RUNS ?? 16);
const SEED = Number(process.env.BALLAST_KEEPER_CAMPAIGN_SEED ?? 0xba11a57);
const MAX_STEPS = 24;
const POOL_DEPTH_USDC = 1_000_000n;

interface Real {
  f: Fixture;
  loop: KeeperLoop;
  tx: InProcessSender;
  /** The keeper's clock follows the chain's, which the campaign warps. */
  clock: { nowMs: number };
}

interface Tally {
  cycles: number;
  sent: Record<string, number>;
  standStill: Record<string, number>;
  steps: number;
}

const tally: Tally = { cycles: 0, sent: {}, standStill: {}, steps: 0 };
const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

async function keeperFor(f: Fixture): Promise<Real> {
  // The fixture's keeper is Hardhat's development account #2; a fresh journal per run (each run
  // starts from the fixture snapshot, where the previous run's transactions never happened).
  const { tx, clock, loop } = await inProcessLoop(f);
  expect(tx.sender.address).to.equal(f.keeper.address);
  return { f, loop: loop(), tx, clock };
}

/** Keeper-visible quantities before a cycle, to judge what the cycle did. */
async function observe(f: Fixture) {
  return { preview: await f.operator.preview(), equityWad: await equityWad(f), limits: await f.operator.limits() };
}

function parseOperation(f: Fixture, logs: readonly Log[]) {
  for (const log of logs) {
    const parsed = f.operator.interface.parseLog(log);
    if (parsed?.name === "SupplyExpanded")
      return {
        action: Action.Expand,
        tokens: parsed.args.tokensSold as bigint,
        quote: parsed.args.quoteReceived as bigint,
        spotBeforeWad: parsed.args.spotBeforeWad as bigint,
        spotAfterWad: parsed.args.spotAfterWad as bigint,
      };
    if (parsed?.name === "SupplyContracted")
      return {
        action: Action.Contract,
        tokens: parsed.args.tokensBurned as bigint,
        quote: parsed.args.quoteSpent as bigint,
        spotBeforeWad: parsed.args.spotBeforeWad as bigint,
        spotAfterWad: parsed.args.spotAfterWad as bigint,
      };
  }
  return null;
}

const distance = (wad: bigint) => (wad > WAD ? wad - WAD : WAD - wad);

async function checkCycle(r: Real, before: Awaited<ReturnType<typeof observe>>, outcome: CycleOutcome): Promise<void> {
  const { f } = r;
  tally.cycles += 1;
  expect(["error", "simulation-reverted", "tx-failed"], `keeper cycle ${JSON.stringify(outcome)}`).not.to.include(
    outcome.kind,
  );
  if (outcome.kind === "stand-still") bump(tally.standStill, outcome.reason);
  if (outcome.kind !== "sent") return;
  bump(tally.sent, outcome.action);
  const receipt = await ethers.provider.getTransactionReceipt(outcome.hash);
  expect(receipt?.status).to.equal(1);
  const op = parseOperation(f, receipt!.logs);
  if (outcome.action === "rebalance") {
    expect(before.preview.action).to.equal(Action.Rebalance);
  } else if (outcome.action === "refresh") {
    // The keeper refreshes the policy only when the target moves (refreshDue).
    const policyAddress = (await f.policy.getAddress()).toLowerCase();
    const refreshed = receipt!.logs
      .filter((log) => log.address.toLowerCase() === policyAddress)
      .map((log) => f.policy.interface.parseLog(log))
      .find((event) => event?.name === "TargetRatioRefreshed");
    expect(refreshed, "a refresh emits TargetRatioRefreshed").to.not.equal(undefined);
    expect(refreshed!.args[1], "a refresh the keeper sends moves the target").to.not.equal(refreshed!.args[0]);
  } else {
    expect(op, "an operation emits its event").to.not.equal(null);
    // Sent only what preview() asked for at the same state.
    expect(before.preview.action).to.equal(op!.action);
    // INV-5: toward the peg, never across it.
    expect(distance(op!.spotAfterWad)).to.be.lte(distance(op!.spotBeforeWad));
    if (op!.action === Action.Expand) expect(op!.spotAfterWad).to.be.gte(WAD);
    else expect(op!.spotAfterWad).to.be.lte(WAD);
    // INV-8 per operation (contraction caps are in WAD USD; USDC has 6 decimals).
    if (op!.action === Action.Expand) expect(op!.tokens).to.be.lte(before.limits.maxExpansionPerOp);
    else expect(op!.quote * 10n ** 12n).to.be.lte(before.limits.maxContractionPerOp);
  }
  // INV-6: the protocol's own value never falls through the keeper's transaction.
  expect(await equityWad(f)).to.be.gte(before.equityWad - (outcome.action === "rebalance" ? 2n * 10n ** 12n : 0n));
  // INV-8 per epoch.
  const epoch = await f.operator.epoch();
  expect(epoch.netMinted).to.be.lte(before.limits.maxExpansionPerEpoch);
  expect(epoch.contracted).to.be.lte(before.limits.maxContractionPerEpoch);
}

type Cmd = fc.AsyncCommand<object, Real>;
const cmd = (label: string, run: (r: Real) => Promise<void>): Cmd => ({
  check: () => true,
  run: async (_m, r) => {
    tally.steps += 1;
    await run(r);
  },
  toString: () => label,
});

/** Trader flow of `permille`/1000 of the pool depth: buys tokens with USDC (up) or sells them (down). */
async function tradeFlow(f: Fixture, up: boolean, permille: number): Promise<void> {
  const quote = parseUnits(String((POOL_DEPTH_USDC * BigInt(permille)) / 1000n), 6);
  if (up) return swapIntoPool(f, f.trader, false, quote);
  const have = await f.stable.balanceOf(f.trader.address);
  const tokens = quote * 10n ** 12n;
  if (have < tokens) await mintWithUsdc(f, f.trader, ((tokens - have) * 102n) / 100n / 10n ** 12n + 1n);
  await swapIntoPool(f, f.trader, true, tokens);
}

const trade = (up: boolean, permille: number) =>
  cmd(`trade(${up ? "buy" : "sell"} ${permille}‰)`, ({ f }) => tradeFlow(f, up, permille));

/** A trade that lasts: one TWAP window passes after it, so spot and TWAP agree off the peg. */
const pressure = (up: boolean, permille: number) =>
  cmd(`pressure(${up ? "buy" : "sell"} ${permille}‰ + one TWAP window)`, async ({ f }) => {
    await tradeFlow(f, up, permille);
    await passTime(f, Number(f.params.oracle.twapWindowSec), 4);
  });

const warp = (sec: number) =>
  cmd(`warp(${sec}s)`, ({ f }) => passTime(f, sec, Math.max(1, Math.min(4, Math.floor(sec / 300)))));

const moveFeed = (weth: boolean, bps: number) =>
  cmd(`feed(${weth ? "WETH" : "USDC"} ${bps > 0 ? "+" : ""}${bps}bps)`, async ({ f }) => {
    const feed = weth ? f.weth.feed : f.usdc.feed;
    const [, answer] = await feed.latestRoundData();
    await feed.updateAnswer((answer * (BPS + BigInt(bps))) / BPS);
    await f.oracle.update();
  });

const userMint = (weth: boolean, units: number) =>
  cmd(`mint(${units} ${weth ? "WETH" : "USDC"})`, async ({ f }) => {
    const c = weth ? f.weth : f.usdc;
    const amount = parseUnits(String(units), weth ? 18 : 6);
    await c.token.connect(f.user).approve(await f.reserve.getAddress(), amount);
    // Refusals (a stale feed after a warp, the ceiling, recovery fees) are the protocol's call, not a failure here.
    await f.reserve
      .connect(f.user)
      .mint(await c.token.getAddress(), amount, 0, f.user.address)
      .catch(() => undefined);
  });

const userRedeem = (weth: boolean, percent: number) =>
  cmd(`redeem(${percent}% for ${weth ? "WETH" : "USDC"})`, async ({ f }) => {
    const tokens = ((await f.stable.balanceOf(f.user.address)) * BigInt(percent)) / 100n;
    if (tokens === 0n) return;
    const asset = await (weth ? f.weth : f.usdc).token.getAddress();
    await f.reserve
      .connect(f.user)
      .redeem(asset, tokens, 0, f.user.address)
      .catch(() => undefined);
  });

const donate = (units: number) =>
  cmd(`donate(${units} USDC to the reserve)`, async ({ f }) => {
    await f.usdc.token.connect(f.stranger).transfer(await f.reserve.getAddress(), parseUnits(String(units), 6));
  });

const refreshRatio = cmd("refreshRatio", async ({ f }) => {
  await f.policy.refresh().catch(() => undefined);
});

const keeperCycle = cmd("keeperCycle", async (r) => {
  const block = await ethers.provider.getBlock("latest");
  r.clock.nowMs = block!.timestamp * 1000 + 500;
  const before = await observe(r.f);
  const outcome = await r.loop.cycle();
  await checkCycle(r, before, outcome);
});

const commands = [
  fc.tuple(fc.boolean(), fc.integer({ min: 2, max: 40 })).map(([up, p]) => trade(up, p)),
  fc.tuple(fc.boolean(), fc.integer({ min: 5, max: 30 })).map(([up, p]) => pressure(up, p)),
  fc.constantFrom(12, 120, 600, 1_800, 3_600).map(warp),
  fc.tuple(fc.boolean(), fc.integer({ min: -300, max: 300 })).map(([w, b]) => moveFeed(w, b)),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 50_000 }))
    .map(([w, u]) => userMint(w, w ? Math.max(1, Math.floor(u / 3_000)) : u)),
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 100 })).map(([w, p]) => userRedeem(w, p)),
  fc.integer({ min: 1, max: 20_000 }).map(donate),
  fc.constant(refreshRatio),
  fc.constant(keeperCycle),
  fc.constant(keeperCycle),
  fc.constant(keeperCycle),
];

describe("Keeper campaign: the daemon's own cycle among random market steps (fc.commands)", function () {
  it(`${RUNS} runs × up to ${MAX_STEPS} steps, seed ${SEED}: never a refused transaction, every operation within the keeper bounds [INV-5] [INV-6] [INV-8]`, async function () {
    this.timeout(0);
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_STEPS, size: "max" }), async (cmds) => {
        const f = await loadFixture(deploySystemFixture);
        await f.usdc.token.mint(f.stranger.address, parseUnits("1000000", 6));
        const real = await keeperFor(f);
        try {
          await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
        } finally {
          real.tx.close();
        }
        // Chain time only moves forward; the next run starts from the fixture snapshot again.
        expect(await time.latest()).to.be.gte(Number(f.params.oracle.twapWindowSec));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const sent = Object.values(tally.sent).reduce((a, b) => a + b, 0);
    console.log(
      `      keeper campaign: ${RUNS} runs, ${tally.steps} steps, ${tally.cycles} keeper cycles, sent ${JSON.stringify(
        tally.sent,
      )}, stood still ${JSON.stringify(tally.standStill)}`,
    );
    // A campaign in which the keeper never acts would check nothing.
    expect(sent, "the keeper acted at least once").to.be.gte(1);
  });
});
