/**
 * The venue at deploy time: a V3 choice with a tier the factory has not enabled, a range that
 * cannot hold the peg, a range narrower than one tick spacing, or an observation cardinality that
 * cannot cover the TWAP window fails naming the parameter, before any transaction is sent. A good
 * choice deploys through the one deploy path (the Ignition module, then the pool launched at the
 * peg): the pool with the cardinality raised, MarketOperatorV3, the LiquidityManager wired with its
 * protocol-owned position, the address book naming the venue and the LiquidityManager, and the
 * wiring check covering all of it.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import {
  DEVNET_CONFIG,
  LOCAL_PARAMS,
  LOCAL_V3_PARAMS,
  PEG_CONTROL_V3_POOL,
  networkDeployConfig,
  withVenue,
  type LocalNetworkConfig,
} from "../../deploy/parameters";
import {
  DEFAULT_V3_VENUE,
  VenueParamError,
  cardinalityForWindow,
  checkV3Venue,
  polRange,
  type V3VenueParams,
} from "../../deploy/venue";
import { deployBallast } from "../../deploy/deploy";
import { pegSqrtPriceX96 } from "../../deploy/v3Launch";
import { verifyWiring, WiringError } from "../../deploy/verifyWiring";
import { LiquidityManager__factory, MarketOperatorV3__factory } from "../../typechain-types";
import { deployInProcess } from "../../scripts/devnet/deploy";
import { deployV3SystemFixture } from "../support/systemV3";

function localConfig(): LocalNetworkConfig {
  const base = networkDeployConfig("hardhat");
  if (base.kind !== "local") throw new Error("hardhat is a local network");
  return base;
}

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
    expect(() =>
      checkV3Venue({ ...DEFAULT_V3_VENUE, blockTimeSec: 12, observationCardinality: 151 }, 1_800, [100]),
    ).not.to.throw();
    expect(() =>
      checkV3Venue({ ...DEFAULT_V3_VENUE, blockTimeSec: 12, observationCardinality: 150 }, 1_800, [100]),
    ).to.throw(VenueParamError, /observationCardinality/);
  });

  it("polRange holds the peg tick strictly inside, rounded outward to the spacing", () => {
    expect(polRange(-276_325, 20, 1)).to.deep.equal({ tickLower: -276_345, tickUpper: -276_305 });
    expect(polRange(-276_325, 20, 10)).to.deep.equal({ tickLower: -276_350, tickUpper: -276_300 });
    expect(polRange(-276_320, 10, 10)).to.deep.equal({ tickLower: -276_330, tickUpper: -276_310 });
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

describe("Deploy: the one deploy path (deployBallast) and the V3 venue", () => {
  it("fails naming the bad V3 parameter, sending nothing", async () => {
    const [admin] = await ethers.getSigners();
    const nonce = await ethers.provider.getTransactionCount(admin.address);
    const bad = { ...localConfig(), params: { ...LOCAL_V3_PARAMS, venue: { ...DEFAULT_V3_VENUE, feePips: 250 } } };
    await expect(deployBallast(hre, { config: bad })).to.be.rejectedWith(VenueParamError, /venue\.feePips/);
    const narrow = {
      ...localConfig(),
      params: { ...LOCAL_V3_PARAMS, venue: { ...DEFAULT_V3_VENUE, feePips: 500, polRangeBps: 5 } },
    };
    await expect(deployBallast(hre, { config: narrow })).to.be.rejectedWith(VenueParamError, /venue\.polRangeBps/);
    expect(await ethers.provider.getTransactionCount(admin.address)).to.equal(nonce);
  });

  it("deploys the V3 venue through the Ignition module: MarketOperatorV3 on the pool, the LiquidityManager and its position in the address book, the wiring verified", async () => {
    const [admin, guardian, keeper] = await ethers.getSigners();
    const config = { ...localConfig(), params: LOCAL_V3_PARAMS };
    const lines: string[] = [];
    const outcome = await deployInProcess(hre, { config, log: (l) => lines.push(l) });
    const c = outcome.addressBook.contracts;
    expect(outcome.addressBook.venue).to.equal("v3");
    expect(c.LiquidityManager).to.be.a("string");
    expect(Object.keys(outcome.record.extra)).to.include.members(["UniswapV3Factory", "UniswapV3Trader"]);
    expect(lines.join("\n")).to.match(
      /launched the V3 pool at the peg: market maker and protocol-owned positions seeded/,
    );

    // The operator is MarketOperatorV3 (the linked UniswapV3Quote answers its quotes) on the book's pool.
    const operator = MarketOperatorV3__factory.connect(c.MarketOperator, ethers.provider);
    expect(await operator.pool()).to.equal(c.Pool);
    const preview = await operator.preview();
    expect(preview.action).to.be.a("bigint");
    const lm = LiquidityManager__factory.connect(c.LiquidityManager!, ethers.provider);
    expect(await lm.positionLiquidity()).to.be.greaterThan(0n);
    expect(await lm.hasRole(await lm.OPERATOR_ROLE(), keeper.address)).to.equal(true);
    expect(await lm.hasRole(await lm.OPERATOR_ROLE(), admin.address)).to.equal(false);

    const roles = { admin: admin.address, guardian: guardian.address, keeper: keeper.address };
    await verifyWiring(ethers.provider, outcome.addressBook, roles, config.params);
    // The check covers the V3 wiring: a revoked LiquidityManager right and a missing LiquidityManager are named.
    await lm.connect(admin).revokeRole(await lm.OPERATOR_ROLE(), keeper.address);
    const failure = await verifyWiring(ethers.provider, outcome.addressBook, roles, config.params).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(WiringError);
    expect((failure as WiringError).problems).to.deep.equal([
      `LiquidityManager is missing OPERATOR_ROLE for keeper ${keeper.address}`,
    ]);
    const noLm = { ...outcome.addressBook, contracts: { ...c, LiquidityManager: undefined } };
    const missing = await verifyWiring(ethers.provider, noLm, roles, config.params).then(
      () => null,
      (e: unknown) => e,
    );
    expect((missing as WiringError).problems).to.include("the V3 venue's address book has no LiquidityManager");
  });

  it("a local deploy switched to V3 (--venue v3) runs the V3 venue's peg control, as the V3 fixture does; V2 and live networks keep their own", async () => {
    const outcome = await deployInProcess(hre, { config: localConfig(), venue: "v3" });
    const operator = MarketOperatorV3__factory.connect(outcome.addressBook.contracts.MarketOperator, ethers.provider);
    expect(await operator.bandBps()).to.equal(BigInt(PEG_CONTROL_V3_POOL.bandBps));
    expect((await operator.limits()).cooldownSec).to.equal(BigInt(PEG_CONTROL_V3_POOL.cooldownSec));
    expect(await operator.minOperationShareBps()).to.equal(BigInt(PEG_CONTROL_V3_POOL.sizing.minOperationShareBps));
    expect(await operator.maxLossBps()).to.equal(BigInt(PEG_CONTROL_V3_POOL.sizing.maxLossBps));
    expect(await operator.maxLossPerEpochWad()).to.equal(
      ethers.parseUnits(PEG_CONTROL_V3_POOL.sizing.maxLossPerEpochUsd, 18),
    );
    // The V2 pair's operator refuses a band under 10 bps: the local V2 system keeps its own (50).
    expect(PEG_CONTROL_V3_POOL.bandBps).to.be.lessThan(10);
    expect(LOCAL_V3_PARAMS.operator).to.deep.equal(withVenue(localConfig(), "v3").params.operator);
    expect(withVenue(localConfig(), "v2").params.operator.bandBps).to.equal(LOCAL_PARAMS.operator.bandBps);
    expect(withVenue(DEVNET_CONFIG, "v3").params.operator).to.deep.equal(DEVNET_CONFIG.params.operator);
  });

  it("an unseeded V3 deploy launches the pool at the peg with the cardinality raised, and seeds nothing", async () => {
    const config = { ...localConfig(), params: LOCAL_V3_PARAMS, seed: false };
    const outcome = await deployInProcess(hre, { config });
    const c = outcome.addressBook.contracts;
    const pool = new ethers.Contract(
      c.Pool,
      [
        "function slot0() view returns (uint160, int24, uint16, uint16, uint16, uint8, bool)",
        "function liquidity() view returns (uint128)",
      ],
      ethers.provider,
    );
    const slot0 = await pool.slot0();
    expect(slot0[0]).to.equal(pegSqrtPriceX96(BigInt(c.BallastDollar) < BigInt(c.USDC), 6));
    expect(slot0[4]).to.equal(BigInt(DEFAULT_V3_VENUE.observationCardinality)); // observationCardinalityNext
    expect(await pool.liquidity()).to.equal(0n);
    expect(await LiquidityManager__factory.connect(c.LiquidityManager!, ethers.provider).positionLiquidity()).to.equal(
      0n,
    );
    expect(outcome.twapWarmupSec).to.equal(0);
  });
});
