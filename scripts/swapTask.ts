/**
 * `ballast:swap`: buy or sell the token on the venue's pool to move its price (local networks).
 * On the V2 pair, without a router on chain, this pays into the pair and swaps in two transactions,
 * which is safe only on a chain no one else uses, hence local networks only. On a V3 pool it swaps
 * through a UniswapV3Trader, which pays the pool's callback: the deployment record's
 * (`extra.UniswapV3Trader`), or one deployed for the purpose.
 */
import { formatUnits, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectContract } from "../deploy/contracts";
import { parseAmount, parseChoice } from "./lib/args";
import { UserError, expectedFailure, out, runTask } from "./lib/cli";
import { loadSystem, requireLocalNetwork, resolveSigner, type SystemContext } from "./lib/context";
import { simulateThenSend } from "./lib/tx";
import { swapOnV3 } from "./lib/v3Swap";
import { readDeploymentRecord } from "../deploy/addressBook";
import type { UniswapV3Trader } from "../typechain-types/contracts/test/UniswapV3Trader";

export interface SwapArgs {
  side: string;
  amount: string;
  from?: string;
}

const WAD = 10n ** 18n;

interface PoolState {
  tokenIs0: boolean;
  reserveToken: bigint;
  reserveQuote: bigint;
}

async function poolState(ctx: SystemContext): Promise<PoolState> {
  const [r0, r1] = (await ctx.pool.getReserves()) as [bigint, bigint, bigint];
  const tokenIs0 = (await ctx.pool.token0()).toLowerCase() === ctx.book.contracts.BallastDollar.toLowerCase();
  return { tokenIs0, reserveToken: tokenIs0 ? r0 : r1, reserveQuote: tokenIs0 ? r1 : r0 };
}

/** Pool price, quote per token in WAD (both sides in whole units). */
const poolPriceWad = (p: PoolState, quoteDecimals: bigint) =>
  (p.reserveQuote * 10n ** (18n - quoteDecimals) * WAD) / p.reserveToken;

/** The deployment's UniswapV3Trader when it has one with code, else a new one (local networks only). */
async function v3Trader(hre: HardhatRuntimeEnvironment, ctx: SystemContext, signer: Signer): Promise<UniswapV3Trader> {
  let recorded: string | undefined;
  try {
    recorded = readDeploymentRecord(ctx.network).extra.UniswapV3Trader;
  } catch {
    /* no deployment record (a hand-written address book): deploy a trader below */
  }
  if (recorded !== undefined && (await hre.ethers.provider.getCode(recorded)) !== "0x") {
    return (await hre.ethers.getContractAt("UniswapV3Trader", recorded, signer)) as unknown as UniswapV3Trader;
  }
  const deployed = await (await hre.ethers.deployContract("UniswapV3Trader", signer)).waitForDeployment();
  out(`deployed a UniswapV3Trader at ${await deployed.getAddress()} to pay the pool (the deployment records none)`);
  return deployed as unknown as UniswapV3Trader;
}

export async function swapTask(hre: HardhatRuntimeEnvironment, args: SwapArgs): Promise<void> {
  await runTask(async () => {
    requireLocalNetwork(hre, "ballast:swap");
    const side = parseChoice("--side", args.side, ["buy", "sell"] as const);
    const ctx = await loadSystem(hre);
    const signer = await resolveSigner(hre, args.from);
    const who = await signer.getAddress();
    const quote = connectContract("TestERC20", ctx.book.contracts.USDC, signer);
    const quoteDecimals = await quote.decimals();
    // Buying pays quote for tokens; selling pays tokens for quote. `--amount` is what is paid.
    const payToken = side === "buy" ? quote : ctx.stable.connect(signer);
    const paySymbol = side === "buy" ? "USDC" : "BLD";
    const payDecimals = side === "buy" ? Number(quoteDecimals) : 18;
    const amountIn = parseAmount("--amount", args.amount, payDecimals);
    const balance = await payToken.balanceOf(who);
    if (amountIn > balance) {
      throw new UserError(
        `--amount ${args.amount} ${paySymbol} is more than the balance of ${who} (${formatUnits(
          balance,
          payDecimals,
        )} ${paySymbol})`,
      );
    }

    if (ctx.v3Pool !== null) {
      const trader = await v3Trader(hre, ctx, signer);
      const v3 = await swapOnV3(ctx, signer, trader, side, amountIn);
      const gotSymbol = side === "buy" ? "BLD" : "USDC";
      const gotDecimals = side === "buy" ? 18 : Number(quoteDecimals);
      out(
        `${side === "buy" ? "bought" : "sold"} BLD: paid ${formatUnits(
          v3.amountIn,
          payDecimals,
        )} ${paySymbol}, received ${formatUnits(v3.amountOut, gotDecimals)} ${gotSymbol}`,
      );
      out(
        `pool price ${formatUnits(v3.priceBeforeWad, 18)} -> ${formatUnits(
          v3.priceAfterWad,
          18,
        )} USDC per BLD (Uniswap V3)`,
      );
      out(`tx ${v3.approvalHash === null ? "" : `${v3.approvalHash} (approval), `}${v3.swapHash} (swap)`);
      return;
    }

    const before = await poolState(ctx);
    const [reserveIn, reserveOut] =
      side === "buy" ? [before.reserveQuote, before.reserveToken] : [before.reserveToken, before.reserveQuote];
    // Uniswap V2's constant-product output with its 0.3% fee, rounded down as the pair requires.
    const amountOut = (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);
    if (amountOut === 0n)
      throw new UserError(`--amount ${args.amount} ${paySymbol} is too small to buy anything from the pool`);
    const outIsToken0 = side === "buy" ? before.tokenIs0 : !before.tokenIs0;

    const paid = await simulateThenSend(
      `pay ${paySymbol} into the pool`,
      [],
      payToken.transfer,
      ctx.book.contracts.Pool,
      amountIn,
    );
    const pool = ctx.pool.connect(signer);
    const swap = pool.getFunction("swap");
    const swapped = await simulateThenSend(
      "swap",
      [`payment ${paid.hash}`],
      swap,
      outIsToken0 ? amountOut : 0n,
      outIsToken0 ? 0n : amountOut,
      who,
      "0x",
    );

    const after = await poolState(ctx);
    const gotSymbol = side === "buy" ? "BLD" : "USDC";
    const gotDecimals = side === "buy" ? 18 : Number(quoteDecimals);
    out(
      `${side === "buy" ? "bought" : "sold"} BLD: paid ${formatUnits(
        amountIn,
        payDecimals,
      )} ${paySymbol}, received ${formatUnits(amountOut, gotDecimals)} ${gotSymbol}`,
    );
    out(
      `pool price ${formatUnits(poolPriceWad(before, quoteDecimals), 18)} -> ${formatUnits(
        poolPriceWad(after, quoteDecimals),
        18,
      )} USDC per BLD`,
    );
    out(`tx ${paid.hash} (payment), ${swapped.hash} (swap)`);
  }, expectedFailure);
}
