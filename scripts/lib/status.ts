/**
 * Reads the state of a deployed system into one plain object (the `ballast:status --json` shape)
 * and renders it as a table. Reads that can fail on chain (a stale feed, a TWAP not yet available)
 * become `null` plus a line in `warnings`, so status still shows everything else.
 */
import { formatUnits } from "ethers";
import { describeFailure } from "../../keeper/src/chain/revert";
import type { SystemContext } from "./context";
import { connectContract } from "../../deploy/contracts";
import { Action, Blocker, MAX_TWAP_SPAN_WINDOWS } from "../../keeper/src/policy";
import { readVenueStatus, type VenueStatus } from "./venueStatus";

const WAD = 10n ** 18n;
const BPS = 10_000n;

export interface AssetStatus {
  symbol: string;
  address: string;
  decimals: number;
  /** Accounted amount (idle + strategy principal), base units of the asset. */
  amount: string;
  /** WAD USD per whole unit; null when the feed is rejected. */
  price: string | null;
  haircutBps: number;
  /** amount × price × (1 − haircut), WAD USD, rounded down as the Reserve does. */
  value: string | null;
  /** The oracle's degraded mode: "ok", "degraded" (no fresh feed: its last good price) or "invalid". */
  priceStatus: PriceStatus;
  /** When the last good price went stale (unix seconds; later than now while a broken feed's recorded
   *  price is still within its max age); null unless degraded. */
  degradedSince: number | null;
  /** The degraded haircut on the last good price, basis points (0 unless degraded). */
  degradedHaircutBps: number;
}

export type PriceStatus = "ok" | "degraded" | "invalid";
const PRICE_STATUS: readonly PriceStatus[] = ["ok", "degraded", "invalid"];

export interface Status {
  network: string;
  chainId: number;
  blockNumber: number;
  timestamp: number;
  /** The market venue: the V2 pair, or the V3 pool with its liquidity and the protocol's position. */
  venue: VenueStatus;
  /** Pool prices, WAD USD. */
  spotPrice: string | null;
  twapPrice: string | null;
  /** How long the TWAP averages over now (PriceOracle.twapSpan), its window, and whether that span
   * makes it stale (more than MAX_TWAP_SPAN_WINDOWS windows: observations stopped). */
  twap: { spanSec: number; windowSec: number; stale: boolean };
  /** Spot versus the peg, basis points (as MarketOperator.preview computes it). */
  deviationBps: number | null;
  supply: string;
  reserveValue: string | null;
  collateralRatio: string | null;
  targetRatio: string;
  assets: AssetStatus[];
  paused: { minting: boolean; redemptions: boolean; operations: boolean };
  caps: {
    /** Tokens, 18 decimals. */
    maxExpansionPerOp: string;
    expansionLeftInEpoch: string;
    /** Quote asset normalised to 18 decimals. */
    maxContractionPerOp: string;
    contractionLeftInEpoch: string;
    epochEndsInSec: number;
  };
  cooldowns: { operationReadyInSec: number; policyRefreshReadyInSec: number };
  operator: { action: string; blocker: string; amount: string };
  warnings: string[];
}

async function attempt<T>(what: string, warnings: string[], read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    warnings.push(`${what}: ${describeFailure(error)}`);
    return null;
  }
}

const left = (cap: bigint, used: bigint) => (used >= cap ? 0n : cap - used);
const secondsUntil = (at: bigint, now: number) => (at > BigInt(now) ? Number(at - BigInt(now)) : 0);

