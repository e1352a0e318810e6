/**
 * What every `ballast:*` task starts from: the network's address book, checked against the chain
 * the node actually runs, the system's contracts bound to it, and the signer to act with.
 */
import { Contract, getAddress, isAddress, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { readAddressBook, readDeploymentRecord, type AddressBook } from "../../deploy/addressBook";
import { chainIdentity } from "../../deploy/localChain";
import { isLocalNetwork } from "../../deploy/parameters";
import {
  connectContract,
  type BallastDollar,
  type CollateralPolicy,
  type MarketOperator,
  type PriceOracle,
  type Reserve,
  type TestERC20,
} from "../../deploy/contracts";
import { UserError } from "./cli";
import { readV3Venue } from "../../keeper/src/chain/protocol";
import type { IUniswapV3PoolMinimal } from "../../keeper/src/chain/contracts";
import { ConfigError } from "../../keeper/src/errors";

export const UNISWAP_V2_PAIR_ABI = [
  "function token0() view returns (address)",
  "function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)",
  "function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)",
];

export interface SystemContext {
  hre: HardhatRuntimeEnvironment;
  network: string;
  book: AddressBook;
  stable: BallastDollar;
  oracle: PriceOracle;
  reserve: Reserve;
  policy: CollateralPolicy;
  operator: MarketOperator;
  /** The address book's Pool as a V2 pair. */
  pool: Contract;
  /** The venue's V3 pool when the operator is MarketOperatorV3, else null (the V2 pair). */
  v3Pool: IUniswapV3PoolMinimal | null;
}

/** The V3 pool of the venue, or null on the V2 pair; a Pool that is not the operator's is the user's to fix. */
async function venuePool(book: AddressBook, provider: HardhatRuntimeEnvironment["ethers"]["provider"]): Promise<IUniswapV3PoolMinimal | null> {
  try {
    return await readV3Venue(book, provider);
  } catch (cause) {
    if (cause instanceof ConfigError) throw new UserError(cause.issues.map((i) => `${i.field}: ${i.message}`).join("; "), { cause });
    throw cause;
  }
}

/** Fails with one line naming the network when its address book is missing, malformed or stale. */
export async function loadSystem(hre: HardhatRuntimeEnvironment): Promise<SystemContext> {
  const network = hre.network.name;
  let book: AddressBook;
  try {
    book = readAddressBook(network);
  } catch (cause) {
    throw new UserError((cause as Error).message, { cause });
  }
  const provider = hre.ethers.provider;
  const chain = await chainIdentity(provider);
  if (chain.chainId !== book.chainId) {
    throw new UserError(`the address book of ${network} is for chain ${book.chainId}, but the node runs chain ${chain.chainId}: redeploy with \`npm run deploy -- --network ${network}\``);
  }
  let recordedGenesis: string | undefined;
  try {
    recordedGenesis = readDeploymentRecord(network).genesisHash;
  } catch {
    /* older or hand-written address books come without a record; the code check below still applies */
  }
  if (recordedGenesis && recordedGenesis !== chain.genesisHash) {
    throw new UserError(`the address book of ${network} was written for another chain (genesis ${recordedGenesis.slice(0, 10)}…, the node has ${chain.genesisHash.slice(0, 10)}…): redeploy with \`npm run deploy -- --network ${network}\``);
  }
  if ((await provider.getCode(book.contracts.BallastDollar)) === "0x") {
    throw new UserError(`no contract at the BallastDollar address ${book.contracts.BallastDollar} on ${network}: redeploy with \`npm run deploy -- --network ${network}\``);
  }
  const c = book.contracts;
  return {
    hre,
    network,
    book,
    stable: connectContract("BallastDollar", c.BallastDollar, provider),
    oracle: connectContract("PriceOracle", c.PriceOracle, provider),
    reserve: connectContract("Reserve", c.Reserve, provider),
    policy: connectContract("CollateralPolicy", c.CollateralPolicy, provider),
    operator: connectContract("MarketOperator", c.MarketOperator, provider),
    pool: new Contract(c.Pool, UNISWAP_V2_PAIR_ABI, provider),
    v3Pool: await venuePool(book, provider),
  };
}

/** Refuses, before touching the node, a task that only makes sense on a chain we control. */
export function requireLocalNetwork(hre: HardhatRuntimeEnvironment, what: string): void {
  if (!isLocalNetwork(hre.network.name)) {
    throw new UserError(`${what} works only on local networks (hardhat, localhost); --network ${hre.network.name} is not local`);
  }
}

/**
 * The account a task acts as: `--from` as an index of the node's accounts or one of its addresses;
 * the node's first account by default.
 */
export async function resolveSigner(hre: HardhatRuntimeEnvironment, from: string | undefined): Promise<Signer> {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) throw new UserError(`--network ${hre.network.name} has no accounts to sign with`);
  if (from === undefined || from === "") return signers[0];
  if (/^\d+$/.test(from)) {
    const signer = signers[Number(from)];
    if (!signer) throw new UserError(`--from ${from}: the node has only ${signers.length} accounts (0…${signers.length - 1})`);
    return signer;
  }
  if (!isAddress(from)) throw new UserError(`--from ${from} is neither an account index nor an address`);
  const signer = signers.find((s) => getAddress(s.address) === getAddress(from));
  if (!signer) throw new UserError(`--from ${from} is not an account this network can sign with`);
  return signer;
}

export interface AssetRef {
  symbol: string;
  address: string;
  decimals: number;
  token: TestERC20;
}

/** `--asset` by symbol (USDC, WETH, case-insensitive) or by the address of a listed reserve asset. */
export async function resolveAsset(ctx: SystemContext, asset: string, argName = "--asset"): Promise<AssetRef> {
  const known: Record<string, string> = { USDC: ctx.book.contracts.USDC, WETH: ctx.book.contracts.WETH };
  let address: string | undefined = known[asset.toUpperCase()];
  if (!address && isAddress(asset)) {
    const listed = (await ctx.reserve.assets()).map((a) => getAddress(a));
    if (listed.includes(getAddress(asset))) address = getAddress(asset);
    else throw new UserError(`${argName} ${asset} is not a collateral asset of the Reserve (listed: ${listed.join(", ")})`);
  }
  if (!address) throw new UserError(`${argName} ${asset} is unknown: use ${Object.keys(known).join(" or ")}, or a listed asset's address`);
  const token = connectContract("TestERC20", address, ctx.hre.ethers.provider);
  return { symbol: await token.symbol(), address, decimals: Number(await token.decimals()), token };
}
