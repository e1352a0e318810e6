/**
 * Local nodes as child processes, for `npm start` and the tests alike: a real `hardhat node`, or a
 * real Anvil node (Foundry's independent implementation, from the npm package) with a chain id of
 * the caller's choosing. Each listens on a free loopback port, is waited for until it answers
 * JSON-RPC, and stops with its children (it leads its own process group).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { hasExited, stopProcessGroup } from "./processGroup";

const ROOT = path.resolve(__dirname, "../..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const STOP_GRACE_MS = 5_000;
const READY_POLL_MS = 200;

export interface RunningNode {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the node printed, for diagnosing a failed test. */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Spawns `bin args` in its own process group and resolves once it answers JSON-RPC on `port`. */
async function startNode(
  what: string,
  bin: string,
  args: string[],
  port: number,
  timeoutMs: number,
): Promise<RunningNode> {
  const child = spawn(bin, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  const stop = (): Promise<void> => stopProcessGroup(child, STOP_GRACE_MS);
  while (!(await rpcAnswers(url))) {
    if (hasExited(child)) throw new Error(`${what} exited before answering on ${url}:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${what} did not answer on ${url} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  return { url, port, process: child, output: () => log, stop };
}

export async function startHardhatNode(
  options: { port?: number; timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<RunningNode> {
  const port = options.port ?? (await freePort());
  const args = ["node", "--hostname", "127.0.0.1", "--port", String(port), ...(options.extraArgs ?? [])];
  return startNode("hardhat node", path.join(BIN, "hardhat"), args, port, options.timeoutMs ?? 60_000);
}

/** An Anvil node serving `chainId` (its default accounts are the same test mnemonic's as Hardhat's). */
export async function startAnvil(
  chainId: number,
  options: { timeoutMs?: number; extraArgs?: string[] } = {},
): Promise<RunningNode> {
  const port = await freePort();
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--chain-id",
    String(chainId),
    "--silent",
    ...(options.extraArgs ?? []),
  ];
  return startNode("anvil", path.join(BIN, "anvil"), args, port, options.timeoutMs ?? 30_000);
}
