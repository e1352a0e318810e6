/** Starts keeperProcess.ts as a child process and gives the test its output and exit. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface KeeperChild {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const ROOT = path.resolve(__dirname, "../../..");

export function spawnKeeper(config: Record<string, unknown>): KeeperChild {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "keeperProcess.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BALLAST_FAULT_KEEPER: JSON.stringify(config), TS_NODE_TRANSPILE_ONLY: "1" },
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-500_000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-500_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => log,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
