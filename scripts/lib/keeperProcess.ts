/**
 * The one way to run the keeper daemon as its own process, for `npm start` and every test that
 * spawns one: the built daemon (`node dist/keeper/src/main.js`, what `npm run keeper` and the
 * systemd unit run), built first if its sources changed (scripts/build-keeper.js: incremental, a
 * no-op build only compares stamps). Collects stdout, stderr and the JSON log lines, and lets the
 * caller wait for a log event or the exit, and stop it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface LogLine {
  event?: string;
  [key: string]: unknown;
}

export interface KeeperExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface KeeperProcess {
  child: ChildProcess;
  /** Every JSON log line so far, in order. */
  lines: LogLine[];
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  waitFor(predicate: (l: LogLine) => boolean, timeoutMs?: number, after?: number): Promise<LogLine>;
  /** Resolves after the process exited and its output pipes are drained. */
  exited: Promise<KeeperExit>;
  /** Sends `signal` (SIGTERM by default); SIGKILL when it is still running after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<KeeperExit>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnKeeperOptions {
  /** Merged over this process's environment; an `undefined` value removes the variable. */
  env?: NodeJS.ProcessEnv;
  /** Its own process group, so a Ctrl-C on the terminal reaches only the parent, which stops it in order. */
  detached?: boolean;
  /** Hears each JSON log line as it arrives. */
  onLine?: (line: LogLine) => void;
}

export const ROOT = path.resolve(__dirname, "../..");
/** The built daemon's entry point. */
export const KEEPER_MAIN = path.join(ROOT, "dist", "keeper", "src", "main.js");
/** Output kept per process: enough for a long soak's diagnosis without growing without bound. */
const MAX_OUTPUT_CHARS = 2_000_000;
const DEFAULT_STOP_GRACE_MS = 30_000;
const POLL_MS = 100;
/** Characters of output quoted when a wait fails. */
const QUOTED_CHARS = 4_000;

let built = false;

/** Builds dist/ from keeper/src once per process (tsc -b skips the work when nothing changed). */
export function ensureKeeperBuilt(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-keeper.js")], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the keeper failed (npm run build:keeper):\n${result.stdout}${result.stderr}`);
  built = true;
}

export function spawnKeeper(args: string[], options: SpawnKeeperOptions = {}): KeeperProcess {
  ensureKeeperBuilt();
  const child = spawn(process.execPath, [KEEPER_MAIN, ...args], {
    cwd: ROOT,
    detached: options.detached ?? false,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", ...options.env },
  });
  let out = "";
  let err = "";
  let all = "";
  let pending = "";
  const lines: LogLine[] = [];
  const keep = (s: string, d: string): string => (s + d).slice(-MAX_OUTPUT_CHARS);
  child.stdout!.on("data", (d: Buffer) => {
    const text = d.toString();
    out = keep(out, text);
    all = keep(all, text);
    pending += text;
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const p of parts) {
      let line: LogLine;
      try {
        line = JSON.parse(p) as LogLine;
      } catch {
        continue; // not a log line (status or check output)
      }
      lines.push(line);
      options.onLine?.(line);
    }
  });
  child.stderr!.on("data", (d: Buffer) => {
    err = keep(err, d.toString());
    all = keep(all, d.toString());
  });
  const exited = new Promise<KeeperExit>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = (signal: NodeJS.Signals): void => {
    if (running()) child.kill(signal);
  };

  const waitFor = async (predicate: (l: LogLine) => boolean, timeoutMs = 60_000, after = 0): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines.slice(after).find(predicate);
      if (hit) return hit;
      const tail = `\nstdout:\n${out.slice(-QUOTED_CHARS)}\nstderr:\n${err.slice(-QUOTED_CHARS)}`;
      if (!running()) throw new Error(`keeper exited (${child.exitCode ?? child.signalCode}) before the expected log line.${tail}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for a keeper log line.${tail}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = DEFAULT_STOP_GRACE_MS): Promise<KeeperExit> => {
    kill(signal);
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return { child, lines, stdout: () => out, stderr: () => err, output: () => all, waitFor, exited, stop, kill };
}
