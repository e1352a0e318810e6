/**
 * The gas budget's ledger survives a restart: a keeper that paid for a transaction, stopped and
 * started again on the same journal still counts that spend in its rolling 24 h budget, and its
 * next write is refused when the budget has no room left.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BrowserProvider } from "ethers";
import { addressBookOf, deploySystemFixture, refreshFeeds } from "../../support/system";
import { connectProtocol, SymbolCache } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { KeeperLoop, type GasLedger } from "../../../keeper/src/loop";
import { createLogger } from "../../../keeper/src/logger";
import { createMetrics } from "../../../keeper/src/metrics";
import { fanOut, metricsObserver, type CycleObserver } from "../../../keeper/src/observe";
import type { ObservationOutcome } from "../../../keeper/src/observe/cycleObserver";
import { Journal } from "../../../keeper/src/tx";
import type { DecisionParams } from "../../../keeper/src/policy";
import { inProcessSender, type InProcessSender } from "../../support/inProcessSender";
import { PARAMS, wad } from "../../support/policyFixtures";

const ledgerOf = (j: Journal): GasLedger => ({ load: (since) => j.gasSpendsSince(since), record: (s) => j.recordGasSpend(s.atSec, s.usdWad) });

describe("keeper gas budget ledger: persisted in the journal across restarts", function () {
  let dir = "";
  let tx: InProcessSender | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ballast-gas-ledger-"));
  });
  afterEach(() => {
    tx?.close();
    tx = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("the journal keeps spends of the last 24 h and drops older ones", function () {
    const file = path.join(dir, "journal.sqlite");
    const j = Journal.open(file);
    j.recordGasSpend(1_000n, wad("1.5"));
    j.recordGasSpend(90_000n, wad("2"));
    j.close();
    const reopened = Journal.open(file);
    expect(reopened.gasSpendsSince(0n)).to.deep.equal([{ atSec: 1_000n, usdWad: wad("1.5") }, { atSec: 90_000n, usdWad: wad("2") }]);
    expect(reopened.gasSpendsSince(90_000n - 86_400n)).to.deep.equal([{ atSec: 90_000n, usdWad: wad("2") }]);
    expect(reopened.gasSpendsSince(0n), "the older spend was deleted").to.have.length(1);
    reopened.close();
  });

  it("a restarted keeper counts what it paid before the restart and stands still on an exhausted budget", async function () {
    const f = await loadFixture(deploySystemFixture);
    await f.operator.connect(f.keeper).rebalance();
    await time.increase(500);
    await refreshFeeds(f);
    const provider = new BrowserProvider(network.provider, undefined, { cacheTimeout: -1 });
    const protocol = await connectProtocol(await addressBookOf(f), provider);
    const symbols = new SymbolCache(provider);
    tx = inProcessSender(network.provider, 31337n, 2, await f.operator.getAddress(), await f.oracle.getAddress());
    const clock = { nowMs: ((await provider.getBlock("latest"))!.timestamp + 1) * 1000 };
    const file = path.join(dir, "journal.sqlite");
    const outcomes: ObservationOutcome[] = [];
    const skipped: string[] = [];
    const recorder: CycleObserver = {
      onObservation: (e) => {
        if (e.stage === "done") outcomes.push(e.outcome);
        if (e.stage === "skipped") skipped.push(e.reason);
      },
    };
    const keeper = (journal: Journal, params: DecisionParams) =>
      new KeeperLoop({
        read: () => readSnapshot(provider, protocol, symbols, { feeHistoryBlocks: 5, rewardPercentile: 50, keeper: f.keeper.address, now: () => clock.nowMs }),
        blockNumber: () => provider.getBlockNumber(),
        endpoint: () => "in-process",
        sender: tx!.sender,
        params,
        dryRun: false,
        logger: createLogger("silent"),
        observer: fanOut([recorder, metricsObserver(createMetrics({ defaultMetrics: false }))], () => undefined),
        pollIntervalMs: 1_000,
        idleCycleSec: 60,
        now: () => clock.nowMs,
        gasLedger: ledgerOf(journal),
      });

    // First run: the keeper writes the due observation and pays for it.
    const first = Journal.open(file);
    const loop1 = keeper(first, PARAMS);
    await loop1.cycle();
    expect(outcomes.map((o) => o.result)).to.deep.equal(["confirmed"]);
    const paid = loop1.gasSpent24hWad();
    expect(paid > 0n).to.equal(true);
    first.close(); // the process stops

    // An hour later, a new process on the same journal: the spend is still in its 24 h window.
    clock.nowMs += 3_600_000;
    await time.increase(3_600);
    await refreshFeeds(f);
    const second = Journal.open(file);
    // A budget that the earlier spend leaves no room in: the next observation must not be written.
    const loop2 = keeper(second, { ...PARAMS, dailyGasBudgetWad: paid });
    expect(loop2.gasSpent24hWad()).to.equal(paid);
    await loop2.cycle();
    expect(skipped).to.include("gas-budget-exhausted");
    expect(outcomes).to.have.length(1, "no second write");
    second.close();

    // Without the ledger (the old in-memory budget) the same restart would have written again.
    const third = Journal.open(path.join(dir, "empty.sqlite"));
    const loop3 = keeper(third, { ...PARAMS, dailyGasBudgetWad: paid });
    expect(loop3.gasSpent24hWad()).to.equal(0n);
    third.close();
  });
});
