/**
 * Ballast in the model. The decision is the keeper's own pure code: the model's state is adapted
 * into the keeper's Snapshot (an OperatorState plus feeds and fees) and handed to decide() with
 * the keeper's default configuration — the same gates (stale oracle, spot/TWAP guard, the exact
 * mirror of MarketOperator.preview(), hysteresis, the deviation-scaled fee cap, value against gas,
 * the rolling 24 h gas budget); nothing here re-decides. The transaction then lands `latency`
 * blocks later and is executed as the contract would (the policy's `executeOperation` mirror of
 * expandSupplyAtPrice / contractSupplyAtPrice: gate again, size, clamp to the limit price, minimum
 * size, assert the ratio and the loss budget; a revert costs gas and changes nothing). The gas each
 * keeper transaction pays goes into the decision's memory (the budget's ledger), as the daemon
 * records its receipts. When decide() asks for a TWAP observation the keeper writes one
 * (PriceOracle.update(), which at most hourly also reads the feeds for last good prices). The keeper also calls CollateralPolicy.refresh when due (a cost of the
 * design the daemon does not send, so outside the keeper's budget) and rebalance when asked.
 * Its operations are public in the mempool: a scenario's front-running searcher (stressAgents.ts)
 * trades first in the block where one lands, as for every keeper-driven policy that trades.
 * On the V3 venue Ballast (with its keeper) owns the LiquidityManager's position
 * (venues/polLedger.ts): its keeper collects the fees into the Reserve once they are worth
 * POL_COLLECT_GAS_MULTIPLE times the collection's gas (collectFees is permissionless; like refresh, a transaction the daemon does not
 * send), and at the end of a run the fees still owed and the position's mark-to-market are booked.
 */
import {
  Action,
  BPS,
  WAD,
  PEG_WAD,
  mulDiv,
  INITIAL_MEMORY,
  OBSERVATIONS_PER_WINDOW,
  decide,
  executeOperation,
  recordGasSpend,
  twapStale,
  type DecisionParams,
  type KeeperMemory,
  type OperatorState,
  type Snapshot,
} from "../../src/policy";
import { fileConfigSchema } from "../../src/config/schema";
import { decisionParamsFromFile } from "../../src/config/load";
import { ASSETS, BallastReserve, type BallastConfig } from "../ballastReserve";
import { BallastFacility } from "../facilities";
import { GAS } from "../gas";
import { GAS_V3, operationGas } from "../venues/gasV3";
import { PolLedger, polAmountsUsd } from "../venues/polLedger";
import { frontRun } from "../stressAgents";
import { type Market, QUOTE_UNIT, TOKEN_UNIT, fromRaw, wadToNumber } from "../market";
import { type Policy, type PolicyName, type StepContext, emptyStats, spendGas } from "../types";
import { EXHAUSTED_BELOW_USDC } from "./holdings";

/** Constants.sol LAST_GOOD_PRICE_INTERVAL_SEC: update() reads the feeds for last good prices at most this often. */
const LAST_GOOD_PRICE_INTERVAL_SEC = 3_600n;
/** The keeper collects the position's fees once they are worth this many times collectFees' gas: the gas stays ≤ 10% of what it collects. */
export const POL_COLLECT_GAS_MULTIPLE = 10;

interface PendingTx {
  executeAt: number;
  action: Action.Expand | Action.Contract | Action.Rebalance;
  amount: bigint;
  limitPriceWad: bigint;
}

/** The adapter: model state → the OperatorState the keeper's policy reads from the chain. */
export function operatorStateOf(m: Market, r: BallastReserve, op: OperatorBook): OperatorState {
  const mp = m.marketPrice();
  const span = m.twapSpan();
  const value = r.reserveValue(m);
  const cfg = r.config;
  return {
    timestamp: m.now,
    paused: false,
    marketOk: mp.ok,
    spotWad: mp.spotWad,
    twapWad: mp.twapWad,
    twapSpanSec: span.spanSec,
    twapWindowSec: span.windowSec,
    quoteUsdWad: mp.quoteUsdWad,
    reserveToken: m.reserveToken,
    reserveQuote: m.reserveQuote,
    tokenDecimals: 18,
    quoteDecimals: 6,
    bandBps: cfg.operator.bandBps,
    maxSpotTwapDeviationBps: cfg.operator.maxSpotTwapDeviationBps,
    limits: cfg.operator.limits,
    ...cfg.operator.sizing,
    lastOperationAt: op.lastOperationAt,
    epoch: { ...op.epoch },
    backingOk: value.ok,
    reserveValueWad: value.wad,
    supply: m.supply,
    targetRatioWad: r.targetRatioWad,
    quoteHaircutBps: cfg.assets.USDC.haircutBps,
    quoteIdle: r.idle.USDC,
    rebalanceNeeded: ASSETS.some((a) => r.rebalanceDelta(a) !== 0n),
    // MarketOperatorV3: the pool's state, which the operator mirror sizes with (swap loop, peg limit).
    ...(m.v3 ? { v3: m.v3OperatorVenue() } : {}),
  };
}

