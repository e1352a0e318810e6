/**
 * Takes one consistent snapshot of the protocol at one block: every view call carries the same
 * blockTag, so pool reserves, prices, feed rounds, reserve value, caps, epoch, cooldown and pause
 * all describe the same state. Calls that may legitimately revert (a stale feed makes
 * marketPrice() and reserveValue() revert) are read as "not ok", and so is a collateral feed whose
 * latest round reverts or answers undecodable data (the oracle degrades it; one broken feed must
 * not blind the keeper to the rest); any other failure (transport, node error) fails the whole
 * snapshot, so the keeper never decides on a partial one.
 */
import { AggregatorV3Interface__factory } from "./contracts";
import { isError, toQuantity, type Provider } from "ethers";
import {
  OBSERVATIONS_PER_WINDOW,
  type FeedReading,
  type FeeMarket,
  type OperatorPreview,
  type OperatorState,
  type Snapshot,
} from "../policy";
import type { Protocol, SymbolCache } from "./protocol";
import { describeFailure, isRevert, tryView } from "./revert";
import { readV3PoolState, type AtBlock } from "./v3Pool";

/**
 * Tick-bitmap words read on each side of a V3 pool's price (each covers 256 tick spacings: ±2.5%
 * and more at the 0.01% tier). A trade reaching beyond them is mirrored inexactly, and the keeper
 * then stands still on the mismatch with MarketOperator.preview().
 */
export const V3_BITMAP_WORDS_EACH_SIDE = 2;

export interface ReaderOptions {
  feeHistoryBlocks: number;
  rewardPercentile: number;
  /** The keeper's address, for its balance; null when there is none (status without a key). */
  keeper: string | null;
  now?: () => number;
  /**
   * Read the block the node is building (its queued transactions, at its next timestamp) instead of
   * the newest mined one. The on-chain replay (scripts/simOnChain.ts) posts a block's feeds, then
   * lets the keeper read them and act inside that same block, at its time, as the simulator's step does.
   */
  pending?: boolean;
}

