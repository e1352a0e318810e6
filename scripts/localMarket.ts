/**
 * A trader and a clock for a local node, driven from the address book: push the pool price a
 * given number of bps off the peg (buying tokens with USDC, or minting at the reserve and selling),
 * on either venue (the V2 pair, or the V3 pool through the deploy's UniswapV3Trader), and advance
 * time in steps with fresh feeds and oracle observations so the TWAP follows spot. Used by
 * `npm start` and the keeper's end-to-end tests. Local networks only (it warps the clock and
 * re-posts mock feed answers).
 */
import { isqrt } from "../keeper/src/policy";
import { quotePerTokenWad, sqrtPriceForQuotePerToken, swapToPrice } from "../keeper/src/policy/v3";
import { readV3PoolState } from "../keeper/src/chain/v3Pool";
import { V3_BITMAP_WORDS_EACH_SIDE } from "../keeper/src/chain/reader";
import type { Signer } from "ethers";
import {
  BallastDollar__factory,
  IUniswapV2PairMinimal__factory,
  IUniswapV3PoolMinimal__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  Reserve__factory,
  TestERC20__factory,
  UniswapV3Trader__factory,
} from "../typechain-types";

export interface LocalBook {
  /** The market venue; absent means the V2 pair. */
  venue?: "v2" | "v3";
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
const BPS = 10_000n;
const MAX_INT256 = (1n << 255n) - 1n;
/** The local quote token (USDC) and the stable token, base units per whole unit. */
const QUOTE_UNIT = 10n ** 6n;
const TOKEN_UNIT = WAD;

export interface PoolView {
  /** Spot in WAD quote per token (whole units). */
  priceWad: bigint;
  deviationBps: number;
}

/** Where a push trades on the V3 venue: the deploy's UniswapV3Trader (deployment record `extra`). */
export interface PushVenue {
  v3Trader?: string;
}

const isStable = (book: LocalBook, token: string): boolean =>
  token.toLowerCase() === book.contracts.BallastDollar.toLowerCase();

const viewOf = (priceWad: bigint): PoolView => ({
  priceWad,
  deviationBps: Number(((priceWad - WAD) * BPS) / WAD),
});

/** The V2 pair's reserves, the stable token's side first. */
async function pairReserves(book: LocalBook, runner: Signer): Promise<{ tokenIs0: boolean; rT: bigint; rQ: bigint }> {
  const pair = IUniswapV2PairMinimal__factory.connect(book.contracts.Pool, runner);
  const [[r0, r1], token0] = await Promise.all([pair.getReserves(), pair.token0()]);
  const tokenIs0 = isStable(book, token0);
  return tokenIs0 ? { tokenIs0, rT: r0, rQ: r1 } : { tokenIs0, rT: r1, rQ: r0 };
}

/** The pool's spot on either venue: the pair's reserves, or the V3 pool's slot0 price. */
export async function poolView(book: LocalBook, runner: Signer): Promise<PoolView> {
  if (book.venue === "v3") {
    const pool = IUniswapV3PoolMinimal__factory.connect(book.contracts.Pool, runner);
    const [slot0, token0] = await Promise.all([pool.slot0(), pool.token0()]);
    return viewOf(quotePerTokenWad(slot0.sqrtPriceX96, isStable(book, token0), TOKEN_UNIT, QUOTE_UNIT));
  }
  const { rT, rQ } = await pairReserves(book, runner);
  return viewOf((rQ * (TOKEN_UNIT / QUOTE_UNIT) * WAD) / rT);
}

/** Mints `amount` stable tokens to the trader at the reserve, paying USDC (minted here) with fee and haircut headroom. */
async function mintTokens(book: LocalBook, trader: Signer, amount: bigint): Promise<void> {
  const who = await trader.getAddress();
  const have = await BallastDollar__factory.connect(book.contracts.BallastDollar, trader).balanceOf(who);
  if (have >= amount) return;
  const usdc = TestERC20__factory.connect(book.contracts.USDC, trader);
  const reserve = Reserve__factory.connect(book.contracts.Reserve, trader);
  const need = amount - have;
  const deposit = ((need / (TOKEN_UNIT / QUOTE_UNIT)) * 103n) / 100n + QUOTE_UNIT;
  await (await usdc.mint(who, deposit)).wait();
  await (await usdc.approve(book.contracts.Reserve, deposit)).wait();
  await (await reserve.mint(book.contracts.USDC, deposit, need, who)).wait();
}

/**
 * Trades on the real pool so its spot moves to about (1 + bps/1e4) × peg, from wherever it is. Up:
 * the trader pays USDC for tokens; down: the trader mints tokens at the reserve with USDC and sells
 * them. The trader needs no funds (the local test USDC is minted here). On the V3 venue the trade
 * goes through `venue.v3Trader`.
 */
export async function pushPrice(
  book: LocalBook,
  trader: Signer,
  bps: number,
  venue: PushVenue = {},
): Promise<PoolView> {
  if (book.venue === "v3") {
    if (venue.v3Trader === undefined)
      throw new Error("pushPrice: the V3 venue needs venue.v3Trader (the deploy's UniswapV3Trader)");
    await pushV3Price(book, trader, bps, venue.v3Trader);
  } else await pushPairPrice(book, trader, bps);
  return poolView(book, trader);
}

async function pushPairPrice(book: LocalBook, trader: Signer, bps: number): Promise<void> {
  const who = await trader.getAddress();
  const usdc = TestERC20__factory.connect(book.contracts.USDC, trader);
  const stable = BallastDollar__factory.connect(book.contracts.BallastDollar, trader);
  const pair = IUniswapV2PairMinimal__factory.connect(book.contracts.Pool, trader);
  const { tokenIs0, rT, rQ } = await pairReserves(book, trader);
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
    await mintTokens(book, trader, tokenIn);
    await (await stable.transfer(book.contracts.Pool, tokenIn)).wait();
    await (await pair.swap(tokenIs0 ? 0n : out, tokenIs0 ? out : 0n, who, "0x")).wait();
  }
}

