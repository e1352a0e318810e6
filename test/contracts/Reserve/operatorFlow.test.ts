/**
 * An operator deposit into the Reserve while the asset has no fresh price: the amount is taken in,
 * but it cannot be valued now, so the cached valuation keeps its amounts and is marked stale
 * (valued at time 0): the next reader prices the whole reserve instead of trusting it.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { deploySystemFixture } from "../../support/system";

const USDC = (s: string) => parseUnits(s, 6);

describe("Reserve: operator flows and the cached valuation", function () {
  it("a deposit while the asset's price is not Ok is accounted but leaves the cache marked stale, amounts unchanged", async function () {
    const f = await loadFixture(deploySystemFixture);
    const usdc = await f.usdc.token.getAddress();
    // A test signer plays the operator (the MarketOperator and the LiquidityManager hold this role).
    await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), f.trader.address);
    await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), USDC("100"));
    await f.reserve.connect(f.stranger).poke();
    const [grossWad, haircutWad, valuedAt] = await f.reserve.cachedValuation();
    expect(valuedAt).to.be.gt(0n);
    const idleBefore = (await f.reserve.holdings(usdc)).idle;

    await f.usdc.feed.updateAnswer(0); // USDC's feed answers 0: its price is not Ok
    expect((await f.oracle.priceInfo(usdc)).status).to.not.equal(0n);
    await expect(f.reserve.connect(f.trader).depositFromOperator(usdc, USDC("100")))
      .to.emit(f.reserve, "OperatorDeposited")
      .withArgs(f.trader.address, usdc, USDC("100"));
    expect((await f.reserve.holdings(usdc)).idle).to.equal(idleBefore + USDC("100"));
    const [grossAfter, haircutAfter, valuedAtAfter] = await f.reserve.cachedValuation();
    expect([grossAfter, haircutAfter, valuedAtAfter]).to.deep.equal([grossWad, haircutWad, 0n]);
  });
});
