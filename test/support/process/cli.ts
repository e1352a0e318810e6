/**
 * Runs `hardhat <task> --network …` as a child process, the way a user does, and captures its
 * output and exit code. The `localhost` network points at a test node through
 * BALLAST_LOCALHOST_URL; address books go to a temporary BALLAST_DEPLOYMENTS_DIR.
 */
import { spawn } from "node:child_process";
import path from "node:path";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(__dirname, "../../..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

export interface CliEnv {
  url?: string;
  dir: string;
  extra?: Record<string, string>;
}

export function runHardhat(args: string[], env: CliEnv, timeoutMs = 600_000): Promise<CliResult> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    FORCE_COLOR: "0",
    NO_COLOR: "1",
    BALLAST_DEPLOYMENTS_DIR: env.dir,
    ...env.extra,
  };
  if (env.url) childEnv.BALLAST_LOCALHOST_URL = env.url;
  // The parent test run may carry its own network choice; the child takes it from --network only.
  delete childEnv.HARDHAT_NETWORK;
  return new Promise((resolve, reject) => {
    const child = spawn(HARDHAT, args, { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat ${args.join(" ")} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Throws with the full output when a command that should succeed did not. */
export function expectOk(result: CliResult, what: string): CliResult {
  if (result.code !== 0)
    throw new Error(`${what} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}
