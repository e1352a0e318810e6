/**
 * One fault-test world: a `hardhat node` process with the protocol deployed and pushed off peg,
 * two fault proxies in front of it (two "RPC endpoints"), and a fresh journal directory per test.
 * Each test starts from the same chain state through evm_snapshot / evm_revert.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FaultProxy } from "./faultProxy";
import { startHardhatNode, type RunningNode } from "./hardhatNode";
import { deployOnNode, keeperWallet, pushOffPeg, revertTo, snapshot, type ChainSystem } from "./chainSystem";
import { KeeperHarness, type HarnessOptions } from "./keeperHarness";

export class FaultWorld {
  node!: RunningNode;
  chain!: ChainSystem;
  proxyA!: FaultProxy;
  proxyB!: FaultProxy;
  private base = "";
  private dirs: string[] = [];
  private harnesses: KeeperHarness[] = [];

  async setUp(): Promise<void> {
    this.node = await startHardhatNode();
    this.chain = await deployOnNode(this.node.url);
    await pushOffPeg(this.chain, "above");
    this.base = await snapshot(this.chain);
  }

  /** Back to the deployed, off-peg state, with fresh proxies and journal directory. */
  async reset(): Promise<string> {
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

  /** Closes a harness early (simulating a restart) so the journal lock is released. */
  release(h: KeeperHarness): void {
    h.close();
    this.harnesses = this.harnesses.filter((x) => x !== h);
  }

  async afterEach(): Promise<void> {
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

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, or fails naming `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
