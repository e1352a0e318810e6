/**
 * MarketOperatorV3, rule 7's after-state with the protocol's position counted (issues 15 and 17): a
 * V3 trade moves the pool and so the quote the LiquidityManager's position holds. The operator
 * computes the after-state from the before-state, the quote asset's idle after, and the position's
 * quote at the pool's price before and after the swap (the linked `UniswapV3Quote.positionQuotes`,
 * the LiquidityManager's own maths). On random states — quote feed, quote haircut, pool price before
 * and after, operator moves — that equals the reserve's whole re-valuation to the wei; leaving the
 * position's move out does not [INV-3]. (The V2 venue has no value source: test/contracts/ValuationMath.)
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import {
  CallerRewardHarness__factory,
  MarketOperatorV3__factory,
  PositionValueHarness__factory,
  ValuationMathHarness__factory,
} from "../../../typechain-types";
import { deployV3SystemFixture, deployV3SystemWithTokenOrder, pushV3PriceTo } from "../../support/systemV3";
import { refreshFeeds } from "../../support/system";
import { between, rng } from "../../support/bigRng";

const QUOTE_UNIT = 10n ** 6n;
const MAX_REWARD_WAD = parseUnits("1000", 18); // Constants.sol HARD_MAX_CALLER_REWARD_WAD
const tokenSecond = () => deployV3SystemWithTokenOrder(false);

for (const [name, fixture, seed] of [
  ["the deploy's token order", deployV3SystemFixture, 0x15a7e00n],
  ["the stable token as token1", tokenSecond, 0x15a7e01n],
] as const) {
  it(`on 30 random V3 states (${name}), the incremental after-state with the position's move equals reserve.valuation() to the wei`, async function () {
    const f = await loadFixture(fixture);
    const quoteLib = await ethers.deployContract("UniswapV3Quote");
    const positions = await new PositionValueHarness__factory(
      { "contracts/venues/UniswapV3Quote.sol:UniswapV3Quote": await quoteLib.getAddress() },
      f.admin,
    ).deploy();
    const replace = await new ValuationMathHarness__factory(f.admin).deploy();
    const lm = f.v3.liquidityManager;
    const usdc = await f.usdc.token.getAddress();
    const reserve = await f.reserve.getAddress();
    await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), f.admin.address);
    await f.usdc.token.mint(f.admin.address, parseUnits("100000000", 6));
    await f.usdc.token.mint(f.trader.address, parseUnits("1000000000", 6)); // the pool pushes' side
    await f.usdc.token.connect(f.admin).approve(reserve, 2n ** 255n);
    const baseConfig = await f.reserve.assetConfig(usdc);
    const next = rng(seed);
    const randomPrice = () => parseUnits("0.996", 18) + between(next, 0n, parseUnits("0.008", 18));
    let positionMoved = 0;
    let naiveWrong = 0;
    for (let i = 0; i < 30; i++) {
      // A random state: the quote feed (odd units, so the peg's sqrt price rounds), its haircut, the pool.
      await f.usdc.feed.updateAnswer(between(next, 99_500_000n, 100_500_000n) + 1n);
      await refreshFeeds(f);
      const haircutBps = Number(between(next, 0n, 3_000n));
      await f.reserve.connect(f.admin).setAssetConfig(usdc, {
        haircutBps,
        mintFeeBps: baseConfig.mintFeeBps,
        redeemFeeBps: baseConfig.redeemFeeBps,
        bufferBps: baseConfig.bufferBps,
        ceiling: baseConfig.ceiling,
      });
      await pushV3PriceTo(f, randomPrice());

      const [grossBefore, haircutBefore] = await f.reserve.valuation();
      const amountBefore = await f.reserve.accountedAmount(usdc);
      const idleBefore = (await f.reserve.holdings(usdc)).idle;
      const sqrtBefore = (await f.v3.pool.slot0()).sqrtPriceX96;

      // "The operation": the pool moves (a swap across the position's range) and the quote's idle
      // balance changes (the operator's deposit or release).
      await pushV3PriceTo(f, randomPrice());
      const idle = (await f.reserve.holdings(usdc)).idle;
      const moved = between(next, 1n, parseUnits("50000", 6));
      if (next() % 2n === 0n || idle <= moved) await f.reserve.connect(f.admin).depositFromOperator(usdc, moved);
      else await f.reserve.connect(f.admin).releaseToOperator(usdc, moved, f.admin.address);

      const priceWad = await f.oracle.price(usdc);
      const idleAfter = (await f.reserve.holdings(usdc)).idle;
      const sqrtAfter = (await f.v3.pool.slot0()).sqrtPriceX96;
      const p = await lm.position();
      const position = {
        pool: p.pool,
        quoteAsset: p.quoteAsset,
        tokenIsToken0: p.tokenIsToken0,
        tokenUnit: p.tokenUnit,
        quoteUnit: p.quoteUnit,
        liquidity: p.liquidity,
        tickLower: p.tickLower,
        tickUpper: p.tickUpper,
      };
      const [before, after] = await positions.positionQuotes(position, sqrtBefore, sqrtAfter, priceWad);
      // The operator's before is what the reserve's valuation counted before the trade.
      const [grossInc, haircutInc] = await replace.replaceAmount(
        grossBefore,
        haircutBefore,
        amountBefore + before,
        amountBefore - idleBefore + idleAfter + after,
        priceWad,
        QUOTE_UNIT,
        haircutBps,
      );
      const [grossWhole, haircutWhole] = await f.reserve.valuation();
      expect(grossInc, `gross, state ${i}`).to.equal(grossWhole);
      expect(haircutInc, `haircut, state ${i}`).to.equal(haircutWhole);
      if (before !== after) positionMoved++;
      // Without the position's move (the V2 formula), the after-state is wrong whenever the pool moved it.
      const [grossNaive] = await replace.replaceAmount(
        grossBefore,
        haircutBefore,
        amountBefore + before,
        amountBefore - idleBefore + idleAfter + before,
        priceWad,
        QUOTE_UNIT,
        haircutBps,
      );
      if (grossNaive !== grossWhole) naiveWrong++;
    }
    expect(positionMoved, "states where the swap moved the position's counted quote").to.be.greaterThan(5);
    expect(naiveWrong).to.equal(positionMoved);
  });
}

/*
 * In permissionless mode the operator measures its caller's reward on the same incremental
 * after-state, taken before the reward is paid (and rule 7 after it, with the position read once per
 * operation). A contraction from below the position's range back to the peg buys tokens the
 * position sold and moves its counted quote; the reward must be the formula on the profit a whole
 * re-valuation measures: the reserve's gross value after the call with the reward's quote put back
 * (ValuationMath), less the supply at the peg, less the equity before. Here the deviation term
 * binds; an after-state that left the position's move out measures ~4% of that profit, where the
 * profit term binds and pays less (so it fails this test).
 */
