/**
 * The whole system on the Uniswap V3 venue, in process, deployed through the one deploy wiring: the
 * same contracts and actors as the V2 fixture, with the real V3 pool at the 0.01% tier,
 * PriceOracleV3, and the LiquidityManager holding protocol-owned liquidity around the peg next to a
 * market maker's position.
 */
import hre from "hardhat";
import { MaxUint256, parseUnits } from "ethers";
import {
  LOCAL_ACCOUNTS,
  LOCAL_V3_PARAMS,
  networkDeployConfig,
  type BallastParams,
  type LocalNetworkConfig,
} from "../../deploy/parameters";
import { V3_SEED_MARKET_RANGE_BPS, V3_SEED_POL_QUOTE, type LocalV3Venue } from "../../deploy/v3Launch";
import { DEFAULT_V3_VENUE, type V3VenueParams } from "../../deploy/venue";
import { UniswapV3Trader__factory, type UniswapV3Trader } from "../../typechain-types";
import * as v3 from "../../keeper/src/policy/v3";
import { actors, type Actors } from "./fixture";
import { connectLocalSystem, deployInProcess, type LocalSystem } from "./deploy";

export const WAD = 10n ** 18n;
/** Protocol-owned liquidity the deploy seeds, whole quote units (rule 7 allows it at the seed equity). */
export const FIXTURE_POL_QUOTE = V3_SEED_POL_QUOTE;
/** Protocol equity the deploy contributes, whole quote units: room for the seed and the tests' adds. */
export const FIXTURE_EQUITY = LOCAL_V3_PARAMS.seedEquity;
/** The market maker's half-width around the peg, bps. */
export const FIXTURE_MARKET_RANGE_BPS = V3_SEED_MARKET_RANGE_BPS;

export type V3Fixture = LocalSystem &
  Actors & {
    params: BallastParams;
    usdc: LocalSystem["quote"];
    v3: LocalV3Venue;
    router: UniswapV3Trader;
  };

/** The local deploy configuration on the V3 venue `venue`, funding the fixture's user, arbitrageur and trader with USDC. */
function fixtureConfig(venue: V3VenueParams): LocalNetworkConfig {
  const local = networkDeployConfig("localhost");
  if (local.kind !== "local") throw new Error("the localhost deploy configuration must be local");
  return {
    ...local,
    params: { ...LOCAL_V3_PARAMS, venue },
    funding: {
      accounts: [LOCAL_ACCOUNTS.user, LOCAL_ACCOUNTS.arbitrageur, LOCAL_ACCOUNTS.trader],
      amountBySymbol: { USDC: "5000000" },
    },
  };
}

/**
 * Deploys as `npm run deploy -- --venue v3` does (the Ignition module, the pool launched at the peg
 * with the market maker's and the protocol's positions, the TWAP window warmed, the wiring
 * checked), then lets the actors trade through the market maker's router.
 */
export async function deployV3SystemWith(venue: V3VenueParams, deployerAccount?: number): Promise<V3Fixture> {
  const signers = await hre.ethers.getSigners();
  // Another deployer (it also administers) lands the contracts elsewhere, so the pool's token order may differ.
  const a = { ...(await actors()), ...(deployerAccount !== undefined && { admin: signers[deployerAccount] }) };
  const config: LocalNetworkConfig = { ...fixtureConfig(venue), deployerAccount };
  const outcome = await deployInProcess(hre, { config });
  const system = connectLocalSystem(outcome, config.params, a.admin);
  if (!system.v3) throw new Error("the deploy did not deploy the V3 venue");
  const [usdc] = system.collaterals;
  const router = UniswapV3Trader__factory.connect(outcome.record.extra.UniswapV3Trader, a.admin);
  for (const actor of [a.user, a.arbitrageur, a.trader]) {
    await usdc.token.connect(actor).approve(await router.getAddress(), MaxUint256);
    await system.stable.connect(actor).approve(await router.getAddress(), MaxUint256);
  }
  return { ...system, ...a, params: config.params, usdc, v3: system.v3, router };
}

export async function deployV3SystemFixture(): Promise<V3Fixture> {
  return deployV3SystemWith(DEFAULT_V3_VENUE);
}

export async function deployV3Tier500Fixture(): Promise<V3Fixture> {
  return deployV3SystemWith({ ...DEFAULT_V3_VENUE, feePips: 500 });
}

/** Accounts from here on are spare: the fixtures' role-named actors and automation parties use 0…9. */
const FIRST_SPARE_ACCOUNT = 10;

/**
 * Deploys from the fixtures' deployer, then from spare accounts, until `done` holds of the systems so
 * far. The pool sorts its tokens by address, so which side the stable token takes depends on where
 * a deploy lands: another deployer lands elsewhere.
 */
async function deployUntil(done: (systems: V3Fixture[]) => boolean, wanted: string): Promise<V3Fixture[]> {
  const spare = (await hre.ethers.getSigners()).length - FIRST_SPARE_ACCOUNT;
  const systems: V3Fixture[] = [];
  for (const account of [undefined, ...Array.from({ length: spare }, (_, i) => FIRST_SPARE_ACCOUNT + i)]) {
    systems.push(await deployV3SystemWith(DEFAULT_V3_VENUE, account));
    if (done(systems)) return systems;
  }
  throw new Error(`no account's deploy put the stable token as the pool's ${wanted}`);
}

/** The V3 system with the stable token on the given side of the pool. */
export async function deployV3SystemWithTokenOrder(tokenIsToken0: boolean): Promise<V3Fixture> {
  const side = (f: V3Fixture) => f.v3.tokenIsToken0 === tokenIsToken0;
  return (await deployUntil((s) => s.some(side), `token${tokenIsToken0 ? 0 : 1}`)).find(side)!;
}

/**
 * Two V3 systems on one chain, the stable token as the pool's token0 in one and token1 in the other:
 * a file that tests both orders deploys each once (behind loadFixture) instead of deploying, per
 * order, until one lands on its side.
 */
export async function deployV3SystemsByTokenOrder(): Promise<{ token0: V3Fixture; token1: V3Fixture }> {
  const systems = await deployUntil(
    (s) => s.some((f) => f.v3.tokenIsToken0) && s.some((f) => !f.v3.tokenIsToken0),
    "token0 and as its token1",
  );
  return { token0: systems.find((f) => f.v3.tokenIsToken0)!, token1: systems.find((f) => !f.v3.tokenIsToken0)! };
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