/** The keeper's decision parameters from its configuration defaults (keeper/src/config/schema.ts). */
export function defaultDecisionParams(): DecisionParams {
  // The model hands decide() a fresh snapshot every block: no wall-clock lag to guard against.
  return decisionParamsFromFile(fileConfigSchema.parse({}));
}

/** The adapter's second half: the keeper's Snapshot of the model at the current block. */
export function snapshotOf(m: Market, r: BallastReserve, op: OperatorBook): Snapshot {
  const feeds = ASSETS.map((a) => {
    const f = m.feeds[a];
    const p = m.feedPrice(a);
    return {
      symbol: a,
      asset: a,
      aggregator: a,
      answer: f.answer,
      feedDecimals: f.config.decimals,
      updatedAt: f.updatedAt,
      maxAgeSec: BigInt(f.config.maxAgeSec),
      valid: p.ok,
      priceWad: p.ok ? p.wad : 0n,
    };
  });
  const ratio = r.collateralRatio(m);
  return {
    blockNumber: m.block,
    blockHash: "",
    blockTimestamp: m.now,
    readAtMs: Number(m.now) * 1000,
    operator: operatorStateOf(m, r, op),
    onchainPreview: null,
    feeds,
    collateralRatioWad: ratio.ok ? ratio.wad : null,
    fees: { nextBaseFeeWei: BigInt(Math.round(m.gasGwei * 1e9)), priorityFeeWei: 1_000_000_000n },
    // On V3 the oracle is the pool's observe(): the keeper writes no observations (PriceOracleV3).
    observations: m.v3
      ? null
      : (() => {
          const o = m.latestObservation();
          const windowSec = BigInt(m.oracle.twapWindowSec);
          // PriceOracle.observationDue(), as Market.recordObservation applies it.
          const due = o.count === 0n || m.now >= o.timestamp + windowSec / OBSERVATIONS_PER_WINDOW;
          return {
            due,
            twapWindowSec: windowSec,
            observationsPerWindow: OBSERVATIONS_PER_WINDOW,
            newestAt: o.timestamp,
            count: o.count,
          };
        })(),
    keeperBalanceWei: null,
  };
}

/**
 * The operation's swap on the market's venue: on the V2 pair, the amounts the operator sized
 * (getAmountOut, as the contract computes them); on V3, MarketOperatorV3's exact-input swap with
 * its sqrt price limit at the peg, which the pool itself stops there.
 */
export function operationSwap(
  m: Market,
  s: OperatorState,
  expand: boolean,
  sized: { amountIn: bigint; amountOut: bigint },
): { amountIn: bigint; amountOut: bigint } {
  if (m.v3) return m.operateV3(expand, sized.amountIn, s.quoteUsdWad);
  if (expand) m.sellTokens(sized.amountIn);
  else m.buyTokens(sized.amountIn);
  return sized;
}

/** A model USD figure as WAD (to the micro-dollar). */
const usdToWad = (usd: number): bigint => BigInt(Math.round(usd * 1e6)) * 10n ** 12n;

/** MarketOperator's own bookkeeping: last operation time and the epoch's net mint, contraction and loss. */
export class OperatorBook {
  lastOperationAt = 0n;
  epoch: { startedAt: bigint; netMinted: bigint; contracted: bigint; lossWad: bigint };

  constructor(startedAt: bigint, private readonly epochSec: bigint) {
    this.epoch = { startedAt, netMinted: 0n, contracted: 0n, lossWad: 0n };
  }

  /** The most any one epoch lost (WAD USD), and the largest loss of one operation in bps of its trade: what the budget bounds. */
  worstEpochLossWad = 0n;
  worstOperationLossBps = 0n;

  record(now: bigint, netMintedDelta: bigint, contractedWad: bigint, lossWad = 0n, tradeWad = 0n): void {
    if (now >= this.epoch.startedAt + this.epochSec)
      this.epoch = { startedAt: now, netMinted: 0n, contracted: 0n, lossWad: 0n };
    this.epoch.netMinted += netMintedDelta;
    this.epoch.contracted += contractedWad;
    this.epoch.lossWad += lossWad;
    if (this.epoch.lossWad > this.worstEpochLossWad) this.worstEpochLossWad = this.epoch.lossWad;
    const lossBps = tradeWad > 0n ? (lossWad * BPS) / tradeWad : 0n;
    if (lossBps > this.worstOperationLossBps) this.worstOperationLossBps = lossBps;
    this.lastOperationAt = now;
  }
}

