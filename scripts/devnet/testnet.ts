/**
 * A stand-in for a public testnet on a local Anvil node (chain DEVNET_CHAIN_ID), so the `live`
 * deploy path runs end to end here: `setup` deploys what a testnet already has (USDC and WETH
 * tokens, Chainlink-style feeds, a Uniswap V2 factory, the governance TimelockController that will
 * hold admin) from the test mnemonic's account #8, in a fixed order, so the addresses are the ones
 * NETWORK_CONFIGS.devnet names (checked); `launch` is the market's first liquidity after the
 * deploy: a market maker mints at the Reserve, seeds the pool at the peg, contributes protocol
 * equity, and the TWAP window fills (Anvil's clock is advanced, the feeds re-posted).
 *
 *   npx anvil --port 8546 --chain-id 31338 &
 *   npx ts-node --transpile-only scripts/devnet/testnet.ts setup --rpc http://127.0.0.1:8546
 *   BALLAST_DEVNET_URL=… BALLAST_DEPLOYER_KEY=… npm run deploy -- --network devnet
 *   npx ts-node --transpile-only scripts/devnet/testnet.ts launch --rpc http://127.0.0.1:8546
 */
import { Command } from "commander";
import {
  Contract,
  ContractFactory,
  JsonRpcProvider,
  getAddress,
  parseUnits,
  type BaseContract,
  type Signer,
} from "ethers";
import TimelockArtifact from "@openzeppelin/contracts/build/contracts/TimelockController.json";
import { readAddressBook, type AddressBook } from "../../deploy/addressBook";
import { connectContract } from "../../deploy/contracts";
import { UNISWAP_V2_FACTORY_ARTIFACT } from "../../deploy/ignition/uniswapArtifacts";
import { warmTwap } from "../../deploy/localChain";
import { DEVNET_CHAIN_ID, DEVNET_CONFIG } from "../../deploy/parameters";
import { seedAmounts } from "../../deploy/seedAmounts";
import { MockV3Aggregator__factory, TestERC20__factory } from "../../typechain-types";

/** The test mnemonic's accounts the stand-in uses: #8 deploys the testnet's contracts, #6 governs
 * the timelock and makes the first market. Published test keys: never real funds. */
export const TESTNET_ACCOUNTS = { operator: 8, governance: 6, marketMaker: 6 } as const;
/** The timelock's delay, s: what a real governance would choose, long enough to react to a proposal. */
const TIMELOCK_DELAY_SEC = 2 * 86_400;

export interface TestnetContracts {
  tokens: Record<string, string>;
  feeds: Record<string, string>;
  uniswapV2Factory: string;
  timelock: string;
}

async function requireDevnet(provider: JsonRpcProvider, url: string): Promise<void> {
  const chainId = Number((await provider.getNetwork()).chainId);
  if (chainId !== DEVNET_CHAIN_ID)
    throw new Error(
      `the node at ${url} serves chain ${chainId}; the devnet is chain ${DEVNET_CHAIN_ID} (npx anvil --chain-id ${DEVNET_CHAIN_ID})`,
    );
}

