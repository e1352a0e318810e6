/**
 * The status page's HTTP routes, registered on the keeper's route table: the page at `/`, its
 * static files under `/status/` (chart.js served from node_modules: no CDN, works air-gapped) and
 * `/api/status`. Live updates are long polls: `/api/status?after=N` answers as soon as the
 * model's version passes N, or after `waitMs` with the unchanged view, so the page updates within
 * a cycle without holding a streaming connection (the route table answers whole bodies).
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import type { StatusModel } from "./model";

export interface StatusRouteResponse {
  status: number;
  contentType: string;
  body: string;
}

/** The part of the keeper's HTTP server this module needs (keeper/src/http/server.ts satisfies it). */
export interface RouteTable {
  route(path: string, handler: (req: IncomingMessage) => Promise<StatusRouteResponse> | StatusRouteResponse): void;
}

export interface StatusRoutesOptions {
  /** Longest a long poll waits for a change, ms. */
  waitMs?: number;
  now?: () => number;
}

export const PUBLIC_DIR = path.join(__dirname, "public");

/** chart.js's UMD build, from the installed package (its `exports` hide dist/, so resolve the main file's folder). */
export function chartJsUmdPath(): string {
  return path.join(path.dirname(require.resolve("chart.js")), "chart.umd.js");
}

/** Reads a static asset; the trailing source-map comment is dropped (the map is not served). */
export function readAsset(file: string): string {
  return readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
}

const STATIC: Record<string, { file: () => string; contentType: string }> = {
  "/": { file: () => path.join(PUBLIC_DIR, "index.html"), contentType: "text/html; charset=utf-8" },
  "/status/style.css": { file: () => path.join(PUBLIC_DIR, "style.css"), contentType: "text/css; charset=utf-8" },
  "/status/app.js": { file: () => path.join(PUBLIC_DIR, "app.js"), contentType: "text/javascript; charset=utf-8" },
  "/status/charts.js": {
    file: () => path.join(PUBLIC_DIR, "charts.js"),
    contentType: "text/javascript; charset=utf-8",
  },
  "/status/chart.umd.js": { file: chartJsUmdPath, contentType: "text/javascript; charset=utf-8" },
};

function parseAfter(req: IncomingMessage): number | null {
  const raw = new URL(req.url ?? "/", "http://keeper").searchParams.get("after");
  if (raw === null) return null;
  if (!/^\d{1,15}$/.test(raw))
    throw new RangeError(`after must be a non-negative integer version, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** Resolves when the model changes past `after`, or after `waitMs`; the timer never holds the process open. */
function waitForChange(model: StatusModel, after: number, waitMs: number): Promise<void> {
  if (model.version !== after) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    timer.unref();
    const unsubscribe = model.subscribe(done);
  });
}

/** Registers `/`, `/status/*` and `/api/status`. Reads the static files once, now, so a missing file fails at start. */
export function registerStatusRoutes(table: RouteTable, model: StatusModel, options: StatusRoutesOptions = {}): void {
  const waitMs = options.waitMs ?? 20_000;
  const now = options.now ?? Date.now;
  for (const [route, asset] of Object.entries(STATIC)) {
    const body = readAsset(asset.file());
    table.route(route, () => ({ status: 200, contentType: asset.contentType, body }));
  }
  table.route("/api/status", async (req) => {
    let after: number | null;
    try {
      after = parseAfter(req);
    } catch (err) {
      return { status: 400, contentType: "application/json", body: JSON.stringify({ error: (err as Error).message }) };
    }
    if (after !== null) await waitForChange(model, after, waitMs);
    return {
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ version: model.version, status: model.view(now()) }),
    };
  });
}
