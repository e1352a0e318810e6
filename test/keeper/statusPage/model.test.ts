/**
 * The status model against the real system (in-process Hardhat network): a snapshot taken by the
 * keeper's own reader plus the status detail read, turned into the page's view, must show
 * what the contracts say at that block — supply, ratio, per-asset values summing to
 * reserveValue(), pause flags, caps — and the history/operations must accumulate and stay bounded.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { formatUnits, parseUnits } from "ethers";
import { addressBookOf, deploySystemFixture, passTime, pushSpotTo, type Fixture } from "../../support/system";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { connectProtocol, SymbolCache } from "../../../keeper/src/chain/protocol";
import { Action, deviationBps, type Snapshot } from "../../../keeper/src/policy";
import { StatusReader } from "../../../keeper/src/chain/statusReader";
import { StatusModel, toDecimal, wadToDecimal, groupThousands } from "../../../keeper/src/statusPage";

async function observe(f: Fixture, model: StatusModel, atMs = Date.now()): Promise<Snapshot> {
  const book = await addressBookOf(f);
  const provider = ethers.provider;
  const protocol = await connectProtocol(book, provider);
  const snapshot = await readSnapshot(provider as never, protocol, new SymbolCache(provider), {
    feeHistoryBlocks: 4,
    rewardPercentile: 50,
    keeper: f.keeper.address,
  });
  const detail = await new StatusReader(provider, book).read(snapshot);
  model.observeCycle({ snapshot, detail, decision: null, atMs });
  return snapshot;
}

const newModel = (extra: Partial<ConstructorParameters<typeof StatusModel>[0]> = {}) =>
  new StatusModel({
    network: "hardhat",
    chainId: 31337,
    tokenSymbol: "BLD",
    quoteSymbol: "USDC",
    quoteDecimals: 6,
    dryRun: false,
    ...extra,
  });

describe("status page: model on the real system", function () {
  it("shows supply, ratios, spot and per-asset values exactly as the contracts report them at the snapshot block", async function () {
    const f = await loadFixture(deploySystemFixture);
    const model = newModel();
    const snap = await observe(f, model);
    const v = model.view(1_000);
    const at = { blockTag: snap.blockNumber };

    expect(v.ready).to.equal(true);
    expect(v.block).to.equal(snap.blockNumber);
    expect(v.supply).to.equal(toDecimal(await f.stable.totalSupply(at), 18, 2));
    expect(v.targetRatio).to.equal(wadToDecimal(await f.policy.targetRatio(at), 4));
    expect(v.collateralRatio).to.equal(wadToDecimal(await f.reserve.collateralRatio(at), 4));
    const [spot, twap] = await f.oracle.marketPrice(at);
    expect(v.spotUsd).to.equal(wadToDecimal(spot, 6));
    expect(v.twapUsd).to.equal(wadToDecimal(twap, 6));
    expect(v.deviationBps).to.equal(Number(deviationBps(spot)));
    expect(v.bandBps).to.equal(Number(await f.operator.bandBps(at)));

    // Per-asset haircut values add up to Reserve.reserveValue() (same rounding, same block).
    const assets = await f.reserve.assets(at);
    expect(v.reserve.map((a) => a.address)).to.deep.equal([...assets]);
    let sumWad = 0n;
    for (const a of v.reserve) {
      expect(a.feedValid).to.equal(true);
      const amount = await f.reserve.accountedAmount(a.address, at);
      const cfg = await f.reserve.assetConfig(a.address, at);
      const decimals = Number(await (await ethers.getContractAt("IERC20Metadata", a.address)).decimals());
      expect(a.amount).to.equal(toDecimal(amount, decimals, 6));
      expect(a.haircutBps).to.equal(Number(cfg.haircutBps));
      expect(a.priceUsd).to.equal(wadToDecimal(await f.oracle.price(a.address, at), 6));
      sumWad += parseUnits(a.valueUsd!, 18);
    }
    const reserveValue = await f.reserve.reserveValue(at);
    // Values are shown to the cent: the sum may be short of reserveValue by < 1 cent per asset.
    expect(
      reserveValue - sumWad >= 0n && reserveValue - sumWad < BigInt(v.reserve.length) * 10n ** 16n,
      `sum ${formatUnits(sumWad)} vs ${formatUnits(reserveValue)}`,
    ).to.equal(true);
    expect(v.reserveValueUsd).to.equal(wadToDecimal(reserveValue, 2));

    expect(v.paused).to.deep.equal({ operations: false, minting: false, redemptions: false });
    const limits = await f.operator.limits(at);
    expect(v.caps!.maxExpansionPerOp).to.equal(toDecimal(limits.maxExpansionPerOp, 18, 2));
    expect(v.caps!.cooldownSec).to.equal(Number(limits.cooldownSec));
    expect(v.keeper.balance).to.equal(
      wadToDecimal(await ethers.provider.getBalance(f.keeper.address, snap.blockNumber), 4),
    );
    expect(v.keeper.rpc.ok).to.equal(true);
  });

  it("shows an asset whose feed went stale as degraded since the moment its answer passed its max age", async function () {
    const f = await loadFixture(deploySystemFixture);
    const model = newModel();
    const [, , , updatedAt] = await f.weth.feed.latestRoundData();
    const staleSince = updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec);
    await time.increaseTo(staleSince + 600n);
    await f.usdc.feed.updateAnswer(parseUnits("1", 8));
    await observe(f, model);
    const byAsset = new Map(model.view(1_000).reserve.map((a) => [a.symbol, a]));
    expect(byAsset.get("WETH")!.feedValid).to.equal(false);
    expect(byAsset.get("WETH")!.degradedSince).to.equal(Number(staleSince));
    expect(byAsset.get("USDC")!.degradedSince).to.equal(null);
    expect(byAsset.get("WETH")!.feedNote).to.equal(
      `degraded since ${new Date(Number(staleSince) * 1000).toISOString()}`,
    );
    expect(byAsset.get("USDC")!.feedNote).to.equal("ok");
    expect(
      model
        .view(1_000)
        .warnings.some((w) =>
          w.startsWith(`WETH price: degraded since ${new Date(Number(staleSince) * 1000).toISOString()}`),
        ),
    ).to.equal(true);
  });

  it("records a price move in the history and the deviation, and the pause flags when the guardian pauses", async function () {
    const f = await loadFixture(deploySystemFixture);
    const model = newModel();
    await observe(f, model);
    const before = model.view(0);
    await pushSpotTo(f, parseUnits("0.98", 18));
    await passTime(f, 600);
    await f.operator.connect(f.guardian).pause();
    await f.reserve.connect(f.guardian).pauseRedemptions();
    await observe(f, model);
    const after = model.view(0);
    expect(after.history.length).to.equal(2);
    expect(before.deviationBps).to.equal(0);
    expect(after.deviationBps!).to.be.within(-205, -195);
    expect(after.history[1].deviationBps).to.equal(after.deviationBps);
    expect(after.paused.operations).to.equal(true);
    expect(after.paused).to.deep.equal({ operations: true, minting: false, redemptions: true });
  });
});

describe("status page: model bookkeeping", function () {
  const fakeSnapshot = (block: number): Snapshot => ({
    blockNumber: block,
    blockHash: "0x",
    blockTimestamp: 1_700_000_000n + BigInt(block) * 12n,
    readAtMs: 0,
    operator: {
      timestamp: 1_700_000_000n + BigInt(block) * 12n,
      paused: false,
      marketOk: true,
      spotWad: 10n ** 18n + BigInt(block) * 10n ** 14n,
      twapWad: 10n ** 18n,
      twapSpanSec: 1_800n,
      twapWindowSec: 1_800n,
      quoteUsdWad: 10n ** 18n,
      reserveToken: 10n ** 24n,
      reserveQuote: 10n ** 12n,
      tokenDecimals: 18,
      quoteDecimals: 6,
      bandBps: 50n,
      maxSpotTwapDeviationBps: 300n,
      limits: {
        maxExpansionPerOp: 10n ** 23n,
        maxExpansionPerEpoch: 10n ** 24n,
        maxContractionPerOp: 10n ** 23n,
        maxContractionPerEpoch: 10n ** 24n,
        cooldownSec: 300n,
        epochSec: 86_400n,
      },
      minOperationShareBps: 1_000n,
      maxLossBps: 0n,
      maxLossPerEpochWad: 0n,
      lastOperationAt: 1_700_000_000n + BigInt(block) * 12n - 100n,
      epoch: { startedAt: 1_700_000_000n, netMinted: 4n * 10n ** 23n, contracted: 0n, lossWad: 0n },
      backingOk: true,
      reserveValueWad: 10n ** 24n,
      supply: 10n ** 24n,
      targetRatioWad: 10n ** 18n,
      quoteHaircutBps: 0n,
      quoteIdle: 10n ** 12n,
      rebalanceNeeded: false,
    },
    onchainPreview: null,
    feeds: [],
    collateralRatioWad: 10n ** 18n,
    fees: { nextBaseFeeWei: 1n, priorityFeeWei: 1n },
    observations: null,
    policy: null,
    keeperBalanceWei: null,
  });

  it("keeps one point per block, the newest historyLength points, and ignores a lagging node's older block", function () {
    const model = newModel({ historyLength: 3 });
    for (const b of [10, 11, 11, 12, 13, 9])
      model.observeCycle({ snapshot: fakeSnapshot(b), detail: null, decision: null, atMs: b });
    const v = model.view(0);
    expect(v.history.map((p) => p.block)).to.deep.equal([11, 12, 13]);
    expect(v.block).to.equal(13);
    expect(v.keeper.cycles).to.equal(6);
    expect(v.history[2].deviationBps).to.equal(13);
  });

  it("computes caps and cooldown left from the snapshot's block time", function () {
    const model = newModel();
    model.observeCycle({ snapshot: fakeSnapshot(10), detail: null, decision: null, atMs: 0 });
    const c = model.view(0).caps!;
    expect(c.cooldownLeftSec).to.equal(200);
    expect(c.expansionLeftThisEpoch).to.equal("600000");
    expect(c.contractionLeftThisEpoch).to.equal("1000000");
    expect(c.epochEndsInSec).to.equal(86_400 - 120);
  });

  it("lists operations newest first with sizes in units, bounded, and marks the RPC down then up", function () {
    const model = newModel({ operationsLength: 2 });
    model.observeCycle({ snapshot: fakeSnapshot(1), detail: null, decision: null, atMs: 1 });
    model.observeOperation({
      atMs: 2,
      block: 1,
      action: Action.Expand,
      amount: 1_234_500n * 10n ** 15n,
      txHash: "0xaa",
      gasUsed: 210_000n,
      result: "confirmed",
      detail: null,
    });
    model.observeOperation({
      atMs: 3,
      block: 2,
      action: Action.Contract,
      amount: 5_000_000_000n,
      txHash: "0xbb",
      gasUsed: 190_000n,
      result: "reverted",
      detail: "CooldownActive",
    });
    model.observeOperation({
      atMs: 4,
      block: 3,
      action: Action.Rebalance,
      amount: 0n,
      txHash: null,
      gasUsed: null,
      result: "failed",
      detail: "nonce",
    });
    const ops = model.view(0).operations;
    expect(ops.map((o) => o.action)).to.deep.equal(["rebalance", "contract"]);
    expect(ops[1]).to.include({
      size: "5,000 USDC spent",
      gasUsed: "190000",
      result: "reverted",
      detail: "CooldownActive",
    });
    model.observeOperation({
      atMs: 5,
      block: 4,
      action: Action.Expand,
      amount: 1_234_500n * 10n ** 15n,
      txHash: "0xcc",
      gasUsed: 1n,
      result: "confirmed",
      detail: null,
    });
    expect(model.view(0).operations[0].size).to.equal("1,234.5 BLD sold");

    const v0 = model.version;
    model.observeCycleFailure("connect ECONNREFUSED", 10);
    model.observeCycleFailure("timeout", 20);
    let k = model.view(0).keeper;
    expect(k.rpc).to.deep.equal({ ok: false, error: "timeout", sinceMs: 10 });
    expect(k.failedCycles).to.equal(2);
    model.observeCycle({ snapshot: fakeSnapshot(2), detail: null, decision: null, atMs: 30 });
    k = model.view(0).keeper;
    expect(k.rpc).to.deep.equal({ ok: true, error: null, sinceMs: 30 });
    expect(model.version).to.equal(v0 + 3);
  });

  it("formats exactly and rejects bad options with the field named", function () {
    expect(toDecimal(1_000_000n, 6)).to.equal("1");
    expect(toDecimal(-1_500_000n, 6)).to.equal("-1.5");
    expect(toDecimal(123_456_789n, 6, 2)).to.equal("123.45");
    expect(wadToDecimal(10n ** 18n - 1n, 6)).to.equal("0.999999");
    expect(groupThousands("-1234567.89")).to.equal("-1,234,567.89");
    expect(() => newModel({ historyLength: 0 })).to.throw(/historyLength/);
    expect(() => newModel({ tokenSymbol: "" })).to.throw(/tokenSymbol/);
    expect(() => toDecimal(1n, -1)).to.throw(/decimals/);
  });
});
