/**
 * NETWORK_CONFIGS: every live entry names real addresses before anything is sent. The `sepolia`
 * example ships with placeholders, and both the config lookup and `ballast:deploy` refuse it,
 * naming each unfilled field; the `devnet` entry (the stand-in testnet) is complete.
 */
import { expect } from "chai";
import {
  DEVNET_CONFIG,
  NETWORK_CONFIGS,
  liveConfigProblems,
  networkDeployConfig,
  type LiveNetworkConfig,
} from "../../deploy/parameters";
import { runHardhat } from "../support/process/cli";
import { tempDir } from "../support/process/deployedNode";

describe("deploy parameters: live network entries", function () {
  it("the sepolia example fails validation naming every placeholder and where to fill it in", function () {
    expect(() => networkDeployConfig("sepolia")).to.throw(
      /the deployment parameters for network "sepolia" are incomplete: .*Fill them in NETWORK_CONFIGS\.sepolia in deploy\/parameters\.ts/,
    );
    const problems = liveConfigProblems(NETWORK_CONFIGS.sepolia as LiveNetworkConfig);
    expect(problems).to.include('external.tokens.USDC is "<USDC token address>", not an address');
    expect(problems).to.include('external.feeds.WETH is "<Chainlink ETH/USD feed address>", not an address');
    expect(problems).to.include('external.uniswapV2Factory is "<Uniswap V2 factory address>", not an address');
    expect(problems).to.include('roles.admin is "<TimelockController address>", not an address');
    expect(problems).to.have.length(8);
  });

  it("a live entry missing a collateral's feed is named", function () {
    const broken: LiveNetworkConfig = {
      ...DEVNET_CONFIG,
      external: { ...DEVNET_CONFIG.external, feeds: { USDC: DEVNET_CONFIG.external.feeds.USDC } },
    };
    expect(liveConfigProblems(broken)).to.deep.equal(["external.feeds.WETH is missing (collateral WETH)"]);
  });

  it("the devnet entry is complete", function () {
    expect(liveConfigProblems(DEVNET_CONFIG)).to.deep.equal([]);
    expect(networkDeployConfig("devnet")).to.equal(DEVNET_CONFIG);
  });

  it("ballast:deploy --network sepolia stops before connecting, with the same message", async function () {
    this.timeout(120_000);
    const r = await runHardhat(["ballast:deploy", "--network", "sepolia"], { dir: tempDir("ballast-sepolia-") });
    expect(r.code).to.not.equal(0);
    expect(r.stdout + r.stderr).to.match(
      /network "sepolia" are incomplete: .*external\.tokens\.USDC is "<USDC token address>", not an address/,
    );
  });
});
