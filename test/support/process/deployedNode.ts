/**
 * One `hardhat node` process with Ballast deployed by the real CLI (`hardhat ballast:deploy
 * --network localhost`), shared by the deploy and scripts e2e tests because a deploy over
 * JSON-RPC takes tens of seconds. Started on first use, stopped by a root-level `after` hook.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { startHardhatNode, type RunningNode } from "./hardhatNode";
import { expectOk, runHardhat, type CliEnv, type CliResult } from "./cli";

export interface DeployedNode {
  node: RunningNode;
  provider: JsonRpcProvider;
  env: CliEnv;
  /** The first deploy's output. */
  deploy: CliResult;
  /** Block number right after the first deploy. */
  deployedAtBlock: number;
}

let shared: Promise<DeployedNode> | undefined;
const cleanups: (() => Promise<void>)[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Registers something to stop after the whole run. */
export function atEnd(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export function deployedNode(): Promise<DeployedNode> {
  shared ??= (async () => {
    const node = await startHardhatNode();
    atEnd(() => node.stop());
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    atEnd(async () => provider.destroy());
    const env: CliEnv = { url: node.url, dir: tempDir("ballast-deploy-") };
    const deploy = expectOk(await runHardhat(["ballast:deploy", "--network", "localhost"], env), "ballast:deploy");
    return { node, provider, env, deploy, deployedAtBlock: await provider.getBlockNumber() };
  })();
  return shared;
}

// Root-level hook: runs once after every test file, whichever used the shared node.
after(async function () {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
