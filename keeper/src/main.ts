/**
 * The composition root: the only place that reads the environment, opens connections, installs
 * signal handlers and exits. Everything else receives what it needs.
 *
 * Exit codes: 0 ok; 1 a check or cycle failed; 2 invalid configuration or command line (nothing
 * touched the chain); 3 the chain does not match the configuration.
 */
import { ConfigError, KeeperError } from "./errors";
import { JournalLockedError, TxConfigError } from "./tx/errors";
import { buildProgram } from "./cli";
import { loadConfig, type CliOptions, type KeeperConfig } from "./config/load";
import { createLogger, type Logger } from "./logger";
import { createMetrics } from "./metrics";
import { probeEndpoints, startupVerdict } from "./chain/startupCheck";
import { PoolProvider, RpcPool, silentLogger, type KeeperLogger } from "./rpc";
import { connectProtocol, SymbolCache, type Protocol } from "./chain/protocol";
import { readSnapshot } from "./chain/reader";
import { resolveAccount, type KeeperAccount } from "./chain/account";
import { createResilience, defaultJournalPath, txSettingsFromEnv } from "./tx";
import { KeeperLoop } from "./loop";
import { createHttpServer, healthzHandler, metricsHandler } from "./http/server";
// By file, not by folder: a dist/ built before keeper/src/status.ts became a folder still holds a
// stale status.js, which `./status` would resolve first (tsc -b leaves deleted sources' output).
import { renderStatus } from "./status/text";
import { StatusReader, readProtocolStatus } from "./chain/statusReader";
import { runChecks } from "./check";
import { StatusModel, registerStatusRoutes, statusObserver } from "./statusPage";
import { fanOut, logObserver, metricsObserver } from "./observe";

const EXIT_CONFIG = 2;
const EXIT_CHAIN = 3;

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

function configOrExit(cli: CliOptions, requireKey: boolean): KeeperConfig | number {
  try {
    return loadConfig(cli, process.env, process.cwd(), { requireKey });
  } catch (err) {
    if (err instanceof ConfigError) {
      write(process.stderr, `ballast-keeper: ${err.message}`);
      return EXIT_CONFIG;
    }
    throw err;
  }
}

/** The daemon's one RPC stack: every endpoint behind the pool (failover, health, chain-id check), an ethers provider over it. */
function rpcStack(config: KeeperConfig, logger: KeeperLogger): { pool: RpcPool; provider: PoolProvider } {
  const pool = new RpcPool(config.rpcUrls, { logger, chainId: config.addressBook.chainId });
  return { pool, provider: new PoolProvider(pool, config.addressBook.chainId) };
}

interface Connected {
  pool: RpcPool;
  provider: PoolProvider;
  protocol: Protocol;
}

/**
 * Checks every configured endpoint's chain id (keeper/src/chain/startupCheck.ts): one serving
 * another chain is fatal, one that does not answer is reported and skipped. Then connects through
 * the RPC pool and checks the MarketOperator has code there.
 */
async function connect(config: KeeperConfig, logger: Logger): Promise<Connected | number> {
  const probes = await probeEndpoints(config.rpcUrls, config.rpcUrlsField);
  const verdict = startupVerdict(probes, config.addressBook.chainId, config.addressBookPath);
  for (const { probe, message } of verdict.warnings) {
    logger.warn(
      {
        event: "rpc.unreachable-at-start",
        endpoint: probe.label,
        field: probe.field,
        err: probe.status === "unreachable" ? probe.error : undefined,
      },
      message,
    );
  }
  if (verdict.usable === null) {
    for (const line of verdict.fatal) {
      logger.error(
        {
          event: line.startsWith("no RPC endpoint") ? "rpc.error" : "chain.mismatch",
          expected: config.addressBook.chainId,
        },
        line,
      );
      write(process.stderr, `ballast-keeper: ${line}`);
    }
    return EXIT_CHAIN;
  }
  const { pool, provider } = rpcStack(config, logger);
  try {
    const code = await provider.getCode(config.addressBook.contracts.MarketOperator);
    if (code === "0x") {
      logger.error(
        { event: "chain.no-code", address: config.addressBook.contracts.MarketOperator },
        "no MarketOperator at the address book's address: redeploy or fix the address book",
      );
      provider.destroy();
      return EXIT_CHAIN;
    }
    return { pool, provider, protocol: await connectProtocol(config.addressBook, provider) };
  } catch (err) {
    logger.error({ event: "rpc.error", endpoint: pool.lastLabel, err: err as Error }, "cannot reach the RPC endpoints");
    provider.destroy();
    return EXIT_CHAIN;
  }
}

