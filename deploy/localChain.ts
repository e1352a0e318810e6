/**
 * Chain identity and the local-node steps that follow a deploy: which chain this is (chain id and
 * genesis hash), and warming the pool TWAP on a node whose clock we may advance.
 */
import type { JsonRpcProvider, JsonRpcSigner, Provider, Signer } from "ethers";
import { connectContract } from "./contracts";
import { LOCAL_KEEPER_ACCOUNT_INDEX } from "./parameters";

export interface ChainIdentity {
  chainId: number;
  genesisHash: string;
}

export async function chainIdentity(provider: Provider): Promise<ChainIdentity> {
  const network = await provider.getNetwork();
  const genesis = await provider.getBlock(0);
  if (!genesis?.hash) throw new Error("the node did not return its genesis block");
  return { chainId: Number(network.chainId), genesisHash: genesis.hash };
}

/** Anything that answers raw JSON-RPC: a hardhat provider or an ethers JsonRpcProvider. */
export interface RpcSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** Advances a local node's clock by `seconds` and mines a block at the new time. */
export async function advanceTime(rpc: RpcSender, seconds: number): Promise<void> {
  await rpc.send("evm_increaseTime", [seconds]);
  await rpc.send("evm_mine", []);
}

/** Re-posts each local mock feed's latest answer, so none is stale after a time warp. */
export async function refreshLocalFeeds(feeds: string[], signer: Signer): Promise<void> {
  for (const address of feeds) {
    const feed = connectContract("MockV3Aggregator", address, signer);
    const [, answer] = await feed.latestRoundData();
    await (await feed.updateAnswer(answer)).wait();
  }
}

/**
 * Whether the oracle can price the pool over its TWAP window now. Market operations need an
 * observation at least `twapWindowSec` old; a fresh deploy has none.
 */
export async function twapReady(oracleAddress: string, provider: Provider): Promise<boolean> {
  try {
    await connectContract("PriceOracle", oracleAddress, provider).marketPrice();
    return true;
  } catch {
    return false;
  }
}

/**
 * Records pool observations across one TWAP window on a local node, advancing its clock in
 * quarter-window steps (the oracle records at most one observation per quarter window) and
 * refreshing the mock feeds after each step. Returns the seconds the clock moved.
 */
export async function warmTwap(
  rpc: RpcSender,
  oracleAddress: string,
  feeds: string[],
  signer: Signer,
): Promise<number> {
  const oracle = connectContract("PriceOracle", oracleAddress, signer);
  const windowSec = Number(await oracle.twapWindowSec());
  const stepSec = Math.ceil(windowSec / 4);
  let moved = 0;
  for (let i = 0; i <= 4; i++) {
    await (await oracle.update()).wait();
    await advanceTime(rpc, stepSec);
    moved += stepSec;
    await refreshLocalFeeds(feeds, signer);
  }
  await (await oracle.update()).wait();
  return moved;
}

/**
 * The local keeper account the deploy gave KEEPER_ROLE (`LOCAL_KEEPER_ACCOUNT_INDEX`, Hardhat
 * account #2), as a signer of the node's unlocked accounts. For hardhat/localhost only.
 */
export async function localKeeperSigner(provider: JsonRpcProvider): Promise<JsonRpcSigner> {
  return provider.getSigner(LOCAL_KEEPER_ACCOUNT_INDEX);
}
