/**
 * The gas budget's ledger survives a restart: a keeper that paid for a transaction, stopped and
 * started again on the same journal still counts that spend in its rolling 24 h budget, and its
 * next write is refused when the budget has no room left.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { refreshFeeds } from "../../support/system";
import type { GasLedger } from "../../../keeper/src/loop";
import { Journal } from "../../../keeper/src/tx";
import type { DecisionParams } from "../../../keeper/src/policy";
import type { InProcessSender } from "../../support/inProcessSender";
import { keeperAtDueObservation } from "../../support/inProcessLoop";
import { PARAMS, wad } from "../../support/policyFixtures";

const ledgerOf = (j: Journal): GasLedger => ({
  load: (since) => j.gasSpendsSince(since),
  record: (s) => j.recordGasSpend(s.atSec, s.usdWad),
});

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
    expect(reopened.gasSpendsSince(0n)).to.deep.equal([
      { atSec: 1_000n, usdWad: wad("1.5") },
      { atSec: 90_000n, usdWad: wad("2") },
    ]);
    expect(reopened.gasSpendsSince(90_000n - 86_400n)).to.deep.equal([{ atSec: 90_000n, usdWad: wad("2") }]);
    expect(reopened.gasSpendsSince(0n), "the older spend was deleted").to.have.length(1);
    reopened.close();
  });

  it("a restarted keeper counts what it paid before the restart and stands still on an exhausted budget", async function () {
    const k = await keeperAtDueObservation();
    const { f, clock, outcomes, skipped } = k;
    tx = k.tx;
    const file = path.join(dir, "journal.sqlite");
    const keeper = (journal: Journal, params: DecisionParams) => k.loop({ params, gasLedger: ledgerOf(journal) });

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
    expect(
      skipped.some((x) => x.startsWith("gas-budget-exhausted:")),
      skipped.join("; "),
    ).to.equal(true);
    expect(outcomes).to.have.length(1, "no second write");
    second.close();

    // Without the ledger (the old in-memory budget) the same restart would have written again.
    const third = Journal.open(path.join(dir, "empty.sqlite"));
    const loop3 = keeper(third, { ...PARAMS, dailyGasBudgetWad: paid });
    expect(loop3.gasSpent24hWad()).to.equal(0n);
    third.close();
  });
});
