/**
 * `--on-chain`: a scenario replayed on Ballast's real contracts on the in-process Hardhat network,
 * driven by the real keeper code (its chain reader `readSnapshot` and its `decide`), next to the
 * model started from the very same state; then the two per-block paths are compared.
 *
 * Each scenario block is two chain blocks: A (the block's time: feeds post under Chainlink's
 * rules), then the keeper reads A and its operation, its CollateralPolicy.refresh() (when it
 * would move the target; it records a TWAP observation first), or the TWAP observation it decided
 * to write, lands in B one second later with the block's order flow. As in the model, nobody else writes observations. The model runs the same
 * block as one step, so an operation's timestamp differs by one second between the two; that and
 * rounding in the float→integer trade sizes are what the tolerance covers.
 * Arbitrageurs and noise are not replayed: a parity scenario turns them off.
 * Either venue: the V2 pair (below) or the real Uniswap V3 pool (scripts/simOnChainV3.ts), each a
 * `ReplayVenue` that deploys the chain, seeds the model's market from it and trades the flow.
 */
import hre from "hardhat";
import { parseUnits } from "ethers";
import { SIM_PARAMS, sizingArgs, type BallastParams } from "../deploy/parameters";
import { deploySystemFixture, swapIntoPool, type Actors, type Fixture } from "./devnet/fixture";
import type { LocalSystem } from "./devnet/deploy";
import { IUniswapV2PairMinimal__factory, type IUniswapV2PairMinimal } from "../typechain-types";
import { SymbolCache, type Protocol } from "../keeper/src/chain/protocol";
import { readSnapshot } from "../keeper/src/chain/reader";
import { Action, INITIAL_MEMORY, decide, recordGasSpend, type KeeperMemory } from "../keeper/src/policy";
import {
  Market,
  QUOTE_UNIT,
  TOKEN_UNIT,
  ballastConfigFrom,
  fromRaw,
  runScenario,
  valueAt,
  type MarketInit,
  type Scenario,
  type VenueKind,
} from "../keeper/sim";
import { BallastPolicy, POL_COLLECT_GAS_MULTIPLE, defaultDecisionParams } from "../keeper/sim/policies/ballast";
import { GAS_V3 } from "../keeper/sim/venues/gasV3";

export interface ParityRow {
  block: number;
  modelPrice: number;
  chainPrice: number;
  modelSupply: number;
  chainSupply: number;
}

export interface ParityResult {
  scenario: string;
  venue: VenueKind;
  blocks: number;
  tolerance: { priceBps: number; finalSupplyPct: number };
  maxPriceDiffBps: number;
  finalSupplyDiffPct: number;
  modelActions: number;
  chainActions: number;
  /** TWAP observations the keeper wrote (PriceOracle.update()), in the model and on chain. */
  modelObservations: number;
  chainObservations: number;
  withinTolerance: boolean;
  rows: ParityRow[];
}

/** What the comparison allows (see the header for why it is not zero). */
export const PARITY_TOLERANCE = { priceBps: 1, finalSupplyPct: 0.01 };

type Provider = typeof hre.ethers.provider;

async function mine(provider: Provider, timestamp: bigint): Promise<void> {
  await provider.send("evm_mine", [Number(timestamp)]);
}

/** The model market's fields that do not depend on the venue. */
export type ModelMarketBase = Omit<MarketInit, "poolToken" | "poolQuote" | "chain" | "v3">;

/** One venue of the replay: the deployed chain, how the keeper sees its pool, the model's market from it, the flow's trades. */
export interface ReplayVenue {
  venue: VenueKind;
  f: LocalSystem & Actors;
  /** The simulator's parameters on this venue (its peg control is set on chain too). */
  params: BallastParams;
  pool: Pick<Protocol, "pair" | "v3Pool" | "tokenIsToken0">;
  /** The model's market at `base.startTime`, its pool and oracle seeded from the chain's. */
  market(base: ModelMarketBase): Promise<Market>;
  /** The trader's flow: sells `tokens` (raw), or spends `quote` (raw) on tokens. */
  sell(tokens: bigint): Promise<void>;
  buy(quote: bigint): Promise<void>;
  /** The pool's price, quote per whole token. */
  poolPrice(): Promise<number>;
  /**
   * V3: the model's keeper collects the protocol position's fees once they are worth `minUsd`
   * (tokens at $1, quote at `quoteUsd`); the same rule on chain. True when it sent collectFees.
   */
  collectFeesIfWorth?(minUsd: number, quoteUsd: number): Promise<boolean>;
}

