/**
 * Ballast on a running `hardhat node`, deployed through the same wiring as `npm run deploy`
 * (scripts/devnet/deploy.ts), with the address book in a temporary directory the keeper reads.
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deployToNode, type NodeDeployment } from "../../../scripts/devnet/deploy";
import { startHardhatNode, type RunningNode } from "./hardhatNode";

export { deployToNode as deployOnNode, type NodeDeployment as LocalDeployment } from "../../../scripts/devnet/deploy";

/** A node with the system deployed, and what the keeper CLI needs to run against it. */
export interface KeeperOnNode {
  node: RunningNode;
  d: NodeDeployment;
  /** keeper.json beside the address book. */
  configPath: string;
  /** The CLI's environment: the node's URL, a journal of this deployment's own, nothing inherited that would redirect it. */
  env: NodeJS.ProcessEnv;
}

/**
 * For the enclosing `describe`: a `hardhat node` with Ballast deployed before its tests, a keeper
 * config (`config` plus the address book; everything else the default) and the keeper's
 * environment; node and files removed after. `get()` answers once the `before` hook has run.
 */
export function keeperOnNodeSuite(config: Record<string, unknown>): { get(): KeeperOnNode } {
  let ready: KeeperOnNode | undefined;
  before(async function () {
    const node = await startHardhatNode();
    const d = await deployToNode(node.url);
    const configPath = path.join(d.dir, "keeper.json");
    writeFileSync(configPath, JSON.stringify({ addressBook: d.bookPath, ...config }));
    // The transaction journal goes with this deployment, not the shared default path.
    const env = {
      BALLAST_LOCALHOST_URL: node.url,
      BALLAST_KEEPER_JOURNAL: path.join(d.dir, "journal.sqlite"),
      BALLAST_KEEPER_KEY: undefined,
      BALLAST_RPC_URLS: undefined,
      BALLAST_KEEPER_PORT: undefined,
    };
    ready = { node, d, configPath, env };
  });
  after(async function () {
    ready?.d.provider.destroy();
    await ready?.node.stop();
    if (ready) rmSync(ready.d.dir, { recursive: true, force: true });
  });
  return {
    get() {
      if (!ready) throw new Error("keeperOnNodeSuite: the node is not up yet (use it from a hook or a test)");
      return ready;
    },
  };
}
