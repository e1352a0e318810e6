/**
 * The stack the page test runs against, all real processes: a `hardhat node` on a free port, the
 * protocol deployed to it with `ballast:deploy --network localhost`, and the keeper daemon
 * (`keeper/src/main.ts run`) serving its HTTP server on another free port. Hardhat tasks run as
 * child processes with BALLAST_LOCALHOST_URL pointing at the node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, startHardhatNode, type RunningNode } from "../../helpers/hardhatNode";

const ROOT = path.resolve(__dirname, "../../..");
const BIN = (name: string): string => path.join(ROOT, "node_modules", ".bin", name);

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; output kept for error messages. */
export function runCommand(bin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${path.basename(bin)} ${args.join(" ")} did not finish in ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export async function hardhatTask(nodeUrl: string, args: string[]): Promise<string> {
  const res = await runCommand(BIN("hardhat"), [...args, "--network", "localhost"], { BALLAST_LOCALHOST_URL: nodeUrl });
  if (res.code !== 0) throw new Error(`hardhat ${args.join(" ")} exited ${res.code}:\n${res.output.slice(-4000)}`);
  return res.output;
}

export interface RunningKeeper {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `keeper run --network localhost --port <free>` in its own process group; resolves once /api/status answers ready. */
export async function startKeeper(nodeUrl: string, extraArgs: string[] = [], timeoutMs = 90_000): Promise<RunningKeeper> {
  const port = await freePort();
  // The local keeper account from the deploy: no key in the environment on localhost.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", BALLAST_LOCALHOST_URL: nodeUrl };
  delete env.BALLAST_KEEPER_KEY;
  delete env.BALLAST_KEYSTORE;
  delete env.BALLAST_RPC_URLS;
  delete env.BALLAST_KEEPER_PORT;
  const child = spawn(BIN("ts-node"), ["--transpile-only", "keeper/src/main.ts", "run", "--network", "localhost", "--port", String(port), ...extraArgs], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 10_000);
    await gone;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`keeper exited before serving ${url}:\n${log.slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/status`);
      if (res.ok && ((await res.json()) as { status: { ready: boolean } }).status.ready) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`keeper did not serve a ready /api/status on ${url} in ${timeoutMs} ms:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, process: child, output: () => log, stop };
}

export interface Stack {
  node: RunningNode;
  keeper: RunningKeeper;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const node = await startHardhatNode();
  try {
    await hardhatTask(node.url, ["ballast:deploy"]);
    const keeper = await startKeeper(node.url);
    return {
      node,
      keeper,
      async stop() {
        await keeper.stop();
        await node.stop();
      },
    };
  } catch (err) {
    await node.stop();
    throw err;
  }
}
