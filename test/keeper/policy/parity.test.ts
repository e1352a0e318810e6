/**
 * Parity: on many random pool/reserve states of the real system (in-process Hardhat network), the
 * keeper's pure mirror `previewOperation(snapshot)` equals `MarketOperator.preview()` exactly,
 * field by field, with the snapshot taken by the keeper's own reader at the same block.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { addressBookOf, deploySystemFixture, mintWithUsdc, passTime, swapIntoPool } from "../../support/system";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { connectProtocol, SymbolCache } from "../../../keeper/src/chain/protocol";
import {
  Action,
  INITIAL_MEMORY,
  decide,
  previewOperation,
  refreshDue,
  type DecisionParams,
} from "../../../keeper/src/policy";
import { PARAMS } from "../../support/policyFixtures";

/**
 * The keeper with every gate of its own switched off (no hysteresis, no oracle-age margin, gas not
 * valued): what is left is the contract's rule, so decide() must act exactly when preview() does.
 */
const CONTRACT_ONLY: DecisionParams = {
  ...PARAMS,
  hysteresisBps: 0n,
  oracleAgeMarginSec: 0n,
  maxBlockAgeSec: 0n,
  nativeUsdFeedSymbol: null,
};

/** True with probability 1/n: rare events (pause, feed crash) must not drown the common path. */
const oneIn = (n: number) => fc.integer({ min: 1, max: n }).map((x) => x === 1);

/** One random market history applied to a fresh system. */
const scenario = fc.record({
  // Signed trader flow, in tenths of a percent of the pool depth (±6%).
  flowPermille: fc.integer({ min: -60, max: 60 }),
  passSec: fc.constantFrom(0, 300, 1_800, 3_600, 3_600, 7_200),
  refreshFeeds: oneIn(5).map((stale) => !stale),
  usdcPriceBps: fc.integer({ min: 9_700, max: 10_300 }),
  caps: fc.option(
    fc.record({ perOpPct: fc.integer({ min: 0, max: 100 }), cooldownSec: fc.constantFrom(30, 60, 600) }),
    { nil: undefined },
  ),
  band: fc.option(
    fc.record({ bandBps: fc.integer({ min: 10, max: 200 }), guardBps: fc.integer({ min: 50, max: 1_000 }) }),
    { nil: undefined },
  ),
  // Minimum share, loss budget (bps) and its epoch cap (whole USD, within the hard bounds).
  sizing: fc.option(
    fc.record({
      shareBps: fc.integer({ min: 100, max: 5_000 }),
      lossBps: fc.integer({ min: 0, max: 30 }),
      capUsd: fc.constantFrom(0, 1, 100, 50_000),
    }),
    { nil: undefined },
  ),
  operateFirst: oneIn(3),
  rebalanceFirst: fc.boolean(),
  pause: oneIn(8),
  wethCrash: oneIn(8),
});

