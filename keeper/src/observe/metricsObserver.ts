/** The cycle's Prometheus metrics: one subscriber of the loop's events (keeper/src/observe/cycleObserver.ts). */
import { formatUnits } from "ethers";
import type { KeeperMetrics } from "../metrics";
import { PEG_WAD, type Snapshot } from "../policy";
import type { CycleObserver } from "./cycleObserver";

/** Hundredths of a basis point: the deviation gauge keeps two decimals. */
const CENTI_BPS = 1_000_000n;
const asNumber = (v: bigint, decimals = 18): number => Number(formatUnits(v, decimals));
const deviationBps = (priceWad: bigint): number => Number(((priceWad - PEG_WAD) * CENTI_BPS) / PEG_WAD) / 100;

function record(m: KeeperMetrics, snap: Snapshot): void {
  const s = snap.operator;
  m.lastBlock.set(snap.blockNumber);
  if (s.marketOk) {
    m.pegDeviationBps.set({ price: "spot" }, deviationBps(s.spotWad));
    m.pegDeviationBps.set({ price: "twap" }, deviationBps(s.twapWad));
    m.priceUsd.set({ kind: "spot" }, asNumber(s.spotWad));
    m.priceUsd.set({ kind: "twap" }, asNumber(s.twapWad));
  }
  if (snap.collateralRatioWad !== null && s.supply > 0n)
    m.collateralRatio.set({ kind: "actual" }, asNumber(snap.collateralRatioWad));
  m.collateralRatio.set({ kind: "target" }, asNumber(s.targetRatioWad));
  if (s.backingOk) m.reserveValueUsd.set(asNumber(s.reserveValueWad));
  m.supplyTokens.set(asNumber(s.supply, s.tokenDecimals));
  for (const f of snap.feeds) m.oracleAgeSeconds.set({ asset: f.symbol }, Number(snap.blockTimestamp - f.updatedAt));
  if (snap.keeperBalanceWei !== null) m.keeperBalanceEth.set(asNumber(snap.keeperBalanceWei));
}

export function metricsObserver(m: KeeperMetrics): CycleObserver {
  return {
    onSnapshot: (e) => record(m, e.snapshot),
    onStandStill: (e) => m.standStillTotal.inc({ reason: e.reason }),
    onSimulated: (e) => {
      if (!e.ok) m.actionsTotal.inc({ action: e.action, result: "simulation_reverted" });
    },
    onSent: (e) => m.actionsTotal.inc({ action: e.action, result: "sent" }),
    onConfirmed: (e) => m.actionsTotal.inc({ action: e.action, result: "confirmed" }),
    onFailed: (e) => {
      if (e.stage === "send") m.actionsTotal.inc({ action: e.action, result: "failed" });
    },
    onObservation: (e) => {
      if (e.stage !== "done") return;
      const r = e.outcome.result;
      m.observationsTotal.inc({
        result: r === "simulation-reverted" ? "simulation_reverted" : r === "dry-run" ? "dry_run" : r,
      });
    },
    onEconomics: (e) => {
      m.gasBudgetUsd.set(e.dailyBudgetUsd);
      m.gasSpentUsd24h.set(e.spent24hUsd);
      if (e.feeCapGwei !== null) m.feeCapGwei.set(e.feeCapGwei);
      if (e.observationAgeSec !== null) m.observationAgeSeconds.set(e.observationAgeSec);
    },
    onCycleDone: ({ outcome, atMs }) => {
      if (outcome.kind === "simulated") m.actionsTotal.inc({ action: outcome.action, result: "dry_run" });
      m.cyclesTotal.inc({ outcome: outcome.kind });
      if (outcome.kind !== "error") m.lastSuccessTimestamp.set(Math.floor(atMs / 1000));
    },
  };
}
