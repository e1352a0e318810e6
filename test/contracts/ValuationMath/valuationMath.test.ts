/**
 * ValuationMath (issue 17): rule 7's after-state, computed from the before-state and the one
 * amount an operation moves, equals a whole re-valuation by the reserve to the wei, on random
 * states (a seeded loop: random WETH and USDC holdings, prices, haircuts and operator moves) [INV-3].
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { ValuationMathHarness__factory } from "../../../typechain-types";
import { deploySystemFixture, refreshFeeds } from "../../support/system";
import { between, rng } from "../../support/bigRng";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

describe("ValuationMath: incremental after-state = whole re-valuation [INV-3]", function () {
  it("on 60 random reserve states, replacing the quote asset's amount gives reserve.valuation() after an operator move, to the wei", async function () {
    const f = await loadFixture(deploySystemFixture);
    const harness = await new ValuationMathHarness__factory(f.admin).deploy();
    const usdc = await addr(f.usdc.token);
    const reserve = await addr(f.reserve);
    await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), f.admin.address);
    await f.usdc.token.mint(f.admin.address, parseUnits("100000000", 6));
    await f.usdc.token.connect(f.admin).approve(reserve, 2n ** 255n);
    await f.weth.token.mint(f.arbitrageur.address, parseUnits("100000", 18));
    await f.weth.token.connect(f.arbitrageur).approve(reserve, 2n ** 255n);
    const weth = await addr(f.weth.token);
    await f.weth.token.mint(f.admin.address, parseUnits("100000000", 18));
    await f.weth.token.connect(f.admin).approve(reserve, 2n ** 255n);
    const next = rng(0x6a5f100an);
    const baseConfig = await f.reserve.assetConfig(usdc);
    let checked = 0;
    let naiveWrong = 0;
    for (let i = 0; i < 60; i++) {
      // A random state: prices (odd wei so the roundings bite), the USDC haircut, WETH held.
      await f.usdc.feed.updateAnswer(between(next, 99_000_000n, 101_000_000n));
      await f.weth.feed.updateAnswer(between(next, 100_000_000_000n, 900_000_000_000n) + 7n);
      await refreshFeeds(f);
      await f.usdc.feed.updateAnswer(between(next, 99_000_000n, 101_000_000n));
      const haircutBps = Number(between(next, 0n, 5_000n));
      await f.reserve.connect(f.admin).setAssetConfig(usdc, {
        haircutBps,
        mintFeeBps: baseConfig.mintFeeBps,
        redeemFeeBps: baseConfig.redeemFeeBps,
        bufferBps: baseConfig.bufferBps,
        ceiling: baseConfig.ceiling,
      });
      if (next() % 2n === 0n)
        await f.reserve
          .connect(f.arbitrageur)
          .mint(weth, between(next, 1n, parseUnits("50", 18)), 0, f.arbitrageur.address);

      // The quote asset (6 decimals: its values are exact) or WETH (18: every term rounds).
      const [asset, unit, assetHaircutBps] =
        i % 2 === 0
          ? [usdc, 10n ** 6n, BigInt(haircutBps)]
          : [weth, 10n ** 18n, (await f.reserve.assetConfig(weth)).haircutBps];
      const [grossBefore, haircutBefore] = await f.reserve.valuation();
      const amountBefore = await f.reserve.accountedAmount(asset);
      const idle = (await f.reserve.holdings(asset)).idle;
      const deposit = next() % 2n === 0n || idle < 2n;
      const moved = deposit
        ? between(next, 1n, (unit * 2_000_000n) / (asset === usdc ? 1n : 1_000n))
        : between(next, 1n, idle);
      if (deposit) await f.reserve.connect(f.admin).depositFromOperator(asset, moved);
      else await f.reserve.connect(f.admin).releaseToOperator(asset, moved, f.admin.address);
      const amountAfter = deposit ? amountBefore + moved : amountBefore - moved;

      const priceWad = await f.oracle.price(asset);
      const [grossInc, haircutInc] = await harness.replaceAmount(
        grossBefore,
        haircutBefore,
        amountBefore,
        amountAfter,
        priceWad,
        unit,
        assetHaircutBps,
      );
      const [grossWhole, haircutWhole] = await f.reserve.valuation();
      expect(grossInc, `gross, state ${i}`).to.equal(grossWhole);
      expect(haircutInc, `haircut, state ${i}`).to.equal(haircutWhole);
      checked++;
      // The test discriminates: adding the move's own value, rounded alone, is off by a wei here.
      const movedWad = (moved * priceWad) / unit;
      const movedHaircutWad = (movedWad * (10_000n - assetHaircutBps)) / 10_000n;
      const naiveGross = deposit ? grossBefore + movedWad : grossBefore - movedWad;
      const naiveHaircut = deposit ? haircutBefore + movedHaircutWad : haircutBefore - movedHaircutWad;
      if (naiveGross !== grossWhole || naiveHaircut !== haircutWhole) naiveWrong++;
    }
    expect(checked).to.equal(60);
    expect(naiveWrong, "states where a naive increment misses the reserve's rounding").to.be.greaterThan(0);
  });
});
