/**
 * The deployed protocol on a real `hardhat node` process, for the fault tests: deploys with the
 * same steps as `npm start` (scripts/devnet/deploy.ts), warms the TWAP by moving the node's clock, and
 * pushes the pool off peg with a real swap so that an expansion (or contraction) is due.
 */
import { HDNodeWallet, JsonRpcProvider, Wallet, parseEther, parseUnits, type JsonRpcSigner } from "ethers";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import type { LocalSystem } from "../../../scripts/devnet/deploy";
import { connectLocalSystem, deployToNode } from "../../../scripts/devnet/deploy";
import type { AddressBook } from "../../../keeper/src/config/addressBook";
import { MarketOperator__factory, type MarketOperator } from "../../../typechain-types";

/** Hardhat's default development mnemonic: its accounts are funded on every `hardhat node`. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export function devWallet(index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
}

/** Account roles on the node: 0 admin, 1 guardian, 2 keeper, 3 second keeper, 4 trader. */
export const KEEPER_INDEX = 2;
export const SECOND_KEEPER_INDEX = 3;
const TRADER_INDEX = 4;

export interface ChainSystem {
  url: string;
  provider: JsonRpcProvider;
  admin: JsonRpcSigner;
  trader: JsonRpcSigner;
  guardian: JsonRpcSigner;
  system: LocalSystem;
  book: AddressBook;
  operatorAddress: string;
  send(method: string, params?: unknown[]): Promise<unknown>;
}

/** Deploys through the one deploy wiring (the Ignition module and its wiring check, as `npm start`). */
export async function deployOnNode(url: string): Promise<ChainSystem> {
  const d = await deployToNode(url);
  const { provider, admin, guardian } = d;
  const trader = await provider.getSigner(TRADER_INDEX);
  const params = LOCAL_PARAMS;
  const system = connectLocalSystem(d.outcome, params, admin);
  await (
    await system.operator.grantRole(await system.operator.KEEPER_ROLE(), devWallet(SECOND_KEEPER_INDEX).address)
  ).wait();
  const send = (method: string, params: unknown[] = []): Promise<unknown> => provider.send(method, params);
  const chain: ChainSystem = {
    url,
    provider,
    admin,
    trader,
    guardian,
    system,
    book: d.book,
    operatorAddress: d.book.contracts.MarketOperator,
    send,
  };
  await passTime(chain, params.oracle.twapWindowSec, 5);
  await (await system.quote.token.mint(await trader.getAddress(), parseUnits("5000000", 6))).wait();
  return chain;
}

/** Re-posts every feed's latest answer so none is stale after a clock jump. */
export async function refreshFeeds(c: ChainSystem): Promise<void> {
  for (const col of c.system.collaterals) {
    const [, answer] = await col.feed.latestRoundData();
    await (await col.feed.updateAnswer(answer)).wait();
  }
}

/** Moves the node's clock in steps, refreshing feeds and recording oracle observations. */
export async function passTime(c: ChainSystem, seconds: number, steps = 4): Promise<void> {
  const step = Math.ceil(seconds / steps);
  await (await c.system.oracle.update()).wait();
  for (let i = 0; i < steps; i++) {
    await c.send("evm_increaseTime", [step]);
    await c.send("evm_mine");
    await refreshFeeds(c);
    await (await c.system.oracle.update()).wait();
  }
}

/**
 * Buys tokens with `quoteWhole` USDC on the real pair (price up) or sells that many tokens' worth
 * (price down), then lets the TWAP follow so spot and TWAP agree.
 */
export async function pushOffPeg(c: ChainSystem, direction: "above" | "below", quoteWhole = "20000"): Promise<void> {
  await swap(c, direction, quoteWhole);
  await passTime(c, LOCAL_PARAMS.oracle.twapWindowSec, 5);
}

