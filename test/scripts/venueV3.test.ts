/**
 * `ballast:status` and `ballast:swap` on the Uniswap V3 venue, in process on the real pool: the
 * status model (keeper/src/status, read as the task reads it from the address book the V3 deploy
 * writes) shows the venue, the pool's price and in-range liquidity and the protocol-owned position
 * (in or out of range); a swap trades through the pool itself, paid in its callback by a UniswapV3Trader.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { UniswapV3Trader__factory } from "../../typechain-types";
import { connectProtocol } from "../../keeper/src/chain/protocol";
import { readProtocolStatus } from "../../keeper/src/chain/statusReader";
import type { AddressBook } from "../../keeper/src/config/addressBook";
import { renderStatus, type PoolStatus, type ProtocolStatus } from "../../keeper/src/status";
import { swapOnV3 } from "../../scripts/lib/v3Swap";
import { addressBookOf, deploySystemFixture } from "../support/system";
import { systemContextOf } from "../support/scriptsContext";
import { WAD, deployV3SystemFixture, pushV3PriceTo, v3Spot } from "../support/systemV3";

/** `ballast:status`'s read: the one status model from the address book. */
async function statusOf(book: AddressBook): Promise<ProtocolStatus> {
  const provider = ethers.provider;
  return readProtocolStatus(provider as never, await connectProtocol(book, provider), book, {
    network: "hardhat",
    chainId: 31337,
  });
}

function v3Of(s: ProtocolStatus): Extract<PoolStatus, { venue: "v3" }> {
  if (s.pool.venue !== "v3") throw new Error(`venue ${s.pool.venue}`);
  return s.pool;
}

describe("ballast:status and ballast:swap on the V3 venue", function () {
  it("status shows the V3 pool's tier, price, in-range liquidity and the protocol's position in range", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const book = await addressBookOf(f);
    expect(book.contracts.LiquidityManager).to.equal(await f.v3.liquidityManager.getAddress());
    const s = await statusOf(book);
    const v = v3Of(s);
    const slot0 = await f.v3.pool.slot0();
    const lm = f.v3.liquidityManager;
    expect(v.feePips).to.equal(100);
    expect(v.tick).to.equal(Number(slot0.tick));
    expect(BigInt(v.poolPrice)).to.equal(await v3Spot(f));
    expect(v.liquidity).to.equal((await f.v3.pool.liquidity()).toString());
    expect(v.position).to.deep.include({
      tickLower: Number(await lm.tickLower()),
      tickUpper: Number(await lm.tickUpper()),
      liquidity: (await lm.positionLiquidity()).toString(),
      inRange: true,
    });
    expect(BigInt(v.position!.lowPrice)).to.be.lessThan(WAD);
    expect(BigInt(v.position!.highPrice)).to.be.greaterThan(WAD);
    expect(s.warnings.filter((w) => /LiquidityManager|position/.test(w))).to.deep.equal([]);
    const table = renderStatus(s);
    expect(table).to.match(/pool\s+Uniswap V3, 0\.01% tier/);
    expect(table).to.match(/pool price \(tick\)\s+1(\.\d+)? quote per BLD \(tick -?\d+\)/);
    expect(table).to.match(
      /protocol-owned position\s+0\.99\d+–1\.00\d+ \(ticks -?\d+…-?\d+\), liquidity [\d,]+, in range/,
    );
    // The JSON (`--json`) carries the same section.
    expect(JSON.parse(JSON.stringify(s)).pool).to.deep.equal(v);
  });

  it("status marks the position out of range once the price leaves it, and warns when the address book names no LiquidityManager", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    await pushV3PriceTo(f, (WAD * 10_100n) / 10_000n); // +100 bps, beyond the protocol's ±20 bps
    const book = await addressBookOf(f);
    const s = await statusOf(book);
    expect(v3Of(s).position?.inRange).to.equal(false);
    expect(renderStatus(s)).to.match(/OUT OF RANGE/);
    expect(s.warnings.some((w) => w.startsWith("the protocol-owned position is out of range"))).to.equal(true);

    const { LiquidityManager: _omitted, ...contracts } = book.contracts;
    const bare = await statusOf({ ...book, contracts });
    expect(v3Of(bare).position).to.equal(null);
    expect(bare.warnings).to.include(
      "the address book names no LiquidityManager: the protocol-owned position is not shown",
    );
    expect(renderStatus(bare)).to.match(/protocol-owned position\s+n\/a/);
  });

  it("status on the V2 pair says so", async function () {
    const f = await loadFixture(deploySystemFixture);
    const s = await statusOf(await addressBookOf(f));
    const [r0, r1] = await f.pair.getReserves();
    const tokenIsToken0 = (await f.pair.token0()) === (await f.stable.getAddress());
    expect(s.pool).to.deep.equal({
      venue: "v2",
      reserveToken: (tokenIsToken0 ? r0 : r1).toString(),
      reserveQuote: (tokenIsToken0 ? r1 : r0).toString(),
    });
    expect(renderStatus(s)).to.match(/pool\s+V2 pair: [\d,.]+ BLD \/ [\d,.]+ quote/);
  });

  it("swap buys through the V3 pool (price up) and sells back (price down), with the balances the pool reports", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const ctx = await systemContextOf(f);
    const usdcIn = parseUnits("20000", 6);
    const [usdcBefore, bldBefore] = await Promise.all([
      f.usdc.token.balanceOf(f.trader.address),
      f.stable.balanceOf(f.trader.address),
    ]);
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
    await expect(swapOnV3(await systemContextOf(v2), v2.trader, trader, "buy", usdcIn)).to.be.rejectedWith(
      /the venue of hardhat is the Uniswap V2 pair, not a V3 pool/,
    );
  });
});