export class BallastPolicy implements Policy {
  readonly name: PolicyName;
  readonly reserve: BallastReserve;
  readonly facility: BallastFacility;
  readonly stats = emptyStats();
  readonly book: OperatorBook;
  private pending: PendingTx | null = null;
  private memory: KeeperMemory = INITIAL_MEMORY;
  /** The keeper's stand-still reasons, counted (why Ballast did not act). */
  readonly blockers: Record<string, number> = {};
  /** TWAP observations the keeper wrote (PriceOracle.update()). */
  observationsWritten = 0;
  /** As on chain, the pool TWAP is observed only when someone writes: the keeper, an operation, a refresh. */
  readonly writesOwnObservations = true;
  /** When update() last read the feeds for last good prices (the deploy's setFeed read them first). */
  private pricesCheckedAt: bigint;
  /** The LiquidityManager's position's books, on the V3 venue (bound to the market at the first block). */
  private pol: PolLedger | null = null;
  /** Fee collections the keeper sent. */
  polCollections = 0;

  constructor(
    config: BallastConfig,
    holdings: { USDC: bigint; WETH: bigint },
    startTime: bigint,
    /** "none": the same reserve with no keeper at all (arbitrage only). */
    private readonly keeperEnabled = true,
    /** The keeper's parameters: its configuration defaults unless a test or sweep gives others. */
    private readonly decision: DecisionParams = defaultDecisionParams(),
  ) {
    this.name = keeperEnabled ? "ballast" : "none";
    this.reserve = new BallastReserve(config, holdings);
    this.facility = new BallastFacility(this.reserve);
    this.book = new OperatorBook(startTime, config.operator.limits.epochSec);
    this.pricesCheckedAt = startTime;
  }

  /** Extra gas of an observation update() writes: the feeds' reads, at most hourly (PriceOracle._recordPrices). */
  private priceReadsGas(m: Market): number {
    if (m.now < this.pricesCheckedAt + LAST_GOOD_PRICE_INTERVAL_SEC) return 0;
    this.pricesCheckedAt = m.now;
    return GAS.ballastObservePriceReads;
  }

  /**
   * The position's books, opened the first time the policy sees a V3 market. Only with a keeper:
   * the position is an operator's action, so `none` (no keeper, the cost baseline of every design)
   * trades against the same liquidity as a third party's, as the references do.
   */
  private polOf(m: Market): PolLedger | null {
    if (!this.pol && m.v3 && this.keeperEnabled) this.pol = new PolLedger(m.v3);
    return this.pol;
  }

  onBlock(ctx: StepContext): void {
    const { m } = ctx;
    this.polOf(m);
    if (!this.keeperEnabled) return;
    if (this.pending && this.pending.executeAt <= m.block) {
      this.land(ctx, this.pending);
      this.pending = null;
    }
    if (!ctx.keeperUp || this.pending) return;
    // A refresh on a stale TWAP only holds the target and leaves its cooldown unspent: not sent
    // (it would be due again every block); the keeper's own observations end the staleness.
    if (
      (this.reserve.lastRefreshAt === 0n ||
        m.now >= this.reserve.lastRefreshAt + this.reserve.config.policy.refreshCooldownSec) &&
      !twapStale(operatorStateOf(m, this.reserve, this.book))
    ) {
      if (this.reserve.refresh(m)) this.charge(m, GAS.ballastRefresh, false, false);
    }
    this.collectPolFees(m);
    const { decision, observation, memory } = decide(
      snapshotOf(m, this.reserve, this.book),
      this.decision,
      this.memory,
      Number(m.now) * 1000,
    );
    this.memory = memory;
    if (decision.kind === "stand-still") {
      this.blockers[decision.reason] = (this.blockers[decision.reason] ?? 0) + 1;
      if (observation.kind === "write") {
        // PriceOracle.update() is permissionless and cannot revert: it writes, or returns false.
        m.recordObservation();
        this.observationsWritten += 1;
        this.charge(m, GAS.ballastObserve + this.priceReadsGas(m), false);
      }
      return;
    }
    const tx: PendingTx = {
      executeAt: m.block + ctx.keeperLatencyBlocks,
      action: decision.action,
      amount: decision.amount,
      limitPriceWad: decision.limitPriceWad,
    };
    if (tx.executeAt <= m.block) this.land(ctx, tx);
    else this.pending = tx;
  }