async function run(cli: CliOptions): Promise<number> {
  const config = configOrExit(cli, true);
  if (typeof config === "number") return config;
  const logger = createLogger(config.logLevel);
  const connected = await connect(config, logger);
  if (typeof connected === "number") return connected;
  const { pool, provider, protocol } = connected;

  let account: KeeperAccount;
  try {
    account = await resolveAccount(config.key!, provider, protocol.operator);
  } catch (err) {
    provider.destroy();
    if (err instanceof ConfigError) {
      write(process.stderr, `ballast-keeper: ${err.message}`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  logger.info(
    {
      event: "keeper.account",
      address: account.address,
      origin: account.origin,
      network: config.network,
      endpoints: pool.snapshot().map((e) => e.label),
      dryRun: config.dryRun,
      privateTx: config.privateTxUrl !== undefined,
    },
    `keeper account ${account.address} from ${account.origin}`,
  );

  const metrics = createMetrics();
  const symbols = new SymbolCache(provider);
  // Resilience layer (keeper/src/tx): sends through the journaled transaction manager, on the same
  // RPC pool as every read (failover, health scoring, backoff).
  let resilience;
  try {
    const settings = txSettingsFromEnv(
      process.env,
      defaultJournalPath(process.cwd(), config.network, config.addressBook.chainId, account.address),
      config,
    );
    resilience = await createResilience({
      pool,
      provider,
      privateTxUrl: config.privateTxUrl,
      chainId: config.addressBook.chainId,
      signer: account.wallet,
      operator: config.addressBook.contracts.MarketOperator,
      oracle: config.addressBook.contracts.PriceOracle,
      policy: config.addressBook.contracts.CollateralPolicy,
      confirmations: config.confirmations,
      pollIntervalMs: config.pollIntervalMs,
      maxFeePerGasWei: config.decision.feeCap.maxWei,
      gasLimitBufferBps: config.gas.gasLimitBufferBps,
      settings,
      logger,
      registry: metrics.registry,
    });
  } catch (err) {
    provider.destroy();
    write(process.stderr, `ballast-keeper: ${(err as Error).message}`);
    // A bad setting or a journal held by another process is configuration; anything else is the chain.
    return err instanceof ConfigError || err instanceof TxConfigError || err instanceof JournalLockedError
      ? EXIT_CONFIG
      : EXIT_CHAIN;
  }
  const { sender } = resilience;
  logger.info({ event: "keeper.journal", path: resilience.journalPath }, "transaction journal opened");
  // The status page's state, fed by the loop's events like the logs and the metrics.
  const statusModel = new StatusModel({
    network: config.network,
    chainId: config.addressBook.chainId,
    tokenSymbol: await protocol.stable.symbol(),
    quoteSymbol: await symbols.symbol(protocol.quoteAsset),
    quoteDecimals: protocol.quoteDecimals,
    dryRun: config.dryRun,
  });
  // Status-page reads go through the RPC pool too, so a hanging endpoint cannot stall a cycle.
  const statusReader = new StatusReader(() => provider, config.addressBook);
  const observer = fanOut(
    [
      logObserver(logger),
      metricsObserver(metrics),
      statusObserver(statusModel, statusReader, {
        onDetailReadError: (err) =>
          logger.warn(
            { event: "status.detail-read-failed", err: err as Error },
            "status page: status detail read failed",
          ),
      }),
    ],
    (hook, err) => logger.warn({ event: "cycle.observer-failed", hook, err: err as Error }, "a cycle observer failed"),
  );
  const loop = new KeeperLoop({
    read: () =>
      readSnapshot(provider, protocol, symbols, {
        feeHistoryBlocks: config.gas.feeHistoryBlocks,
        rewardPercentile: config.gas.rewardPercentile,
        keeper: account.address,
      }),
    blockNumber: () => provider.getBlockNumber(),
    endpoint: () => pool.lastLabel,
    sender,
    params: config.decision,
    dryRun: config.dryRun,
    logger,
    observer,
    pollIntervalMs: config.pollIntervalMs,
    idleCycleSec: config.idleCycleSec,
    actDelayMs: config.actDelayMs,
    gasLedger: resilience.gasLedger,
  });

  // Settle what the journal left unresolved (a crash, a stop) before deciding anything new.
  await resilience.manager.recover();

  if (cli.once) {
    const outcome = await loop.cycle();
    resilience.close();
    provider.destroy();
    return outcome.kind === "error" || outcome.kind === "tx-failed" ? 1 : 0;
  }

  const http = createHttpServer((err) =>
    logger.error({ event: "http.error", err: err as Error }, "http handler failed"),
  );
  http.route("/metrics", metricsHandler(metrics.registry));
  http.route("/healthz", healthzHandler(loop, config.healthMaxAgeSec));
  registerStatusRoutes(http, statusModel);
  let bound;
  try {
    bound = await http.listen(config.http.port, config.http.host);
  } catch (err) {
    logger.error(
      { event: "http.listen-failed", port: config.http.port, err: err as Error },
      `cannot listen on ${config.http.host}:${config.http.port}`,
    );
    resilience.close();
    provider.destroy();
    return EXIT_CONFIG;
  }
  logger.info(
    { event: "http.listening", host: bound.host, port: bound.port },
    `metrics on http://${bound.host}:${bound.port}/metrics`,
  );

  let signals = 0;
  const shutdown = (signal: string): void => {
    signals++;
    if (signals > 1) {
      logger.warn({ event: "keeper.forced-exit", signal }, "second signal: exiting now");
      process.exit(1);
    }
    logger.info({ event: "keeper.stopping", signal }, "stopping: finishing the in-flight cycle");
    resilience.manager.stop();
    void loop.stop();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  await loop.run();
  await http.close();
  resilience.close();
  provider.destroy();
  logger.info({ event: "keeper.stopped" }, "stopped cleanly");
  return 0;
}

async function status(cli: CliOptions & { json: boolean }): Promise<number> {
  const config = configOrExit(cli, false);
  if (typeof config === "number") return config;
  const logger = createLogger(config.logLevel, process.stderr as never);
  const connected = await connect(config, logger);
  if (typeof connected === "number") return connected;
  const { provider, protocol } = connected;
  try {
    const source = { network: config.network, chainId: config.addressBook.chainId };
    const st = await readProtocolStatus(provider, protocol, config.addressBook, source);
    write(process.stdout, cli.json ? JSON.stringify(st) : renderStatus(st));
    return 0;
  } finally {
    provider.destroy();
  }
}

async function check(cli: CliOptions): Promise<number> {
  const config = configOrExit(cli, true);
  if (typeof config === "number") return config;
  write(process.stdout, `✔ config: network ${config.network}, address book ${config.addressBookPath}`);
  let stack: { provider: PoolProvider } | undefined;
  try {
    const results = await runChecks(config, () => (stack ??= rpcStack(config, silentLogger)).provider);
    for (const r of results) write(process.stdout, `${r.ok ? "✔" : "✘"} ${r.name}: ${r.detail}`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    stack?.provider.destroy();
  }
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({ run, status, check }, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === "string" && e.code.startsWith("commander.")) {
      // Help and version are not errors; everything else commander rejects is bad input.
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help"
        ? 0
        : EXIT_CONFIG;
    }
    if (err instanceof KeeperError) {
      write(process.stderr, `ballast-keeper: ${err.message}`);
      return 1;
    }
    throw err;
  }
  return exitCode;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      write(process.stderr, `ballast-keeper: unexpected error: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
