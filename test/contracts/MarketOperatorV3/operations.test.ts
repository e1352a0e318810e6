/**
 * MarketOperatorV3 on the real Uniswap V3 pool (0.01% tier; a market maker ±50 bps and the
 * protocol's own position ±20 bps around the peg, so a trade back to the peg crosses initialized
 * ticks): expansion and contraction land on the peg with the pool's own price limit, the pool is
 * paid only through the authenticated callback, preview() states the executed trade to the wei and
 * matches the keeper's tick-math mirror, a front-run toward the peg shrinks a price-bounded
 * operation instead of reverting, and bad inputs fail by name.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, encodeBytes32String } from "ethers";
import { MarketOperatorV3__factory, type MarketOperatorV3 } from "../../../typechain-types";
import * as v3 from "../../../keeper/src/policy/v3";
import { readV3PoolState } from "../../../keeper/src/chain/v3Pool";
import { WAD, deployV3SystemWithTokenOrder, pushV3PriceTo, v3Spot, type V3Fixture } from "../../support/systemV3";
import { refreshFeeds } from "../../support/system";

const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n };
const USDC_UNIT = 10n ** 6n;
const PEG_NUM = WAD * USDC_UNIT; // peg / quoteUsd as a raw price, at a $1 USDC feed
const PEG_DEN = WAD * WAD;
const BPS = 10_000n;

type OpFixture = V3Fixture & { op: MarketOperatorV3 };

/** The pool sorts its tokens by address: the operator's quotes and swap limits are checked with the token on each side. */
async function operatorFixture(tokenIsToken0: boolean): Promise<OpFixture> {
  const f = await deployV3SystemWithTokenOrder(tokenIsToken0);
  const op = MarketOperatorV3__factory.connect(await f.operator.getAddress(), f.admin);
  // A 10 bps band so that moves inside the market maker's range are due, and caps wide enough for
  // a whole trade back to the peg through ~1M of concentrated depth (the caps are tested on V2).
  await op.setBand(10, 300);
  const M = 10n ** 6n * WAD;
  await op.setLimits({
    maxExpansionPerOp: 5n * M,
    maxExpansionPerEpoch: 20n * M,
    maxContractionPerOp: 5n * M,
    maxContractionPerEpoch: 20n * M,
    cooldownSec: 60,
    epochSec: 86_400,
  });
  return { ...f, op };
}

/** Moves the pool to `priceWad` and lets half a TWAP window pass, so the TWAP sits on the same side. */
async function offPeg(f: OpFixture, priceWad: bigint): Promise<void> {
  await pushV3PriceTo(f, priceWad);
  await time.increase(f.params.oracle.twapWindowSec / 2);
  await refreshFeeds(f);
}

/** The peg as the operator's swap limit for a trade in this direction (rounded toward its start). */
function pegLimit(f: OpFixture, sellToken: boolean): bigint {
  return v3.sqrtPriceAt(PEG_NUM, PEG_DEN, f.v3.tokenIsToken0, sellToken === f.v3.tokenIsToken0);
}

async function mirrorState(f: OpFixture): Promise<v3.V3PoolState> {
  return (await readV3PoolState(f.v3.pool as unknown as Parameters<typeof readV3PoolState>[0], 2)).state;
}

/** The keeper mirror's exact-input trade (input used, output) with the operator's peg limit. */
function mirrorTrade(
  f: OpFixture,
  state: v3.V3PoolState,
  sellToken: boolean,
  amountIn: bigint,
): { used: bigint; out: bigint } {
  const zeroForOne = sellToken === f.v3.tokenIsToken0;
  const r = v3.swap(state, zeroForOne, amountIn, pegLimit(f, sellToken));
  const [in_, out] = zeroForOne ? [r.amount0, -r.amount1] : [r.amount1, -r.amount0];
  return { used: in_, out };
}

const tokenFirst = () => operatorFixture(true);
const tokenSecond = () => operatorFixture(false);