  /** A searcher watching the mempool trades ahead of a pool operation; then the contract runs. */
  private land(ctx: StepContext, tx: PendingTx): void {
    if (tx.action === Action.Expand || tx.action === Action.Contract)
      frontRun(ctx.m, ctx.scenario, tx.action === Action.Expand ? "sell" : "buy");
    this.execute(ctx.m, tx);
  }

  /** Pays a transaction's gas; a keeper transaction's USD also enters the budget's ledger in the decision's memory. */
  private charge(m: Market, gas: number, failed: boolean, keeperTx = true): void {
    spendGas(this.stats, m, gas);
    if (keeperTx) this.memory = recordGasSpend(this.memory, Number(m.now) * 1000, usdToWad(m.gasUsd(gas)));
    if (failed) this.stats.failedTx += 1;
    else this.stats.actions += 1;
  }

  /** The contract's expandSupply / contractSupply / rebalance on the model's state. */
  private execute(m: Market, tx: PendingTx): void {
    if (tx.action === Action.Rebalance) {
      this.charge(m, this.reserve.rebalance() ? GAS.ballastRebalance : GAS.revertedTx, false);
      return;
    }
    const s = operatorStateOf(m, this.reserve, this.book);
    const outcome = executeOperation(s, tx.action, tx.amount, tx.limitPriceWad);
    if (!outcome.ok) return this.charge(m, GAS.revertedTx, true);
    // The operation's _syncPool() writes a due observation; a revert rolls it back. Written before
    // the trade, as on chain (an observation at `now` moves no anchor, so the state read above holds).
    const observed = m.recordObservation();
    // The operation's own update() wrote an observation: it may also have read the feeds.
    const readsGas = observed ? this.priceReadsGas(m) : 0;
    const expand = tx.action === Action.Expand;
    const traded = operationSwap(m, s, expand, outcome);
    if (expand) {
      const { amountIn: sold, amountOut: out } = traded;
      m.supply += sold;
      this.reserve.idle.USDC += out;
      this.book.record(m.now, sold, 0n, outcome.lossWad, mulDiv(sold, PEG_WAD, TOKEN_UNIT));
      this.charge(m, operationGas(m, true) + readsGas, false);
      this.stats.profitUsd += fromRaw(out, QUOTE_UNIT) * m.truth.USDC - fromRaw(sold, TOKEN_UNIT);
      return;
    }
    const { amountIn: spent, amountOut: bought } = traded;
    this.reserve.idle.USDC -= spent;
    m.supply -= bought;
    this.book.record(
      m.now,
      -bought,
      mulDiv(spent, WAD, QUOTE_UNIT),
      outcome.lossWad,
      mulDiv(spent, s.quoteUsdWad, QUOTE_UNIT),
    );
    this.charge(m, operationGas(m, false) + readsGas, false);
    const spentUsd = fromRaw(spent, QUOTE_UNIT) * m.truth.USDC;
    this.stats.reserveSpentUsd += spentUsd;
    this.stats.profitUsd += fromRaw(bought, TOKEN_UNIT) - spentUsd;
  }

  /** LiquidityManager.collectFees once the fees owed are worth it: quote into the Reserve, tokens burned. */
  private collectPolFees(m: Market): void {
    if (!this.pol) return;
    const gasUsd = m.gasUsd(GAS_V3.polCollectFees);
    if (polAmountsUsd(this.pol.feesOwed(), m.truth.USDC) < POL_COLLECT_GAS_MULTIPLE * gasUsd) return;
    const fees = this.pol.collect();
    this.reserve.idle.USDC += fees.quote;
    m.supply -= fees.token;
    this.stats.lpFeesUsd += polAmountsUsd(fees, m.truth.USDC);
    this.polCollections += 1;
    this.charge(m, GAS_V3.polCollectFees, false, false);
  }

  /** The position's fees still owed and its mark-to-market, booked at the end of the run. */
  settle(m: Market): void {
    const pol = this.polOf(m);
    if (!pol) return;
    this.stats.lpFeesUsd += polAmountsUsd(pol.feesOwed(), m.truth.USDC);
    this.stats.polPnlUsd = pol.markToMarketUsd(m);
  }

  trueRatio(m: Market): number {
    return this.reserve.trueValueUsd(m) / fromRaw(m.supply, TOKEN_UNIT);
  }

  reserveExhausted(): boolean {
    return this.reserve.accounted("USDC") < EXHAUSTED_BELOW_USDC;
  }

  columns(m: Market): Record<string, number> {
    const r = this.reserve.collateralRatio(m);
    return {
      targetRatio: wadToNumber(this.reserve.targetRatioWad),
      onChainRatio: r.ok ? Math.min(wadToNumber(r.wad), 99) : NaN,
      usdcIdle: fromRaw(this.reserve.idle.USDC, QUOTE_UNIT),
    };
  }
}