/** Deploys the testnet's own contracts and checks they landed where NETWORK_CONFIGS.devnet expects. */
export async function setupTestnet(url: string): Promise<TestnetContracts> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    await requireDevnet(provider, url);
    const operator = await provider.getSigner(TESTNET_ACCOUNTS.operator);
    if ((await provider.getTransactionCount(operator.address)) !== 0)
      throw new Error(
        `account #${TESTNET_ACCOUNTS.operator} has sent transactions already: start from a fresh Anvil node`,
      );
    const governance = await (await provider.getSigner(TESTNET_ACCOUNTS.governance)).getAddress();
    const { quote, others } = DEVNET_CONFIG.params.collateral;
    const collaterals = [quote, ...others];
    const deployed = async (pending: Promise<BaseContract>): Promise<string> =>
      (await (await pending).waitForDeployment()).getAddress();
    const tokens: Record<string, string> = {};
    const feeds: Record<string, string> = {};
    for (const c of collaterals)
      tokens[c.symbol] = await deployed(
        new TestERC20__factory(operator).deploy(`${c.symbol} (devnet)`, c.symbol, c.decimals),
      );
    for (const c of collaterals)
      feeds[c.symbol] = await deployed(
        new MockV3Aggregator__factory(operator).deploy(c.feedDecimals, parseUnits(c.initialPriceUsd, c.feedDecimals)),
      );
    const factory = await deployed(
      new ContractFactory(UNISWAP_V2_FACTORY_ARTIFACT.abi, UNISWAP_V2_FACTORY_ARTIFACT.bytecode, operator).deploy(
        operator.address,
      ),
    );
    const timelock = await deployed(
      new ContractFactory(TimelockArtifact.abi, TimelockArtifact.bytecode, operator).deploy(
        TIMELOCK_DELAY_SEC,
        [governance],
        [governance],
        "0x0000000000000000000000000000000000000000",
      ),
    );
    const got: TestnetContracts = { tokens, feeds, uniswapV2Factory: factory, timelock };
    const expected: TestnetContracts = { ...DEVNET_CONFIG.external, timelock: String(DEVNET_CONFIG.roles.admin) };
    const mismatch = (
      [
        ...Object.keys(expected.tokens).map((s) => [`external.tokens.${s}`, expected.tokens[s], got.tokens[s]]),
        ...Object.keys(expected.feeds).map((s) => [`external.feeds.${s}`, expected.feeds[s], got.feeds[s]]),
        ["external.uniswapV2Factory", expected.uniswapV2Factory, got.uniswapV2Factory],
        ["roles.admin (timelock)", expected.timelock, got.timelock],
      ] as [string, string, string | undefined][]
    ).filter(([, want, have]) => !have || getAddress(want) !== getAddress(have));
    if (mismatch.length > 0) {
      throw new Error(
        `the stand-in testnet's contracts are not where NETWORK_CONFIGS.devnet expects them: ${mismatch
          .map(([f, want, have]) => `${f} ${have} (configured ${want})`)
          .join("; ")}`,
      );
    }
    return got;
  } finally {
    provider.destroy();
  }
}

/**
 * The first liquidity after the deploy, as a launch would provide it: the market maker mints
 * tokens at the Reserve with testnet USDC, seeds the pool at the peg with the deploy parameters'
 * depth, contributes the protocol's equity, and the TWAP window is filled.
 */
export async function launchMarket(url: string, book: AddressBook): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    await requireDevnet(provider, url);
    const maker: Signer = await provider.getSigner(TESTNET_ACCOUNTS.marketMaker);
    const who = await maker.getAddress();
    const params = DEVNET_CONFIG.params;
    const c = book.contracts;
    const s = seedAmounts(params.collateral.quote, params.poolDepth, params.seedEquity);
    const usdc = connectContract("TestERC20", c.USDC, maker);
    const reserve = connectContract("Reserve", c.Reserve, maker);
    const stable = connectContract("BallastDollar", c.BallastDollar, maker);
    const pair = new Contract(c.Pool, ["function mint(address) returns (uint256)"], maker);
    await (await usdc.mint(who, s.mintDeposit + s.quoteSide + s.equity)).wait();
    await (await usdc.approve(c.Reserve, s.mintDeposit + s.equity)).wait();
    await (await reserve.mint(c.USDC, s.mintDeposit, s.tokenSide, who)).wait();
    await (await stable.transfer(c.Pool, s.tokenSide)).wait();
    await (await usdc.transfer(c.Pool, s.quoteSide)).wait();
    await (await pair.mint(who)).wait();
    await (await reserve.contribute(c.USDC, s.equity)).wait();
    await warmTwap(provider, c.PriceOracle, Object.values(c.feeds), maker);
  } finally {
    provider.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("testnet")
    .description("A stand-in testnet on a local Anvil node for the live deploy path");
  program
    .command("setup")
    .description("deploy the testnet's tokens, feeds, Uniswap V2 factory and timelock")
    .option("--rpc <url>", "the Anvil node", process.env.BALLAST_DEVNET_URL ?? "http://127.0.0.1:8546")
    .action(async (o: { rpc: string }) => {
      const got = await setupTestnet(o.rpc);
      process.stdout.write(`${JSON.stringify(got, null, 2)}\n`);
    });
  program
    .command("launch")
    .description("after `npm run deploy -- --network devnet`: seed the pool at the peg and fill the TWAP window")
    .option("--rpc <url>", "the Anvil node", process.env.BALLAST_DEVNET_URL ?? "http://127.0.0.1:8546")
    .action(async (o: { rpc: string }) => {
      await launchMarket(o.rpc, readAddressBook("devnet"));
      process.stdout.write("pool seeded at the peg; TWAP window filled\n");
    });
  await program.parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
