/**
 * Starts a real `hardhat node` JSON-RPC process on a free loopback port for end-to-end tests,
 * waits until it answers, and stops it (with its children) afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { hasExited, stopProcessGroup } from "./processGroup";

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

export async function startHardhatNode(options: { port?: number; timeoutMs?: number; extraArgs?: string[] } = {}): Promise<RunningNode> {
  const port = options.port ?? (await freePort());
  const root = path.resolve(__dirname, "../..");
  const bin = path.join(root, "node_modules", ".bin", "hardhat");
  const child = spawn(bin, ["node", "--hostname", "127.0.0.1", "--port", String(port), ...(options.extraArgs ?? [])], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);

  const stop = (): Promise<void> => stopProcessGroup(child, 5_000);

  while (!(await rpcAnswers(url))) {
    if (hasExited(child)) throw new Error(`hardhat node exited before answering on ${url}:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, process: child, output: () => log, stop };
}