for (const [side, fixture] of [
  ["token0", tokenFirst],
  ["token1", tokenSecond],
] as const) {
  describe(`MarketOperatorV3 on the real Uniswap V3 pool (the stable token as ${side})`, function () {
    it("names the pool it trades on (also as pair(), the V2 name)", async function () {
      const f = await loadFixture(fixture);
      expect(await f.op.pool()).to.equal(await f.v3.pool.getAddress());
      expect(await f.op.pair()).to.equal(await f.v3.pool.getAddress());
    });

    it("expansion from +40 bps crosses the protocol position's upper tick and stops exactly on the peg", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 10_040n) / BPS);
      const tickBefore = Number((await f.v3.pool.slot0()).tick);
      const p = await f.op.preview();
      expect(p.action).to.equal(Action.Expand);
      // The keeper's mirror computes the same trade from the pool's state.
      const mirror = mirrorTrade(f, await mirrorState(f), true, p.amount);
      expect(mirror).to.deep.equal({ used: p.amount, out: p.expectedOut });

      const supplyBefore = await f.stable.totalSupply();
      // Spot after = the pool's price at the peg's sqrt-price limit times the quote's USD price: the
      // peg up to that conversion's rounding (measured 8 wei low when the other contract suites run
      // first); the exact landing is the sqrt price checked below.
      const ROUNDING_WEI = 100n;
      await expect(f.op.connect(f.keeper).expandSupply(p.amount, p.expectedOut))
        .to.emit(f.op, "SupplyExpanded")
        .withArgs(
          f.keeper.address,
          p.amount,
          p.expectedOut,
          p.spotWad,
          (v: bigint) => v >= WAD - ROUNDING_WEI && v < WAD + 10n ** 12n,
        );
      expect(await f.stable.totalSupply()).to.equal(supplyBefore + p.amount);
      const after = await f.v3.pool.slot0();
      expect(after.sqrtPriceX96).to.equal(pegLimit(f, true));
      const polUpper = Number(await f.v3.liquidityManager.tickUpper());
      const polLower = Number(await f.v3.liquidityManager.tickLower());
      const crossed = f.v3.tokenIsToken0 ? polUpper : polLower; // the token's price falls
      expect(
        Math.min(tickBefore, Number(after.tick)) < crossed && crossed <= Math.max(tickBefore, Number(after.tick)),
      ).to.equal(true);
      expect(await v3Spot(f)).to.be.closeTo(WAD, WAD / 1_000_000n);
    });

    it("contraction from −40 bps buys back through the lower tick and stops exactly on the peg", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 9_960n) / BPS);
      const p = await f.op.preview();
      expect(p.action).to.equal(Action.Contract);
      const mirror = mirrorTrade(f, await mirrorState(f), false, p.amount);
      expect(mirror).to.deep.equal({ used: p.amount, out: p.expectedOut });
      const idleBefore = (await f.reserve.holdings(await f.usdc.token.getAddress())).idle;
      const supplyBefore = await f.stable.totalSupply();
      await expect(f.op.connect(f.keeper).contractSupply(p.amount, p.expectedOut)).to.emit(f.op, "SupplyContracted");
      expect((await f.reserve.holdings(await f.usdc.token.getAddress())).idle).to.equal(idleBefore - p.amount);
      expect(await f.stable.totalSupply()).to.equal(supplyBefore - p.expectedOut);
      expect((await f.v3.pool.slot0()).sqrtPriceX96).to.equal(pegLimit(f, false));
      // Nothing stays on the operator: the tokens bought were burned, the pool paid from the Reserve.
      expect(await f.stable.balanceOf(await f.op.getAddress())).to.equal(0n);
      expect(await f.usdc.token.balanceOf(await f.op.getAddress())).to.equal(0n);
    });

    it("a deviation beyond the market maker's range (+80 bps) crosses two initialized ticks to the peg", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 10_080n) / BPS);
      const p = await f.op.preview();
      expect(p.action).to.equal(Action.Expand);
      const state = await mirrorState(f);
      const zeroForOne = f.v3.tokenIsToken0;
      const r = v3.swap(state, zeroForOne, p.amount, pegLimit(f, true));
      expect(r.crossed.length).to.be.greaterThanOrEqual(2);
      await f.op.connect(f.keeper).expandSupply(p.amount, p.expectedOut);
      expect((await f.v3.pool.slot0()).sqrtPriceX96).to.equal(pegLimit(f, true));
    });

    it("a front-run toward the peg shrinks the upkeep's price-bounded expansion, which still lands on the peg", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 10_040n) / BPS);
      const [needed, performData] = await f.op.checkUpkeep("0x");
      expect(needed).to.equal(true);
      const [action, planned, limitWad] = AbiCoder.defaultAbiCoder().decode(
        ["uint8", "uint256", "uint256"],
        performData,
      );
      expect(action).to.equal(Action.Expand);
      // A searcher sells first, taking the pool halfway back.
      await pushV3PriceTo(f, (WAD * 10_020n) / BPS);
      const p = await f.op.preview();
      expect(p.amount).to.be.lessThan(planned);
      await expect(f.op.connect(f.keeper).performUpkeep(performData)).to.emit(f.op, "SupplyExpanded");
      expect((await f.v3.pool.slot0()).sqrtPriceX96).to.equal(pegLimit(f, true));
      expect(limitWad).to.be.greaterThan(0n);
    });

    it("a price bound above the pool's best price reverts PriceLimitExceeded; one below it clamps the trade", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 10_040n) / BPS);
      const p = await f.op.preview();
      await expect(
        f.op.connect(f.keeper).expandSupplyAtPrice(p.amount, (WAD * 10_050n) / BPS),
      ).to.be.revertedWithCustomError(f.op, "PriceLimitExceeded");
      // Every unit at ≥ 1.002 after the 1 bps fee: the pool stops where its price is 1.002 / 0.9999,
      // short of the peg.
      const limit = (WAD * 10_020n) / BPS;
      await f.op.connect(f.keeper).expandSupplyAtPrice(p.amount, limit);
      const stop = (limit * 1_000_000n) / 999_900n;
      expect(await v3Spot(f)).to.be.closeTo(stop, 10n ** 6n);
    });

    it("a purchase bound below the pool's first unit reverts PriceLimitExceeded with that price; one above it clamps the contraction", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 9_960n) / BPS);
      const p = await f.op.preview();
      expect(p.action).to.equal(Action.Contract);
      // The first unit bought costs spot plus the 1 bps fee: spot / 0.9999.
      const firstUnitWad = ((await v3Spot(f)) * 1_000_000n) / 999_900n;
      const tooLow = (WAD * 9_950n) / BPS;
      await expect(f.op.connect(f.keeper).contractSupplyAtPrice(p.amount, tooLow))
        .to.be.revertedWithCustomError(f.op, "PriceLimitExceeded")
        .withArgs(tooLow, firstUnitWad);
      // Every unit at ≤ 0.998 with the fee: the pool stops where its price is 0.998 × 0.9999, short of the peg.
      const limit = (WAD * 9_980n) / BPS;
      const idleBefore = (await f.reserve.holdings(await f.usdc.token.getAddress())).idle;
      await expect(f.op.connect(f.keeper).contractSupplyAtPrice(p.amount, limit)).to.emit(f.op, "SupplyContracted");
      expect(await v3Spot(f)).to.be.closeTo((limit * 999_900n) / 1_000_000n, 10n ** 6n);
      const spent = idleBefore - (await f.reserve.holdings(await f.usdc.token.getAddress())).idle;
      expect(spent > 0n && spent < p.amount).to.equal(true);
    });

    it("below the peg, checkUpkeep asks for the previewed contraction bounded by the peg's price plus fee and slippage, which lands on the peg", async function () {
      const f = await loadFixture(fixture);
      await offPeg(f, (WAD * 9_960n) / BPS);
      const p = await f.op.preview();
      const [needed, performData] = await f.op.checkUpkeep("0x");
      expect(needed).to.equal(true);
      // The last unit's price: the pool's price at the peg limit, plus the fee, plus UPKEEP_SLIPPAGE_BPS (50), rounded up.
      const endWad = v3.quotePerTokenWad(pegLimit(f, false), f.v3.tokenIsToken0, WAD, USDC_UNIT);
      const den = 999_900n * BPS;
      const limitWad = (endWad * 1_000_000n * (BPS + 50n) + den - 1n) / den;
      expect(performData).to.equal(
        AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [Action.Contract, p.amount, limitWad]),
      );
      await expect(f.op.connect(f.keeper).performUpkeep(performData)).to.emit(f.op, "SupplyContracted");
      expect((await f.v3.pool.slot0()).sqrtPriceX96).to.equal(pegLimit(f, false));
    });

    it("the swap callback pays only the pool, only inside an operation's swap", async function () {
      const f = await loadFixture(fixture);
      await expect(f.op.connect(f.trader).uniswapV3SwapCallback(1n, 0n, "0x"))
        .to.be.revertedWithCustomError(f.op, "NotPool")
        .withArgs(f.trader.address);
      const poolAddress = await f.v3.pool.getAddress();
      await network.provider.send("hardhat_impersonateAccount", [poolAddress]);
      await network.provider.send("hardhat_setBalance", [poolAddress, "0xde0b6b3a7640000"]);
      const pool = await ethers.getSigner(poolAddress);
      await expect(
        f.op.connect(pool).uniswapV3SwapCallback(10n ** 18n, 10n ** 18n, "0x"),
      ).to.be.revertedWithCustomError(f.op, "UnexpectedCallback");
      await network.provider.send("hardhat_stopImpersonatingAccount", [poolAddress]);
    });

    it("its band may go down to MIN_BAND_BPS_V3 (2 bps), not below: at 3 bps a +5 bps premium is due and the expansion lands on the peg", async function () {
      const f = await loadFixture(fixture);
      await expect(f.op.setBand(1, 300))
        .to.be.revertedWithCustomError(f.op, "ParameterOutOfBounds")
        .withArgs(encodeBytes32String("bandBps"), 1n, 2n, 500n);
      await expect(f.op.setBand(2, 300)).to.emit(f.op, "BandSet").withArgs(2n, 300n);
      await f.op.setBand(3, 300);
      await offPeg(f, (WAD * 10_005n) / BPS);
      const p = await f.op.preview();
      expect(p.action, "5 bps off the peg is outside a 3 bps band").to.equal(Action.Expand);
      await f.op.connect(f.keeper).expandSupply(p.amount, p.expectedOut);
      expect((await f.v3.pool.slot0()).sqrtPriceX96).to.equal(pegLimit(f, true));
    });

    it("bad inputs fail by name and send nothing to the pool", async function () {
      const f = await loadFixture(fixture);
      await expect(f.op.connect(f.keeper).expandSupply(1n, 0n)).to.be.revertedWithCustomError(f.op, "PriceInsideBand");
      await offPeg(f, (WAD * 10_040n) / BPS);
      const p = await f.op.preview();
      await expect(f.op.connect(f.keeper).expandSupply(0n, 0n)).to.be.revertedWithCustomError(f.op, "ZeroAmount");
      await expect(f.op.connect(f.trader).expandSupply(p.amount, 0n)).to.be.revertedWithCustomError(f.op, "NotKeeper");
      await expect(f.op.connect(f.keeper).expandSupply(p.amount, p.expectedOut + 1n)).to.be.revertedWithCustomError(
        f.op,
        "SlippageExceeded",
      );
      await expect(f.op.connect(f.keeper).expandSupplyAtPrice(p.amount, 10n ** 30n + 1n)).to.be.revertedWithCustomError(
        f.op,
        "ParameterOutOfBounds",
      );
      await expect(f.op.connect(f.keeper).contractSupply(1n, 0n)).to.be.revertedWithCustomError(
        f.op,
        "PriceInsideBand",
      );
      await expect(f.op.connect(f.keeper).expandSupply(p.amount / 100n, 0n)).to.be.revertedWithCustomError(
        f.op,
        "OperationTooSmall",
      );
      // None of it moved the pool.
      expect(await v3Spot(f)).to.be.greaterThan((WAD * 10_039n) / BPS);
    });
  });
}
