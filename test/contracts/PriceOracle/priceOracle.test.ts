/**
 * Rule 3 (docs/design.md) at the oracle: stale, zero, negative and out-of-bounds Chainlink answers revert
 * with named errors (tryPrice reports them without reverting), and rule 5's decimals: feed answers
 * of any decimals and the 6-decimal quote's pool price come out in WAD USD.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { MockV3Aggregator__factory } from "../../../typechain-types";
import { deploySystemFixture, settleAt, WAD } from "../../support/system";

describe("PriceOracle (rule 3, rule 5)", function () {
  it("a WETH answer older than its maxAge reverts StalePrice; at exactly maxAge it is still valid [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const weth = await f.weth.token.getAddress();
    const maxAge = BigInt(f.params.collateral.others[0].maxAgeSec);
    await f.weth.feed.updateAnswer(parseUnits("3000", 8));
    const [, , , updatedAt] = await f.weth.feed.latestRoundData();
    await time.increaseTo(updatedAt + maxAge);
    expect(await f.oracle.price(weth)).to.equal(parseUnits("3000", 18));
    await time.increaseTo(updatedAt + maxAge + 1n);
    await expect(f.oracle.price(weth))
      .to.be.revertedWithCustomError(f.oracle, "StalePrice")
      .withArgs(weth, updatedAt, maxAge, updatedAt + maxAge + 1n);
    expect(await f.oracle.tryPrice(weth)).to.deep.equal([false, 0n]);
  });

  it("an answer stamped in the future is rejected as StalePrice [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const weth = await f.weth.token.getAddress();
    const future = BigInt(await time.latest()) + 3600n;
    await f.weth.feed.updateRoundData(99, parseUnits("3000", 8), future, future);
    await expect(f.oracle.price(weth)).to.be.revertedWithCustomError(f.oracle, "StalePrice");
  });

  it("zero and negative answers revert NonPositivePrice with the answer [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const usdc = await f.usdc.token.getAddress();
    for (const answer of [0n, -1n, -parseUnits("1", 8)]) {
      await f.usdc.feed.updateAnswer(answer);
      await expect(f.oracle.price(usdc))
        .to.be.revertedWithCustomError(f.oracle, "NonPositivePrice")
        .withArgs(usdc, answer);
      expect((await f.oracle.tryPrice(usdc))[0]).to.equal(false);
    }
  });

  it("answers outside [min, max] revert PriceOutOfBounds; the bounds themselves are valid [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const usdc = await f.usdc.token.getAddress();
    const min = parseUnits("0.5", 18);
    const max = parseUnits("2", 18);
    await f.usdc.feed.updateAnswer(parseUnits("0.49999999", 8));
    await expect(f.oracle.price(usdc))
      .to.be.revertedWithCustomError(f.oracle, "PriceOutOfBounds")
      .withArgs(usdc, parseUnits("0.49999999", 18), min, max);
    await f.usdc.feed.updateAnswer(parseUnits("2.00000001", 8));
    await expect(f.oracle.price(usdc)).to.be.revertedWithCustomError(f.oracle, "PriceOutOfBounds");
    await f.usdc.feed.updateAnswer(parseUnits("0.5", 8));
    expect(await f.oracle.price(usdc)).to.equal(min);
    await f.usdc.feed.updateAnswer(parseUnits("2", 8));
    expect(await f.oracle.price(usdc)).to.equal(max);
  });

  it("an asset without a feed reverts FeedNotSet [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await expect(f.oracle.price(await f.stable.getAddress())).to.be.revertedWithCustomError(f.oracle, "FeedNotSet");
  });

  it("feed answers with 6, 8 and 18 decimals all normalise to the same WAD price [INV-13]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const weth = await f.weth.token.getAddress();
    const maxAge = f.params.collateral.others[0].maxAgeSec;
    for (const decimals of [6, 8, 18]) {
      const feed = await new MockV3Aggregator__factory(f.admin).deploy(decimals, parseUnits("3123.456789", decimals));
      await f.oracle
        .connect(f.admin)
        .setFeed(weth, await feed.getAddress(), maxAge, parseUnits("10", 18), parseUnits("100000", 18));
      expect(await f.oracle.price(weth), `${decimals} decimals`).to.equal(parseUnits("3123.456789", 18));
    }
  });

  it("marketPrice gives spot and TWAP in WAD USD for the 6-decimal quote, scaled by the quote's own USD price [INV-13]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const [spotAtPeg, twapAtPeg] = await f.oracle.marketPrice();
    expect(spotAtPeg).to.equal(WAD);
    expect(twapAtPeg).to.be.closeTo(WAD, 1n);
    await settleAt(f, parseUnits("1.04", 18));
    const [spot, twap] = await f.oracle.marketPrice();
    expect(spot).to.be.closeTo(parseUnits("1.04", 18), 10n ** 12n);
    expect(twap).to.be.closeTo(parseUnits("1.04", 18), parseUnits("0.001", 18));
    await f.usdc.feed.updateAnswer(parseUnits("0.99", 8)); // the quote itself off its own peg
    const [spotInUsd] = await f.oracle.marketPrice();
    expect(spotInUsd).to.equal((spot * parseUnits("0.99", 18)) / WAD);
  });

  it("marketState is marketPriceAndSpan plus the quote price both were converted with, and fails as they do [INV-12] [INV-13]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await settleAt(f, parseUnits("1.02", 18));
    await f.usdc.feed.updateAnswer(parseUnits("0.995", 8));
    const usdc = await f.usdc.token.getAddress();
    const state = await f.oracle.marketState();
    expect([...state]).to.deep.equal([...(await f.oracle.marketPriceAndSpan()), await f.oracle.price(usdc)]);
    expect(state.quoteUsdWad).to.equal(parseUnits("0.995", 18));
    await f.usdc.feed.updateAnswer(0);
    await expect(f.oracle.marketState()).to.be.revertedWithCustomError(f.oracle, "NonPositivePrice");
  });

  it("no observation a full window old: marketPrice reverts TwapUnavailable [INV-12]", async function () {
    const f = await loadFixture(deploySystemFixture);
    await f.oracle.connect(f.admin).setTwapWindow(86_400);
    await expect(f.oracle.marketPrice()).to.be.revertedWithCustomError(f.oracle, "TwapUnavailable");
  });
});
