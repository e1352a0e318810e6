/**
 * The market venue for `ballast:status`: the Uniswap V2 pair, or the Uniswap V3 pool with its
 * price, tick, in-range liquidity and the protocol-owned position (the address book's
 * LiquidityManager): its range as token prices and whether the price is inside it.
 */
import { connectContract } from "../../deploy/contracts";
import { ILiquidityManager__factory } from "../../typechain-types/factories/contracts/interfaces/ILiquidityManager__factory";
import { quotePerTokenWad, quotePerTokenWadAtTick } from "../../keeper/src/policy/v3";
import type { SystemContext } from "./context";

const WAD = 10n ** 18n;

export interface V3PositionStatus {
  address: string;
  tickLower: number;
  tickUpper: number;
  /** The range as token prices, WAD quote per whole token (before the quote feed), low to high. */
  lowPrice: string;
  highPrice: string;
  liquidity: string;
  /** The pool's tick is inside [tickLower, tickUpper): the position earns fees and holds the price. */
  inRange: boolean;
}

export type VenueStatus =
  | { kind: "v2"; pool: string }
  | {
    kind: "v3";
    pool: string;
    feePips: number;
    tick: number;
    /** The pool's own price, WAD quote per whole token (before the quote feed). */
    poolPrice: string;
    /** Liquidity active at the current tick. */
    liquidity: string;
    /** Null when the address book names no LiquidityManager. */
    position: V3PositionStatus | null;
  };

export async function readVenueStatus(ctx: SystemContext, warnings: string[]): Promise<VenueStatus> {
  const pool = ctx.v3Pool;
  if (pool === null) return { kind: "v2", pool: ctx.book.contracts.Pool };
  const provider = ctx.hre.ethers.provider;
  const [slot0, liquidity, fee, token0, quoteDecimals] = await Promise.all([
    pool.slot0(),
    pool.liquidity(),
    pool.fee(),
    pool.token0(),
    connectContract("TestERC20", ctx.book.contracts.USDC, provider).decimals(),
  ]);
  const tokenIsToken0 = token0.toLowerCase() === ctx.book.contracts.BallastDollar.toLowerCase();
  const quoteUnit = 10n ** quoteDecimals;
  const tick = Number(slot0.tick);
  let position: V3PositionStatus | null = null;
  const manager = ctx.book.contracts.LiquidityManager;
  if (manager === undefined) {
    warnings.push("the address book names no LiquidityManager: the protocol-owned position is not shown");
  } else {
    const lm = ILiquidityManager__factory.connect(manager, provider);
    const [lower, upper, positionLiquidity] = await Promise.all([lm.tickLower(), lm.tickUpper(), lm.positionLiquidity()]);
    const prices = [Number(lower), Number(upper)].map((t) => quotePerTokenWadAtTick(t, tokenIsToken0, WAD, quoteUnit)).sort((a, b) => (a < b ? -1 : 1));
    position = {
      address: manager,
      tickLower: Number(lower),
      tickUpper: Number(upper),
      lowPrice: prices[0].toString(),
      highPrice: prices[1].toString(),
      liquidity: positionLiquidity.toString(),
      inRange: positionLiquidity > 0n && Number(lower) <= tick && tick < Number(upper),
    };
  }
  return {
    kind: "v3",
    pool: ctx.book.contracts.Pool,
    feePips: Number(fee),
    tick,
    poolPrice: quotePerTokenWad(slot0.sqrtPriceX96, tokenIsToken0, WAD, quoteUnit).toString(),
    liquidity: liquidity.toString(),
    position,
  };
}
