/**
 * A trader and a clock for a local node, driven from the address book: push the pool price a
 * given number of bps off the peg (buying tokens with USDC, or minting at the reserve and selling),
 * and advance time in steps with fresh feeds and oracle observations so the TWAP follows spot.
 * Used by `npm start` and the keeper's end-to-end tests. Local networks only (it warps the clock
 * and re-posts mock feed answers).
 */
import { isqrt } from "../keeper/src/policy";
import type { Signer } from "ethers";
import {
  BallastDollar__factory,
  IUniswapV2PairMinimal__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  Reserve__factory,
  TestERC20__factory,
} from "../typechain-types";

export interface LocalBook {
  contracts: {
    BallastDollar: string;
    PriceOracle: string;
    Reserve: string;
    Pool: string;
    USDC: string;
    feeds: Record<string, string>;
  };
}

export interface RpcSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

const WAD = 10n ** 18n;

export interface PoolView {
  reserveToken: bigint;
  reserveQuote: bigint;
  /** Spot in WAD quote per token (whole units). */
  priceWad: bigint;
  deviationBps: number;
}

export async function poolView(book: LocalBook, runner: Signer): Promise<PoolView> {
  const pair = IUniswapV2PairMinimal__factory.connect(book.contracts.Pool, runner);
  const [r0, r1] = await pair.getReserves();
  const tokenIs0 = (await pair.token0()).toLowerCase() === book.contracts.BallastDollar.toLowerCase();
  const [reserveToken, reserveQuote] = tokenIs0 ? [r0, r1] : [r1, r0];
  const priceWad = (reserveQuote * 10n ** 12n * WAD) / reserveToken;
  return { reserveToken, reserveQuote, priceWad, deviationBps: Number(((priceWad - WAD) * 10_000n) / WAD) };
}

/**
 * Trades on the real pair so its spot moves to about (1 + bps/1e4) × peg, from wherever it is. Up:
 * the trader pays USDC for tokens; down: the trader mints tokens at the reserve with USDC and sells them.
 * The trader needs USDC (local test token, minted here).
 */
export async function pushPrice(book: LocalBook, trader: Signer, bps: number): Promise<PoolView> {
  const who = await trader.getAddress();
  const usdc = TestERC20__factory.connect(book.contracts.USDC, trader);
  const stable = BallastDollar__factory.connect(book.contracts.BallastDollar, trader);
  const pair = IUniswapV2PairMinimal__factory.connect(book.contracts.Pool, trader);
  const tokenIs0 = (await pair.token0()).toLowerCase() === book.contracts.BallastDollar.toLowerCase();
  const { reserveToken: rT, reserveQuote: rQ } = await poolView(book, trader);
  const k = rT * rQ;
  // Target price p = rQ'/rT' in raw units with rQ'·rT' = k: rQ' = sqrt(k·p).
  const targetRaw = (10n ** 6n * BigInt(10_000 + bps) * WAD) / (10_000n * 10n ** 18n); // raw quote per raw token × 1e18
  const newQ = isqrt((k * targetRaw) / WAD);
  if (newQ > rQ) {
    const quoteIn = ((newQ - rQ) * 1000n) / 997n + 1n;
    const out = (quoteIn * 997n * rT) / (rQ * 1000n + quoteIn * 997n);
    await (await usdc.mint(who, quoteIn)).wait();
    await (await usdc.transfer(book.contracts.Pool, quoteIn)).wait();
    await (await pair.swap(tokenIs0 ? out : 0n, tokenIs0 ? 0n : out, who, "0x")).wait();
  } else if (newQ < rQ) {
    const newT = k / newQ;
    const tokenIn = ((newT - rT) * 1000n) / 997n + 1n;
    const out = (tokenIn * 997n * rQ) / (rT * 1000n + tokenIn * 997n);
    // Mint the tokens to sell at the reserve (≈ tokenIn USDC plus fee and haircut headroom).
    const have = await stable.balanceOf(who);
    if (have < tokenIn) {
      const reserve = Reserve__factory.connect(book.contracts.Reserve, trader);
      const need = tokenIn - have;
      const deposit = ((need / 10n ** 12n) * 103n) / 100n + 10n ** 6n;
      await (await usdc.mint(who, deposit)).wait();
      await (await usdc.approve(book.contracts.Reserve, deposit)).wait();
      await (await reserve.mint(book.contracts.USDC, deposit, need, who)).wait();
    }
    await (await stable.transfer(book.contracts.Pool, tokenIn)).wait();
    await (await pair.swap(tokenIs0 ? 0n : out, tokenIs0 ? out : 0n, who, "0x")).wait();
  }
  return poolView(book, trader);
}

/** Re-posts each mock feed's latest answer (fresh updatedAt). */
export async function refreshFeeds(book: LocalBook, signer: Signer): Promise<void> {
  for (const address of Object.values(book.contracts.feeds)) {
    const feed = MockV3Aggregator__factory.connect(address, signer);
    const [, answer] = await feed.latestRoundData();
    await (await feed.updateAnswer(answer)).wait();
  }
}

/**
 * Advances the node's clock by `seconds` in `steps`, each step mining a block, refreshing the
 * feeds (unless `freshFeeds` is false) and recording an oracle observation.
 */
export async function advance(
  book: LocalBook,
  rpc: RpcSender,
  signer: Signer,
  seconds: number,
  steps = 4,
  freshFeeds = true,
): Promise<void> {
  const oracle = PriceOracle__factory.connect(book.contracts.PriceOracle, signer);
  const step = Math.ceil(seconds / steps);
  for (let i = 0; i < steps; i++) {
    await rpc.send("evm_increaseTime", [step]);
    await rpc.send("evm_mine", []);
    if (freshFeeds) await refreshFeeds(book, signer);
    await (await oracle.update()).wait();
  }
}
