/**
 * The fixture deploy: Ballast deployed through the one wiring `npm run deploy` uses (deployBallastTo
 * and its Ignition module, then the same wiring check), onto a node over JSON-RPC (`npm start`,
 * process tests) or onto the in-process Hardhat network (the test fixture, benchmarks), with typed
 * handles on every contract (on the V3 venue also the pool, its factory and the LiquidityManager).
 * The address book goes to a temporary directory unless one is given.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider, type BaseContract, type ContractRunner, type JsonRpcSigner } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import UniswapV2FactoryArtifact from "@uniswap/v2-core/build/UniswapV2Factory.json";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import type { AddressBook } from "../../deploy/addressBook";
import { deployBallastTo, type DeployOutcome, type DeployTarget } from "../../deploy/deploy";
import {
  LOCAL_ACCOUNTS,
  networkDeployConfig,
  type BallastParams,
  type CollateralParams,
  type NetworkDeployConfig,
} from "../../deploy/parameters";
import { V3_FACTORY_ABI, connectV3Pool } from "../../deploy/uniswapV3";
import type { LocalV3Venue } from "../../deploy/v3Launch";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  LiquidityManager__factory,
  MarketOperator__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  Reserve__factory,
  TestERC20__factory,
  TestVault__factory,
  type BallastDollar,
  type CollateralPolicy,
  type MarketOperator,
  type MockV3Aggregator,
  type PriceOracle,
  type Reserve,
  type TestERC20,
  type TestVault,
} from "../../typechain-types";

export interface UniswapV2Pair {
  getAddress(): Promise<string>;
  token0(): Promise<string>;
  getReserves(): Promise<[bigint, bigint, bigint]>;
  mint(to: string): Promise<{ wait(): Promise<unknown> }>;
  swap(a0: bigint, a1: bigint, to: string, data: string): Promise<{ wait(): Promise<unknown> }>;
  sync(): Promise<{ wait(): Promise<unknown> }>;
}

export interface Collateral {
  params: CollateralParams;
  token: TestERC20;
  feed: MockV3Aggregator;
  vault?: TestVault;
}

/** Typed handles on a deployed local system. */
export interface LocalSystem {
  stable: BallastDollar;
  oracle: PriceOracle;
  reserve: Reserve;
  policy: CollateralPolicy;
  operator: MarketOperator;
  /** The V2 pair; on a V3 venue, the V3 pool's contract (use `v3.pool` there). */
  pair: UniswapV2Pair & BaseContract;
  factory: BaseContract;
  /** Present on the V3 venue: the pool and the protocol-owned liquidity. */
  v3?: LocalV3Venue;
  quote: Collateral;
  collaterals: Collateral[];
}

export interface DevnetDeployOptions {
  /** Default: the `localhost` entry of NETWORK_CONFIGS (the in-process network: `hardhat`). */
  config?: NetworkDeployConfig;
  /** Where the address book goes; default a new temporary directory. */
  dir?: string;
  /** The venue (`v2` | `v3`) over the configuration's, as `--venue` does. */
  venue?: string;
  log?: (line: string) => void;
}

function tempDeploymentsDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "ballast-devnet-"));
}

/** An ethers JSON-RPC provider as the EIP-1193 provider Ignition sends through. */
function eip1193(provider: JsonRpcProvider): DeployTarget["rpc"] {
  return { request: ({ method, params }) => provider.send(method, (params as unknown[] | undefined) ?? []) };
}

async function artifactResolver(): Promise<HardhatArtifactResolver> {
  const hre = (await import("hardhat")).default;
  return new HardhatArtifactResolver(hre);
}

export interface NodeDeployment {
  outcome: DeployOutcome;
  provider: JsonRpcProvider;
  dir: string;
  bookPath: string;
  book: AddressBook;
  admin: JsonRpcSigner;
  guardian: JsonRpcSigner;
  keeperAddress: string;
  trader: JsonRpcSigner;
}