export async function readStatus(ctx: SystemContext): Promise<Status> {
  const warnings: string[] = [];
  const provider = ctx.hre.ethers.provider;
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the node returned no latest block");
  const now = block.timestamp;

  const market = await attempt("pool price", warnings, () => ctx.oracle.marketPrice());
  const [spanSec, windowSec] = await ctx.oracle.twapSpan();
  const twapStale = spanSec > MAX_TWAP_SPAN_WINDOWS * windowSec;
  if (twapStale) warnings.push(`pool TWAP is stale: it averages over ${spanSec} s (window ${windowSec} s); observations stopped — call PriceOracle.update()`);
  const preview = await ctx.operator.preview();
  let spot: bigint | null = market ? market[0] : null;
  const twap: bigint | null = market ? market[1] : null;
  if (spot === null) {
    // The TWAP may be unavailable while spot is fine: preview reports spot on its own.
    spot = preview.spotWad > 0n ? preview.spotWad : null;
  }
  const deviationBps = spot === null ? null : Number(((spot - WAD) * BPS) / WAD);
  const venue = await readVenueStatus(ctx, warnings);

  const assets: AssetStatus[] = [];
  for (const address of await ctx.reserve.assets()) {
    const token = connectContract("TestERC20", address, provider);
    const [symbol, decimals, amount, config, priced, info] = await Promise.all([
      token.symbol(),
      token.decimals(),
      ctx.reserve.accountedAmount(address),
      ctx.reserve.assetConfig(address),
      ctx.oracle.tryPrice(address),
      ctx.oracle.priceInfo(address),
    ]);
    const [ok, price] = priced;
    const priceStatus = PRICE_STATUS[Number(info.status)] ?? "invalid";
    const degradedSince = priceStatus === "degraded" ? Number(info.staleSinceSec) : null;
    if (degradedSince !== null) {
      const at = new Date(degradedSince * 1000).toISOString();
      const since = degradedSince <= now ? `degraded since ${at}` : `degraded (its feed fails; the last good price goes stale at ${at})`;
      warnings.push(`${symbol} price: ${since} (last good price under a ${info.haircutBps} bps haircut; minting it is blocked)`);
    } else if (!ok) {
      warnings.push(`${symbol} price: the oracle rejects its feed (no last good price within the degraded window, or an answer out of bounds)`);
    }
    const unit = 10n ** decimals;
    const value = ok ? (((amount * price) / unit) * (BPS - config.haircutBps)) / BPS : null;
    assets.push({
      symbol,
      address,
      decimals: Number(decimals),
      amount: amount.toString(),
      price: ok ? price.toString() : null,
      haircutBps: Number(config.haircutBps),
      value: value === null ? null : value.toString(),
      priceStatus,
      degradedSince,
      degradedHaircutBps: Number(info.haircutBps),
    });
  }

  const [supply, reserveValue, collateralRatio, targetRatio, mintingPaused, redemptionsPaused, operationsPaused, limits, epoch, lastOp, nextRefreshAt] =
    await Promise.all([
      ctx.stable.totalSupply(),
      attempt("reserveValue", warnings, () => ctx.reserve.reserveValue()),
      attempt("collateralRatio", warnings, () => ctx.reserve.collateralRatio()),
      ctx.policy.targetRatio(),
      ctx.reserve.paused(),
      ctx.reserve.redemptionsPaused(),
      ctx.operator.paused(),
      ctx.operator.limits(),
      ctx.operator.epoch(),
      ctx.operator.lastOperationAt(),
      ctx.policy.nextRefreshAt(),
    ]);
  // As the operator computes it: contraction earlier in the epoch (negative net mint) adds room.
  const expansionLeft = epoch.netMinted >= limits.maxExpansionPerEpoch ? 0n : limits.maxExpansionPerEpoch - epoch.netMinted;

  return {
    network: ctx.network,
    chainId: ctx.book.chainId,
    blockNumber: block.number,
    timestamp: now,
    venue,
    spotPrice: spot === null ? null : spot.toString(),
    twapPrice: twap === null ? null : twap.toString(),
    twap: { spanSec: Number(spanSec), windowSec: Number(windowSec), stale: twapStale },
    deviationBps,
    supply: supply.toString(),
    reserveValue: reserveValue === null ? null : reserveValue.toString(),
    collateralRatio: collateralRatio === null ? null : collateralRatio.toString(),
    targetRatio: targetRatio.toString(),
    assets,
    paused: { minting: mintingPaused, redemptions: redemptionsPaused, operations: operationsPaused },
    caps: {
      maxExpansionPerOp: limits.maxExpansionPerOp.toString(),
      expansionLeftInEpoch: expansionLeft.toString(),
      maxContractionPerOp: limits.maxContractionPerOp.toString(),
      contractionLeftInEpoch: left(limits.maxContractionPerEpoch, epoch.contracted).toString(),
      epochEndsInSec: secondsUntil(epoch.startedAt + limits.epochSec, now),
    },
    cooldowns: {
      operationReadyInSec: lastOp === 0n ? 0 : secondsUntil(lastOp + limits.cooldownSec, now),
      policyRefreshReadyInSec: secondsUntil(nextRefreshAt, now),
    },
    operator: {
      action: Action[Number(preview.action)] ?? `#${preview.action}`,
      blocker: Blocker[Number(preview.blocker)] ?? `#${preview.blocker}`,
      amount: preview.amount.toString(),
    },
    warnings,
  };
}