function tokenReserves(pair: IUniswapV2PairMinimal, tokenIsToken0: boolean) {
  return pair
    .getReserves()
    .then(([r0, r1, at]) => ({ token: tokenIsToken0 ? r0 : r1, quote: tokenIsToken0 ? r1 : r0, at }));
}

/** The replay on a deployed V2 system. */
export async function v2ReplayVenue(f: Fixture): Promise<ReplayVenue> {
  const pairAddress = await f.pair.getAddress();
  const tokenIsToken0 = (await f.pair.token0()) === (await f.stable.getAddress());
  const pair = IUniswapV2PairMinimal__factory.connect(pairAddress, hre.ethers.provider);
  return {
    venue: "v2",
    f,
    params: SIM_PARAMS,
    pool: { pair, v3Pool: null, tokenIsToken0 },
    async market(base: ModelMarketBase): Promise<Market> {
      const r = await tokenReserves(pair, tokenIsToken0);
      const pairFull = new hre.ethers.Contract(
        pairAddress,
        [
          "function price0CumulativeLast() view returns (uint256)",
          "function price1CumulativeLast() view returns (uint256)",
        ],
        hre.ethers.provider,
      );
      const cumulative: bigint = tokenIsToken0
        ? await pairFull.price0CumulativeLast()
        : await pairFull.price1CumulativeLast();
      const [obsTime, obsCumulative] = await f.oracle.latestObservation();
      return new Market({
        ...base,
        poolToken: r.token,
        poolQuote: r.quote,
        chain: {
          cumulative,
          lastPoolTime: BigInt(r.at),
          observation: { timestamp: obsTime, cumulative: obsCumulative },
        },
      });
    },
    sell: (tokens) => swapIntoPool(f, f.trader, true, tokens),
    buy: (quote) => swapIntoPool(f, f.trader, false, quote),
    async poolPrice(): Promise<number> {
      const r = await tokenReserves(pair, tokenIsToken0);
      return fromRaw(r.quote, QUOTE_UNIT) / fromRaw(r.token, TOKEN_UNIT);
    },
  };
}

export interface ReplayOptions {
  /**
   * A system deployed beforehand (v2ReplayVenue, v3ReplayVenue) instead of a deploy of the replay's
   * own: replays on one deployment each start from it as deployed, since every replay reverts the chain.
   */
  venue?: ReplayVenue;
}

/** The system a replay deploys for itself: the local deploy on the venue. */
async function deployReplayVenue(venueKind: VenueKind): Promise<ReplayVenue> {
  if (venueKind === "v2") return v2ReplayVenue(await deploySystemFixture());
  const { v3ReplayVenue } = await import("./simOnChainV3");
  return v3ReplayVenue(await (await import("./devnet/fixtureV3")).deployV3SystemFixture());
}

export async function replayOnChain(
  s: Scenario,
  blocks: number,
  onProgress?: (done: number, total: number) => void,
  venueKind: VenueKind = "v2",
  options: ReplayOptions = {},
): Promise<ParityResult> {
  // The chain (with the system the replay deploys, and every deployer's nonce, so the next replay's
  // addresses and token order) goes back to where it was: replays do not depend on which ran before.
  const snapshot = await hre.ethers.provider.send("evm_snapshot", []);
  try {
    return await replay(s, blocks, onProgress, venueKind, options);
  } finally {
    await hre.ethers.provider.send("evm_revert", [snapshot]);
  }
}

