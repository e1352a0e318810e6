/**
 * The Uniswap V3 venue of a local system: the real v3-core factory (the 0.01% tier enabled when
 * asked for), the token/quote pool initialised at the peg with its observation cardinality raised
 * to cover the TWAP window, the PriceOracleV3 that reads it, the LiquidityManager holding
 * protocol-owned liquidity around the peg, and the seed: a market maker's position around the peg
 * plus the protocol's own.
 */
import { parseUnits, type Signer } from "ethers";
import {
  LiquidityManager__factory,
  MarketOperatorV3__factory,
  UniswapV3Quote__factory,
  PriceOracleV3__factory,
  UniswapV3Trader__factory,
  type BallastDollar,
  type LiquidityManager,
  type MarketOperatorV3,
  type PriceOracleV3,
  type Reserve,
  type TestERC20,
  type UniswapV3Trader,
} from "../typechain-types";
import { amountsForLiquidity, getSqrtRatioAtTick, liquidityForAmount1, liquidityForAmount0, sqrtPriceForQuotePerToken } from "../keeper/src/policy/v3";
import type { CollateralParams } from "./parameters";
import { createV3Pool, deployV3Factory, enableLocalTier, type UniswapV3FactoryContract, type UniswapV3PoolContract } from "./uniswapV3";
import { V3_FACTORY_DEFAULT_TIERS, V3_TICK_SPACING, checkV3Venue, polRange, type V3VenueParams } from "./venue";

const WAD = 10n ** 18n;

/** Tiers a local deploy can use: the factory's own plus the 0.01% tier it enables. */
export const LOCAL_V3_TIERS: readonly number[] = [100, ...V3_FACTORY_DEFAULT_TIERS];

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

/** Factory, pool at the peg (cardinality raised) and the oracle reading it. */
export async function deployV3Pool(
  admin: Signer, venue: V3VenueParams, stable: BallastDollar, quote: TestERC20, quoteDecimals: number, twapWindowSec: number,
): Promise<{ factory: UniswapV3FactoryContract; pool: LocalV3Venue["pool"]; tokenIsToken0: boolean; oracle: PriceOracleV3 }> {
  const adminAddress = await admin.getAddress();
  const factory = await deployV3Factory(admin);
  await enableLocalTier(factory, venue.feePips);
  const stableAddress = await stable.getAddress();
  const quoteAddress = await quote.getAddress();
  const tokenIsToken0 = stableAddress.toLowerCase() < quoteAddress.toLowerCase();
  const pool = await createV3Pool(
    factory, admin, stableAddress, quoteAddress, venue.feePips, pegSqrtPriceX96(tokenIsToken0, quoteDecimals), venue.observationCardinality,
  );
  const oracle = await new PriceOracleV3__factory(admin).deploy(adminAddress, await pool.getAddress(), stableAddress, quoteAddress, twapWindowSec);
  return { factory, pool, tokenIsToken0, oracle };
}

/** MarketOperatorV3 (the same constructor as MarketOperator) with UniswapV3Quote deployed and linked. */
export async function deployMarketOperatorV3(
  admin: Signer, args: Parameters<MarketOperatorV3__factory["deploy"]>,
): Promise<MarketOperatorV3> {
  const quote = await (await new UniswapV3Quote__factory(admin).deploy()).waitForDeployment();
  const libraries = { "contracts/venues/UniswapV3Quote.sol:UniswapV3Quote": await quote.getAddress() };
  return new MarketOperatorV3__factory(libraries, admin).deploy(...args);
}

/** The LiquidityManager with its rights: mint the token, draw quote from the Reserve; the keeper operates it. */
export async function deployLiquidityManager(
  admin: Signer, venue: V3VenueParams, stable: BallastDollar, oracle: { getAddress(): Promise<string> }, reserve: Reserve, keeper: string,
): Promise<LiquidityManager> {
  const lm = await new LiquidityManager__factory(admin).deploy(
    await admin.getAddress(), await stable.getAddress(), await oracle.getAddress(), await reserve.getAddress(),
    venue.polRangeBps, parseUnits(venue.polMaxQuote, 18),
  );
  const lmAddress = await lm.getAddress();
  await (await stable.grantRole(await stable.MINTER_ROLE(), lmAddress)).wait();
  await (await reserve.grantRole(await reserve.OPERATOR_ROLE(), lmAddress)).wait();
  await (await lm.grantRole(await lm.OPERATOR_ROLE(), keeper)).wait();
  return lm;
}

