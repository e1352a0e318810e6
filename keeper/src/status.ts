/**
 * The protocol's state as the keeper sees it, from one snapshot: a JSON-safe object (for
 * `status --json` and a future status endpoint) and a short human rendering.
 */
import { formatUnits } from "ethers";
import { Action, Blocker, deviationBps, type Snapshot } from "./policy";

export interface KeeperStatus {
  blockNumber: number;
  blockTimestamp: number;
  spotPrice: string;
  twapPrice: string;
  deviationBps: number | null;
  supply: string;
  reserveValue: string;
  collateralRatio: string | null;
  targetRatio: string;
  paused: { operations: boolean };
  feeds: { symbol: string; asset: string; price: string; updatedAt: number; ageSec: number; maxAgeSec: number; valid: boolean }[];
  preview: { action: string; blocker: string; amount: string; expectedOut: string };
  cooldownEndsAt: number;
}

export function statusOf(snap: Snapshot): KeeperStatus {
  const s = snap.operator;
  const p = snap.onchainPreview;
  return {
    blockNumber: snap.blockNumber,
    blockTimestamp: Number(snap.blockTimestamp),
    spotPrice: s.spotWad.toString(),
    twapPrice: s.twapWad.toString(),
    deviationBps: s.marketOk ? Number(deviationBps(s.spotWad)) : null,
    supply: s.supply.toString(),
    reserveValue: s.reserveValueWad.toString(),
    collateralRatio: snap.collateralRatioWad === null ? null : snap.collateralRatioWad.toString(),
    targetRatio: s.targetRatioWad.toString(),
    paused: { operations: s.paused },
    feeds: snap.feeds.map((f) => ({
      symbol: f.symbol,
      asset: f.asset,
      price: f.priceWad.toString(),
      updatedAt: Number(f.updatedAt),
      ageSec: Number(snap.blockTimestamp - f.updatedAt),
      maxAgeSec: Number(f.maxAgeSec),
      valid: f.valid,
    })),
    preview: p
      ? { action: Action[p.action], blocker: Blocker[p.blocker], amount: p.amount.toString(), expectedOut: p.expectedOut.toString() }
      : { action: "unknown", blocker: "unknown", amount: "0", expectedOut: "0" },
    cooldownEndsAt: Number(s.lastOperationAt + s.limits.cooldownSec),
  };
}

const w = (v: string | null, digits = 6): string => (v === null ? "n/a" : Number(formatUnits(v, 18)).toFixed(digits));

export function renderStatus(st: KeeperStatus): string {
  const lines = [
    `block          ${st.blockNumber} (t=${st.blockTimestamp})`,
    `spot / TWAP    ${w(st.spotPrice)} / ${w(st.twapPrice)} USD  (${st.deviationBps ?? "n/a"} bps from peg)`,
    `supply         ${w(st.supply, 2)}`,
    `reserve value  ${w(st.reserveValue, 2)} USD`,
    `ratio          ${w(st.collateralRatio, 4)} (target ${w(st.targetRatio, 4)})`,
    `paused         ${st.paused.operations}`,
    `preview        ${st.preview.action}${st.preview.action === "None" ? ` (${st.preview.blocker})` : ` ${st.preview.amount}`}`,
    ...st.feeds.map((f) => `feed ${f.symbol.padEnd(9)} ${w(f.price, 4)} USD, ${f.ageSec}s old (max ${f.maxAgeSec}s)${f.valid ? "" : "  INVALID"}`),
  ];
  return lines.join("\n");
}
