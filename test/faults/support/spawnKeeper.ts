/** Starts the keeper daemon as a child process and gives the test its output and exit. */
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

export interface DaemonOptions {
  urls: string[];
  privateKey: string;
  journalPath: string;
  /** The keeper config file (JSON) and address book, written by the test. */
  configPath: string;
  env?: Record<string, string>;
}

/** Starts the real keeper daemon (`keeper/src/main.ts run`) as a child process. */
export function spawnDaemon(o: DaemonOptions): KeeperChild {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(ROOT, "keeper/src/main.ts"), "run", "--network", "faults", "--config", o.configPath, "--rpc", o.urls.join(","), "--port", "0"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", BALLAST_KEEPER_KEY: o.privateKey, BALLAST_KEEPER_JOURNAL: o.journalPath, ...o.env },
    },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-1_000_000)));
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-1_000_000)));
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