/** Next base fee and a percentile tip from eth_feeHistory ending at `blockNumber`. */
export async function readFeeMarket(
  provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> },
  blockNumber: number,
  blocks: number,
  percentile: number,
): Promise<FeeMarket> {
  const history = (await provider.send("eth_feeHistory", [
    toQuantity(blocks),
    toQuantity(blockNumber),
    [percentile],
  ])) as {
    baseFeePerGas?: string[];
    reward?: string[][];
  };
  const bases = history.baseFeePerGas ?? [];
  if (bases.length === 0)
    throw new Error("eth_feeHistory returned no baseFeePerGas: the chain does not support EIP-1559");
  // The last entry is the base fee of the block after the newest one: what the next tx pays.
  const nextBaseFeeWei = BigInt(bases[bases.length - 1]);
  const tips = (history.reward ?? []).map((r) => BigInt(r[0] ?? "0x0")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const priorityFeeWei = tips.length === 0 ? 0n : tips[Math.floor(tips.length / 2)];
  return { nextBaseFeeWei, priorityFeeWei };
}

type SendingProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

/** The block a snapshot describes, and the tag each of its calls carries. */
interface SnapshotBlock {
  number: number;
  hash: string;
  timestamp: number;
  at: { blockTag: NonNullable<AtBlock["blockTag"]> };
  /** The newest mined block, where the fee history ends. */
  minedNumber: number;
}

async function snapshotBlock(provider: SendingProvider, pending: boolean): Promise<SnapshotBlock> {
  const mined = await provider.getBlock("latest");
  if (!mined) throw new Error("the node returned no latest block");
  if (!pending)
    return {
      number: mined.number,
      hash: mined.hash ?? "",
      timestamp: mined.timestamp,
      at: { blockTag: mined.number },
      minedNumber: mined.number,
    };
  // ethers cannot format a pending block (it has no number or hash yet): its header, raw.
  const header = (await provider.send("eth_getBlockByNumber", ["pending", false])) as { timestamp?: string } | null;
  if (!header?.timestamp) throw new Error("the node returned no pending block");
  return {
    number: mined.number + 1,
    hash: "",
    timestamp: Number(header.timestamp),
    at: { blockTag: "pending" },
    minedNumber: mined.number,
  };
}

export async function readSnapshot(
  provider: SendingProvider,
  p: Protocol,
  symbols: SymbolCache,
  options: ReaderOptions,
): Promise<Snapshot> {
  const now = options.now ?? Date.now;
  const block = await snapshotBlock(provider, options.pending === true);
  const at = block.at;

  const [
    paused,
    market,
    quotePrice,
    reserves,
    bandBps,
    maxSpotTwapDeviationBps,
    limits,
    lastOperationAt,
    epoch,
    reserveValue,
    supply,
    targetRatio,
    quoteConfig,
    quoteHoldings,
    assets,
    ratio,
    onchainPreview,
    fees,
    balance,
    twapWindowSec,
    newestObservation,
    observationDue,
    twapSpan,
    minOperationShareBps,
    maxLossBps,
    maxLossPerEpochWad,
    policyParams,
    lastRefreshAt,
    riskHaircutBps,
  ] = await Promise.all([
    p.operator.paused(at),
    tryView(() => p.oracle.marketPrice(at)),
    p.oracle.tryPrice(p.quoteAsset, at),
    // The venue's pool at the same block: the V2 pair's reserves, or the V3 pool's swap state.
    p.v3Pool === null ? p.pair.getReserves(at) : readV3PoolState(p.v3Pool, V3_BITMAP_WORDS_EACH_SIDE, at),
    p.operator.bandBps(at),
    p.operator.maxSpotTwapDeviationBps(at),
    p.operator.limits(at),
    p.operator.lastOperationAt(at),
    p.operator.epoch(at),
    tryView(() => p.reserve.reserveValue(at)),
    p.stable.totalSupply(at),
    p.policy.targetRatio(at),
    p.reserve.assetConfig(p.quoteAsset, at),
    p.reserve.holdings(p.quoteAsset, at),
    p.reserve.assets(at),
    tryView(() => p.reserve.collateralRatio(at)),
    p.operator.preview(at),
    readFeeMarket(provider, block.minedNumber, options.feeHistoryBlocks, options.rewardPercentile),
    options.keeper === null ? Promise.resolve(null) : provider.getBalance(options.keeper, at.blockTag),
    p.oracle.twapWindowSec(at),
    p.oracle.latestObservation(at),
    p.oracle.observationDue(at),
    p.oracle.twapSpan(at),
    p.operator.minOperationShareBps(at),
    p.operator.maxLossBps(at),
    p.operator.maxLossPerEpochWad(at),
    p.policy.params(at),
    p.policy.lastRefreshAt(at),
    // What refresh() reads for the risk floor; it reverts with an invalid feed (no refresh then).
    tryView(() => p.reserve.riskHaircutBps(at)),
  ]);

  const perAsset = await Promise.all(
    assets.map(async (asset) => {
      const [cfg, tried, delta, symbol] = await Promise.all([
        p.oracle.feedConfig(asset, at),
        p.oracle.tryPrice(asset, at),
        p.reserve.rebalanceDelta(asset, at),
        symbols.symbol(asset),
      ]);
      const round = await readRound(cfg.aggregator, provider, at);
      const feed: FeedReading = {
        symbol,
        asset,
        aggregator: cfg.aggregator,
        answer: round.answer,
        feedDecimals: Number(cfg.decimals),
        updatedAt: round.updatedAt,
        maxAgeSec: cfg.maxAgeSec,
        // The oracle's own verdict (tryPrice guards the same call on chain).
        valid: tried.ok,
        priceWad: tried.priceWad,
        ...(round.failure === undefined ? {} : { roundFailure: round.failure }),
      };
      return { feed, delta };
    }),
  );

  const [r0, r1] = "state" in reserves ? [0n, 0n] : reserves;
  const operator: OperatorState = {
    timestamp: BigInt(block.timestamp),
    paused,
    marketOk: market !== undefined && quotePrice.ok,
    spotWad: market?.spotWad ?? 0n,
    twapWad: market?.twapWad ?? 0n,
    twapSpanSec: twapSpan.spanSec,
    twapWindowSec: twapSpan.windowSec,
    quoteUsdWad: quotePrice.priceWad,
    reserveToken: p.tokenIsToken0 ? r0 : r1,
    reserveQuote: p.tokenIsToken0 ? r1 : r0,
    ...("state" in reserves ? { v3: { pool: reserves.state, tokenIsToken0: p.tokenIsToken0 } } : {}),
    tokenDecimals: p.tokenDecimals,
    quoteDecimals: p.quoteDecimals,
    bandBps,
    maxSpotTwapDeviationBps,
    limits: {
      maxExpansionPerOp: limits.maxExpansionPerOp,
      maxExpansionPerEpoch: limits.maxExpansionPerEpoch,
      maxContractionPerOp: limits.maxContractionPerOp,
      maxContractionPerEpoch: limits.maxContractionPerEpoch,
      cooldownSec: limits.cooldownSec,
      epochSec: limits.epochSec,
    },
    minOperationShareBps,
    maxLossBps,
    maxLossPerEpochWad,
    lastOperationAt,
    epoch: {
      startedAt: epoch.startedAt,
      netMinted: epoch.netMinted,
      contracted: epoch.contracted,
      lossWad: epoch.lossWad,
    },
    backingOk: reserveValue !== undefined,
    reserveValueWad: reserveValue ?? 0n,
    supply,
    targetRatioWad: targetRatio,
    quoteHaircutBps: quoteConfig.haircutBps,
    quoteIdle: quoteHoldings.idle,
    rebalanceNeeded: perAsset.some((a) => a.delta !== 0n),
  };
  const preview: OperatorPreview = {
    action: Number(onchainPreview.action),
    blocker: Number(onchainPreview.blocker),
    amount: onchainPreview.amount,
    expectedOut: onchainPreview.expectedOut,
    spotWad: onchainPreview.spotWad,
    twapWad: onchainPreview.twapWad,
    deviationBps: onchainPreview.deviationBps,
  };
  return {
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: BigInt(block.timestamp),
    readAtMs: now(),
    operator,
    onchainPreview: preview,
    feeds: perAsset.map((a) => a.feed),
    collateralRatioWad: ratio ?? null,
    fees,
    // The oracle keeps OBSERVATIONS_PER_WINDOW as a file-level constant (no getter): the policy's
    // mirror, used to explain a skip; whether a write is due is the oracle's own observationDue().
    observations: {
      due: observationDue,
      twapWindowSec,
      observationsPerWindow: OBSERVATIONS_PER_WINDOW,
      newestAt: newestObservation.timestamp,
      count: newestObservation.count,
    },
    policy: {
      minRatioWad: policyParams.minRatioWad,
      maxRatioWad: policyParams.maxRatioWad,
      stepWad: policyParams.stepWad,
      bandBps: policyParams.bandBps,
      riskWeightBps: policyParams.riskWeightBps,
      refreshCooldownSec: policyParams.refreshCooldownSec,
      lastRefreshAt,
      targetRatioWad: targetRatio,
      riskHaircutBps: riskHaircutBps ?? null,
    },
    keeperBalanceWei: balance,
  };
}

/**
 * A feed's latest round at the snapshot's block. A feed that reverts (paused, deprecated) or answers
 * data that does not decode as a round reads as answer 0, updated at 0, with the reason; a transport
 * or node failure still fails the snapshot.
 */
async function readRound(
  aggregator: string,
  provider: Provider,
  at: SnapshotBlock["at"],
): Promise<{ answer: bigint; updatedAt: bigint; failure?: string }> {
  try {
    const round = await AggregatorV3Interface__factory.connect(aggregator, provider).latestRoundData(at);
    return { answer: round.answer, updatedAt: round.updatedAt };
  } catch (err) {
    if (!isRevert(err) && !isError(err, "BAD_DATA")) throw err;
    return { answer: 0n, updatedAt: 0n, failure: describeFailure(err) };
  }
}
