/**
 * The loop emits, subscribers listen: one real cycle (the in-process network, the daemon's reader,
 * pure decide(), and its ManagedTxSender) tells every subscriber each step in order, and a
 * subscriber that throws is reported and skipped without stopping the cycle or the others.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { deploySystemFixture, passTime, swapIntoPool } from "../../support/system";
import { createMetrics } from "../../../keeper/src/metrics";
import { fanOut, metricsObserver, type CycleObserver } from "../../../keeper/src/observe";
import type { InProcessSender } from "../../support/inProcessSender";
import { inProcessLoop } from "../../support/inProcessLoop";

describe("keeper loop: a cycle's events reach every subscriber", function () {
  let tx: InProcessSender | undefined;
  after(() => tx?.close());

  it("an expansion: snapshot, act, simulated, sent, confirmed, done, in that order; a throwing subscriber is reported and skipped", async function () {
    const f = await loadFixture(deploySystemFixture);
    await swapIntoPool(f, f.trader, false, parseUnits("20000", 6)); // about 2% above the peg
    await passTime(f, Number(f.params.oracle.twapWindowSec), 4);
    const keeper = await inProcessLoop(f, { oracleWrites: false });
    tx = keeper.tx;

    const seen: string[] = [];
    const recorder: CycleObserver = {
      onSnapshot: (e) => seen.push(`snapshot ${e.snapshot.blockNumber}`),
      onStandStill: (e) => seen.push(`stand-still ${e.reason}`),
      onAct: (e) => seen.push(`act ${e.action}`),
      onSimulated: (e) => seen.push(`simulated ${e.action} ${e.ok}`),
      onSent: (e) => seen.push(`sent ${e.action}`),
      onConfirmed: (e) => seen.push(`confirmed ${e.action} ${e.outcome.hash === sentHash()}`),
      onFailed: (e) => seen.push(`failed ${e.stage} ${e.message}`),
      onCycleDone: (e) => seen.push(`done ${e.outcome.kind}`),
    };
    let sent = "";
    const sentHash = () => sent;
    const thrower: CycleObserver = {
      onSent: (e) => {
        sent = e.tx.hash;
        throw new Error("a broken subscriber");
      },
    };
    const reported: string[] = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const loop = keeper.loop({
      observer: fanOut([thrower, recorder, metricsObserver(metrics)], (hook, err) =>
        reported.push(`${hook}: ${(err as Error).message}`),
      ),
    });

    const outcome = await loop.cycle();
    expect(outcome.kind, JSON.stringify(seen)).to.equal("sent");
    const block = seen[0].split(" ")[1];
    expect(seen).to.deep.equal([
      `snapshot ${block}`,
      "act expand",
      "simulated expand true",
      "sent expand",
      "confirmed expand true",
      "done sent",
    ]);
    expect(reported).to.deep.equal(["onSent: a broken subscriber"]);
    const counted = (await metrics.registry.getSingleMetric("ballast_actions_total")!.get()).values.map(
      (v) => `${v.labels.action} ${v.labels.result} ${v.value}`,
    );
    expect(counted).to.have.members(["expand sent 1", "expand confirmed 1"]);
    expect(loop.lastCycleAtMs()).to.equal(keeper.clock.nowMs);
  });
});