async function replay(
  s: Scenario,
  blocks: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  venueKind: VenueKind,
  options: ReplayOptions,
): Promise<ParityResult> {
  if (s.agents.noiseTradesPerBlock !== 0)
    throw new Error(
      `on-chain replay: scenario ${s.name} has noise trading; a parity scenario sets agents.noiseTradesPerBlock to 0`,
    );
  const provider = hre.ethers.provider;
  const venue = options.venue ?? (await deployReplayVenue(venueKind));
  if (venue.venue !== venueKind)
    throw new Error(`on-chain replay: options.venue is a ${venue.venue} system, the replay is on ${venueKind}`);
  const f = venue.f;
  // The fixture deploys the local parameters; the model runs the simulator's peg control: set it on chain too.
  const op = venue.params.operator;
  await f.operator.connect(f.admin).setBand(op.bandBps, op.maxSpotTwapDeviationBps);
  const l = await f.operator.limits();
  await f.operator.connect(f.admin).setLimits({
    maxExpansionPerOp: l.maxExpansionPerOp,
    maxExpansionPerEpoch: l.maxExpansionPerEpoch,
    maxContractionPerOp: l.maxContractionPerOp,
    maxContractionPerEpoch: l.maxContractionPerEpoch,
    cooldownSec: op.cooldownSec,
    epochSec: l.epochSec,
  });
  await f.operator.connect(f.admin).setSizing(...sizingArgs(op.sizing));
  const [usdc, weth] = f.collaterals;
  const quoteAsset = await usdc.token.getAddress();
  const runBlocks = Math.min(blocks, s.blocks);

  // The trader's tokens for the scenario's sells are minted before the state is read, so both sides start equal.
  let toSell = 0;
  for (const fl of s.flows)
    for (let b = fl.fromBlock; b <= Math.min(fl.toBlock, runBlocks - 1); b++)
      toSell += Math.max(0, fl.sellTokensPerBlock);
  if (toSell > 0) {
    const usdcIn = parseUnits(String(Math.ceil((toSell * 1.02) / 0.99)), 6);
    await usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), usdcIn);
    await f.reserve.connect(f.trader).mint(quoteAsset, usdcIn, 0, f.trader.address);
  }

  // ---- the chain's state, read once, seeds the model.
  const head = await provider.getBlock("latest");
  if (!head) throw new Error("no latest block");
  const t0 = BigInt(head.timestamp) + 12n;
  const config = ballastConfigFrom(venue.params);
  const feedState = async (c: LocalSystem["quote"]) => {
    const [, answer, , updatedAt] = await c.feed.latestRoundData();
    return { answer, updatedAt };
  };
  const usdcFeed = await feedState(usdc);
  const wethFeed = await feedState(weth);
  const m = await venue.market({
    blockTimeSec: s.blockTimeSec,
    startTime: t0,
    supply: await f.stable.totalSupply(),
    truth: { USDC: valueAt(s.prices.USDC, 0), WETH: valueAt(s.prices.WETH, 0), FXS: 5 },
    feeds: {
      USDC: { ...config.feeds.USDC, deviationBps: s.feeds.USDC.deviationBps, heartbeatSec: s.feeds.USDC.heartbeatSec },
      WETH: { ...config.feeds.WETH, deviationBps: s.feeds.WETH.deviationBps, heartbeatSec: s.feeds.WETH.heartbeatSec },
    },
    oracle: { twapWindowSec: config.twapWindowSec },
    gasGwei: s.gas.baseGwei,
  });
  m.feeds.USDC.answer = usdcFeed.answer;
  m.feeds.USDC.updatedAt = usdcFeed.updatedAt;
  m.feeds.WETH.answer = wethFeed.answer;
  m.feeds.WETH.updatedAt = wethFeed.updatedAt;
  const holdings = {
    usdcIdle: (await f.reserve.holdings(quoteAsset)).idle,
    usdcTotal: await f.reserve.accountedAmount(quoteAsset),
    weth: await f.reserve.accountedAmount(await weth.token.getAddress()),
  };
  const target = await f.policy.targetRatio();
  const lastRefreshAt = await f.policy.lastRefreshAt();
  const lastOperationAt = await f.operator.lastOperationAt();
  const epoch = await f.operator.epoch();

  const model = runScenario({ ...s, blocks: runBlocks }, "ballast", {
    market: m,
    config,
    seedPolicy: (p) => {
      const b = p as BallastPolicy;
      b.reserve.idle.USDC = holdings.usdcIdle;
      b.reserve.inStrategy.USDC = holdings.usdcTotal - holdings.usdcIdle;
      b.reserve.idle.WETH = holdings.weth;
      b.reserve.inStrategy.WETH = 0n;
      b.reserve.targetRatioWad = target;
      b.reserve.lastRefreshAt = lastRefreshAt;
      b.book.lastOperationAt = lastOperationAt;
      b.book.epoch = {
        startedAt: epoch.startedAt,
        netMinted: epoch.netMinted,
        contracted: epoch.contracted,
        lossWad: epoch.lossWad,
      };
    },
  });

  // ---- the chain, block by block, with the real keeper.
  await provider.send("evm_setAutomine", [false]);
  const rows: ParityRow[] = [];
  let chainActions = 0;
  let chainObservations = 0;
  try {
    const p: Protocol = {
      operator: f.operator,
      oracle: f.oracle,
      reserve: f.reserve,
      policy: f.policy,
      stable: f.stable,
      ...venue.pool,
      quoteAsset,
      tokenDecimals: 18,
      quoteDecimals: 6,
    };
    const symbols = new SymbolCache(provider);
    const params = defaultDecisionParams();
    let memory: KeeperMemory = INITIAL_MEMORY;
    const feeds = [
      { c: usdc, cfg: s.feeds.USDC, asset: "USDC" as const },
      { c: weth, cfg: s.feeds.WETH, asset: "WETH" as const },
    ];
    const postFeeds = async (t: bigint, b: number) => {
      for (const { c, cfg, asset } of feeds) {
        const [, answer, , updatedAt] = await c.feed.latestRoundData();
        const next = BigInt(Math.round(valueAt(s.prices[asset], b) * 1e8));
        const moved = Math.abs(Number(next - answer)) * 10_000 >= cfg.deviationBps * Number(answer);
        if (moved || t - updatedAt >= BigInt(cfg.heartbeatSec)) await c.feed.updateAnswer(next);
      }
    };
    // Warm-up in lockstep with the model's: one observation per block for one TWAP window.
    const warm = Math.ceil(config.twapWindowSec / s.blockTimeSec) + 1;
    let t = t0;
    await f.oracle.update();
    await mine(provider, t);
    for (let k = 1; k <= warm; k++) {
      t += BigInt(s.blockTimeSec);
      await postFeeds(t, 0);
      await f.oracle.update();
      if (k < warm) await mine(provider, t);
    }
    for (let b = 0; b < runBlocks; b++) {
      if (b > 0) {
        t += BigInt(s.blockTimeSec);
        await postFeeds(t, b);
      }
      const collectGasUsd =
        GAS_V3.polCollectFees * s.gas.baseGwei * valueAt(s.gas.multiplier, b) * 1e-9 * valueAt(s.prices.WETH, b);
      if (await venue.collectFeesIfWorth?.(POL_COLLECT_GAS_MULTIPLE * collectGasUsd, valueAt(s.prices.USDC, b)))
        chainActions += 1;
      await mine(provider, t);
      const snap = await readSnapshot(provider, p, symbols, {
        feeHistoryBlocks: 1,
        rewardPercentile: 50,
        keeper: f.keeper.address,
        now: () => Number(t) * 1000,
      });
      snap.fees = { nextBaseFeeWei: BigInt(Math.round(s.gas.baseGwei * 1e9)), priorityFeeWei: 1_000_000_000n };
      const { decision, observation, memory: next } = decide(snap, params, memory, Number(t) * 1000);
      memory = next;
      if (observation.kind === "write") {
        // Nobody else watches the pool here: the TWAP is observed by the keeper, operations and refresh.
        await f.oracle.update();
        chainActions += 1;
        chainObservations += 1;
        memory = recordGasSpend(memory, Number(t) * 1000, observation.gasCostWad);
      }
      if (decision.kind === "act") {
        const keeper = f.operator.connect(f.keeper);
        // V3: the price-limited form the daemon sends (the model executes the same); V2: the amount form.
        if (decision.action === Action.Expand)
          await (venue.venue === "v3"
            ? keeper.expandSupplyAtPrice(decision.amount, decision.limitPriceWad)
            : keeper.expandSupply(decision.amount, decision.minOut));
        else if (decision.action === Action.Contract)
          await (venue.venue === "v3"
            ? keeper.contractSupplyAtPrice(decision.amount, decision.limitPriceWad)
            : keeper.contractSupply(decision.amount, decision.minOut));
        else if (decision.action === Action.Refresh) await f.policy.connect(f.keeper).refresh();
        else await keeper.rebalance();
        chainActions += 1;
        // The budget's ledger, as the daemon records a receipt (here at the decision's estimate).
        memory = recordGasSpend(memory, Number(t) * 1000, decision.gasCostWad);
      }
      for (const fl of s.flows) {
        if (b < fl.fromBlock || b > fl.toBlock) continue;
        const amount = fl.sellTokensPerBlock;
        if (amount > 0) await venue.sell(parseUnits(amount.toFixed(6), 18));
        else if (amount < 0) await venue.buy(parseUnits((-amount * (await venue.poolPrice())).toFixed(6), 6));
      }
      await mine(provider, t + 1n);
      const ms = model.samples[b];
      rows.push({
        block: b,
        modelPrice: ms.priceUsd,
        chainPrice: (await venue.poolPrice()) * valueAt(s.prices.USDC, b),
        modelSupply: ms.supply,
        chainSupply: fromRaw(await f.stable.totalSupply(), TOKEN_UNIT),
      });
      onProgress?.(b + 1, runBlocks);
    }
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
  const maxPriceDiffBps = Math.max(...rows.map((r) => Math.abs(r.modelPrice - r.chainPrice) * 10_000));
  const last = rows[rows.length - 1];
  const finalSupplyDiffPct = (Math.abs(last.modelSupply - last.chainSupply) / last.chainSupply) * 100;
  return {
    scenario: s.name,
    venue: venue.venue,
    blocks: runBlocks,
    tolerance: PARITY_TOLERANCE,
    maxPriceDiffBps,
    finalSupplyDiffPct,
    modelActions: model.policyState.stats.actions,
    chainActions,
    modelObservations: (model.policyState as BallastPolicy).observationsWritten,
    chainObservations,
    withinTolerance:
      maxPriceDiffBps <= PARITY_TOLERANCE.priceBps && finalSupplyDiffPct <= PARITY_TOLERANCE.finalSupplyPct,
    rows,
  };
}

export function parityReportMarkdown(r: ParityResult): string {
  return [
    `## On-chain replay: ${r.scenario}, ${r.blocks} blocks, ${
      r.venue === "v3" ? "Uniswap V3 pool" : "Uniswap V2 pair"
    }`,
    "",
    `| | model | chain |`,
    `|---|---|---|`,
    `| keeper transactions (operations, rebalances, refreshes, observations) | ${r.modelActions} | ${r.chainActions} |`,
    `| keeper observation writes | ${r.modelObservations} | ${r.chainObservations} |`,
    `| final supply | ${r.rows[r.rows.length - 1].modelSupply.toFixed(2)} | ${r.rows[
      r.rows.length - 1
    ].chainSupply.toFixed(2)} |`,
    "",
    `Largest per-block price difference: ${r.maxPriceDiffBps.toFixed(3)} bps (tolerance ${
      r.tolerance.priceBps
    }); final supply difference ${r.finalSupplyDiffPct.toFixed(4)}% (tolerance ${r.tolerance.finalSupplyPct}%): ${
      r.withinTolerance ? "within tolerance" : "**outside tolerance**"
    }.`,
    "",
  ].join("\n");
}
