/**
 * Registers the `ballast:*` Hardhat tasks. Implementations load lazily inside each action: this
 * file is imported by hardhat.config.ts, which must load on a clean clone before TypeChain has
 * generated anything. Amounts are strings in whole units, parsed by the tasks themselves so that
 * a bad value gets one line naming the argument.
 */
import { task } from "hardhat/config";

const FROM_HELP = "Account to act as: an index of the node's accounts or an address (default: the first account)";

task("ballast:deploy", "Deploys Ballast to --network and writes deployments/<network>.json")
  .addOptionalParam(
    "venue",
    "The market venue: v2 (the Uniswap V2 pair) or v3 (a Uniswap V3 pool with protocol-owned liquidity); default: the network's configuration",
  )
  .setAction(async (args: { venue?: string }, hre) => {
    const { deployTask } = await import("./deployTask");
    await deployTask(hre, args.venue);
  });

task("ballast:status", "Shows pool price, deviation, supply, reserve, ratios, caps, cooldowns and pause flags")
  .addFlag("json", "Print one JSON object instead of the table")
  .setAction(async (args: { json: boolean }, hre) => {
    const { statusTask } = await import("./statusTask");
    await statusTask(hre, args);
  });

task("ballast:mint", "Deposits collateral into the Reserve and mints BLD at the peg")
  .addParam("asset", "Collateral: USDC, WETH or a listed asset's address")
  .addParam("amount", "Collateral to deposit, whole units (e.g. 1000 or 0.5)")
  .addOptionalParam("slippageBps", "Accepted shortfall from the preview, basis points", "50")
  .addOptionalParam("from", FROM_HELP)
  .setAction(async (args, hre) => {
    const { mintTask } = await import("./mintRedeemTasks");
    await mintTask(hre, args);
  });

task("ballast:redeem", "Burns BLD at the Reserve for collateral at the peg")
  .addParam("asset", "Collateral to receive: USDC, WETH or a listed asset's address")
  .addParam("amount", "BLD to redeem, whole units")
  .addOptionalParam("slippageBps", "Accepted shortfall from the preview, basis points", "50")
  .addOptionalParam("from", FROM_HELP)
  .setAction(async (args, hre) => {
    const { redeemTask } = await import("./mintRedeemTasks");
    await redeemTask(hre, args);
  });

task("ballast:swap", "Buys or sells BLD on the venue's pool (Uniswap V2 or V3) to move its price (local networks)")
  .addParam("side", "buy (pay USDC, get BLD: price up) or sell (pay BLD, get USDC: price down)")
  .addParam("amount", "What is paid, whole units: USDC when buying, BLD when selling")
  .addOptionalParam("from", FROM_HELP)
  .setAction(async (args, hre) => {
    const { swapTask } = await import("./swapTask");
    await swapTask(hre, args);
  });

task("ballast:set-price", "Posts a price to a local MockV3Aggregator feed (local networks only)")
  .addParam("asset", "Collateral whose feed to set: USDC, WETH or a listed asset's address")
  .addParam("price", "New price in USD, e.g. 0.98 or 2500")
  .addOptionalParam("from", FROM_HELP)
  .setAction(async (args, hre) => {
    const { setPriceTask } = await import("./setPriceTask");
    await setPriceTask(hre, args);
  });