/** Deploys onto the node at `url` as the `localhost` network (its unlocked accounts sign). */
export async function deployToNode(url: string, options: DevnetDeployOptions = {}): Promise<NodeDeployment> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  const dir = options.dir ?? tempDeploymentsDir();
  const target: DeployTarget = {
    network: "localhost",
    rpc: eip1193(provider),
    provider,
    artifacts: await artifactResolver(),
    signer: (address) => provider.getSigner(address),
  };
  const outcome = await deployBallastTo(target, {
    config: options.config ?? networkDeployConfig("localhost"),
    dir,
    venue: options.venue,
    log: options.log,
  });
  const [admin, guardian, trader] = await Promise.all(
    [LOCAL_ACCOUNTS.deployer, LOCAL_ACCOUNTS.guardian, LOCAL_ACCOUNTS.trader].map((i) => provider.getSigner(i)),
  );
  return {
    outcome,
    provider,
    dir,
    bookPath: outcome.addressBookPath,
    book: outcome.addressBook,
    admin,
    guardian,
    keeperAddress: outcome.record.roles.keeper,
    trader,
  };
}

/** Deploys onto the Hardhat runtime's in-process network (compiled already: tests and benchmarks). */
export async function deployInProcess(
  hre: HardhatRuntimeEnvironment,
  options: DevnetDeployOptions = {},
): Promise<DeployOutcome> {
  const target: DeployTarget = {
    network: hre.network.name,
    rpc: hre.network.provider,
    provider: hre.ethers.provider,
    artifacts: new HardhatArtifactResolver(hre),
    signer: (address) => hre.ethers.getSigner(address),
  };
  return deployBallastTo(target, {
    config: options.config ?? networkDeployConfig("localhost"),
    dir: options.dir ?? tempDeploymentsDir(),
    venue: options.venue,
    log: options.log,
  });
}

/**
 * Typed handles on a deployed local system: the address book's contracts, the factory and the
 * strategy vaults from the deployment record's `extra`, each collateral with its token, feed and
 * vault, in the parameters' order (quote first).
 */
export function connectLocalSystem(
  outcome: Pick<DeployOutcome, "addressBook" | "record">,
  params: BallastParams,
  runner: ContractRunner,
): LocalSystem {
  const c = outcome.addressBook.contracts;
  const extra = outcome.record.extra;
  const bySymbol: Record<string, string> = { USDC: c.USDC, WETH: c.WETH };
  const feeds: Record<string, string> = c.feeds;
  const collaterals: Collateral[] = [params.collateral.quote, ...params.collateral.others].map((p) => {
    const token = bySymbol[p.symbol];
    const feed = feeds[p.symbol];
    if (!token || !feed) throw new Error(`the address book has no token or feed for ${p.symbol}`);
    const vault = extra[`Vault${p.symbol}`];
    return {
      params: p,
      token: TestERC20__factory.connect(token, runner),
      feed: MockV3Aggregator__factory.connect(feed, runner),
      ...(vault ? { vault: TestVault__factory.connect(vault, runner) } : {}),
    };
  });
  const system: LocalSystem = {
    stable: BallastDollar__factory.connect(c.BallastDollar, runner),
    oracle: PriceOracle__factory.connect(c.PriceOracle, runner),
    reserve: Reserve__factory.connect(c.Reserve, runner),
    policy: CollateralPolicy__factory.connect(c.CollateralPolicy, runner),
    operator: MarketOperator__factory.connect(c.MarketOperator, runner),
    pair: new Contract(c.Pool, UniswapV2PairArtifact.abi, runner) as unknown as LocalSystem["pair"],
    factory: new Contract(extra.UniswapV2Factory ?? extra.UniswapV3Factory, UniswapV2FactoryArtifact.abi, runner),
    quote: collaterals[0],
    collaterals,
  };
  const venue = params.venue?.kind === "v3" ? params.venue : null;
  if (!venue) return system;
  if (!c.LiquidityManager) throw new Error("the address book of a V3 venue has no LiquidityManager");
  const factory = new Contract(extra.UniswapV3Factory, V3_FACTORY_ABI, runner);
  const pool = connectV3Pool(c.Pool, runner);
  const v3: LocalV3Venue = {
    params: venue,
    factory: factory as unknown as LocalV3Venue["factory"],
    pool,
    tokenIsToken0: BigInt(c.BallastDollar) < BigInt(c.USDC),
    liquidityManager: LiquidityManager__factory.connect(c.LiquidityManager, runner),
  };
  return { ...system, pair: pool as unknown as LocalSystem["pair"], factory, v3 };
}
