/**
 * The launch of a local Uniswap V3 venue after the Ignition module has deployed it: the pool
 * initialised at the peg (its price depends on the token order, known only once the tokens exist),
 * its observation cardinality raised to cover the TWAP window, and the seed: the protocol's equity,
 * a market maker's position around the peg (the deployer, through the module's UniswapV3Trader)
 * and the protocol-owned position (the keeper, which holds the LiquidityManager's OPERATOR_ROLE).
 * Each step looks at the chain first, so a re-run against a launched venue sends nothing.
 */
import { parseUnits, type Signer } from "ethers";
import { amountsForLiquidity, liquidityForQuote, sqrtPriceForQuotePerToken } from "../keeper/src/policy/v3";
import {
  connectContract,
  type BallastDollar,
  type LiquidityManager,
  type Reserve,
  type TestERC20,
  type UniswapV3Trader,
} from "./contracts";
import type { CollateralParams } from "./parameters";
import {
  connectV3Pool,
  raiseCardinality,
  type UniswapV3FactoryContract,
  type UniswapV3PoolContract,
} from "./uniswapV3";
import { V3_FACTORY_DEFAULT_TIERS, V3_TICK_SPACING, checkV3Venue, polRange, type V3VenueParams } from "./venue";

const WAD = 10n ** 18n;

/** Tiers a local deploy can use: the factory's own plus the 0.01% tier it enables. */
export const LOCAL_V3_TIERS: readonly number[] = [100, ...V3_FACTORY_DEFAULT_TIERS];

/** The local seed: protocol-owned liquidity, whole quote units (rule 7 allows it at the seed equity). */
export const V3_SEED_POL_QUOTE = "20000";
/** The local seed: the market maker's half-width around the peg, bps. */
export const V3_SEED_MARKET_RANGE_BPS = 50;

export interface LocalV3Venue {
  params: V3VenueParams;
  factory: UniswapV3FactoryContract;
  pool: UniswapV3PoolContract & import("ethers").BaseContract;
  tokenIsToken0: boolean;
  liquidityManager: LiquidityManager;
}

/** Checks the venue before anything is sent; throws VenueParamError naming the parameter. */
export function checkLocalV3Venue(venue: V3VenueParams, twapWindowSec: number): void {
  checkV3Venue(venue, twapWindowSec, LOCAL_V3_TIERS);
}

/** The sqrt price of the peg for this pool's token order ($1 a token at a $1 quote feed). */
export function pegSqrtPriceX96(tokenIsToken0: boolean, quoteDecimals: number): bigint {
  return sqrtPriceForQuotePerToken(WAD, tokenIsToken0, WAD, 10n ** BigInt(quoteDecimals));
}

/** What the launch needs: the deployed venue and system, and who signs each part. */
export interface V3LaunchInput {
  venue: V3VenueParams;
  pool: string;
  stable: string;
  reserve: string;
  liquidityManager: string;
  quote: { token: string; params: CollateralParams };
  /** Deploys' admin: initialises the pool, contributes equity, makes the market. */
  admin: Signer;
  /** Holds the LiquidityManager's OPERATOR_ROLE: adds the protocol-owned position. */
  keeper: Signer;
  /** Absent: initialise and raise the cardinality only (an unseeded system). */
  seed?: { trader: string; depth: string; equity: string; polQuote: string; marketRangeBps: number };
}

/** Initialises the pool at the peg, raises its cardinality and (when asked) seeds it; idempotent. */
export async function launchLocalV3Venue(input: V3LaunchInput): Promise<void> {
  const pool = connectV3Pool(input.pool, input.admin);
  const tokenIsToken0 = (await pool.token0()).toLowerCase() === input.stable.toLowerCase();
  if ((await pool.slot0()).sqrtPriceX96 === 0n)
    await (await pool.initialize(pegSqrtPriceX96(tokenIsToken0, input.quote.params.decimals))).wait();
  await raiseCardinality(pool, input.venue.observationCardinality);
  const lm = connectContract("LiquidityManager", input.liquidityManager, input.keeper);
  if (!input.seed || (await lm.positionLiquidity()) !== 0n) return;

  const s = input.seed;
  const quote = connectContract("TestERC20", input.quote.token, input.admin);
  const reserve = connectContract("Reserve", input.reserve, input.admin);
  // Protocol equity first, so the ratio has room for the protocol's own liquidity (rule 7: each add
  // lowers the ratio the Reserve measures).
  const equity = parseUnits(s.equity, input.quote.params.decimals);
  await (await quote.mint(await input.admin.getAddress(), equity)).wait();
  await (await quote.approve(input.reserve, equity)).wait();
  await (await reserve.contribute(input.quote.token, equity)).wait();
  await seedV3PoolAtPeg(
    { params: input.venue, pool, tokenIsToken0, liquidityManager: lm },
    {
      marketMaker: input.admin,
      trader: connectContract("UniswapV3Trader", s.trader, input.admin),
      polOperator: input.keeper,
    },
    connectContract("BallastDollar", input.stable, input.admin),
    reserve,
    { token: quote, params: input.quote.params },
    s.depth,
    s.polQuote,
    s.marketRangeBps,
  );
}

