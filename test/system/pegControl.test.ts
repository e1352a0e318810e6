/**
 * Peg control v2 on the real Uniswap V2 pair: each finding of the on-chain review, replayed.
 * - a quiet spell no longer leaves a days-long "TWAP" that delays the AMO by a day: the upkeep
 *   keeps observations on the clock and the stale average is a named blocker meanwhile;
 * - a searcher's toward-peg front-run shrinks the keeper's price-bounded operation instead of
 *   making it revert;
 * - dust cannot spend the cooldown;
 * - the dead zone between the band and the pool fee trades (to peg × (1 ± fee)) instead of
 *   reverting in permissionless mode;
 * - an empty buffer with quote in the strategy asks for the rebalance that unblocks the contraction.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import {
  deploySystemFixture,
  equityWad,
  mintWithUsdc,
  poolPrice,
  pushSpotTo,
  refreshFeeds,
  settleAt,
  swapIntoPool,
  WAD,
  type Fixture,
} from "../support/system";
import { encodeOperation } from "../../keeper/src/chain/executor";
import { Action as TsAction, limitPriceWad } from "../../keeper/src/policy";

const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n };
const Blocker = { NoLiquidity: 8n, Unprofitable: 9n, TwapStale: 10n };
const price = (s: string) => parseUnits(s, 18);
const ONE_BPS_WAD = WAD / 10_000n;
const DECIMALS = { tokenDecimals: 18, quoteDecimals: 6 };

async function parked(): Promise<Fixture> {
  const f = await deploySystemFixture();
  await f.operator.connect(f.keeper).rebalance(); // the buffer split done: nothing to do at the peg
  return f;
}

/** One Automation round as a Chainlink upkeep runs it: simulate, then execute what it asked for. */
async function upkeepRound(f: Fixture): Promise<string[]> {
  const [needed, performData] = await f.operator.checkUpkeep("0x");
  if (!needed) return [];
  const receipt = await (await f.operator.connect(f.keeper).performUpkeep(performData)).wait();
  return receipt!.logs.map((l) => f.operator.interface.parseLog(l)?.name ?? f.oracle.interface.parseLog(l)?.name ?? "");
}

