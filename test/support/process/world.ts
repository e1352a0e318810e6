/**
 * One fault-test world: a `hardhat node` process with the protocol deployed and pushed off peg,
 * two fault proxies in front of it (two "RPC endpoints"), and a fresh journal directory per test.
 * Each test starts from the same chain state through evm_snapshot / evm_revert.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Wallet } from "ethers";
import { Registry } from "prom-client";
import { loadConfig, type KeeperConfig } from "../../../keeper/src/config/load";
import { PoolProvider, RpcPool } from "../../../keeper/src/rpc";
import { createResilience, txSettingsFromEnv, type Resilience } from "../../../keeper/src/tx";
import { FaultProxy } from "./faultProxy";
import { startHardhatNode, type RunningNode } from "./hardhatNode";
import {
  deployOnNode,
  keeperWallet,
  pushOffPeg,
  revertTo,
  snapshot,
  writeDaemonConfig,
  type ChainSystem,
} from "./chainSystem";
import { CapturingLogger, KeeperHarness, type HarnessOptions } from "./keeperHarness";
import { spawnDaemon, type DaemonOptions, type KeeperChild } from "./spawnKeeper";

/** The keeper's transaction path as the daemon wires it, for one fault test. */
export interface DaemonWiring {
  config: KeeperConfig;
  key: Wallet;
  logger: CapturingLogger;
  provider: PoolProvider;
  resilience: Resilience;
}

export class FaultWorld {
  node!: RunningNode;
  chain!: ChainSystem;
  proxyA!: FaultProxy;
  proxyB!: FaultProxy;
  private base = "";
  private dirs: string[] = [];
  private harnesses: KeeperHarness[] = [];
  private wirings: DaemonWiring[] = [];

  /** A world set up before the enclosing `describe`'s tests and torn down after them. */
  static forSuite(): FaultWorld {
    const world = new FaultWorld();
    before(() => world.setUp());
    after(() => world.tearDown());
    return world;
  }

  async setUp(): Promise<void> {
    this.node = await startHardhatNode();
    this.chain = await deployOnNode(this.node.url);
    await pushOffPeg(this.chain, "above");
    this.base = await snapshot(this.chain);
  }

  /** Back to the deployed, off-peg state, with fresh proxies and journal directory. */
  async reset(): Promise<string> {
    this.closeWirings();
    await this.chain.send("evm_setAutomine", [true]);
    await revertTo(this.chain, this.base);
    this.base = await snapshot(this.chain);
    this.proxyA = await FaultProxy.start(this.node.url);
    this.proxyB = await FaultProxy.start(this.node.url);
    const dir = mkdtempSync(path.join(tmpdir(), "ballast-faults-"));
    this.dirs.push(dir);
    return path.join(dir, "keeper-journal.sqlite");
  }

  async harness(journalPath: string, options: Partial<HarnessOptions> = {}): Promise<KeeperHarness> {
    const h = await KeeperHarness.start({
      urls: [this.proxyA.url, this.proxyB.url],
      privateKey: keeperWallet().privateKey,
      journalPath,
      operatorAddress: this.chain.operatorAddress,
      ...options,
    });
    this.harnesses.push(h);
    return h;
  }

  /** The world's keeper config file (journal beside it) with `patch` merged in; returns its path. */
  async daemonConfig(journalPath: string, patch: Record<string, unknown> = {}): Promise<string> {
    const file = await writeDaemonConfig(this.chain, path.dirname(journalPath));
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), ...patch }));
    return file;
  }

  /**
   * The keeper's transaction path wired exactly as the daemon wires it (loadConfig →
   * txSettingsFromEnv → createResilience), reading through proxy A; closed by the next reset.
   */
  async wireAsDaemon(journalPath: string, patch: Record<string, unknown> = {}): Promise<DaemonWiring> {
    const key = keeperWallet();
    const config = loadConfig(
      { network: "faults", config: await this.daemonConfig(journalPath, patch), rpc: [this.proxyA.url] },
      { BALLAST_KEEPER_KEY: key.privateKey },
      process.cwd(),
    );
    const logger = new CapturingLogger();
    const chainId = config.addressBook.chainId;
    const provider = new PoolProvider(new RpcPool(config.rpcUrls, { logger, chainId }), chainId);
    const resilience = await createResilience({
      pool: provider.pool,
      provider,
      privateTxUrl: config.privateTxUrl,
      chainId,
      signer: key,
      operator: this.chain.operatorAddress,
      confirmations: 1,
      pollIntervalMs: 100,
      maxFeePerGasWei: config.decision.feeCap.maxWei,
      gasLimitBufferBps: config.gas.gasLimitBufferBps,
      settings: txSettingsFromEnv({}, journalPath, config),
      logger,
      registry: new Registry(),
    });
    const wiring = { config, key, logger, provider, resilience };
    this.wirings.push(wiring);
    return wiring;
  }

  private closeWirings(): void {
    for (const w of this.wirings) {
      w.resilience.close();
      w.provider.destroy();
    }
    this.wirings = [];
  }

  /** Closes a harness early (simulating a restart) so the journal lock is released. */
  release(h: KeeperHarness): void {
    h.close();
    this.harnesses = this.harnesses.filter((x) => x !== h);
  }

  async afterEach(): Promise<void> {
    this.closeWirings();
    for (const h of this.harnesses) h.close();
    this.harnesses = [];
    await this.proxyA?.close();
    await this.proxyB?.close();
  }

  async tearDown(): Promise<void> {
    await this.afterEach();
    this.chain?.provider.destroy();
    await this.node?.stop();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }

  async keeperNonce(tag: "latest" | "pending" = "latest"): Promise<number> {
    return this.chain.provider.getTransactionCount(keeperWallet().address, tag);
  }

  async blockNumber(): Promise<number> {
    return this.chain.provider.getBlockNumber();
  }
}

/** A suite's world and the daemon processes its tests spawn. */
export interface DaemonSuite {
  world: FaultWorld;
  /** Every daemon spawned so far, in order. */
  children: KeeperChild[];
  spawn(options: DaemonOptions): KeeperChild;
}

/**
 * A world for the enclosing `describe` whose daemons are killed before it is torn down; when a
 * test fails or a daemon crashed, each daemon's last output goes to stderr.
 */
export function daemonSuite(): DaemonSuite {
  const world = new FaultWorld();
  const children: KeeperChild[] = [];
  const crashed = () =>
    children.some((c) => c.child.exitCode !== null && c.child.exitCode !== 0 && c.child.signalCode === null);
  before(() => world.setUp());
  afterEach(function () {
    if (this.currentTest?.state === "failed" || crashed())
      for (const [i, c] of children.entries())
        process.stderr.write(`\n--- daemon ${i} ---\n${c.output().slice(-6_000)}\n`);
  });
  after(async () => {
    for (const c of children) {
      c.kill("SIGKILL");
      await c.exited;
    }
    await world.tearDown();
  });
  return {
    world,
    children,
    spawn(options) {
      const c = spawnDaemon(options);
      children.push(c);
      return c;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, or fails naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