/**
 * Seeds the V3 pool around the peg: a market maker (through a UniswapV3Trader) puts `depth` whole
 * quote units and the matching tokens in ±`marketRangeBps`; then the protocol adds `polQuote` whole
 * quote units of its own liquidity in its range (the LiquidityManager's operator sends it). Tokens
 * for the market maker are minted through the Reserve at the peg.
 */
export async function seedV3PoolAtPeg(
  v: Pick<LocalV3Venue, "params" | "pool" | "tokenIsToken0" | "liquidityManager">,
  actors: { marketMaker: Signer; trader: UniswapV3Trader; polOperator: Signer },
  stable: BallastDollar,
  reserve: Reserve,
  quote: { token: TestERC20; params: CollateralParams },
  depth: string,
  polQuote: string,
  marketRangeBps: number,
): Promise<void> {
  const maker = actors.marketMaker;
  const makerAddress = await maker.getAddress();
  const traderAddress = await actors.trader.getAddress();
  const slot0 = await v.pool.slot0();
  const spacing = V3_TICK_SPACING[v.params.feePips];
  const market = polRange(Number(slot0.tick), marketRangeBps, spacing);
  const quoteSide = parseUnits(depth, quote.params.decimals);
  const liquidity = liquidityForQuote(
    slot0.sqrtPriceX96,
    market.tickLower,
    market.tickUpper,
    v.tokenIsToken0,
    quoteSide,
  );
  const owed = amountsForLiquidity(
    slot0.sqrtPriceX96,
    Number(slot0.tick),
    market.tickLower,
    market.tickUpper,
    liquidity,
    true,
  );
  const [tokenOwed, quoteOwed] = v.tokenIsToken0 ? [owed.amount0, owed.amount1] : [owed.amount1, owed.amount0];

  // Tokens at the peg through the Reserve (haircut and fee: deposit a little more than the tokens' value).
  const q = quote.params;
  const tokenValueInQuote = (tokenOwed * 10n ** BigInt(q.decimals) + WAD - 1n) / WAD; // rounded up
  const deposit =
    (tokenValueInQuote * 10_000n * 10_000n) / (BigInt(10_000 - q.haircutBps) * BigInt(10_000 - q.mintFeeBps)) + 1n;
  const reserveAddress = await reserve.getAddress();
  await (await quote.token.connect(maker).mint(makerAddress, deposit + quoteOwed)).wait();
  await (await quote.token.connect(maker).approve(reserveAddress, deposit)).wait();
  await (await reserve.connect(maker).mint(await quote.token.getAddress(), deposit, tokenOwed, makerAddress)).wait();
  await (await stable.connect(maker).approve(traderAddress, tokenOwed)).wait();
  await (await quote.token.connect(maker).approve(traderAddress, quoteOwed)).wait();
  await (
    await actors.trader.connect(maker).mint(await v.pool.getAddress(), market.tickLower, market.tickUpper, liquidity)
  ).wait();

  const lm = v.liquidityManager.connect(actors.polOperator) as LiquidityManager;
  const pol = await lm.rangeAtPeg();
  const polLiquidity = liquidityForQuote(
    slot0.sqrtPriceX96,
    Number(pol[0]),
    Number(pol[1]),
    v.tokenIsToken0,
    parseUnits(polQuote, q.decimals),
  );
  await (
    await lm.addLiquidity(
      polLiquidity,
      (parseUnits(polQuote, 18) * 101n) / 100n,
      (parseUnits(polQuote, q.decimals) * 101n) / 100n,
    )
  ).wait();
}
