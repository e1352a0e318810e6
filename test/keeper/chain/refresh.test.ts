/**
 * The daemon's CollateralPolicy.refresh() on the in-process chain, through the keeper's own reader,
 * decision and managed transaction path: after the TWAP spends a window below the band the keeper
 * sends refresh() and the target steps up; inside the band it sends none (the no-op it used to cost
 * the simulator); another keeper's refresh landing first is a benign stand-still, not an error.
 * The operator is paused in the first and last case so the operation stands still and only the
 * refresh decision is left (refresh() does not depend on the operator).
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deploySystemFixture,
  mintWithUsdc,
  passTime,
  refreshFeeds,
  swapIntoPool,
  type Fixture,
} from "../../support/system";
import { inProcessLoop, type InProcessLoop } from "../../support/inProcessLoop";
import { riskFloorWad } from "../../../keeper/src/policy";
import type { CycleOutcome } from "../../../keeper/src/loop";

const TWAP_WINDOW_SEC = 1_800;

describe("keeper loop: CollateralPolicy.refresh()", function () {
  let k: InProcessLoop | null = null;
  afterEach(function () {
    k?.tx.close();
    k = null;
  });

  /** The system with its target already refreshed at the peg (target = risk floor), the cooldown then passed. */
  async function settled(): Promise<{ f: Fixture; k: InProcessLoop }> {
    const f = await loadFixture(deploySystemFixture);
    await f.operator.connect(f.keeper).rebalance();
    await f.policy.refresh();
    const p = await f.policy.params();
    await passTime(f, Number(p.refreshCooldownSec) + 60);
    k = await inProcessLoop(f);
    return { f, k };
  }

  /** A trader sells 2% of the pool's token side (spot ~4% below the peg); a window of observations brings the TWAP there. */
  async function twapBelowBand(f: Fixture): Promise<void> {
    const [r0, r1] = await f.pair.getReserves();
    const tokenIs0 = (await f.pair.token0()) === (await f.stable.getAddress());
    const sold = (tokenIs0 ? r0 : r1) / 50n;
    // Quote for the tokens, plus 2% for the mint fee.
    await mintWithUsdc(f, f.trader, (sold * 102n) / 100n / 10n ** 12n);
    await swapIntoPool(f, f.trader, true, sold);
    await passTime(f, TWAP_WINDOW_SEC, 5);
  }

  async function cycleNow(loop: ReturnType<InProcessLoop["loop"]>): Promise<CycleOutcome> {
    k!.clock.nowMs = ((await k!.provider.getBlock("latest"))!.timestamp + 1) * 1000;
    return loop.cycle();
  }

  it("mirrors the contract's risk floor", async function () {
    const { f } = await settled();
    const p = await f.policy.params();
    expect(riskFloorWad(p, await f.reserve.weightedHaircutBps())).to.equal(await f.policy.riskFloor());
  });

  it("a TWAP below the band: the keeper sends refresh() and the target steps up one step", async function () {
    const { f, k } = await settled();
    await f.operator.connect(f.guardian).pause();
    await twapBelowBand(f);
    const [, twap] = await f.oracle.marketPrice();
    expect(twap).to.be.lessThan(10n ** 18n - 5n * 10n ** 15n, "TWAP below the 50 bps band");
    const before = await f.policy.targetRatio();
    const { stepWad } = await f.policy.params();

    const outcome = await cycleNow(k.loop());
    expect(
      outcome.kind,
      JSON.stringify(outcome, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    ).to.equal("sent");
    expect(outcome.kind === "sent" && outcome.action).to.equal("refresh");
    expect(await f.policy.targetRatio()).to.equal(before + stepWad);
    expect(await f.policy.lastRefreshAt()).to.equal(BigInt(await time.latest()));

    // Inside the cooldown now: the next cycle sends no second refresh.
    const again = await cycleNow(k.loop());
    expect(again.kind === "sent" && again.action).to.not.equal("refresh");
    expect(await f.policy.targetRatio()).to.equal(before + stepWad);
  });

  it("inside the band: no refresh is sent, the target and its clock stay", async function () {
    const { f, k } = await settled();
    const target = await f.policy.targetRatio();
    const last = await f.policy.lastRefreshAt();
    expect(await f.policy.nextRefreshAt()).to.be.lessThanOrEqual(BigInt(await time.latest()), "cooldown passed");
    for (let i = 0; i < 3; i++) {
      const outcome = await cycleNow(k.loop());
      expect(outcome.kind).to.equal("stand-still");
      expect(outcome.kind === "stand-still" && outcome.reason).to.equal("inside-band");
      await time.increase(600);
      await refreshFeeds(f);
    }
    expect(await f.policy.targetRatio()).to.equal(target);
    expect(await f.policy.lastRefreshAt()).to.equal(last);
  });

  it("another keeper's refresh lands between the read and the send: a benign stand-still", async function () {
    const { f, k } = await settled();
    await f.operator.connect(f.guardian).pause();
    await twapBelowBand(f);
    const loop = k.loop();
    const deps = (loop as unknown as { deps: { read: () => Promise<unknown> } }).deps;
    const read = deps.read;
    deps.read = async () => {
      const snap = await read();
      await (await f.policy.connect(f.stranger).refresh()).wait();
      return snap;
    };
    const nonce = await k.provider.getTransactionCount(f.keeper.address, "latest");
    const outcome = await cycleNow(loop);
    expect(outcome.kind).to.equal("stand-still");
    expect(outcome.kind === "stand-still" && outcome.reason).to.equal("refresh-too-soon");
    expect(await k.provider.getTransactionCount(f.keeper.address, "latest")).to.equal(nonce, "nothing sent");
  });
});
