/**
 * The test fixture deploys through the deploy's own wiring (scripts/devnet → deployBallastTo, the
 * Ignition module), so every test built on it runs on a system the deploy would accept; the
 * deploy's wiring check (`verifyWiring`, links + roles + every configured parameter) holds it to
 * that, and names each drift. The suites that need another system (unseeded, or from a chosen
 * deployer account) get it from the same wiring, and it passes the same check.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { actors, addressBookOf, deploySystemFixture, deploySystemWith, type Fixture } from "../support/system";
import { verifyWiring, WiringError } from "../../deploy/verifyWiring";
import { LOCAL_PARAMS } from "../../deploy/parameters";

describe("Test fixture wiring (the deploy's own wiring check)", () => {
  it("passes the same verifyWiring the Ignition deploy runs, parameters included", async () => {
    const f = await loadFixture(deploySystemFixture);
    const roles = { admin: f.admin.address, guardian: f.guardian.address, keeper: f.keeper.address };
    await verifyWiring(ethers.provider, await addressBookOf(f), roles, f.params);
  });

  it("an unseeded system from a chosen deployer account comes from the same wiring: empty, administered by that account, and passes the same check", async () => {
    const a = await actors();
    const deployer = (await ethers.getSigners())[12];
    const system = await deploySystemWith({ seed: false, deployerAccount: 12 });
    expect(await system.stable.totalSupply()).to.equal(0n);
    expect(await system.pair.getReserves()).to.deep.equal([0n, 0n, 0n]);
    expect(await system.reserve.grossValue()).to.equal(0n);
    const [usdc, weth] = system.collaterals;
    const f = { ...system, ...a, admin: deployer, params: LOCAL_PARAMS, usdc, weth } as Fixture;
    expect(await system.operator.hasRole(await system.operator.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(true);
    expect(await system.operator.hasRole(await system.operator.DEFAULT_ADMIN_ROLE(), a.admin.address)).to.equal(false);
    const roles = { admin: deployer.address, guardian: a.guardian.address, keeper: a.keeper.address };
    await verifyWiring(ethers.provider, await addressBookOf(f), roles, LOCAL_PARAMS);
  });

  it("would fail on a fixture that drifted: a revoked keeper role and a changed band are both named", async () => {
    const f = await loadFixture(deploySystemFixture);
    await f.operator.connect(f.admin).revokeRole(await f.operator.KEEPER_ROLE(), f.keeper.address);
    await f.operator.connect(f.admin).setBand(f.params.operator.bandBps + 1, f.params.operator.maxSpotTwapDeviationBps);
    const roles = { admin: f.admin.address, guardian: f.guardian.address, keeper: f.keeper.address };
    const failure = await verifyWiring(ethers.provider, await addressBookOf(f), roles, f.params).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(WiringError);
    const problems = (failure as WiringError).problems;
    expect(problems).to.include(`MarketOperator is missing KEEPER_ROLE for keeper ${f.keeper.address}`);
    expect(problems).to.include(
      `MarketOperator.bandBps is ${f.params.operator.bandBps + 1}, configured ${f.params.operator.bandBps}`,
    );
    expect(problems).to.have.length(2);
  });
});
