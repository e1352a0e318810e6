/**
 * The whole system on the Uniswap V3 venue, in process: the same contracts and actors as the V2
 * fixture, with the real V3 pool at the 0.01% tier, PriceOracleV3, and the LiquidityManager
 * holding protocol-owned liquidity around the peg next to a market maker's position.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { LOCAL_PARAMS, type BallastParams } from "../../deploy/parameters";
import { deployLocalSystem, type LocalSystem } from "../../deploy/system";
import { seedV3PoolAtPeg, type LocalV3Venue } from "../../deploy/systemV3";
import { DEFAULT_V3_VENUE, type V3VenueParams } from "../../deploy/venue";
import type { UniswapV3Trader } from "../../typechain-types";
import * as v3 from "../../keeper/src/policy/v3";
import { actors, refreshFeeds, type Actors } from "./fixture";

export const WAD = 10n ** 18n;
/** Protocol-owned liquidity the fixture seeds, whole quote units (rule 7 allows it at the seed ratio). */
export const FIXTURE_POL_QUOTE = "20000";
/** Protocol equity the fixture contributes, whole quote units: room for the seed and the tests' adds. */
export const FIXTURE_EQUITY = "150000";
/** The market maker's half-width around the peg, bps. */
export const FIXTURE_MARKET_RANGE_BPS = 50;

export type V3Fixture = LocalSystem & Actors & {
  params: BallastParams;
  usdc: LocalSystem["quote"];
  v3: LocalV3Venue;
  router: UniswapV3Trader;
};

/** The V3 system deployed (and administered) by `deployer`, the fixtures' admin unless given. */
export async function deployV3SystemWith(venue: V3VenueParams, deployer?: Actors["admin"]): Promise<V3Fixture> {
  const a = { ...(await actors()), ...(deployer && { admin: deployer }) };
  const params: BallastParams = { ...LOCAL_PARAMS, venue };
  const system = await deployLocalSystem(params, { admin: a.admin, guardian: a.guardian.address, keeper: a.keeper.address });
  if (!system.v3) throw new Error("deployLocalSystem did not deploy the V3 venue");
  const [usdc] = system.collaterals;
  // Protocol equity first, so the ratio has room for the protocol's own liquidity (rule 7: the
  // Reserve does not count the position, so each add lowers the ratio it measures).
  const equity = parseUnits(FIXTURE_EQUITY, 6);
  await usdc.token.mint(a.admin.address, equity);
  await usdc.token.connect(a.admin).approve(await system.reserve.getAddress(), equity);
  await system.reserve.connect(a.admin).contribute(await usdc.token.getAddress(), equity);
  const router = await seedV3PoolAtPeg(system.v3, a.admin, system.stable, system.reserve, usdc, params.poolDepth, FIXTURE_POL_QUOTE, FIXTURE_MARKET_RANGE_BPS);
  for (const actor of [a.user, a.arbitrageur, a.trader]) {
    await usdc.token.mint(actor.address, parseUnits("5000000", 6));
    await usdc.token.connect(actor).approve(await router.getAddress(), MaxUint256);
    await system.stable.connect(actor).approve(await router.getAddress(), MaxUint256);
  }
  // The pool's own oracle needs one window of history; no keeper writes it.
  await time.increase(params.oracle.twapWindowSec);
  await refreshFeeds(system);
  return { ...system, ...a, params, usdc, v3: system.v3, router };
}

export async function deployV3SystemFixture(): Promise<V3Fixture> {
  return deployV3SystemWith(DEFAULT_V3_VENUE);
}

export async function deployV3Tier500Fixture(): Promise<V3Fixture> {
  return deployV3SystemWith({ ...DEFAULT_V3_VENUE, feePips: 500 });
}

/** Signers from here on are spare: the fixtures' role-named actors and automation parties use 0…9. */
const FIRST_SPARE_SIGNER = 10;

/**
 * The V3 system with the stable token on the given side of the pool. The pool sorts its tokens by
 * address, so the side depends on where the deployment lands: this deploys from the fixtures'
 * admin, then from spare signers, until the token sits where asked.
 */
export async function deployV3SystemWithTokenOrder(tokenIsToken0: boolean): Promise<V3Fixture> {
  const signers = await ethers.getSigners();
  for (const deployer of [signers[0], ...signers.slice(FIRST_SPARE_SIGNER)]) {
    const f = await deployV3SystemWith(DEFAULT_V3_VENUE, deployer);
    if (f.v3.tokenIsToken0 === tokenIsToken0) return f;
  }
  throw new Error(`no signer's deployment put the stable token as the pool's token${tokenIsToken0 ? 0 : 1}`);
}

/** The pool's spot, WAD quote per whole token. */
export async function v3Spot(f: V3Fixture): Promise<bigint> {
  return v3.quotePerTokenWad((await f.v3.pool.slot0()).sqrtPriceX96, f.v3.tokenIsToken0, WAD, 10n ** 6n);
}

/**
 * Moves the pool's price to `priceWad` (WAD quote per token) with one real swap by `who`: buys
 * tokens with USDC to push up, sells tokens (minted through the Reserve first) to push down.
 */
export async function pushV3PriceTo(f: V3Fixture, priceWad: bigint, who: Actors["trader"] = f.trader): Promise<void> {
  const target = v3.sqrtPriceForQuotePerToken(priceWad, f.v3.tokenIsToken0, WAD, 10n ** 6n);
  const slot0 = await f.v3.pool.slot0();
  if (target === slot0.sqrtPriceX96) return;
  const zeroForOne = target < slot0.sqrtPriceX96;
  // Selling token0 lowers the raw price; the token is token0 or token1.
  const sellsToken = zeroForOne === f.v3.tokenIsToken0;
  if (sellsToken) {
    const usdcIn = parseUnits("1500000", 6);
    await f.usdc.token.connect(who).approve(await f.reserve.getAddress(), usdcIn);
    await f.reserve.connect(who).mint(await f.usdc.token.getAddress(), usdcIn, 0, who.address);
  }
  await f.router.connect(who).swap(await f.v3.pool.getAddress(), zeroForOne, (1n << 255n) - 1n, target);
}
