/**
 * The stack the page test runs against, all real processes: a `hardhat node` on a free port, the
 * protocol deployed onto it over JSON-RPC (deployToNode: the Ignition module, as `ballast:deploy` does on local
 * networks) with its address book in a temporary directory, and the keeper daemon
 * (the built daemon, `run`, through scripts/lib/keeperProcess.ts) serving its HTTP server on another free port. Nothing touches
 * deployments/ or the default keeper journal, so other runs on this machine are not disturbed.
 * Hardhat tasks (`ballast:swap`) run as child processes pointed at the node and that directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, startHardhatNode, type RunningNode } from "./hardhatNode";
import { hasExited } from "./processGroup";
import { spawnKeeper } from "../../../scripts/lib/keeperProcess";
import { deployOnNode } from "./localDeploy";
import { TestERC20__factory } from "../../../typechain-types";

/** USDC (6 decimals) minted to account 0 for the test's swaps. */
const SWAP_FUNDING_USDC = 1_000_000n * 10n ** 6n;

const ROOT = path.resolve(__dirname, "../../..");
const BIN = (name: string): string => path.join(ROOT, "node_modules", ".bin", name);

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; output kept for error messages. */
export function runCommand(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${path.basename(bin)} ${args.join(" ")} did not finish in ${timeoutMs} ms:\n${output.slice(-4000)}`),
      );
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Runs `hardhat <args> --network localhost` against the node, with the stack's address book. */
export async function hardhatTask(nodeUrl: string, deploymentsDir: string, args: string[]): Promise<string> {
  const res = await runCommand(BIN("hardhat"), [...args, "--network", "localhost"], {
    BALLAST_LOCALHOST_URL: nodeUrl,
    BALLAST_DEPLOYMENTS_DIR: deploymentsDir,
  });
  if (res.code !== 0) throw new Error(`hardhat ${args.join(" ")} exited ${res.code}:\n${res.output.slice(-4000)}`);
  return res.output;
}

export interface RunningKeeper {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `keeper run --network localhost --config <dir>/keeper.json --port <free>` in its own
 * process group, journal in `dir`; resolves once /api/status answers ready.
 */
export async function startKeeper(
  nodeUrl: string,
  dir: string,
  bookPath: string,
  extraArgs: string[] = [],
  timeoutMs = 120_000,
): Promise<RunningKeeper> {
  const port = await freePort();
  const configPath = path.join(dir, "keeper.json");
  // Poll the node often: the page test waits for the keeper to see each new block.
  writeFileSync(configPath, JSON.stringify({ addressBook: bookPath, pollIntervalMs: 250, idleCycleSec: 5 }));
  // The local keeper account from the deploy: no key in the environment on localhost.
  const keeper = spawnKeeper(
    ["run", "--network", "localhost", "--config", configPath, "--port", String(port), ...extraArgs],
    {
      env: {
        BALLAST_LOCALHOST_URL: nodeUrl,
        BALLAST_KEEPER_JOURNAL: path.join(dir, "journal.sqlite"),
        BALLAST_KEEPER_KEY: undefined,
        BALLAST_KEYSTORE: undefined,
        BALLAST_RPC_URLS: undefined,
        BALLAST_KEEPER_PORT: undefined,
      },
    },
  );
  const { child } = keeper;
  const log = keeper.output;
  const stop = async (): Promise<void> => {
    await keeper.stop("SIGTERM", 10_000);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) throw new Error(`keeper exited before serving ${url}:\n${log().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/status`);
      if (res.ok && ((await res.json()) as { status: { ready: boolean } }).status.ready) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`keeper did not serve a ready /api/status on ${url} in ${timeoutMs} ms:\n${log().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, process: child, output: log, stop };
}

export interface Stack {
  node: RunningNode;
  keeper: RunningKeeper;
  /** Holds localhost.json (the address book), the keeper config and its journal. */
  dir: string;
  /** `hardhat <args> --network localhost` against this stack. */
  task(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** `venue`: the market venue deployed (`v2` | `v3`, as `--venue`); the network's own when absent. */
export async function startStack(options: { venue?: "v2" | "v3" } = {}): Promise<Stack> {
  const node = await startHardhatNode();
  let dir: string | undefined;
  try {
    const deployment = await deployOnNode(node.url, { venue: options.venue });
    dir = deployment.dir;
    // `ballast:swap` pays from account 0 (the admin): give it test USDC, as ballast:deploy's funding does.
    const usdc = TestERC20__factory.connect(deployment.book.contracts.USDC, deployment.admin);
    await (await usdc.mint(await deployment.admin.getAddress(), SWAP_FUNDING_USDC)).wait();
    deployment.provider.destroy();
    const keeper = await startKeeper(node.url, deployment.dir, deployment.bookPath);
    const stackDir = deployment.dir;
    return {
      node,
      keeper,
      dir: stackDir,
      task: (args) => hardhatTask(node.url, stackDir, args),
      async stop() {
        await keeper.stop();
        await node.stop();
        rmSync(stackDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await node.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
