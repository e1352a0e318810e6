/**
 * A swarm of real keeper daemons (the built daemon, `run --network localhost`, each its own OS
 * process with its own key) against one `hardhat node`, the protocol deployed by `npm run deploy`,
 * and a market that pushes the pool price off peg. Ground truth comes from the chain: every
 * transaction each keeper account sent, its receipt, and the operator's events.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { spawnKeeper } from "../../../scripts/lib/keeperProcess";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, HDNodeWallet, JsonRpcProvider, NonceManager, type Signer } from "ethers";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import {
  MarketOperator__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  Reserve__factory,
  TestERC20__factory,
  type MarketOperator,
} from "../../../typechain-types";

const ROOT = path.resolve(__dirname, "../../..");
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export const devWallet = (index: number): HDNodeWallet =>
  HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);

export interface AddressBook {
  chainId: number;
  contracts: Record<string, string> & { feeds: Record<string, string> };
}

/**
 * `npm run deploy -- --network localhost` against `url`, writing its address book to `dir`.
 * Asynchronous on purpose: a blocked event loop would stop draining the node's output pipe, and a
 * node that cannot write its log stops answering.
 */
export async function deployWithCli(url: string, dir: string, timeoutMs = 300_000): Promise<AddressBook> {
  const child = spawn("npm", ["run", "--silent", "deploy", "--", "--network", "localhost"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BALLAST_LOCALHOST_URL: url, BALLAST_DEPLOYMENTS_DIR: dir, FORCE_COLOR: "0" },
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(
      `npm run deploy failed (${code === null ? `killed after ${timeoutMs} ms` : `exit ${code}`}):\n${out}`,
    );
  return JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8")) as AddressBook;
}

export interface Daemon {
  index: number;
  address: string;
  child: ChildProcess;
  output(): string;
  /** Parsed JSON log lines with an `event` field. */
  events(): Array<Record<string, unknown>>;
  /** SIGTERM; resolves true when the daemon logged its clean stop. */
  stop(): Promise<boolean>;
}

/** Starts one daemon with its own key, config file, journal and an OS-chosen HTTP port. */
export function startDaemon(
  index: number,
  walletIndex: number,
  url: string,
  configPath: string,
  journalPath: string,
): Daemon {
  const wallet = devWallet(walletIndex);
  const keeper = spawnKeeper(["run", "--network", "localhost", "--config", configPath, "--port", "0"], {
    env: { BALLAST_RPC_URLS: url, BALLAST_KEEPER_KEY: wallet.privateKey, BALLAST_KEEPER_JOURNAL: journalPath },
  });
  const stoppedCleanly = (): boolean => keeper.lines.some((l) => l.event === "keeper.stopped");
  return {
    index,
    address: wallet.address,
    child: keeper.child,
    output: keeper.output,
    events: () => keeper.lines.filter((e) => typeof e.event === "string"),
    stop: async () => {
      // SIGTERM: the daemon finishes its cycle; SIGKILL if it is still running 15 s later.
      await keeper.stop("SIGTERM", 15_000);
      return stoppedCleanly();
    },
  };
}

export function writeKeeperConfig(
  file: string,
  addressBookPath: string,
  overrides: Record<string, unknown> = {},
): string {
  fs.writeFileSync(
    file,
    JSON.stringify({ addressBook: addressBookPath, pollIntervalMs: 500, idleCycleSec: 5, ...overrides }, null, 2),
  );
  return file;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The market: a trader moving the pool, time passing, feeds refreshed, the oracle observing. */
export class Market {
  readonly provider: JsonRpcProvider;
  readonly admin: Signer;
  readonly trader: Signer;
  readonly operator: MarketOperator;

  constructor(url: string, readonly book: AddressBook) {
    this.provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
    this.admin = new NonceManager(devWallet(0).connect(this.provider));
    this.trader = new NonceManager(devWallet(5).connect(this.provider));
    this.operator = MarketOperator__factory.connect(book.contracts.MarketOperator, this.admin);
  }

  async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    return this.provider.send(method, params);
  }

  /** Buys tokens with `usdc` whole units (price up) or sells tokens minted from `usdc` (price down). */
  async push(direction: "up" | "down", usdc: bigint): Promise<void> {
    const c = this.book.contracts;
    const traderAddress = await this.trader.getAddress();
    const usdcToken = TestERC20__factory.connect(c.USDC, this.trader);
    const stable = TestERC20__factory.connect(c.BallastDollar, this.trader);
    const pair = new Contract(c.Pool, UniswapV2PairArtifact.abi, this.trader);
    const amount = usdc * 10n ** 6n;
    let sellToken = false;
    let amountIn = amount;
    if (direction === "down") {
      const reserve = Reserve__factory.connect(c.Reserve, this.trader);
      await (await usdcToken.approve(c.Reserve, amount)).wait();
      const before = await stable.balanceOf(traderAddress);
      await (await reserve.mint(c.USDC, amount, 0, traderAddress)).wait();
      amountIn = (await stable.balanceOf(traderAddress)) - before;
      sellToken = true;
    }
    const [r0, r1] = (await pair.getReserves()) as [bigint, bigint];
    const tokenIs0 = ((await pair.token0()) as string).toLowerCase() === c.BallastDollar.toLowerCase();
    const [rT, rQ] = tokenIs0 ? [r0, r1] : [r1, r0];
    const [rIn, rOut] = sellToken ? [rT, rQ] : [rQ, rT];
    const out = (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
    await (await (sellToken ? stable : usdcToken).transfer(c.Pool, amountIn)).wait();
    const outIs0 = sellToken ? !tokenIs0 : tokenIs0;
    await (await pair.swap(outIs0 ? out : 0n, outIs0 ? 0n : out, traderAddress, "0x")).wait();
  }

  /** Lets `seconds` pass in `steps`, each mining a block with fresh feeds and an oracle observation. */
  async passTime(seconds: number, steps: number): Promise<void> {
    const oracle = PriceOracle__factory.connect(this.book.contracts.PriceOracle, this.admin);
    for (let i = 0; i < steps; i++) {
      await this.rpc("evm_increaseTime", [Math.ceil(seconds / steps)]);
      for (const feed of Object.values(this.book.contracts.feeds)) {
        const f = MockV3Aggregator__factory.connect(feed, this.admin);
        const [, answer] = await f.latestRoundData();
        await (await f.updateAnswer(answer)).wait();
      }
      await (await oracle.update()).wait();
    }
  }

  async spotWad(): Promise<bigint> {
    const [spot] = await PriceOracle__factory.connect(this.book.contracts.PriceOracle, this.provider).marketPrice();
    return spot;
  }

  /** Every transaction `from` any of `addresses` in blocks [fromBlock, head], with its receipt status. */
  async transactionsFrom(
    addresses: string[],
    fromBlock: number,
  ): Promise<Array<{ from: string; hash: string; block: number; status: number; to: string }>> {
    const wanted = new Set(addresses.map((a) => a.toLowerCase()));
    const head = await this.provider.getBlockNumber();
    const out: Array<{ from: string; hash: string; block: number; status: number; to: string }> = [];
    for (let n = fromBlock; n <= head; n++) {
      const block = await this.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (!wanted.has(tx.from.toLowerCase())) continue;
        const receipt = await this.provider.getTransactionReceipt(tx.hash);
        out.push({ from: tx.from, hash: tx.hash, block: n, status: receipt?.status ?? -1, to: tx.to ?? "" });
      }
    }
    return out;
  }

  /** The operator's operation events in [fromBlock, head]. */
  async operations(fromBlock: number): Promise<Array<{ name: string; caller: string; block: number }>> {
    const out: Array<{ name: string; caller: string; block: number }> = [];
    for (const name of ["SupplyExpanded", "SupplyContracted", "Rebalanced"] as const) {
      const logs = await this.operator.queryFilter(this.operator.filters[name](), fromBlock, "latest");
      for (const l of logs)
        out.push({ name, caller: (l.args as unknown as { caller: string }).caller, block: l.blockNumber });
    }
    return out.sort((a, b) => a.block - b.block);
  }

  destroy(): void {
    this.provider.destroy();
  }
}
