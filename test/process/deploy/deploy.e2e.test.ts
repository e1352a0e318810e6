/**
 * The deploy against a real `hardhat node` process, run as a user runs it:
 * `hardhat ballast:deploy --network localhost` in a child process.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, ZeroHash, getAddress, id } from "ethers";
import { readAddressBook, readDeploymentRecord } from "../../../deploy/addressBook";
import { localKeeperSigner } from "../../../deploy/localChain";
import { LOCAL_ACCOUNTS, LOCAL_PARAMS } from "../../../deploy/parameters";
import { startHardhatNode } from "../../support/process/hardhatNode";
import { expectOk, runHardhat } from "../../support/process/cli";
import { atEnd, deployedNode, tempDir, type DeployedNode } from "../../support/process/deployedNode";

const WAD = 10n ** 18n;
const ACCESS = [
  "function hasRole(bytes32, address) view returns (bool)",
  "function grantRole(bytes32, address)",
  "function revokeRole(bytes32, address)",
];
const ERC20 = ["function balanceOf(address) view returns (uint256)"];

describe("deploy to a hardhat node process (npm run deploy)", function () {
  // Each step is a real CLI run against a real node: slow on a loaded machine, never flaky by design.
  this.timeout(900_000);
  let d: DeployedNode;
  let accounts: string[];

  before(async function () {
    d = await deployedNode();
    accounts = (await d.provider.send("eth_accounts", [])) as string[];
  });

  it("writes deployments/localhost.json in exactly the address-book shape, every address holding code", async function () {
    const raw = JSON.parse(fs.readFileSync(path.join(d.env.dir, "localhost.json"), "utf8"));
    expect(Object.keys(raw)).to.deep.equal(["chainId", "contracts"]);
    expect(raw.chainId).to.equal(31337);
    expect(Object.keys(raw.contracts)).to.deep.equal([
      "BallastDollar",
      "PriceOracle",
      "Reserve",
      "CollateralPolicy",
      "MarketOperator",
      "Pool",
      "USDC",
      "WETH",
      "feeds",
    ]);
    expect(Object.keys(raw.contracts.feeds)).to.deep.equal(["USDC", "WETH"]);
    const book = readAddressBook("localhost", { dir: d.env.dir });
    const c = book.contracts;
    for (const address of [
      c.BallastDollar,
      c.PriceOracle,
      c.Reserve,
      c.CollateralPolicy,
      c.MarketOperator,
      c.Pool,
      c.USDC,
      c.WETH,
      c.feeds.USDC,
      c.feeds.WETH,
    ]) {
      expect(await d.provider.getCode(address), address).to.not.equal("0x");
    }
    expect(d.deploy.stdout).to.match(/deployed \d+ contracts/);
    expect(d.deploy.stdout).to.contain("wiring verified");
  });

  it("gives the roles to the well-known local accounts and records the keeper account", async function () {
    const book = readAddressBook("localhost", { dir: d.env.dir });
    const record = readDeploymentRecord("localhost", { dir: d.env.dir });
    const operator = new Contract(book.contracts.MarketOperator, ACCESS, d.provider);
    const reserve = new Contract(book.contracts.Reserve, ACCESS, d.provider);
    expect(record.localKeeperAccountIndex).to.equal(LOCAL_ACCOUNTS.keeper);
    expect(record.roles.keeper).to.equal(getAddress(accounts[LOCAL_ACCOUNTS.keeper]));
    expect(await (await localKeeperSigner(d.provider)).getAddress()).to.equal(record.roles.keeper);
    expect(await operator.hasRole(id("KEEPER_ROLE"), accounts[LOCAL_ACCOUNTS.keeper])).to.equal(true);
    expect(await operator.hasRole(id("KEEPER_ROLE"), accounts[LOCAL_ACCOUNTS.deployer])).to.equal(false);
    expect(await reserve.hasRole(id("GUARDIAN_ROLE"), accounts[LOCAL_ACCOUNTS.guardian])).to.equal(true);
    expect(await reserve.hasRole(ZeroHash, accounts[LOCAL_ACCOUNTS.deployer])).to.equal(true);
  });

  it("seeds the pool at the peg with the configured depth, warms the TWAP and funds the local accounts", async function () {
    const book = readAddressBook("localhost", { dir: d.env.dir });
    const oracle = new Contract(
      book.contracts.PriceOracle,
      ["function marketPrice() view returns (uint256, uint256)"],
      d.provider,
    );
    const [spot, twap] = await oracle.marketPrice();
    expect(spot).to.be.closeTo(WAD, 10n ** 6n);
    expect(twap).to.be.closeTo(WAD, 10n ** 6n);
    const stable = new Contract(book.contracts.BallastDollar, ERC20, d.provider);
    const usdc = new Contract(book.contracts.USDC, ERC20, d.provider);
    expect(await stable.balanceOf(book.contracts.Pool)).to.equal(BigInt(LOCAL_PARAMS.poolDepth) * WAD);
    expect(await usdc.balanceOf(book.contracts.Pool)).to.equal(BigInt(LOCAL_PARAMS.poolDepth) * 10n ** 6n);
    for (const i of [LOCAL_ACCOUNTS.user, LOCAL_ACCOUNTS.arbitrageur, LOCAL_ACCOUNTS.trader]) {
      expect(await usdc.balanceOf(accounts[i])).to.equal(5_000_000n * 10n ** 6n);
    }
  });

  it("re-running against the same node deploys nothing and sends no transaction", async function () {
    const bookBefore = fs.readFileSync(path.join(d.env.dir, "localhost.json"), "utf8");
    const blockBefore = await d.provider.getBlockNumber();
    const rerun = expectOk(await runHardhat(["ballast:deploy", "--network", "localhost"], d.env), "re-deploy");
    expect(rerun.stdout).to.contain("already has a deployment");
    expect(rerun.stdout).to.contain("nothing new to deploy");
    expect(await d.provider.getBlockNumber()).to.equal(blockBefore);
    expect(fs.readFileSync(path.join(d.env.dir, "localhost.json"), "utf8")).to.equal(bookBefore);
  });

  it("fails loudly, naming the role, when the wiring check finds a missing role", async function () {
    const book = readAddressBook("localhost", { dir: d.env.dir });
    const admin = await d.provider.getSigner(accounts[LOCAL_ACCOUNTS.deployer]);
    const operator = new Contract(book.contracts.MarketOperator, ACCESS, admin);
    const keeper = getAddress(accounts[LOCAL_ACCOUNTS.keeper]);
    await (await operator.revokeRole(id("KEEPER_ROLE"), keeper)).wait();
    try {
      const result = await runHardhat(["ballast:deploy", "--network", "localhost"], d.env);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.contain(
        `error: wiring check failed (1 problem): MarketOperator is missing KEEPER_ROLE for keeper ${keeper}`,
      );
    } finally {
      await (await operator.grantRole(id("KEEPER_ROLE"), keeper)).wait();
    }
  });

  it("a new node (same chain id, new genesis) is detected and gets a fresh deploy", async function () {
    // Node B reads node A's address book and journal: same chain id 31337, different chain.
    const other = await startHardhatNode();
    atEnd(() => other.stop());
    const dir = tempDir("ballast-fresh-");
    fs.cpSync(d.env.dir, dir, { recursive: true });
    const recordA = readDeploymentRecord("localhost", { dir });
    const env = { url: other.url, dir };

    // The tasks refuse the stale address book rather than reading empty addresses.
    const status = await runHardhat(["ballast:status", "--network", "localhost"], env);
    expect(status.code).to.not.equal(0);
    expect(status.stderr).to.match(/^error: the address book of localhost was written for another chain \(genesis 0x/m);

    const result = expectOk(
      await runHardhat(["ballast:deploy", "--network", "localhost"], env),
      "deploy to a new node",
    );
    expect(result.stdout).to.contain("deploying fresh on localhost (chain 31337): genesis block changed");
    const provider = new JsonRpcProvider(other.url, undefined, { cacheTimeout: -1 });
    try {
      const book = readAddressBook("localhost", { dir });
      const recordB = readDeploymentRecord("localhost", { dir });
      expect(recordB.genesisHash).to.equal((await provider.getBlock(0))!.hash);
      expect(recordB.genesisHash).to.not.equal(recordA.genesisHash);
      expect(recordB.deploymentId).to.not.equal(recordA.deploymentId);
      expect(await provider.getCode(book.contracts.MarketOperator)).to.not.equal("0x");
    } finally {
      provider.destroy();
      await other.stop();
    }
  });
});
