/**
 * The venue at deploy time: a V3 choice with a tier the factory has not enabled, a range that
 * cannot hold the peg, a range narrower than one tick spacing, or an observation cardinality that
 * cannot cover the TWAP window fails naming the parameter, before any transaction is sent. A good
 * choice deploys the pool with the cardinality raised and the LiquidityManager wired.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { LOCAL_PARAMS } from "../../deploy/parameters";
import { deployLocalSystem } from "../../deploy/system";
import { DEFAULT_V3_VENUE, VenueParamError, cardinalityForWindow, checkV3Venue, polRange, type V3VenueParams } from "../../deploy/venue";
import { deployV3SystemFixture } from "../support/systemV3";

const WINDOW = LOCAL_PARAMS.oracle.twapWindowSec;

const BAD: [string, Partial<V3VenueParams>, string][] = [
  ["a tier the factory has not enabled", { feePips: 250 }, "feePips"],
  ["the 0.01% tier where only the default tiers are enabled", { feePips: 100 }, "feePips"],
  ["a range of zero", { polRangeBps: 0 }, "polRangeBps"],
  ["a range wider than the bound", { polRangeBps: 201 }, "polRangeBps"],
  ["a range narrower than one tick spacing (5 bps at spacing 10)", { feePips: 500, polRangeBps: 5 }, "polRangeBps"],
  ["a cardinality that cannot cover the window", { observationCardinality: 1_000 }, "observationCardinality"],
  ["a cardinality past the pool's maximum", { observationCardinality: 70_000 }, "observationCardinality"],
  ["a zero block time", { blockTimeSec: 0 }, "blockTimeSec"],
  ["a malformed cap", { polMaxQuote: "-5" }, "polMaxQuote"],
];

describe("Deploy: the venue parameter", () => {
  for (const [what, change, parameter] of BAD) {
    it(`rejects ${what}, naming venue.${parameter}`, () => {
      const tiers = what.includes("only the default") ? [500, 3000, 10000] : [100, 500, 3000, 10000];
      let caught: unknown;
      try {
        checkV3Venue({ ...DEFAULT_V3_VENUE, ...change }, WINDOW, tiers);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(VenueParamError);
      expect((caught as VenueParamError).parameter).to.equal(parameter);
      expect((caught as Error).message).to.match(new RegExp(`^venue\\.${parameter}: `));
    });
  }

  it("accepts the default V3 venue and asks exactly one observation per block of the window, plus one", () => {
    expect(() => checkV3Venue(DEFAULT_V3_VENUE, WINDOW, [100, 500])).not.to.throw();
    expect(cardinalityForWindow(1_800, 12)).to.equal(151);
    expect(() => checkV3Venue({ ...DEFAULT_V3_VENUE, blockTimeSec: 12, observationCardinality: 151 }, 1_800, [100])).not.to.throw();
    expect(() => checkV3Venue({ ...DEFAULT_V3_VENUE, blockTimeSec: 12, observationCardinality: 150 }, 1_800, [100])).to.throw(VenueParamError, /observationCardinality/);
  });

  it("polRange holds the peg tick strictly inside, rounded outward to the spacing", () => {
    expect(polRange(-276_325, 20, 1)).to.deep.equal({ tickLower: -276_345, tickUpper: -276_305 });
    expect(polRange(-276_325, 20, 10)).to.deep.equal({ tickLower: -276_350, tickUpper: -276_300 });
    expect(polRange(-276_320, 10, 10)).to.deep.equal({ tickLower: -276_330, tickUpper: -276_310 });
  });

  it("deployLocalSystem sends nothing when the venue is bad", async () => {
    const [admin, guardian, keeper] = await ethers.getSigners();
    const nonce = await ethers.provider.getTransactionCount(admin.address);
    await expect(
      deployLocalSystem({ ...LOCAL_PARAMS, venue: { ...DEFAULT_V3_VENUE, observationCardinality: 10 } }, { admin, guardian: guardian.address, keeper: keeper.address }),
    ).to.be.rejectedWith(VenueParamError, /venue\.observationCardinality/);
    expect(await ethers.provider.getTransactionCount(admin.address)).to.equal(nonce);
  });

  it("a good V3 venue deploys the pool at the tier with the cardinality raised, and the LiquidityManager wired", async () => {
    const f = await loadFixture(deployV3SystemFixture);
    const slot0 = await f.v3.pool.slot0();
    expect(await f.v3.pool.fee()).to.equal(100n);
    expect(slot0.observationCardinalityNext).to.equal(BigInt(DEFAULT_V3_VENUE.observationCardinality));
    expect(await f.oracle.pool()).to.equal(await f.v3.pool.getAddress());
    const lm = f.v3.liquidityManager;
    expect(await f.stable.hasRole(await f.stable.MINTER_ROLE(), await lm.getAddress())).to.equal(true);
    expect(await f.reserve.hasRole(await f.reserve.OPERATOR_ROLE(), await lm.getAddress())).to.equal(true);
    expect(await lm.hasRole(await lm.OPERATOR_ROLE(), f.keeper.address)).to.equal(true);
    expect(await lm.hasRole(await lm.OPERATOR_ROLE(), f.admin.address)).to.equal(false);
  });
});

describe("Deploy: the one deploy path (deployBallast) and the venue", () => {
  it("fails naming the bad V3 parameter, and refuses a valid V3 choice by name, sending nothing either way", async () => {
    const hre = await import("hardhat");
    const { deployBallast } = await import("../../deploy/deploy");
    const { networkDeployConfig } = await import("../../deploy/parameters");
    const base = networkDeployConfig("hardhat");
    if (base.kind !== "local") throw new Error("hardhat is a local network");
    const [admin] = await ethers.getSigners();
    const nonce = await ethers.provider.getTransactionCount(admin.address);
    const bad = { ...base, params: { ...base.params, venue: { ...DEFAULT_V3_VENUE, feePips: 250 } } };
    await expect(deployBallast(hre.default, { config: bad })).to.be.rejectedWith(VenueParamError, /venue\.feePips/);
    const good = { ...base, params: { ...base.params, venue: DEFAULT_V3_VENUE } };
    await expect(deployBallast(hre.default, { config: good })).to.be.rejectedWith(/venue\.kind: v3 is deployed by deployLocalSystem/);
    expect(await ethers.provider.getTransactionCount(admin.address)).to.equal(nonce);
  });
});
