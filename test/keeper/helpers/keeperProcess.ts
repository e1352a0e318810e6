/**
 * Runs the keeper CLI as a real child process (`keeper/src/main.ts` through ts-node), collects its
 * JSON log lines and stderr, and lets a test wait for a log event or the exit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface LogLine {
  event?: string;
  [key: string]: unknown;
}

export interface KeeperProcess {
  child: ChildProcess;
  lines: LogLine[];
  stdout(): string;
  stderr(): string;
  waitFor(predicate: (l: LogLine) => boolean, timeoutMs?: number, after?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = path.resolve(__dirname, "../../..");

export function spawnKeeper(args: string[], env: NodeJS.ProcessEnv = {}): KeeperProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "keeper/src/main.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", ...env },
  });
  let out = "";
  let err = "";
  let pending = "";
  const lines: LogLine[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    pending += d.toString();
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        /* not a log line (status/check output) */
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  const waitFor = async (predicate: (l: LogLine) => boolean, timeoutMs = 60_000, after = 0): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines.slice(after).find(predicate);
      if (hit) return hit;
      if (child.exitCode !== null) throw new Error(`keeper exited (${child.exitCode}) before the expected log line.\nstdout:\n${out.slice(-4000)}\nstderr:\n${err.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for a keeper log line.\nstdout:\n${out.slice(-4000)}\nstderr:\n${err.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return { child, lines, stdout: () => out, stderr: () => err, waitFor, exited, stop };
}
