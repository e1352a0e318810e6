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
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { PositionValueHarness__factory, ValuationMathHarness__factory } from "../../../typechain-types";
import { deployV3SystemFixture, deployV3SystemWithTokenOrder, pushV3PriceTo } from "../../support/systemV3";
import { refreshFeeds } from "../../support/system";
import { between, rng } from "../../support/bigRng";

const QUOTE_UNIT = 10n ** 6n;
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
