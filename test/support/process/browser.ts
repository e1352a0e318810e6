/**
 * Headless Chromium for page tests: Debian's `chromium` package driven by playwright-core (no
 * browser download). If the binary is missing, one `apt-get install -y chromium` is tried; only
 * when that fails does the caller skip, with the reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Null when Chromium is (now) present; otherwise why it could not be installed. */
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const res = spawnSync("apt-get", ["install", "-y", "chromium"], {
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (existsSync(CHROMIUM_PATH)) return null;
  const why = res.error
    ? res.error.message
    : `exit ${res.status}: ${(res.stderr || res.stdout || "").trim().split("\n").slice(-2).join(" ")}`;
  return `${CHROMIUM_PATH} is missing and \`apt-get install -y chromium\` failed (${why})`;
}

export interface LaunchedBrowser {
  /** A persistent context on a fresh profile directory (playwright's way to pass --user-data-dir). */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), "ballast-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
