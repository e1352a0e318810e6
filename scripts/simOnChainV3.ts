/**
 * `--on-chain --venue v3`: the replay's Uniswap V3 side. The real V3 pool (the v3-core 1.0.1
 * bytecode) deployed as `npm run deploy -- --venue v3` deploys it (scripts/devnet/fixtureV3.ts),
 * and the model's pool built from that chain's own state: its price and tick, the market maker's
 * and the LiquidityManager's positions, its oracle's observations. From there both move by the
 * same trades: the scenario's flow through the trader's router, the keeper's operations through
 * MarketOperatorV3 (expandSupplyAtPrice / contractSupplyAtPrice, as the daemon sends them).
 */
import { Contract, parseUnits } from "ethers";
import { SIM_PARAMS_V3 } from "../deploy/parameters";
import { DEFAULT_V3_VENUE, V3_TICK_SPACING, polRange } from "../deploy/venue";
import { FIXTURE_MARKET_RANGE_BPS, type V3Fixture } from "./devnet/fixtureV3";
import { IUniswapV3PoolMinimal__factory, IUniswapV2PairMinimal__factory } from "../typechain-types";
import * as v3 from "../keeper/src/policy/v3";
import { Market, QUOTE_UNIT, TOKEN_UNIT } from "../keeper/sim/market";
import { V3Venue, type Observation } from "../keeper/sim/venues/v3";
import { POL_OWNER, V3Pool } from "../keeper/sim/venues/v3Pool";
import { polAmountsUsd } from "../keeper/sim/venues/polLedger";
import type { ModelMarketBase, ReplayVenue } from "./simOnChain";

/** The market maker's position key in the model (the deploy's seeded range). */
const MARKET_MAKER = "marketMaker";
/** The far limits of an unlimited trade on chain (the model's own stop is further than any replay's trade). */
const SQRT_LIMIT = { low: v3.MIN_SQRT_RATIO + 1n, high: v3.MAX_SQRT_RATIO - 1n };

/** The pool's oracle ring, oldest first: its initialized observations. */
async function observationsOf(f: V3Fixture): Promise<Observation[]> {
  const ring = new Contract(
    await f.v3.pool.getAddress(),
    ["function observations(uint256) view returns (uint32, int56, uint160, bool)"],
    f.v3.pool.runner,
  );
  // slot0: sqrtPriceX96, tick, observationIndex, observationCardinality, …
  const slot0 = await f.v3.pool.slot0();
  const [index, n] = [Number(slot0[2]), Number(slot0[3])];
  const out: Observation[] = [];
  // From the slot after the newest (the oldest once the ring has wrapped) round to the newest.
  for (let k = 1; k <= n; k++) {
    const [time, tickCumulative, , initialized] = await ring.observations((index + k) % n);
    if (initialized) out.push({ time: BigInt(time), tickCumulative: BigInt(tickCumulative) });
  }
  return out;
}

/**
 * The model's pool from the chain's: price, tick and oracle as read, the market maker's and the
 * protocol's positions at the liquidity the deploy minted them with (checked against the pool's
 * in-range liquidity).
 */
export async function v3PoolFromChain(f: V3Fixture, twapWindowSec: number): Promise<V3Pool> {
  const pool = f.v3.pool;
  const lm = f.v3.liquidityManager;
  const slot0 = await pool.slot0();
  const feePips = Number(await pool.fee());
  const venue = new V3Venue({
    feePips,
    tickSpacing: V3_TICK_SPACING[feePips],
    tokenIsToken0: f.v3.tokenIsToken0,
    tokenUnit: TOKEN_UNIT,
    quoteUnit: QUOTE_UNIT,
    priceWad: v3.quotePerTokenWad(slot0.sqrtPriceX96, f.v3.tokenIsToken0, TOKEN_UNIT, QUOTE_UNIT),
    startTime: 0n,
    cardinality: Number(slot0.observationCardinalityNext),
    twapWindowSec,
  });
  const head = await pool.runner!.provider!.getBlock("latest");
  venue.restore({
    sqrtPriceX96: slot0.sqrtPriceX96,
    tick: Number(slot0.tick),
    observations: await observationsOf(f),
    now: BigInt(head!.timestamp),
  });
  const market = polRange(Number(slot0.tick), FIXTURE_MARKET_RANGE_BPS, venue.init.tickSpacing);
  const mm = { owner: MARKET_MAKER, lower: market.tickLower, upper: market.tickUpper };
  venue.modifyPosition(
    mm.owner,
    mm.lower,
    mm.upper,
    v3.liquidityForQuote(slot0.sqrtPriceX96, mm.lower, mm.upper, f.v3.tokenIsToken0, parseUnits(f.params.poolDepth, 6)),
  );
  const pol = { owner: POL_OWNER, lower: Number(await lm.tickLower()), upper: Number(await lm.tickUpper()) };
  venue.modifyPosition(pol.owner, pol.lower, pol.upper, await lm.positionLiquidity());
  const chainLiquidity = await pool.liquidity();
  if (venue.liquidity !== chainLiquidity)
    throw new Error(
      `on-chain replay (v3): the model's in-range liquidity ${venue.liquidity} is not the pool's ${chainLiquidity}`,
    );
  return new V3Pool(venue, f.params.venue?.kind === "v3" ? f.params.venue : DEFAULT_V3_VENUE, pol, [mm]);
}

/** The replay on a deployed V3 system. */
export async function v3ReplayVenue(f: V3Fixture): Promise<ReplayVenue> {
  const poolAddress = await f.v3.pool.getAddress();
  const tokenIsToken0 = f.v3.tokenIsToken0;
  const price = async (): Promise<number> =>
    Number(v3.quotePerTokenWad((await f.v3.pool.slot0()).sqrtPriceX96, tokenIsToken0, TOKEN_UNIT, QUOTE_UNIT)) / 1e18;
  return {
    venue: "v3",
    f,
    params: SIM_PARAMS_V3,
    pool: {
      // The keeper reads the venue from the protocol: the pool as V3, token0() through the pair's ABI.
      pair: IUniswapV2PairMinimal__factory.connect(poolAddress, f.admin.provider),
      v3Pool: IUniswapV3PoolMinimal__factory.connect(poolAddress, f.admin.provider),
      tokenIsToken0,
    },
    async market(base: ModelMarketBase): Promise<Market> {
      const pool = await v3PoolFromChain(f, base.oracle.twapWindowSec);
      const m = new Market({ ...base, poolToken: 0n, poolQuote: 0n, v3: pool });
      pool.setTime(base.startTime);
      return m;
    },
    async sell(tokens: bigint): Promise<void> {
      await f.router
        .connect(f.trader)
        .swap(poolAddress, tokenIsToken0, tokens, tokenIsToken0 ? SQRT_LIMIT.low : SQRT_LIMIT.high);
    },
    async buy(quote: bigint): Promise<void> {
      await f.router
        .connect(f.trader)
        .swap(poolAddress, !tokenIsToken0, quote, tokenIsToken0 ? SQRT_LIMIT.high : SQRT_LIMIT.low);
    },
    poolPrice: price,
    async collectFeesIfWorth(minUsd: number, quoteUsd: number): Promise<boolean> {
      const lm = f.v3.liquidityManager.connect(f.keeper);
      const [tokens, quote] = await lm.collectFees.staticCall();
      if (polAmountsUsd({ token: tokens, quote }, quoteUsd) < minUsd) return false;
      await lm.collectFees();
      return true;
    },
  };
}