/** One swap on the pair, no clock movement. */
export async function swap(c: ChainSystem, direction: "above" | "below", quoteWhole: string): Promise<void> {
  const { pair, stable, quote } = c.system;
  const traderAddress = await c.trader.getAddress();
  const [r0, r1] = await pair.getReserves();
  const tokenIs0 = (await pair.token0()) === (await stable.getAddress());
  const [rT, rQ] = tokenIs0 ? [r0, r1] : [r1, r0];
  const pairAddress = await pair.getAddress();
  if (direction === "above") {
    const amountIn = parseUnits(quoteWhole, 6);
    const out = (amountIn * 997n * rT) / (rQ * 1000n + amountIn * 997n);
    await (await quote.token.connect(c.trader).transfer(pairAddress, amountIn)).wait();
    await (
      await (pair.connect(c.trader) as typeof pair).swap(tokenIs0 ? out : 0n, tokenIs0 ? 0n : out, traderAddress, "0x")
    ).wait();
  } else {
    // Sell tokens: first mint them at the peg through the reserve.
    const amountIn = parseUnits(quoteWhole, 18);
    const usdc = parseUnits(quoteWhole, 6) * 2n;
    await (await quote.token.connect(c.trader).approve(await c.system.reserve.getAddress(), usdc)).wait();
    await (
      await c.system.reserve.connect(c.trader).mint(await quote.token.getAddress(), usdc, 0, traderAddress)
    ).wait();
    const out = (amountIn * 997n * rQ) / (rT * 1000n + amountIn * 997n);
    await (await stable.connect(c.trader).transfer(pairAddress, amountIn)).wait();
    await (
      await (pair.connect(c.trader) as typeof pair).swap(tokenIs0 ? 0n : out, tokenIs0 ? out : 0n, traderAddress, "0x")
    ).wait();
  }
}

/** Market operations the operator emitted since `fromBlock`: the ground truth for "one action". */
export async function operationsSince(c: ChainSystem, fromBlock: number): Promise<number> {
  const op = MarketOperator__factory.connect(c.operatorAddress, c.provider);
  const expanded = await op.queryFilter(op.filters.SupplyExpanded(), fromBlock);
  const contracted = await op.queryFilter(op.filters.SupplyContracted(), fromBlock);
  return expanded.length + contracted.length;
}

export function operatorAt(c: ChainSystem): MarketOperator {
  return MarketOperator__factory.connect(c.operatorAddress, c.provider);
}

/** Gives `address` exactly `ether` ETH (for balance floor tests). */
export async function setBalance(c: ChainSystem, address: string, ether: string): Promise<void> {
  await c.send("hardhat_setBalance", [address, `0x${parseEther(ether).toString(16)}`]);
}

export async function snapshot(c: ChainSystem): Promise<string> {
  return (await c.send("evm_snapshot")) as string;
}

export async function revertTo(c: ChainSystem, id: string): Promise<void> {
  const ok = await c.send("evm_revert", [id]);
  if (ok !== true) throw new Error(`evm_revert(${id}) failed`);
}

export function keeperWallet(index = KEEPER_INDEX): Wallet {
  const hd = devWallet(index);
  return new Wallet(hd.privateKey);
}

/**
 * Writes the deploy's address book and a keeper config for the daemon (fast polling, one confirmation),
 * and returns the config file's path. The fault suites count the keeper's transactions one by one, so
 * the policy refresh (a transaction of its own, tested in test/keeper/chain/refresh.test.ts) is off.
 */
export async function writeDaemonConfig(c: ChainSystem, dir: string): Promise<string> {
  const { writeFileSync } = await import("node:fs");
  const path = await import("node:path");
  const bookPath = path.join(dir, "faults.json");
  writeFileSync(bookPath, JSON.stringify(c.book, null, 2));
  const configPath = path.join(dir, "keeper.json");
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        addressBook: bookPath,
        pollIntervalMs: 100,
        idleCycleSec: 1,
        confirmations: 1,
        log: { level: "debug" },
        policy: { refreshPolicy: false },
      },
      null,
      2,
    ),
  );
  return configPath;
}
