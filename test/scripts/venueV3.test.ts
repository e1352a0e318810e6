/**
 * `ballast:status` and `ballast:swap` on the Uniswap V3 venue, in process on the real pool: status
 * shows the venue, the pool's price and in-range liquidity and the protocol-owned position (in or
 * out of range); a swap trades through the pool itself, paid in its callback by a UniswapV3Trader.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { UniswapV3Trader__factory } from "../../typechain-types";
import { formatStatus, readStatus } from "../../scripts/lib/status";
import { swapOnV3 } from "../../scripts/lib/v3Swap";
import { deploySystemFixture } from "../support/system";
import { systemContextOf } from "../support/scriptsContext";
import { WAD, deployV3SystemFixture, pushV3PriceTo, v3Spot } from "../support/systemV3";

describe("ballast:status and ballast:swap on the V3 venue", function () {
  it("status shows the V3 pool's tier, price, in-range liquidity and the protocol's position in range", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const s = await readStatus(await systemContextOf(f, { liquidityManager: true }));
    if (s.venue.kind !== "v3") throw new Error(`venue ${s.venue.kind}`);
    const slot0 = await f.v3.pool.slot0();
    const lm = f.v3.liquidityManager;
    expect(s.venue.feePips).to.equal(100);
    expect(s.venue.tick).to.equal(Number(slot0.tick));
    expect(BigInt(s.venue.poolPrice)).to.equal(await v3Spot(f));
    expect(s.venue.liquidity).to.equal((await f.v3.pool.liquidity()).toString());
    expect(s.venue.position).to.deep.include({ tickLower: Number(await lm.tickLower()), tickUpper: Number(await lm.tickUpper()), liquidity: (await lm.positionLiquidity()).toString(), inRange: true });
    expect(BigInt(s.venue.position!.lowPrice)).to.be.lessThan(WAD);
    expect(BigInt(s.venue.position!.highPrice)).to.be.greaterThan(WAD);
    const table = formatStatus(s);
    expect(table).to.match(/venue\s+Uniswap V3, 0\.01% tier/);
    expect(table).to.match(/protocol-owned position\s+0\.99\d+–1\.00\d+ \(ticks -?\d+…-?\d+\), liquidity [\d,]+, in range/);
  });

  it("status marks the position out of range once the price leaves it, and warns when the address book names no LiquidityManager", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    await pushV3PriceTo(f, (WAD * 10_100n) / 10_000n); // +100 bps, beyond the protocol's ±20 bps
    const s = await readStatus(await systemContextOf(f, { liquidityManager: true }));
    if (s.venue.kind !== "v3") throw new Error(`venue ${s.venue.kind}`);
    expect(s.venue.position?.inRange).to.equal(false);
    expect(formatStatus(s)).to.match(/OUT OF RANGE/);

    const bare = await readStatus(await systemContextOf(f));
    expect(bare.venue.kind === "v3" && bare.venue.position).to.equal(null);
    expect(bare.warnings).to.include("the address book names no LiquidityManager: the protocol-owned position is not shown");
  });

  it("status on the V2 pair says so", async function () {
    const f = await loadFixture(deploySystemFixture);
    const s = await readStatus(await systemContextOf(f));
    expect(s.venue).to.deep.equal({ kind: "v2", pool: await f.pair.getAddress() });
    expect(formatStatus(s)).to.match(/venue\s+Uniswap V2 pair/);
  });

  it("swap buys through the V3 pool (price up) and sells back (price down), with the balances the pool reports", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const ctx = await systemContextOf(f);
    const usdcIn = parseUnits("20000", 6);
    const [usdcBefore, bldBefore] = await Promise.all([f.usdc.token.balanceOf(f.trader.address), f.stable.balanceOf(f.trader.address)]);
    const bought = await swapOnV3(ctx, f.trader, f.router, "buy", usdcIn);
    expect(bought.approvalHash).to.equal(null); // the fixture's trader approved the router already
    expect(bought.amountIn).to.equal(usdcIn);
    expect(bought.priceAfterWad).to.be.greaterThan(bought.priceBeforeWad);
    expect(bought.priceAfterWad).to.equal(await v3Spot(f));
    expect(await f.usdc.token.balanceOf(f.trader.address)).to.equal(usdcBefore - usdcIn);
    expect(await f.stable.balanceOf(f.trader.address)).to.equal(bldBefore + bought.amountOut);

    const sold = await swapOnV3(ctx, f.trader, f.router, "sell", bought.amountOut);
    expect(sold.amountIn).to.equal(bought.amountOut);
    expect(sold.priceAfterWad).to.be.lessThan(bought.priceAfterWad);
    // Round trip through two fees: a little less USDC back than paid.
    expect(sold.amountOut).to.be.lessThan(usdcIn);
    expect(sold.amountOut).to.be.greaterThan((usdcIn * 9_990n) / 10_000n);
  });

  it("swap through a trader the account has not approved sends the approval first; a V2 venue is refused", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const trader = await new UniswapV3Trader__factory(f.admin).deploy();
    const usdcIn = parseUnits("1000", 6);
    await f.usdc.token.mint(f.stranger.address, usdcIn);
    const bought = await swapOnV3(await systemContextOf(f), f.stranger, trader, "buy", usdcIn);
    expect(bought.approvalHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await f.stable.balanceOf(f.stranger.address)).to.equal(bought.amountOut);
    expect(await ethers.provider.getBalance(await trader.getAddress())).to.equal(0n);

    const v2 = await loadFixture(deploySystemFixture);
    await expect(swapOnV3(await systemContextOf(v2), v2.trader, trader, "buy", usdcIn)).to.be.rejectedWith(/the venue of hardhat is the Uniswap V2 pair, not a V3 pool/);
  });
});
