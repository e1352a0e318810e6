import { ethers } from "hardhat";
import { MaxUint256 } from "ethers";
import { TestERC20__factory, UniswapV3Trader__factory } from "../../typechain-types";
import { createV3Pool, deployV3Factory, enableLocalTier } from "../../deploy/uniswapV3";
import { V3_TICK_SPACING } from "../../deploy/venue";
import * as v3 from "../../keeper/src/policy/v3";

const WAD = 10n ** 18n;

/**
 * A bare real Uniswap V3 pool of an 18-decimal token against a 6-decimal quote at `feePips`,
 * initialised at a price of 1 and with no liquidity yet, and a funded UniswapV3Trader that mints
 * positions and swaps on it for the first signer.
 */
export async function freshV3Pool(feePips: number) {
  const [admin] = await ethers.getSigners();
  const token = await new TestERC20__factory(admin).deploy("Ballast (test)", "BAL", 18);
  const usdc = await new TestERC20__factory(admin).deploy("USD Coin (test)", "USDC", 6);
  const factory = await deployV3Factory(admin);
  await enableLocalTier(factory, feePips);
  const tokenAddress = await token.getAddress();
  const usdcAddress = await usdc.getAddress();
  const tokenIsToken0 = tokenAddress.toLowerCase() < usdcAddress.toLowerCase();
  const sqrtPeg = v3.sqrtPriceForQuotePerToken(WAD, tokenIsToken0, WAD, 10n ** 6n);
  const pool = await createV3Pool(factory, admin, tokenAddress, usdcAddress, feePips, sqrtPeg, 10);
  const trader = await new UniswapV3Trader__factory(admin).deploy();
  for (const t of [token, usdc]) {
    await t.mint(admin.address, 10n ** 40n);
    await t.approve(await trader.getAddress(), MaxUint256);
  }
  const spacing = V3_TICK_SPACING[feePips];
  const pegTick = Number((await pool.slot0()).tick);
  /** `t` rounded down to an initializable tick. */
  const snap = (t: number) => Math.floor(t / spacing) * spacing;
  return { admin, pool, trader, tokenIsToken0, spacing, feePips, poolAddress: await pool.getAddress(), pegTick, snap };
}