// ------------------------------------------------------------------------------------ table

const wadText = (v: string | null, digits = 6) => (v === null ? "n/a" : trimZeros(Number(formatUnits(v, 18)).toFixed(digits)));
const pctText = (v: string | null) => (v === null ? "n/a" : BigInt(v) > 10n ** 40n ? "∞ (no supply)" : `${trimZeros((Number(formatUnits(v, 18)) * 100).toFixed(2))}%`);
const unitsText = (v: string, decimals: number, digits = 2) => Number(formatUnits(v, decimals)).toLocaleString("en-US", { maximumFractionDigits: digits });
function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
const duration = (sec: number) => (sec === 0 ? "ready" : sec < 120 ? `${sec} s` : sec < 7_200 ? `${Math.round(sec / 60)} min` : `${(sec / 3_600).toFixed(1)} h`);

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

function venueRows(v: VenueStatus): string[][] {
  if (v.kind === "v2") return [["venue", "Uniswap V2 pair"]];
  const p = v.position;
  return [
    ["venue", `Uniswap V3, ${trimZeros((v.feePips / 10_000).toFixed(2))}% tier`],
    ["pool price (tick)", `${wadText(v.poolPrice)} quote per BLD (tick ${v.tick})`],
    ["pool liquidity in range", unitsText(v.liquidity, 0, 0)],
    ["protocol-owned position", p === null ? "n/a" : `${wadText(p.lowPrice)}–${wadText(p.highPrice)} (ticks ${p.tickLower}…${p.tickUpper}), liquidity ${unitsText(p.liquidity, 0, 0)}, ${p.inRange ? "in range" : "OUT OF RANGE"}`],
  ];
}

export function formatStatus(s: Status): string {
  const deviation = s.deviationBps === null ? "n/a" : `${s.deviationBps > 0 ? "+" : ""}${s.deviationBps} bps`;
  const lines = [
    `Ballast on ${s.network} (chain ${s.chainId}), block ${s.blockNumber}`,
    "",
    ...table([
      ...venueRows(s.venue),
      ["pool spot", `$${wadText(s.spotPrice)}`],
      ["pool TWAP", s.twapPrice === null ? "n/a" : `$${wadText(s.twapPrice)}`],
      ["TWAP span", s.twap.spanSec === 0 ? "n/a" : `${duration(s.twap.spanSec)} (window ${duration(s.twap.windowSec)})${s.twap.stale ? ", STALE" : ""}`],
      ["deviation from peg", deviation],
      ["supply", `${unitsText(s.supply, 18)} BLD`],
      ["reserve value (after haircuts)", s.reserveValue === null ? "n/a" : `$${unitsText(s.reserveValue, 18)}`],
      ["collateral ratio", pctText(s.collateralRatio)],
      ["target ratio", pctText(s.targetRatio)],
      ["operator would", s.operator.action === "None" ? `wait (${s.operator.blocker})` : s.operator.blocker === "None" ? s.operator.action : `${s.operator.action} (capped: ${s.operator.blocker})`],
    ]),
    "",
    ...table([
      ["asset", "amount", "price", "haircut", "value"],
      ...s.assets.map((a) => [
        a.symbol,
        unitsText(a.amount, a.decimals, 4),
        a.priceStatus === "degraded" ? "degraded" : a.price === null ? "rejected" : `$${wadText(a.price, 4)}`,
        `${a.haircutBps / 100}%`,
        a.value === null ? "n/a" : `$${unitsText(a.value, 18)}`,
      ]),
    ]),
    "",
    ...table([
      ["expansion left this epoch", `${unitsText(s.caps.expansionLeftInEpoch, 18)} BLD (per op ${unitsText(s.caps.maxExpansionPerOp, 18)})`],
      ["contraction left this epoch", `${unitsText(s.caps.contractionLeftInEpoch, 18)} quote (per op ${unitsText(s.caps.maxContractionPerOp, 18)})`],
      ["epoch ends in", duration(s.caps.epochEndsInSec)],
      ["operation cooldown", duration(s.cooldowns.operationReadyInSec)],
      ["policy refresh", duration(s.cooldowns.policyRefreshReadyInSec)],
      ["paused", `minting ${s.paused.minting ? "YES" : "no"}, redemptions ${s.paused.redemptions ? "YES" : "no"}, operations ${s.paused.operations ? "YES" : "no"}`],
    ]),
  ];
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
