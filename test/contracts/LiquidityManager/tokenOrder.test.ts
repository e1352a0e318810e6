/**
 * LiquidityManager with the stable token on either side of the real Uniswap V3 pool (the pool sorts
 * its tokens by address, so a deployment may land either way; the main fixture's side is chance).
 * For each side: the range around the peg matches the deploy script's own range maths, the position
 * is valued at the quote it holds up to the peg (zero below its range, the peg's value above it, all
 * of it when the peg itself has left the range), an add outside the range pays one side only, and a
 * full removal after the price rose floors the deployed-quote figure at zero.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import * as v3 from "../../../keeper/src/policy/v3";
import { polRange, V3_TICK_SPACING } from "../../../deploy/venue";
import {
  WAD,
  deployV3SystemWithTokenOrder,
  polAmounts,
  positionQuote,
  pushV3PriceTo,
  type V3Fixture,
} from "../../support/systemV3";

const price = (s: string) => parseUnits(s, 18);
const QUOTE_TO_WAD = 10n ** 12n; // USDC has 6 decimals
/** Outside the protocol's ±20 bps range, inside the market maker's ±50 bps (the pool still has liquidity). */
const ABOVE_RANGE = price("1.003");
const BELOW_RANGE = price("0.997");

const tokenFirst = () => deployV3SystemWithTokenOrder(true);
const tokenSecond = () => deployV3SystemWithTokenOrder(false);

/** The oriented amounts and event of one `addLiquidity` by the keeper, with generous maxima. */
async function addAsKeeper(f: V3Fixture, liquidity: bigint): Promise<{ tokensMinted: bigint; quoteSpent: bigint }> {
  const lm = f.v3.liquidityManager;
  const receipt = await (
    await lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("1000000", 18), parseUnits("1000000", 6))
  ).wait();
  const [, , , , tokensMinted, quoteSpent] = receipt!.logs
    .map((l) => lm.interface.parseLog(l))
    .find((e) => e?.name === "LiquidityAdded")!.args;
  return { tokensMinted, quoteSpent };
}

for (const [side, fixture] of [
  ["token0", tokenFirst],
  ["token1", tokenSecond],
] as const) {
  describe(`LiquidityManager with the stable token as the pool's ${side}`, () => {
    it("centres its range on the peg's tick exactly as the deploy script's range maths does", async () => {
      const f = await loadFixture(fixture);
      const lm = f.v3.liquidityManager;
      expect(f.v3.tokenIsToken0).to.equal(side === "token0");
      const pegTick = v3.getTickAtSqrtRatio(v3.sqrtPriceForQuotePerToken(WAD, f.v3.tokenIsToken0, WAD, 10n ** 6n));
      // 18-decimal token against 6-decimal quote: the raw price is 1e-12 or 1e12, so the tick's sign flips with the side.
      expect(pegTick < 0).to.equal(side === "token0");
      const expected = polRange(pegTick, Number(await lm.rangeBps()), V3_TICK_SPACING[f.v3.params.feePips]);
      expect((await lm.rangeAtPeg()).map(Number)).to.deep.equal([expected.tickLower, expected.tickUpper]);
      expect([Number(await lm.tickLower()), Number(await lm.tickUpper())]).to.deep.equal([
        expected.tickLower,
        expected.tickUpper,
      ]);
    });

    it("values the position at the quote it holds up to the peg: the peg's value above its range, zero below it", async () => {
      const f = await loadFixture(fixture);
      const lm = f.v3.liquidityManager;
      const atPeg = await lm.positionValueWad();
      expect(atPeg).to.equal((await positionQuote(f)) * QUOTE_TO_WAD);
      await pushV3PriceTo(f, ABOVE_RANGE);
      // All quote now, more than at the peg; the quote above the peg's share is not counted.
      expect((await polAmounts(f, await lm.positionLiquidity())).token).to.equal(0n);
      expect((await positionQuote(f)) * QUOTE_TO_WAD).to.be.greaterThan(atPeg);
      expect(await lm.positionValueWad()).to.equal(atPeg);
      await pushV3PriceTo(f, BELOW_RANGE);
      // All tokens now: the token side is worth nothing to the Reserve.
      expect(await positionQuote(f)).to.equal(0n);
      expect(await lm.positionValueWad()).to.equal(0n);
    });

    it("counts all the quote of a position above its range once the quote feed has moved the peg above it too", async () => {
      const f = await loadFixture(fixture);
      const lm = f.v3.liquidityManager;
      await pushV3PriceTo(f, ABOVE_RANGE);
      const capped = await lm.positionValueWad();
      // USDC at $0.99: the peg is 1.0101 USDC per token, above the range's top (about 1.002).
      await f.usdc.feed.updateAnswer(parseUnits("0.99", 8));
      const held = await positionQuote(f);
      expect(await lm.positionValueWad()).to.equal((held * QUOTE_TO_WAD * 99n) / 100n);
      expect(held * QUOTE_TO_WAD).to.be.greaterThan(capped);
    });

    it("outside its range an add pays one side only: above it, quote the reserve would count only at the peg (ReserveValueDecreased); below it, minted tokens at no cost in value", async () => {
      const f = await loadFixture(fixture);
      const lm = f.v3.liquidityManager;
      const usdc = await f.usdc.token.getAddress();
      const liquidity = (await lm.positionLiquidity()) / 20n;

      // Above the range the add would pay quote only, all of it beyond the peg's share: the reserve
      // would count less than the quote it released, so rule 7 refuses it.
      await pushV3PriceTo(f, ABOVE_RANGE);
      let owed = await polAmounts(f, liquidity, true);
      expect(owed.quote).to.be.greaterThan(0n);
      await expect(
        lm.connect(f.keeper).addLiquidity(liquidity, parseUnits("1000000", 18), parseUnits("1000000", 6)),
      ).to.be.revertedWithCustomError(lm, "ReserveValueDecreased");

      await pushV3PriceTo(f, BELOW_RANGE);
      // The fees the pushes earned: collected first, so the top-up's own collection is empty.
      await lm.collectFees();
      owed = await polAmounts(f, liquidity, true);
      const [supply, reserveQuote] = [await f.stable.totalSupply(), await f.reserve.accountedAmount(usdc)];
      const [grossBefore] = await f.reserve.valuation();
      expect(await addAsKeeper(f, liquidity)).to.deep.equal({ tokensMinted: owed.token, quoteSpent: 0n });
      expect(owed.token).to.be.greaterThan(0n);
      expect(await f.stable.totalSupply()).to.equal(supply + owed.token);
      expect(await f.reserve.accountedAmount(usdc)).to.equal(reserveQuote);
      // Tokens count zero: the reserve's value did not move.
      expect((await f.reserve.valuation())[0]).to.equal(grossBefore);
    });

    it("removing everything after the price rose returns more quote than was deployed: the deployed figure floors at zero", async () => {
      const f = await loadFixture(fixture);
      const lm = f.v3.liquidityManager;
      await pushV3PriceTo(f, ABOVE_RANGE);
      const deployedWad = await lm.quoteDeployedWad();
      const principal = await polAmounts(f, await lm.positionLiquidity());
      expect(principal.quote * QUOTE_TO_WAD).to.be.greaterThan(deployedWad);
      await expect(lm.connect(f.keeper).removeLiquidity(await lm.positionLiquidity(), 0n, principal.quote)).to.emit(
        lm,
        "LiquidityRemoved",
      );
      expect(await lm.quoteDeployedWad()).to.equal(0n);
      expect(await lm.positionLiquidity()).to.equal(0n);
      expect(await lm.positionValueWad()).to.equal(0n);
    });
  });
}
