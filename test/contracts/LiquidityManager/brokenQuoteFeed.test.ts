/**
 * LiquidityManager under a broken quote feed. An add (a top-up of the open position as well as a
 * new one) needs the quote's price fresh and valid, read through `PriceOracle.price`, which reverts
 * with the oracle's named error: a stale or garbled feed leaves rule 7 blind (the reserve then
 * counts the quote at its last good price or at zero on both sides), so the add must not rely on it.
 * A removal is refused nothing: it trades nothing against the pool, brings the position's quote
 * back to the Reserve and burns its tokens, and it is the way out of the pool while the feed is down.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { parseUnits } from "ethers";
import { MalformedAggregator__factory } from "../../../typechain-types";
import { deployV3SystemFixture, polLiquidityFor, type V3Fixture } from "../../support/systemV3";

const USDC = (v: string) => parseUnits(v, 6);
const MAX_TOKEN_IN = parseUnits("2000", 18);
const MAX_QUOTE_IN = USDC("2000");

/** Moves time past the quote feed's max age, keeping every other collateral's feed fresh. */
async function staleQuoteFeed(f: V3Fixture): Promise<{ updatedAt: bigint; maxAgeSec: bigint }> {
  const [, , , updatedAt] = await f.usdc.feed.latestRoundData();
  const maxAgeSec = BigInt(f.params.collateral.quote.maxAgeSec);
  await time.increaseTo(updatedAt + maxAgeSec + 1n);
  for (const c of f.collaterals.slice(1)) await c.feed.updateAnswer((await c.feed.latestRoundData())[1]);
  return { updatedAt, maxAgeSec };
}

/** Points the quote at a feed that answered $1 a moment ago (its last good price), then garbles it. */
async function garbleQuoteFeed(f: V3Fixture, roundData: "short" | "zero"): Promise<string> {
  const bad = await new MalformedAggregator__factory(f.admin).deploy();
  await bad.setRound(parseUnits("1", 8), BigInt(await time.latest()), 8);
  const q = f.params.collateral.quote;
  await f.oracle
    .connect(f.admin)
    .setFeed(
      await f.usdc.token.getAddress(),
      await bad.getAddress(),
      q.maxAgeSec,
      parseUnits(q.minPriceUsd, 18),
      parseUnits(q.maxPriceUsd, 18),
    );
  if (roundData === "short") await bad.setRoundData("0x1234");
  else await bad.setRound(0n, BigInt(await time.latest()), 8);
  return bad.getAddress();
}

describe("LiquidityManager with a broken quote feed", () => {
  it("a top-up with the quote feed stale reverts StalePrice naming the quote asset; once the feed answers, it goes through", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const liquidity = await polLiquidityFor(f, USDC("1000"));
    const { updatedAt, maxAgeSec } = await staleQuoteFeed(f);
    await expect(lm.connect(f.keeper).addLiquidity(liquidity, MAX_TOKEN_IN, MAX_QUOTE_IN))
      .to.be.revertedWithCustomError(f.oracle, "StalePrice")
      .withArgs(await f.usdc.token.getAddress(), updatedAt, maxAgeSec, anyValue);
    await f.usdc.feed.updateAnswer(parseUnits("1", 8));
    await expect(lm.connect(f.keeper).addLiquidity(liquidity, MAX_TOKEN_IN, MAX_QUOTE_IN)).to.emit(
      lm,
      "LiquidityAdded",
    );
  });

  it("a top-up with the quote feed answering garbage reverts FeedCallFailed, or NonPositivePrice for a zero answer, and moves nothing", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdc = await f.usdc.token.getAddress();
    const liquidity = await polLiquidityFor(f, USDC("1000"));
    const [heldBefore, supplyBefore] = [await lm.positionLiquidity(), await f.stable.totalSupply()];
    const bad = await garbleQuoteFeed(f, "short");
    await expect(lm.connect(f.keeper).addLiquidity(liquidity, MAX_TOKEN_IN, MAX_QUOTE_IN))
      .to.be.revertedWithCustomError(f.oracle, "FeedCallFailed")
      .withArgs(usdc, bad);
    await garbleQuoteFeed(f, "zero");
    await expect(lm.connect(f.keeper).addLiquidity(liquidity, MAX_TOKEN_IN, MAX_QUOTE_IN))
      .to.be.revertedWithCustomError(f.oracle, "NonPositivePrice")
      .withArgs(usdc, 0n);
    expect(await lm.positionLiquidity()).to.equal(heldBefore);
    expect(await f.stable.totalSupply()).to.equal(supplyBefore);
  });

  it("a removal still goes through with the quote feed garbled: the tokens burn and the quote returns to the Reserve; a new position is then refused too", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const lm = f.v3.liquidityManager;
    const usdc = await f.usdc.token.getAddress();
    const bad = await garbleQuoteFeed(f, "short");
    const held = await lm.positionLiquidity();
    const [supplyBefore, accountedBefore] = [await f.stable.totalSupply(), await f.reserve.accountedAmount(usdc)];
    const receipt = await (await lm.connect(f.keeper).removeLiquidity(held, 0n, 0n)).wait();
    const removed = receipt!.logs.map((l) => lm.interface.parseLog(l)).find((e) => e?.name === "LiquidityRemoved")!;
    const [, , tokensBurned, quoteReturned] = removed.args;
    expect(quoteReturned).to.be.greaterThan(0n);
    expect(await lm.positionLiquidity()).to.equal(0n);
    expect(await f.stable.totalSupply()).to.equal(supplyBefore - tokensBurned);
    expect(await f.reserve.accountedAmount(usdc)).to.equal(accountedBefore + quoteReturned);
    // With nothing open, the next add needs the peg's range, read from the same broken feed.
    await expect(lm.connect(f.keeper).addLiquidity(await polLiquidityFor(f, USDC("1000")), MAX_TOKEN_IN, MAX_QUOTE_IN))
      .to.be.revertedWithCustomError(f.oracle, "FeedCallFailed")
      .withArgs(usdc, bad);
  });
});
