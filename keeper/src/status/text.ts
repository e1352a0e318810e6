/**
 * The status model as text for a terminal: one table layout for the keeper's `status` command
 * and the `ballast:status` task. Numbers are shown rounded for reading; `--json` keeps them exact.
 */
import { formatUnits } from "ethers";
import type { AssetStatus, PoolStatus, ProtocolStatus } from "./model";

/** Ratios at or above this (WAD) mean "no supply": the reserve returns a sentinel near uint max. */
const NO_SUPPLY_RATIO_WAD = 10n ** 40n;

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
const wadText = (v: string | null, digits = 6) =>
  v === null ? "n/a" : trimZeros(Number(formatUnits(v, 18)).toFixed(digits));
const pctText = (v: string | null) =>
  v === null
    ? "n/a"
    : BigInt(v) > NO_SUPPLY_RATIO_WAD
    ? "∞ (no supply)"
    : `${trimZeros((Number(formatUnits(v, 18)) * 100).toFixed(2))}%`;
const unitsText = (v: string | null, decimals: number | null, digits = 2) =>
  v === null || decimals === null
    ? "n/a"
    : Number(formatUnits(v, decimals)).toLocaleString("en-US", { maximumFractionDigits: digits });
const yesNo = (v: boolean | null) => (v === null ? "n/a" : v ? "YES" : "no");
const duration = (sec: number | null) =>
  sec === null
    ? "n/a"
    : sec === 0
    ? "ready"
    : sec < 120
    ? `${sec} s`
    : sec < 7_200
    ? `${Math.round(sec / 60)} min`
    : `${(sec / 3_600).toFixed(1)} h`;
const age = (sec: number) => (sec < 120 ? `${sec} s` : duration(sec));

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}

function operatorText(s: ProtocolStatus): string {
  const o = s.operator;
  if (o === null) return "n/a";
  if (o.action === "None") return `wait (${o.blocker})`;
  const size =
    o.action === "Expand"
      ? ` ${unitsText(o.amount, s.tokenDecimals, 4)} BLD`
      : o.action === "Contract"
      ? ` ${unitsText(o.amount, s.quoteDecimals, 4)} quote`
      : "";
  return o.blocker === "None" ? `${o.action}${size}` : `${o.action}${size} (capped: ${o.blocker})`;
}

/** The venue's rows: the V2 pair's reserves, or the V3 pool's tier, price, in-range liquidity and the protocol-owned position. */
function poolRows(p: PoolStatus, s: ProtocolStatus): string[][] {
  if (p.venue === "v2")
    return [
      [
        "pool",
        `V2 pair: ${unitsText(p.reserveToken, s.tokenDecimals)} BLD / ${unitsText(
          p.reserveQuote,
          s.quoteDecimals,
        )} quote`,
      ],
    ];
  const pos = p.position;
  return [
    ["pool", `Uniswap V3, ${trimZeros((p.feePips / 10_000).toFixed(4))}% tier`],
    ["pool price (tick)", `${wadText(p.poolPrice)} quote per BLD (tick ${p.tick})`],
    ["pool liquidity in range", unitsText(p.liquidity, 0, 0)],
    [
      "protocol-owned position",
      pos === null
        ? "n/a"
        : `${wadText(pos.lowPrice)}–${wadText(pos.highPrice)} (ticks ${pos.tickLower}…${
            pos.tickUpper
          }), liquidity ${unitsText(pos.liquidity, 0, 0)}, ${pos.inRange ? "in range" : "OUT OF RANGE"}, ${
            !pos.counted
              ? "NOT COUNTED in the reserve's value"
              : pos.valueWad === null
              ? "counted (quote feed unpriced)"
              : `counts $${unitsText(pos.valueWad, 18)} in the reserve's value`
          }`,
    ],
  ];
}

function priceText(a: AssetStatus): string {
  if (a.priceStatus === "degraded") return "degraded";
  return a.price === null ? "rejected" : `$${wadText(a.price, 4)}`;
}

const feedText = (a: AssetStatus) =>
  a.feed.roundFailure !== null
    ? `UNREADABLE (max ${age(a.feed.maxAgeSec)})`
    : `${age(a.feed.ageSec)} old (max ${age(a.feed.maxAgeSec)})${a.feed.valid ? "" : " INVALID"}`;

export function renderStatus(s: ProtocolStatus): string {
  const deviation = s.deviationBps === null ? "n/a" : `${s.deviationBps > 0 ? "+" : ""}${s.deviationBps} bps`;
  const lines = [
    `Ballast on ${s.network} (chain ${s.chainId ?? "?"}), block ${s.blockNumber} at ${new Date(
      s.timestamp * 1000,
    ).toISOString()}`,
    "",
    ...table([
      ["pool spot", s.spotPrice === null ? "n/a" : `$${wadText(s.spotPrice)}`],
      ["pool TWAP", s.twapPrice === null ? "n/a" : `$${wadText(s.twapPrice)}`],
      [
        "TWAP span",
        s.twap.spanSec === 0
          ? "n/a"
          : `${duration(s.twap.spanSec)} (window ${duration(s.twap.windowSec)})${s.twap.stale ? ", STALE" : ""}`,
      ],
      ["deviation from peg", `${deviation} (band ±${s.bandBps} bps)`],
      ...poolRows(s.pool, s),
      ["supply", `${unitsText(s.supply, s.tokenDecimals)} BLD`],
      ["reserve value (after haircuts)", s.reserveValue === null ? "n/a" : `$${unitsText(s.reserveValue, 18)}`],
      ["collateral ratio", pctText(s.collateralRatio)],
      ["target ratio", pctText(s.targetRatio)],
      ["operator would", operatorText(s)],
    ]),
    "",
    ...table([
      ["asset", "amount", "price", "haircut", "value", "feed"],
      ...s.assets.map((a) => [
        a.symbol,
        unitsText(a.amount, a.decimals, 4),
        priceText(a),
        a.haircutBps === null ? "n/a" : `${a.haircutBps / 100}%`,
        a.value === null ? "n/a" : `$${unitsText(a.value, 18)}`,
        feedText(a),
      ]),
    ]),
    "",
    ...table([
      [
        "expansion left this epoch",
        `${unitsText(s.caps.expansionLeftInEpoch, s.tokenDecimals)} BLD (per op ${unitsText(
          s.caps.maxExpansionPerOp,
          s.tokenDecimals,
        )})`,
      ],
      [
        "contraction left this epoch",
        `${unitsText(s.caps.contractionLeftInEpoch, 18)} quote (per op ${unitsText(s.caps.maxContractionPerOp, 18)})`,
      ],
      ["epoch ends in", duration(s.caps.epochEndsInSec)],
      ["operation cooldown", duration(s.cooldowns.operationReadyInSec)],
      ["policy refresh", duration(s.cooldowns.policyRefreshReadyInSec)],
      [
        "paused",
        `minting ${yesNo(s.paused.minting)}, redemptions ${yesNo(s.paused.redemptions)}, operations ${yesNo(
          s.paused.operations,
        )}`,
      ],
      ...(s.keeperBalance === null ? [] : [["keeper balance", `${wadText(s.keeperBalance, 4)} ETH`]]),
    ]),
  ];
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
