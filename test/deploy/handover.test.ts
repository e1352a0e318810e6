/**
 * `deployBallast` with a network config that names a TimelockController as admin and a keeper by
 * address: the deployer hands DEFAULT_ADMIN_ROLE over and renounces its own, and the wiring check
 * holds it to that. Runs on the in-process network inside a snapshot, so other suites never see it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { ContractFactory, ZeroHash, id } from "ethers";
import TimelockArtifact from "@openzeppelin/contracts/build/contracts/TimelockController.json";
import { deployBallast } from "../../deploy/deploy";
import { LOCAL_ACCOUNTS, LOCAL_PARAMS, type LocalNetworkConfig } from "../../deploy/parameters";
import { WiringError, verifyWiring } from "../../deploy/verifyWiring";

const ACCESS = ["function hasRole(bytes32, address) view returns (bool)"];

describe("deploy with a TimelockController admin and separate guardian and keeper", function () {
  this.timeout(600_000);
  let snapshot: string;
  let dir: string;

  before(async function () {
    snapshot = (await hre.network.provider.request({ method: "evm_snapshot" })) as string;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-handover-"));
  });
  after(async function () {
    await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("hands admin to the timelock, the deployer keeps none, and verification enforces it", async function () {
    const signers = await hre.ethers.getSigners();
    const deployer = signers[LOCAL_ACCOUNTS.deployer];
    const keeper = signers[7].address;
    const timelock = await new ContractFactory(TimelockArtifact.abi, TimelockArtifact.bytecode, deployer).deploy(
      2 * 86_400,
      [deployer.address],
      [deployer.address],
      hre.ethers.ZeroAddress,
    );
    const timelockAddress = await timelock.getAddress();
    const config: LocalNetworkConfig = {
      kind: "local",
      params: LOCAL_PARAMS,
      roles: { admin: timelockAddress, guardian: { localAccount: LOCAL_ACCOUNTS.guardian }, keeper },
      funding: { accounts: [LOCAL_ACCOUNTS.user], amountBySymbol: { USDC: "1000" } },
    };

    const outcome = await deployBallast(hre, { config, dir });
    const c = outcome.addressBook.contracts;
    expect(outcome.record.roles).to.deep.equal({
      admin: timelockAddress,
      guardian: signers[LOCAL_ACCOUNTS.guardian].address,
      keeper,
    });
    expect(outcome.record.localKeeperAccountIndex).to.equal(null);
    for (const address of [c.BallastDollar, c.PriceOracle, c.Reserve, c.CollateralPolicy, c.MarketOperator]) {
      const contract = new hre.ethers.Contract(address, ACCESS, hre.ethers.provider);
      expect(await contract.hasRole(ZeroHash, timelockAddress)).to.equal(true);
      expect(await contract.hasRole(ZeroHash, deployer.address)).to.equal(false);
    }
    const operator = new hre.ethers.Contract(c.MarketOperator, ACCESS, hre.ethers.provider);
    expect(await operator.hasRole(id("KEEPER_ROLE"), keeper)).to.equal(true);

    // Operator limits and asset parameters are checked against the configuration too.
    const drifted = {
      ...LOCAL_PARAMS,
      operator: { ...LOCAL_PARAMS.operator, cooldownSec: LOCAL_PARAMS.operator.cooldownSec + 1 },
    };
    try {
      await verifyWiring(hre.ethers.provider, outcome.addressBook, outcome.record.roles, drifted);
      expect.fail("verifyWiring accepted drifted limits");
    } catch (error) {
      expect((error as WiringError).problems).to.deep.equal([
        `MarketOperator.limits.cooldownSec is ${LOCAL_PARAMS.operator.cooldownSec}, configured ${
          LOCAL_PARAMS.operator.cooldownSec + 1
        }`,
      ]);
    }

    // The check names the admin it expected when given the wrong one.
    const wrong = signers[8].address;
    try {
      await verifyWiring(hre.ethers.provider, outcome.addressBook, {
        admin: wrong,
        guardian: outcome.record.roles.guardian,
        keeper,
      });
      expect.fail("verifyWiring accepted a wrong admin");
    } catch (error) {
      expect(error).to.be.instanceOf(WiringError);
      expect((error as WiringError).problems).to.include(
        `BallastDollar is missing DEFAULT_ADMIN_ROLE for admin ${wrong}`,
      );
    }
  });
});
