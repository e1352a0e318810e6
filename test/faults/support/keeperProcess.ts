/**
 * The keeper loop as its own OS process, for the fault tests that kill it (SIGKILL after
 * broadcast, after signing) or stop it (SIGTERM mid-send) and race two of them. Configured by the
 * BALLAST_FAULT_KEEPER environment variable (JSON); logs JSON lines (pino) to stdout.
 * On SIGTERM it finishes the step in progress, leaves the journal consistent and exits 0.
 */
import pino from "pino";
import { KeeperHarness } from "./keeperHarness";

interface ProcessConfig {
  urls: string[];
  privateKey: string;
  journalPath: string;
  operatorAddress: string;
  pollMs: number;
  actAfterMs?: number;
  rpcTimeoutMs?: number;
}

async function main(): Promise<void> {
  const raw = process.env.BALLAST_FAULT_KEEPER;
  if (!raw) throw new Error("BALLAST_FAULT_KEEPER is not set");
  const config = JSON.parse(raw) as ProcessConfig;
  const logger = pino({ base: { pid: process.pid } });
  const harness = await KeeperHarness.start({
    urls: config.urls,
    privateKey: config.privateKey,
    journalPath: config.journalPath,
    operatorAddress: config.operatorAddress,
    actAfterMs: config.actAfterMs,
    rpc: config.rpcTimeoutMs ? { timeoutMs: config.rpcTimeoutMs } : {},
    logger,
  });
  let stopping = false;
  process.on("SIGTERM", () => {
    logger.info({}, "SIGTERM: finishing the step in progress");
    stopping = true;
    harness.manager.stop();
  });
  logger.info({ address: harness.manager.address }, "keeper process started");
  while (!stopping) {
    try {
      const result = await harness.cycle();
      logger.info({ result: JSON.parse(JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) }, "cycle");
    } catch (error) {
      logger.warn({ err: (error as Error).message }, "cycle failed");
    }
    if (!stopping) await new Promise((resolve) => setTimeout(resolve, config.pollMs));
  }
  harness.close();
  logger.info({}, "stopped cleanly");
  logger.flush();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`keeper process failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
