/** The cycle's JSON log lines: one subscriber of the loop's events (keeper/src/observe/cycleObserver.ts). */
import { formatUnits } from "ethers";
import type { Logger } from "../logger";
import type { CycleObserver } from "./cycleObserver";

const wad = (v: bigint, digits = 6): string => Number(formatUnits(v, 18)).toFixed(digits);
/** Stand-stills that mean the keeper itself was too slow, not the market: worth a warning. */
const WARN_REASONS = new Set(["snapshot-too-old"]);

export function logObserver(logger: Logger): CycleObserver {
  return {
    onStandStill: (e) => {
      const fields = {
        cycle: e.cycle,
        event: "cycle.stand-still",
        ...e.state,
        reason: e.reason,
        detail: e.detail,
        ...(e.facts ? { facts: e.facts } : {}),
        engaged: e.engaged,
      };
      if (WARN_REASONS.has(e.reason)) logger.warn(fields, `standing still: ${e.reason}`);
      else logger.info(fields, `standing still: ${e.reason}`);
    },
    onAct: (e) => {
      if (e.deferredMs !== null) {
        logger.info(
          { cycle: e.cycle, event: "cycle.act-deferred", ...e.state, delayMs: e.deferredMs },
          `act deferred ${e.deferredMs} ms; looking again before simulating`,
        );
        return;
      }
      const d = e.decision;
      const intent = {
        action: e.action,
        amount: d.amount.toString(),
        minOut: d.minOut.toString(),
        expectedOut: d.expectedOut.toString(),
        expectedProfitUsd: wad(d.expectedProfitWad),
        correctionValueUsd: wad(d.correctionValueWad),
        gasCostUsd: wad(d.gasCostWad),
        feeCapGwei: formatUnits(d.feeCapWei, 9),
      };
      logger.info({ cycle: e.cycle, event: "cycle.act", ...e.state, ...intent }, `deciding to ${e.action}`);
    },
    onSimulated: (e) => {
      if (e.ok) return;
      logger.warn(
        {
          cycle: e.cycle,
          event: "simulation.reverted",
          action: e.action,
          error: e.error.errorName,
          detail: e.error.detail,
        },
        `simulation reverted with ${e.error.errorName}; not sending`,
      );
    },
    onSent: (e) => {
      const r = e.request;
      logger.info(
        {
          cycle: e.cycle,
          event: "tx.sent",
          action: e.action,
          txHash: e.tx.hash,
          nonce: e.tx.nonce,
          gasLimit: e.simulation.gasLimit.toString(),
          maxFeePerGasWei: r.maxFeePerGasWei.toString(),
          maxPriorityFeePerGasWei: r.maxPriorityFeePerGasWei.toString(),
        },
        `sent ${e.action}`,
      );
    },
    onConfirmed: (e) => {
      const o = e.outcome;
      logger.info(
        {
          cycle: e.cycle,
          event: "tx.confirmed",
          action: e.action,
          txHash: o.hash,
          nonce: o.nonce,
          minedIn: o.blockNumber,
          snapshotBlock: e.snapshotBlock,
          gasUsed: o.gasUsed.toString(),
          effectiveGasPriceWei: o.effectiveGasPriceWei.toString(),
        },
        `${e.action} confirmed in block ${o.blockNumber}`,
      );
    },
    onFailed: (e) => {
      if (e.stage === "read")
        logger.error(
          { cycle: e.cycle, event: "cycle.read-failed", endpoint: e.endpoint, err: e.error as Error },
          "snapshot failed; standing still this cycle",
        );
      else if (e.stage === "send")
        logger.error(
          { cycle: e.cycle, event: "tx.failed", action: e.action, txHash: e.hash, nonce: e.nonce, error: e.message },
          `${e.action} failed: ${e.message}`,
        );
      else logger.error({ cycle: e.cycle, event: "cycle.failed", err: e.error as Error }, "cycle failed");
    },
    onObservation: (e) => {
      if (e.stage === "skipped")
        logger.debug(
          { cycle: e.cycle, event: "observation.skipped", reason: e.reason, detail: e.detail },
          `no observation: ${e.reason}`,
        );
      else if (e.stage === "write")
        logger.info(
          {
            cycle: e.cycle,
            event: "observation.write",
            ageSec: e.ageSec,
            intervalSec: e.intervalSec,
            gasCostUsd: e.gasCostUsd,
          },
          "writing a TWAP observation",
        );
      else if (e.stage === "sent")
        logger.info(
          { cycle: e.cycle, event: "tx.sent", action: "observe", txHash: e.tx.hash, nonce: e.tx.nonce },
          "sent observe",
        );
      else {
        const o = e.outcome;
        if (o.result === "confirmed")
          logger.info(
            {
              cycle: e.cycle,
              event: "observation.confirmed",
              txHash: o.hash,
              minedIn: o.minedIn,
              gasUsed: e.gasUsed?.toString() ?? null,
            },
            `observation written in block ${o.minedIn}`,
          );
        else if (o.result === "simulation-reverted")
          logger.warn(
            { cycle: e.cycle, event: "observation.reverted", error: o.detail },
            `observation simulation reverted with ${o.detail}`,
          );
        else if (o.result === "failed")
          logger.error(
            { cycle: e.cycle, event: "observation.failed", error: o.detail },
            `observation failed: ${o.detail}`,
          );
        else
          logger.info(
            { cycle: e.cycle, event: "observation.skipped", reason: o.result, detail: o.detail },
            `no observation: ${o.result}`,
          );
      }
    },
    onCycleDone: ({ outcome }) => {
      if (outcome.kind !== "simulated") return;
      logger.info(
        {
          event: "dry-run",
          action: outcome.action,
          gasEstimate: outcome.gasEstimate.toString(),
          gasLimit: outcome.gasLimit.toString(),
        },
        `dry run: ${outcome.action} simulated ok, not sent`,
      );
    },
  };
}