/** Liquidity in [tickLower, tickUpper) whose quote side at the current price is `quoteAmount`. */
export function liquidityForQuote(
  sqrtPriceX96: bigint, tickLower: number, tickUpper: number, tokenIsToken0: boolean, quoteAmount: bigint,
): bigint {
  const lower = getSqrtRatioAtTick(tickLower);
  const upper = getSqrtRatioAtTick(tickUpper);
  // Quote is token1 below the price (range [lower, price]), token0 above it ([price, upper]).
  return tokenIsToken0 ? liquidityForAmount1(lower, sqrtPriceX96, quoteAmount) : liquidityForAmount0(sqrtPriceX96, upper, quoteAmount);
}

/**
 * Seeds the V3 pool around the peg: a market maker (the admin, through a UniswapV3Trader) puts
 * `depth` whole quote units and the matching tokens in ±`marketRangeBps`; then the protocol adds
 * `polQuote` whole quote units of its own liquidity in its range (the admin holds OPERATOR_ROLE
 * for that one call). Tokens for the market maker are minted through the Reserve at the peg.
 */
export async function seedV3PoolAtPeg(
  v: LocalV3Venue, admin: Signer, stable: BallastDollar, reserve: Reserve, quote: { token: TestERC20; params: CollateralParams },
  depth: string, polQuote: string, marketRangeBps: number,
): Promise<UniswapV3Trader> {
  const adminAddress = await admin.getAddress();
  const trader = await new UniswapV3Trader__factory(admin).deploy();
  const traderAddress = await trader.getAddress();
  const slot0 = await v.pool.slot0();
  const spacing = V3_TICK_SPACING[v.params.feePips];
  const market = polRange(Number(slot0.tick), marketRangeBps, spacing);
  const quoteSide = parseUnits(depth, quote.params.decimals);
  const liquidity = liquidityForQuote(slot0.sqrtPriceX96, market.tickLower, market.tickUpper, v.tokenIsToken0, quoteSide);
  const owed = amountsForLiquidity(slot0.sqrtPriceX96, Number(slot0.tick), market.tickLower, market.tickUpper, liquidity, true);
  const [tokenOwed, quoteOwed] = v.tokenIsToken0 ? [owed.amount0, owed.amount1] : [owed.amount1, owed.amount0];

  // Tokens at the peg through the Reserve (haircut and fee: deposit a little more than the tokens' value).
  const q = quote.params;
  const tokenValueInQuote = (tokenOwed * 10n ** BigInt(q.decimals) + WAD - 1n) / WAD; // rounded up
  const deposit = (tokenValueInQuote * 10_000n * 10_000n) / (BigInt(10_000 - q.haircutBps) * BigInt(10_000 - q.mintFeeBps)) + 1n;
  const reserveAddress = await reserve.getAddress();
  await (await quote.token.mint(adminAddress, deposit + quoteOwed)).wait();
  await (await quote.token.connect(admin).approve(reserveAddress, deposit)).wait();
  await (await reserve.connect(admin).mint(await quote.token.getAddress(), deposit, tokenOwed, adminAddress)).wait();
  await (await stable.connect(admin).approve(traderAddress, tokenOwed)).wait();
  await (await quote.token.connect(admin).approve(traderAddress, quoteOwed)).wait();
  await (await trader.mint(await v.pool.getAddress(), market.tickLower, market.tickUpper, liquidity)).wait();

  const lm = v.liquidityManager;
  const pol = await lm.rangeAtPeg();
  const polLiquidity = liquidityForQuote(slot0.sqrtPriceX96, Number(pol[0]), Number(pol[1]), v.tokenIsToken0, parseUnits(polQuote, q.decimals));
  const role = await lm.OPERATOR_ROLE();
  await (await lm.grantRole(role, adminAddress)).wait();
  await (await lm.addLiquidity(polLiquidity, (parseUnits(polQuote, 18) * 101n) / 100n, (parseUnits(polQuote, q.decimals) * 101n) / 100n)).wait();
  await (await lm.renounceRole(role, adminAddress)).wait();
  return trader;
}