for (const tokenIsToken0 of [true, false]) {
  it(`a permissionless V3 contraction across the position's range pays the reward on the profit a whole re-valuation measures (stable token as token${
    tokenIsToken0 ? 0 : 1
  })`, async function () {
    const f = await deployV3SystemWithTokenOrder(tokenIsToken0);
    const op = MarketOperatorV3__factory.connect(await f.operator.getAddress(), f.admin);
    await op.setBand(10, 300);
    await op.setPermissionless(true, MAX_REWARD_WAD);
    const replace = await new ValuationMathHarness__factory(f.admin).deploy();
    const reward = await new CallerRewardHarness__factory(f.admin).deploy();
    const usdc = await f.usdc.token.getAddress();
    await pushV3PriceTo(f, parseUnits("0.9975", 18)); // below the position's ±20 bps range
    await time.increase(f.params.oracle.twapWindowSec / 2);
    await refreshFeeds(f);
    const positionBefore = await f.v3.liquidityManager.quoteAmountAt(await f.oracle.price(usdc));
    const equityBefore = (await f.reserve.grossValue()) - (await f.stable.totalSupply());

    const tx = await op.connect(f.stranger).contractSupply(MaxUint256, 0);
    const receipt = (await tx.wait())!;
    const parsed = receipt.logs.map((l) => op.interface.parseLog(l)).filter((e) => e !== null);
    const contracted = parsed.find((e) => e.name === "SupplyContracted")!;
    const rewarded = parsed.find((e) => e.name === "CallerRewarded")!;
    expect(rewarded.args.caller).to.equal(f.stranger.address);
    const paid: bigint = rewarded.args.quoteAmount;
    expect(paid).to.be.gt(0n);

    const priceWad = await f.oracle.price(usdc);
    const positionAfter = await f.v3.liquidityManager.quoteAmountAt(priceWad);
    expect(positionAfter, "the swap moved the position's counted quote").to.not.equal(positionBefore);
    const haircutBps = (await f.reserve.assetConfig(usdc)).haircutBps;
    const [grossAfter, haircutAfter] = await f.reserve.valuation();
    const amountAfter = (await f.reserve.accountedAmount(usdc)) + positionAfter;
    // The after-state the operator measured the profit on: the reward's quote still in the reserve.
    const [grossUnpaid] = await replace.replaceAmount(
      grossAfter,
      haircutAfter,
      amountAfter,
      amountAfter + paid,
      priceWad,
      QUOTE_UNIT,
      haircutBps,
    );
    const profitWad = grossUnpaid - (await f.stable.totalSupply()) - equityBefore;
    expect(profitWad).to.be.gt(0n);
    const corrected = await reward.deviationCorrectedBps(contracted.args.spotBeforeWad, contracted.args.spotAfterWad);
    // The reserve is far above its target here: the rule-7 headroom and the idle quote do not bind.
    const valueWad = await reward.rewardWad(profitWad, corrected, MAX_REWARD_WAD);
    expect(valueWad, "the formula pays something").to.be.gt(0n);
    expect(paid).to.equal((valueWad * QUOTE_UNIT) / priceWad);
    expect(rewarded.args.valueWad).to.equal((paid * priceWad) / QUOTE_UNIT);
  });
}