describe("Peg control v2: the on-chain findings", function () {
  it("after three quiet days a lasting 2% premium: the upkeep writes observations, preview names the stale TWAP, the AMO acts within about one window [INV-12]", async function () {
    const f = await loadFixture(parked);
    const window = f.params.oracle.twapWindowSec;
    await time.increase(3 * 86_400);
    await refreshFeeds(f);
    await pushSpotTo(f, price("1.02"));
    const start = await time.latest();

    let actedAt: number | null = null;
    let sawStale = false;
    let observations = 0;
    while (actedAt === null && (await time.latest()) - start < 3 * window) {
      await time.increase(150); // the upkeep network polls every few blocks; 150 s is plenty coarse
      await refreshFeeds(f);
      sawStale ||= (await f.operator.preview()).blocker === Blocker.TwapStale;
      const events = await upkeepRound(f);
      if (events.includes("ObservationRecorded")) observations++;
      if (events.includes("SupplyExpanded")) actedAt = await time.latest();
    }
    expect(sawStale).to.equal(true);
    expect(observations).to.be.gte(4);
    expect(actedAt).to.not.equal(null);
    expect(actedAt! - start).to.be.lte(window + window / 4 + 300);
    expect(await poolPrice(f))
      .to.be.gte(WAD)
      .and.lt(WAD + ONE_BPS_WAD);
  });

  it("within the window after the silence the TWAP follows the premium instead of sitting at the days-long average [INV-12]", async function () {
    const f = await loadFixture(parked);
    const window = f.params.oracle.twapWindowSec;
    await time.increase(3 * 86_400);
    await refreshFeeds(f);
    await pushSpotTo(f, price("1.02"));
    for (let t = 0; t < window + window / 4; t += window / 4) {
      await time.increase(window / 4);
      await refreshFeeds(f);
      await f.oracle.update();
    }
    const [, twap] = await f.oracle.marketPrice();
    expect(twap).to.be.gt(price("1.015"));
    const [span] = await f.oracle.twapSpan();
    expect(span).to.be.lte(BigInt(window + window / 4));
  });

  describe("a searcher front-runs ~3% of the keeper's planned expansion toward the peg", function () {
    async function planned() {
      const f = await loadFixture(parked);
      await settleAt(f, price("1.03"));
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Expand);
      const frontRun = async () => {
        const tokens = (p.amount * 3n) / 100n;
        await mintWithUsdc(f, f.arbitrageur, (tokens / 10n ** 12n) * 2n);
        await swapIntoPool(f, f.arbitrageur, true, tokens);
      };
      return { f, p, frontRun };
    }

    it("the keeper's price-bounded transaction shrinks to what is left to the peg instead of reverting [INV-8]", async function () {
      const { f, p, frontRun } = await planned();
      const limit = limitPriceWad(TsAction.Expand, p.amount, p.expectedOut, 50n, DECIMALS);
      const data = encodeOperation({ action: TsAction.Expand, amount: p.amount, limitPriceWad: limit });
      await frontRun();
      const tx = f.keeper.sendTransaction({ to: await f.operator.getAddress(), data });
      await expect(tx)
        .to.emit(f.operator, "SupplyExpanded")
        .withArgs(
          f.keeper.address,
          (sold: bigint) => sold < p.amount && sold > (p.amount * 90n) / 100n,
          (out: bigint) => out > 0n,
          (s: bigint) => s < p.spotWad,
          (s: bigint) => s >= WAD,
        );
      expect(await poolPrice(f))
        .to.be.gte(WAD)
        .and.lt(WAD + ONE_BPS_WAD);
    });

    it("performUpkeep with the data checkUpkeep gave before the front-run still executes [INV-8]", async function () {
      const { f, frontRun } = await planned();
      const [, performData] = await f.operator.checkUpkeep("0x");
      await frontRun();
      await expect(f.operator.connect(f.keeper).performUpkeep(performData)).to.emit(f.operator, "SupplyExpanded");
    });

    it("the amount form (minQuoteOut = expected − 50 bps) still reverts SlippageExceeded: that is why keepers use the price form [INV-8]", async function () {
      const { f, p, frontRun } = await planned();
      await frontRun();
      await expect(
        f.operator.connect(f.keeper).expandSupply(p.amount, (p.expectedOut * 9_950n) / 10_000n),
      ).to.be.revertedWithCustomError(f.operator, "SlippageExceeded");
    });

    it("a limit above every price the pool offers reverts PriceLimitExceeded with the pool's best price [INV-8]", async function () {
      const { f, p } = await planned();
      await expect(f.operator.connect(f.keeper).expandSupplyAtPrice(p.amount, price("1.05")))
        .to.be.revertedWithCustomError(f.operator, "PriceLimitExceeded")
        .withArgs(price("1.05"), (best: bigint) => best < price("1.03") && best > price("1.02"));
    });

    it("the contraction mirror: a front-run buying ~3% first shrinks contractSupplyAtPrice to what is left [INV-8]", async function () {
      const f = await loadFixture(parked);
      await settleAt(f, price("0.97"));
      const p = await f.operator.preview();
      expect(p.action).to.equal(Action.Contract);
      const limit = limitPriceWad(TsAction.Contract, p.amount, p.expectedOut, 50n, DECIMALS);
      await swapIntoPool(f, f.arbitrageur, false, (p.amount * 3n) / 100n);
      await expect(f.operator.connect(f.keeper).contractSupplyAtPrice(p.amount, limit))
        .to.emit(f.operator, "SupplyContracted")
        .withArgs(
          f.keeper.address,
          (spent: bigint) => spent < p.amount,
          (b: bigint) => b > 0n,
          (s: bigint) => s > p.spotWad,
          (s: bigint) => s <= WAD,
        );
      expect(await poolPrice(f))
        .to.be.lte(WAD)
        .and.gt(WAD - ONE_BPS_WAD);
    });
  });

  it("dust expandSupply(1e12) reverts OperationTooSmall and leaves lastOperationAt where it was; the full trade then runs [INV-8]", async function () {
    const f = await loadFixture(parked);
    await settleAt(f, price("1.03"));
    const before = await f.operator.lastOperationAt();
    const full = (await f.operator.preview()).amount;
    const minimum = (full * (await f.operator.minOperationShareBps()) + 9_999n) / 10_000n;
    await expect(f.operator.connect(f.keeper).expandSupply(10n ** 12n, 0))
      .to.be.revertedWithCustomError(f.operator, "OperationTooSmall")
      .withArgs(10n ** 12n, minimum);
    await expect(f.operator.connect(f.keeper).contractSupply(1n, 0)).to.be.revertedWithCustomError(
      f.operator,
      "PriceInsideBand",
    );
    expect(await f.operator.lastOperationAt()).to.equal(before);
    await expect(f.operator.connect(f.keeper).expandSupply(minimum, 0)).to.emit(f.operator, "SupplyExpanded");
  });

  it("dust contractSupply reverts OperationTooSmall too [INV-8]", async function () {
    const f = await loadFixture(parked);
    await settleAt(f, price("0.97"));
    const before = await f.operator.lastOperationAt();
    await expect(f.operator.connect(f.keeper).contractSupply(1_000n, 0)).to.be.revertedWithCustomError(
      f.operator,
      "OperationTooSmall",
    );
    expect(await f.operator.lastOperationAt()).to.equal(before);
  });

  describe("the dead zone between the band and the pool fee, in permissionless mode", function () {
    async function permissionless(at: string): Promise<Fixture> {
      const f = await loadFixture(parked);
      await f.operator.connect(f.admin).setPermissionless(true, parseUnits("50", 18));
      await settleAt(f, price(at));
      return f;
    }

    it("at +55 bps an expansion trades to peg / 0.997 and the protocol gains, instead of reverting ProtocolValueDecreased [INV-3] [INV-5] [INV-6]", async function () {
      const f = await permissionless("1.0055");
      expect((await f.operator.preview()).action).to.equal(Action.Expand);
      const equity = await equityWad(f);
      await expect(f.operator.connect(f.stranger).expandSupply(MaxUint256, 0)).to.emit(f.operator, "SupplyExpanded");
      const after = await poolPrice(f);
      expect(after)
        .to.be.gte((WAD * 1000n) / 997n)
        .and.lt(price("1.0035"));
      expect(await equityWad(f)).to.be.gte(equity);
    });

    it("at −55 bps a contraction trades to peg × 0.997 and the protocol gains [INV-3] [INV-5] [INV-6]", async function () {
      const f = await permissionless("0.9945");
      expect((await f.operator.preview()).action).to.equal(Action.Contract);
      const equity = await equityWad(f);
      await expect(f.operator.connect(f.stranger).contractSupply(MaxUint256, 0)).to.emit(
        f.operator,
        "SupplyContracted",
      );
      const after = await poolPrice(f);
      expect(after)
        .to.be.lte((WAD * 997n) / 1000n)
        .and.gt(price("0.9965"));
      expect(await equityWad(f)).to.be.gte(equity);
    });
  });

  describe("the loss budget (rule 7: equity may fall by at most the budget)", function () {
    it("with a 30 bps budget the +55 bps expansion lands on the peg, loses within the allowance and charges the epoch [INV-3] [INV-6]", async function () {
      const f = await loadFixture(parked);
      await f.operator.connect(f.admin).setSizing(1_000, 30, parseUnits("1000", 18));
      await settleAt(f, price("1.0055"));
      const p = await f.operator.preview();
      const equity = await equityWad(f);
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      expect(await poolPrice(f))
        .to.be.gte(WAD)
        .and.lt(WAD + ONE_BPS_WAD);
      const lost = equity - (await equityWad(f));
      expect(lost)
        .to.be.gt(0n)
        .and.lte((p.amount * 30n) / 10_000n);
      expect((await f.operator.epoch()).lossWad).to.equal(lost);
    });

    it("once the epoch's loss cap is spent it falls back to the break-even size and never loses [INV-3] [INV-6]", async function () {
      const f = await loadFixture(parked);
      await f.operator.connect(f.admin).setSizing(1_000, 30, 1n); // one wei of loss per epoch
      await settleAt(f, price("1.0055"));
      const equity = await equityWad(f);
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      expect(await poolPrice(f)).to.be.gte((WAD * 1000n) / 997n);
      expect(await equityWad(f)).to.be.gte(equity);
    });

    it("a cap lowered to the loss already charged leaves no allowance this epoch; the next epoch starts its loss from zero [INV-3] [INV-6]", async function () {
      const f = await loadFixture(parked);
      const cap = parseUnits("1000", 18);
      await f.operator.connect(f.admin).setSizing(1_000, 30, cap);
      await settleAt(f, price("1.0055"));
      let equity = await equityWad(f);
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      const lost = equity - (await equityWad(f));
      expect(lost).to.be.gt(0n);
      expect((await f.operator.epoch()).lossWad).to.equal(lost);

      // The cap lowered to exactly what this epoch already lost: nothing is left to lose.
      await f.operator.connect(f.admin).setSizing(1_000, 30, lost);
      await settleAt(f, price("1.0055"));
      equity = await equityWad(f);
      await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
      expect(await poolPrice(f)).to.be.gte((WAD * 1000n) / 997n);
      expect(await equityWad(f)).to.be.gte(equity);
      expect((await f.operator.epoch()).lossWad).to.equal(lost);

      // A new epoch: the allowance is whole again, and the stored loss restarts from this operation's.
      await f.operator.connect(f.admin).setSizing(1_000, 30, cap);
      await time.increase(Number((await f.operator.limits()).epochSec));
      await settleAt(f, price("1.0055"));
      equity = await equityWad(f);
      await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0)).to.emit(f.operator, "EpochStarted");
      const lostAgain = equity - (await equityWad(f));
      expect(lostAgain).to.be.gt(0n);
      expect((await f.operator.epoch()).lossWad).to.equal(lostAgain);
      expect(await poolPrice(f))
        .to.be.gte(WAD)
        .and.lt(WAD + ONE_BPS_WAD);
    });

    it("setSizing refuses values beyond its hard bounds with ParameterOutOfBounds [INV-14]", async function () {
      const f = await loadFixture(parked);
      const bad: [number, number, bigint][] = [
        [99, 0, 0n],
        [5_001, 0, 0n],
        [1_000, 31, 0n],
        [1_000, 0, parseUnits("50000", 18) + 1n],
      ];
      for (const [share, loss, cap] of bad) {
        await expect(f.operator.connect(f.admin).setSizing(share, loss, cap)).to.be.revertedWithCustomError(
          f.operator,
          "ParameterOutOfBounds",
        );
      }
      await expect(f.operator.connect(f.keeper).setSizing(1_000, 0, 0)).to.be.revertedWithCustomError(
        f.operator,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.operator.connect(f.admin).setSizing(2_000, 10, 5n))
        .to.emit(f.operator, "SizingSet")
        .withArgs(2_000, 10, 5n);
    });
  });

  it("the buffer deadlock resolves: an empty buffer with USDC in the strategy asks for Rebalance, then the contraction runs [INV-8]", async function () {
    const f = await loadFixture(parked);
    const usdc = await f.usdc.token.getAddress();
    await settleAt(f, price("0.97"));
    // Redemptions take the idle USDC to zero; the rest sits in the strategy.
    await f.weth.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
    await f.reserve.connect(f.user).mint(await f.weth.token.getAddress(), parseUnits("400", 18), 0, f.user.address);
    const idle = (await f.reserve.holdings(usdc)).idle;
    await f.stable.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
    await f.reserve.connect(f.user).redeem(usdc, (idle * 10n ** 12n * 11n) / 10n, 0, f.user.address);
    expect((await f.reserve.holdings(usdc)).idle).to.equal(0n);
    expect((await f.reserve.holdings(usdc)).strategyShares).to.be.gt(0n);

    expect((await f.operator.preview()).action).to.equal(Action.Rebalance);
    const [, execPayload] = await f.operator.checker();
    expect(execPayload.slice(0, 10)).to.equal(f.operator.interface.getFunction("performUpkeep").selector);
    expect(await upkeepRound(f)).to.include("Rebalanced");
    expect((await f.operator.preview()).action).to.equal(Action.Contract);
    expect(await upkeepRound(f)).to.include("SupplyContracted");
    expect(await poolPrice(f)).to.be.gt(price("0.99"));
  });

  it("with nothing to do and an observation due, the upkeep asks only for the observation; a replay reverts UpkeepNotNeeded [INV-8] [INV-12]", async function () {
    const f = await loadFixture(parked);
    await time.increase(f.params.oracle.twapWindowSec / 4);
    await refreshFeeds(f);
    const [needed, performData] = await f.operator.checkUpkeep("0x");
    expect(needed).to.equal(true);
    await expect(f.operator.connect(f.keeper).performUpkeep(performData)).to.emit(f.oracle, "ObservationRecorded");
    expect((await f.operator.checkUpkeep("0x")).upkeepNeeded).to.equal(false);
    await expect(f.operator.connect(f.keeper).performUpkeep(performData))
      .to.be.revertedWithCustomError(f.operator, "UpkeepNotNeeded")
      .withArgs(Action.None, Action.None, (b: bigint) => b !== Blocker.NoLiquidity);
    await expect(f.operator.connect(f.stranger).performUpkeep(performData)).to.be.revertedWithCustomError(
      f.operator,
      "NotKeeper",
    );
  });
});
