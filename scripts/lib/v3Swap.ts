/**
 * A swap on the Uniswap V3 venue for `ballast:swap`: an exact-input trade through the pool itself,
 * paid in its callback by a UniswapV3Trader (contracts/test: the part a router plays, holding
 * nothing between calls). No price limit beyond the pool's own range: the local market trader
 * moves the price as far as the amount takes it.
 */
import type { Signer } from "ethers";
import type { UniswapV3Trader } from "../../typechain-types/contracts/test/UniswapV3Trader";
import { connectContract } from "../../deploy/contracts";
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, quotePerTokenWad } from "../../keeper/src/policy/v3";
import { UserError } from "./cli";
import type { SystemContext } from "./context";
import { simulateThenSend } from "./tx";

const WAD = 10n ** 18n;

export interface V3SwapOutcome {
  /** What the pool took (≤ the amount asked when its liquidity ran out) and paid, base units. */
  amountIn: bigint;
  amountOut: bigint;
  /** The pool's price before and after, WAD quote per whole token. */
  priceBeforeWad: bigint;
  priceAfterWad: bigint;
  /** The approval of the trader, when one was needed. */
  approvalHash: string | null;
  swapHash: string;
}

/** `side` buy pays quote for tokens (the price rises), sell pays tokens for quote. */
export async function swapOnV3(ctx: SystemContext, signer: Signer, trader: UniswapV3Trader, side: "buy" | "sell", amountIn: bigint): Promise<V3SwapOutcome> {
  const pool = ctx.v3Pool;
  if (pool === null) throw new UserError(`the venue of ${ctx.network} is the Uniswap V2 pair, not a V3 pool`);
  const who = await signer.getAddress();
  const quote = connectContract("TestERC20", ctx.book.contracts.USDC, signer);
  const [token0, quoteDecimals] = await Promise.all([pool.token0(), quote.decimals()]);
  const tokenIsToken0 = token0.toLowerCase() === ctx.book.contracts.BallastDollar.toLowerCase();
  const price = async () => quotePerTokenWad((await pool.slot0()).sqrtPriceX96, tokenIsToken0, WAD, 10n ** quoteDecimals);

  const payToken = side === "buy" ? quote : ctx.stable.connect(signer);
  // Paying token0 lowers the pool's raw price (token1 per token0).
  const zeroForOne = side === "buy" ? !tokenIsToken0 : tokenIsToken0;
  const limit = zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n;
  const traderAddress = await trader.getAddress();
  let approvalHash: string | null = null;
  if ((await payToken.allowance(who, traderAddress)) < amountIn) {
    approvalHash = (await simulateThenSend("approve the V3 trader", [], payToken.approve, traderAddress, amountIn)).hash;
  }
  const priceBeforeWad = await price();
  const sent = await simulateThenSend("swap", approvalHash ? [`approval ${approvalHash}`] : [], trader.connect(signer).swap, await pool.getAddress(), zeroForOne, amountIn, limit);
  const [amount0, amount1] = sent.result;
  const [paid, received] = zeroForOne ? [amount0, -amount1] : [amount1, -amount0];
  return { amountIn: paid, amountOut: received, priceBeforeWad, priceAfterWad: await price(), approvalHash, swapHash: sent.hash };
}
