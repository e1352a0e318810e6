/**
 * MarketOperator keeps its parameters and epoch state in a few packed slots (narrow fields, read
 * together by each operation). These tests pin what the packing must not change: every parameter
 * reads back exactly at both ends of its hard bound (Constants.sol), and the clock and totals
 * written by an operation read back as the trade's own amounts.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { deploySystemFixture, settleAt, type Fixture } from "../../support/system";

const TOKENS = (v: string) => parseUnits(v, 18);
const USDC = (v: string) => parseUnits(v, 6);
const price = (s: string) => parseUnits(s, 18);
const USDC_TO_WAD = 10n ** 12n;

// Constants.sol's bounds, copied: the test must fail if a field narrows below one of them.
const HARD = {
  maxExpansionPerOp: TOKENS("10000000"),
  maxExpansionPerEpoch: TOKENS("50000000"),
  maxContractionPerOp: TOKENS("10000000"),
  maxContractionPerEpoch: TOKENS("50000000"),
  cooldownSec: 86_400n,
  epochSec: 7n * 86_400n,
};
const LOW = {
  maxExpansionPerOp: 0n,
  maxExpansionPerEpoch: 0n,
  maxContractionPerOp: 0n,
  maxContractionPerEpoch: 0n,
  cooldownSec: 1n,
  epochSec: 3_600n,
};

async function blockTime(f: Fixture, tx: Promise<{ wait(): Promise<unknown> }>): Promise<bigint> {
  const receipt = (await (await tx).wait()) as { blockNumber: number };
  const block = await f.admin.provider!.getBlock(receipt.blockNumber);
  return BigInt(block!.timestamp);
}

describe("MarketOperator: packed parameters and epoch state", function () {
  it("limits, band and sizing read back exactly at the upper and the lower end of every hard bound", async function () {
    const f = await loadFixture(deploySystemFixture);
    const op = f.operator.connect(f.admin);
    for (const lim of [HARD, LOW]) {
      await op.setLimits(lim);
      expect(await f.operator.limits()).to.deep.equal(Object.values(lim));
    }
    for (const [band, guard] of [
      [500n, 1_000n],
      [10n, 10n],
    ]) {
      await op.setBand(band, guard);
      expect([await f.operator.bandBps(), await f.operator.maxSpotTwapDeviationBps()]).to.deep.equal([band, guard]);
    }
    for (const [share, loss, epochLoss] of [
      [5_000n, 30n, TOKENS("50000")],
      [100n, 0n, 0n],
    ]) {
      await op.setSizing(share, loss, epochLoss);
      expect([
        await f.operator.minOperationShareBps(),
        await f.operator.maxLossBps(),
        await f.operator.maxLossPerEpochWad(),
      ]).to.deep.equal([share, loss, epochLoss]);
      expect(await f.operator.limits(), "the sizing setter keeps the cooldown and epoch beside it").to.deep.equal(
        Object.values(LOW),
      );
    }
  });

  it("an expansion then a contraction in one epoch: net minted goes up then down, contracted and lastOperationAt follow", async function () {
    const f = await loadFixture(deploySystemFixture);
    await f.operator.connect(f.admin).setLimits({
      ...HARD,
      maxExpansionPerOp: TOKENS("1000"),
      maxContractionPerOp: TOKENS("400"),
      cooldownSec: 1n,
      epochSec: 86_400n,
    });
    await settleAt(f, price("1.03"));
    const expandedAt = await blockTime(f, f.operator.connect(f.keeper).expandSupply(TOKENS("1000"), 0));
    const started = (await f.operator.epoch()).startedAt;
    expect(started).to.be.at.most(expandedAt);
    expect(await f.operator.lastOperationAt()).to.equal(expandedAt);
    expect(await f.operator.epoch()).to.deep.equal([started, TOKENS("1000"), 0n, 0n]);

    await settleAt(f, price("0.97"));
    const stableBefore = await f.stable.totalSupply();
    const contractedAt = await blockTime(f, f.operator.connect(f.keeper).contractSupply(USDC("400"), 0));
    const burned = stableBefore - (await f.stable.totalSupply());
    expect(burned).to.be.greaterThan(0n);
    expect(await f.operator.lastOperationAt()).to.equal(contractedAt);
    const e = await f.operator.epoch();
    expect([e.startedAt, e.netMinted, e.contracted]).to.deep.equal([
      started,
      TOKENS("1000") - burned,
      USDC("400") * USDC_TO_WAD,
    ]);
    await time.increaseTo(started + 86_400n);
    expect((await f.operator.epoch()).netMinted, "the epoch expires on its own clock").to.equal(0n);
  });
});
