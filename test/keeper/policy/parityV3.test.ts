/**
 * The keeper's operator mirror on a Uniswap V3 venue vs MarketOperatorV3 on the real pool: for
 * random prices on both sides of the peg (inside and beyond the market maker's and the protocol's
 * ranges, so trades cross initialized ticks), random loss budgets and a quote feed off $1 (which
 * moves the peg's sqrt price), `previewOperation` equals `preview()` field for field, and the
 * operation then executes exactly the previewed trade.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MarketOperatorV3__factory, type MarketOperatorV3 } from "../../../typechain-types";
import { readV3PoolState } from "../../../keeper/src/chain/v3Pool";
import { Action, previewOperation, type OperatorState } from "../../../keeper/src/policy";
import { WAD, deployV3SystemFixture, pushV3PriceTo, type V3Fixture } from "../../support/systemV3";

const M = 10n ** 6n * WAD;

async function fixture(): Promise<V3Fixture & { op: MarketOperatorV3 }> {
  const f = await deployV3SystemFixture();
  const op = MarketOperatorV3__factory.connect(await f.operator.getAddress(), f.admin);
  await op.setBand(10, 300);
  await op.setLimits({
    maxExpansionPerOp: 2n * M,
    maxExpansionPerEpoch: 20n * M,
    maxContractionPerOp: 2n * M,
    maxContractionPerEpoch: 20n * M,
    cooldownSec: 60,
    epochSec: 86_400,
  });
  return { ...f, op };
}

/** Everything MarketOperatorV3.preview() reads, at the latest block. */
async function readState(f: V3Fixture, op: MarketOperatorV3): Promise<OperatorState> {
  const usdc = await f.usdc.token.getAddress();
  const [block, market, quote, limits, epoch, snapshot] = await Promise.all([
    ethers.provider.getBlock("latest"),
    f.oracle.marketPriceAndSpan(),
    f.oracle.tryPrice(usdc),
    op.limits(),
    op.epoch(),
    readV3PoolState(f.v3.pool as unknown as Parameters<typeof readV3PoolState>[0], 2),
  ]);
  const assets = await f.reserve.assets();
  const deltas = await Promise.all(assets.map((a) => f.reserve.rebalanceDelta(a)));
  return {
    timestamp: BigInt(block!.timestamp),
    paused: await op.paused(),
    marketOk: quote.ok,
    spotWad: market.spotWad,
    twapWad: market.twapWad,
    twapSpanSec: market.spanSec,
    twapWindowSec: market.windowSec,
    quoteUsdWad: quote.priceWad,
    reserveToken: 0n,
    reserveQuote: 0n,
    v3: { pool: snapshot.state, tokenIsToken0: f.v3.tokenIsToken0 },
    tokenDecimals: 18,
    quoteDecimals: 6,
    bandBps: await op.bandBps(),
    maxSpotTwapDeviationBps: await op.maxSpotTwapDeviationBps(),
    limits: {
      maxExpansionPerOp: limits.maxExpansionPerOp,
      maxExpansionPerEpoch: limits.maxExpansionPerEpoch,
      maxContractionPerOp: limits.maxContractionPerOp,
      maxContractionPerEpoch: limits.maxContractionPerEpoch,
      cooldownSec: limits.cooldownSec,
      epochSec: limits.epochSec,
    },
    minOperationShareBps: await op.minOperationShareBps(),
    maxLossBps: await op.maxLossBps(),
    maxLossPerEpochWad: await op.maxLossPerEpochWad(),
    lastOperationAt: await op.lastOperationAt(),
    epoch: {
      startedAt: epoch.startedAt,
      netMinted: epoch.netMinted,
      contracted: epoch.contracted,
      lossWad: epoch.lossWad,
    },
    backingOk: true,
    reserveValueWad: await f.reserve.reserveValue(),
    supply: await f.stable.totalSupply(),
    targetRatioWad: await f.policy.targetRatio(),
    quoteHaircutBps: (await f.reserve.assetConfig(usdc)).haircutBps,
    quoteIdle: (await f.reserve.holdings(usdc)).idle,
    rebalanceNeeded: deltas.some((d) => d !== 0n),
  };
}

describe("keeper operator mirror on the V3 venue (parity with MarketOperatorV3 on the real pool)", function () {
  it("previewOperation equals preview() and the operation executes the previewed trade, across ticks", async function () {
    let acted = 0;
    const actions = new Set<Action>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          deviationBps: fc.integer({ min: -120, max: 120 }),
          maxLossBps: fc.constantFrom(0, 0, 5, 30),
          // The USDC feed, bps off $1: moves the peg as a pool price.
          feedOffBps: fc.integer({ min: -5, max: 5 }),
        }),
        async (sc) => {
          const f = await loadFixture(fixture);
          await f.op.setSizing(1_000, sc.maxLossBps, 10_000n * WAD);
          if (sc.deviationBps !== 0) await pushV3PriceTo(f, (WAD * BigInt(10_000 + sc.deviationBps)) / 10_000n);
          await time.increase(f.params.oracle.twapWindowSec / 2);
          for (const c of f.collaterals) {
            const [, answer] = await c.feed.latestRoundData();
            const off = c === f.usdc ? BigInt(10_000 + sc.feedOffBps) : 10_000n;
            await c.feed.updateAnswer((answer * off) / 10_000n);
          }
          const state = await readState(f, f.op);
          const mine = previewOperation(state);
          const onchain = await f.op.preview();
          expect(mine).to.deep.equal({
            action: Number(onchain.action),
            blocker: Number(onchain.blocker),
            amount: onchain.amount,
            expectedOut: onchain.expectedOut,
            spotWad: onchain.spotWad,
            twapWad: onchain.twapWad,
            deviationBps: onchain.deviationBps,
          });
          actions.add(mine.action);
          if (mine.action !== Action.Expand && mine.action !== Action.Contract) return;
          acted++;
          const tx =
            mine.action === Action.Expand
              ? f.op.connect(f.keeper).expandSupply(mine.amount, mine.expectedOut)
              : f.op.connect(f.keeper).contractSupply(mine.amount, mine.expectedOut);
          const event = mine.action === Action.Expand ? "SupplyExpanded" : "SupplyContracted";
          await expect(tx)
            .to.emit(f.op, event)
            .withArgs(f.keeper.address, mine.amount, mine.expectedOut, mine.spotWad, (_: bigint) => true);
        },
      ),
      { numRuns: Number(process.env.PARITY_RUNS ?? 24), seed: 20261203, endOnFailure: true },
    );
    expect(acted).to.be.greaterThan(5);
    // Inside the band the fixture's reserve has quote to park, so preview asks for a rebalance.
    expect([...actions].sort()).to.deep.equal([Action.Expand, Action.Contract, Action.Rebalance]);
  });
});
