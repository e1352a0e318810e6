/**
 * The local market trader `npm start` drives on either venue (scripts/localMarket.ts): on the V3
 * pool, one swap through the deploy's UniswapV3Trader stops on the target price, beyond the market
 * maker's range, approving exactly what the keeper's tick-math mirror says the pool takes; and
 * `--venue` is read the same way by `npm start` (DEFAULT_VENUE without it, a readable error naming
 * the flag otherwise).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { poolView, pushPrice } from "../../scripts/localMarket";
import { parseVenueFlag } from "../../scripts/lib/args";
import { DEFAULT_VENUE } from "../../deploy/venue";
import { addressBookOf } from "../support/system";
import { WAD, deployV3SystemFixture, v3Spot } from "../support/systemV3";

/** One bps of the peg, WAD: a tick at the 0.01% tier. */
const ONE_BPS = WAD / 10_000n;
/** A spare account: no funds and no approvals from the fixture, as npm start's trader. */
const SPARE_ACCOUNT = 15;

describe("localMarket: the trader of npm start on the V3 pool", function () {
  for (const bps of [200, -200, 30]) {
    it(`pushPrice(${bps}) moves the V3 pool to peg ${
      bps > 0 ? "+" : ""
    }${bps} bps, taking exactly what the trader approved`, async function () {
      const f = await loadFixture(deployV3SystemFixture);
      const book = await addressBookOf(f);
      const trader = (await ethers.getSigners())[SPARE_ACCOUNT];
      const supplyBefore = await f.stable.totalSupply();
      const view = await pushPrice(book, trader, bps, { v3Trader: await f.router.getAddress() });

      const target = (WAD * BigInt(10_000 + bps)) / 10_000n;
      expect(await v3Spot(f)).to.be.closeTo(target, ONE_BPS);
      expect(view.priceWad).to.equal(await v3Spot(f));
      expect(view.deviationBps).to.be.closeTo(bps, 1);
      expect((await poolView(book, trader)).priceWad).to.equal(view.priceWad);
      // Exactly funded: the pool took every unit the mirror said it would, so nothing stays approved.
      const router = await f.router.getAddress();
      expect(await f.usdc.token.allowance(trader.address, router)).to.equal(0n);
      expect(await f.stable.allowance(trader.address, router)).to.equal(0n);
      // A sell mints the tokens it sells at the reserve.
      if (bps < 0) expect(await f.stable.totalSupply()).to.be.greaterThan(supplyBefore);
    });
  }

  it("refuses a V3 push without the trader contract, naming what it needs, and sends nothing", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const book = await addressBookOf(f);
    const spot = await v3Spot(f);
    await expect(pushPrice(book, f.arbitrageur, 200)).to.be.rejectedWith(/venue\.v3Trader/);
    expect(await v3Spot(f)).to.equal(spot);
  });
});

describe("npm start's --venue flag", function () {
  it("is DEFAULT_VENUE without the flag, and either venue by name", function () {
    expect(parseVenueFlag(["--exit"])).to.equal(DEFAULT_VENUE);
    expect(parseVenueFlag(["--venue", "v2", "--exit"])).to.equal("v2");
    expect(parseVenueFlag(["--exit", "--venue", "v3"])).to.equal("v3");
  });

  it("rejects an unknown or missing value with a message naming the flag", function () {
    expect(() => parseVenueFlag(["--venue", "v4"])).to.throw("--venue v4 must be one of: v2, v3");
    expect(() => parseVenueFlag(["--venue"])).to.throw("--venue (missing) must be one of: v2, v3");
    expect(() => parseVenueFlag(["--venue", "--exit"])).to.throw("--venue (missing) must be one of: v2, v3");
  });
});