describe("keeper policy parity with MarketOperator.preview() on the real contracts", function () {
  it("previewOperation(snapshot) equals preview() on random states", async function () {
    let acted = 0;
    const actions = new Set<number>();
    const blockers = new Set<number>();
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const f = await loadFixture(deploySystemFixture);
        if (sc.rebalanceFirst) await f.operator.connect(f.keeper).rebalance();
        if (sc.operateFirst) {
          await swapIntoPool(f, f.trader, false, parseUnits("20000", 6));
          await passTime(f, 3_600, 8);
          await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
        }
        if (sc.caps) {
          const perOp = (parseUnits("250000", 18) * BigInt(sc.caps.perOpPct)) / 100n;
          await f.operator.connect(f.admin).setLimits({
            maxExpansionPerOp: perOp,
            maxExpansionPerEpoch: parseUnits("1000000", 18),
            maxContractionPerOp: perOp,
            maxContractionPerEpoch: parseUnits("1000000", 18),
            cooldownSec: sc.caps.cooldownSec,
            epochSec: 86_400,
          });
        }
        if (sc.band) await f.operator.connect(f.admin).setBand(sc.band.bandBps, sc.band.guardBps);
        if (sc.sizing)
          await f.operator
            .connect(f.admin)
            .setSizing(sc.sizing.shareBps, sc.sizing.lossBps, parseUnits(String(sc.sizing.capUsd), 18));
        const depth = 1_000_000n;
        if (sc.flowPermille > 0) {
          await swapIntoPool(f, f.trader, false, parseUnits(String((depth * BigInt(sc.flowPermille)) / 1000n), 6));
        } else if (sc.flowPermille < 0) {
          const minted = await mintWithUsdc(
            f,
            f.trader,
            parseUnits(String((depth * BigInt(-sc.flowPermille)) / 1000n + 100n), 6),
          );
          await swapIntoPool(f, f.trader, true, minted);
        }
        await f.usdc.feed.updateAnswer((10n ** 8n * BigInt(sc.usdcPriceBps)) / 10_000n);
        if (sc.wethCrash) await f.weth.feed.updateAnswer(5n * 10n ** 8n); // below the WETH feed's lower bound
        if (sc.passSec > 0) {
          if (sc.refreshFeeds) await passTime(f, sc.passSec, 4);
          else await time.increase(sc.passSec);
        }
        if (sc.pause) await f.operator.connect(f.guardian).pause();

        const protocol = await connectProtocol(await addressBookOf(f), ethers.provider);
        const snap = await readSnapshot(ethers.provider, protocol, new SymbolCache(ethers.provider), {
          feeHistoryBlocks: 4,
          rewardPercentile: 50,
          keeper: f.keeper.address,
        });
        const mine = previewOperation(snap.operator);
        expect(mine).to.deep.equal(snap.onchainPreview);
        // decide() gates on the same band: spot past it, the TWAP on the same side (not both past it).
        const { decision } = decide(snap, CONTRACT_ONLY, INITIAL_MEMORY, snap.readAtMs);
        // Where the operation stands still, the keeper may send CollateralPolicy.refresh() instead: only when due.
        if (mine.action === Action.None && decision.kind === "act")
          expect({
            action: decision.action,
            due: snap.policy && refreshDue(snap.policy, snap.operator).due,
          }).to.deep.equal(
            { action: Action.Refresh, due: true },
            `decide() acted where preview() says ${mine.blocker}`,
          );
        else if (mine.action === Action.None) expect(decision.kind).to.equal("stand-still");
        else
          expect(decision, "decide() stood still where preview() acts").to.include({
            kind: "act",
            action: mine.action,
          });
        actions.add(mine.action);
        blockers.add(mine.blocker);
        if (mine.action === Action.Expand || mine.action === Action.Contract) acted++;
      }),
      { numRuns: Number(process.env.PARITY_RUNS ?? 40), seed: 20261125, endOnFailure: true },
    );
    // The random states must actually exercise the interesting branches, or the test proves little.
    expect(acted).to.be.greaterThan(5);
    expect(actions.size).to.be.greaterThanOrEqual(3);
    expect(blockers.size).to.be.greaterThanOrEqual(4);
  });

  for (const side of ["above", "below"] as const) {
    it(`decide() acts with preview() when spot is 1% ${side} the peg and the TWAP still lags inside the band`, async function () {
      const f = await loadFixture(deploySystemFixture);
      if (side === "above") await swapIntoPool(f, f.trader, false, parseUnits("5000", 6));
      else await swapIntoPool(f, f.trader, true, await mintWithUsdc(f, f.trader, parseUnits("5100", 6)));
      // Two minutes at the new price: the 30-minute TWAP has moved a few bps toward it, no more.
      await passTime(f, 120, 1);
      const protocol = await connectProtocol(await addressBookOf(f), ethers.provider);
      const snap = await readSnapshot(ethers.provider, protocol, new SymbolCache(ethers.provider), {
        feeHistoryBlocks: 4,
        rewardPercentile: 50,
        keeper: f.keeper.address,
      });
      const o = snap.operator;
      const peg = 10n ** 18n;
      const offBps = (p: bigint) => ((p > peg ? p - peg : peg - p) * 10_000n) / peg;
      // The state this case is about: spot past the band, the TWAP on the same side but inside it.
      expect(offBps(o.spotWad) > o.bandBps).to.equal(true);
      expect(offBps(o.twapWad) <= o.bandBps).to.equal(true);
      expect(o.twapWad > peg).to.equal(side === "above");
      const action = side === "above" ? Action.Expand : Action.Contract;
      expect(snap.onchainPreview).to.include({ action });
      const { decision } = decide(snap, CONTRACT_ONLY, INITIAL_MEMORY, snap.readAtMs);
      expect(decision).to.include({ kind: "act", action, amount: snap.onchainPreview?.amount });
    });
  }
});