/**
 * One swap through the UniswapV3Trader that the pool's price limit stops on the target: the trader
 * is funded and approves exactly what the keeper's tick-math mirror says the pool takes to get there.
 */
async function pushV3Price(book: LocalBook, trader: Signer, bps: number, traderContract: string): Promise<void> {
  const pool = IUniswapV3PoolMinimal__factory.connect(book.contracts.Pool, trader);
  const tokenIsToken0 = isStable(book, await pool.token0());
  const target = sqrtPriceForQuotePerToken((WAD * (BPS + BigInt(bps))) / BPS, tokenIsToken0, TOKEN_UNIT, QUOTE_UNIT);
  const { state } = await readV3PoolState(pool, V3_BITMAP_WORDS_EACH_SIDE);
  const trade = swapToPrice(state, target);
  if (trade === null) return;
  // Paying token0 lowers the pool's raw price (token1 per token0).
  const zeroForOne = target < state.sqrtPriceX96;
  const amountIn = zeroForOne ? trade.amount0 : trade.amount1;
  const sellsToken = zeroForOne === tokenIsToken0;
  if (sellsToken) await mintTokens(book, trader, amountIn);
  else
    await (
      await TestERC20__factory.connect(book.contracts.USDC, trader).mint(await trader.getAddress(), amountIn)
    ).wait();
  const paid = sellsToken
    ? BallastDollar__factory.connect(book.contracts.BallastDollar, trader)
    : TestERC20__factory.connect(book.contracts.USDC, trader);
  await (await paid.approve(traderContract, amountIn)).wait();
  const router = UniswapV3Trader__factory.connect(traderContract, trader);
  // "Everything", stopped by the limit: an exact input would stop at the last liquidity's edge short of a target beyond it.
  await (await router.swap(book.contracts.Pool, zeroForOne, MAX_INT256, target)).wait();
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
