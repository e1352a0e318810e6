/**
 * The keeper's HTTP server: `/metrics` (Prometheus text) and `/healthz` (200 while the loop keeps
 * completing cycles, 503 otherwise). Routes are a small table so more pages (a status page at `/`,
 * a JSON status endpoint) can be registered with `route()` without touching this file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface RouteResponse {
  status: number;
  contentType: string;
  body: string;
}

export type RouteHandler = (req: IncomingMessage) => Promise<RouteResponse> | RouteResponse;

export interface Health {
  /** Unix ms of the last completed cycle, or null before the first. */
  lastCycleAtMs(): number | null;
  /** Unix ms when the loop started (the grace period before the first cycle counts from here). */
  startedAtMs(): number;
}

export interface KeeperHttpServer {
  /** Registers (or replaces) a GET route, e.g. `route("/status.json", handler)`. */
  route(path: string, handler: RouteHandler): void;
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
  readonly server: Server;
}

export function healthzHandler(health: Health, maxAgeSec: number, now: () => number = Date.now): RouteHandler {
  return () => {
    const last = health.lastCycleAtMs();
    const since = last ?? health.startedAtMs();
    const ageSec = (now() - since) / 1000;
    const ok = ageSec <= maxAgeSec;
    const body = JSON.stringify({
      status: ok ? "ok" : "stale",
      lastCycleAt: last === null ? null : new Date(last).toISOString(),
      secondsSinceLastCycle: last === null ? null : Math.round(ageSec * 10) / 10,
      maxAgeSec,
    });
    return { status: ok ? 200 : 503, contentType: "application/json", body };
  };
}

export function metricsHandler(registry: Registry): RouteHandler {
  return async () => ({ status: 200, contentType: registry.contentType, body: await registry.metrics() });
}

export function createHttpServer(onError: (err: unknown) => void = () => undefined): KeeperHttpServer {
  const routes = new Map<string, RouteHandler>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://keeper").pathname;
    const handler = routes.get(path);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found; routes: ${[...routes.keys()].join(", ")}\n`);
      return;
    }
    try {
      const out = await handler(req);
      res.writeHead(out.status, { "content-type": out.contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : out.body);
    } catch (err) {
      onError(err);
      res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  return {
    server,
    route(path, handler) {
      routes.set(path, handler);
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const a = server.address() as AddressInfo;
          resolve({ port: a.port, host: a.address });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
