/**
 * Prometheus metrics of the RPC pool, read from its health snapshot at scrape time. Every series is
 * labelled with the pool's own endpoint label (`rpc0 (host)`), so each endpoint's series exist
 * from the first scrape and are the ones that move.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { RpcPool } from "./rpcPool";

export function registerRpcMetrics(registry: Registry, pool: RpcPool): void {
  const registers = [registry];
  // The pool's running totals, carried into the counter as increments (a counter cannot be set).
  const counted = new Map<string, number>();
  new Counter({
    name: "ballast_rpc_errors_total",
    help: "RPC transport failures by endpoint (index and host only, no path or key)",
    labelNames: ["endpoint"],
    registers,
    collect() {
      for (const e of pool.snapshot()) {
        this.inc({ endpoint: e.label }, e.failuresTotal - (counted.get(e.label) ?? 0));
        counted.set(e.label, e.failuresTotal);
      }
    },
  });
  new Gauge({
    name: "ballast_rpc_endpoint_up",
    help: "1 when the RPC endpoint answered its last request, 0 while it is failing or backing off",
    labelNames: ["endpoint"],
    registers,
    collect() {
      for (const e of pool.snapshot()) this.set({ endpoint: e.label }, e.healthy ? 1 : 0);
    },
  });
  new Gauge({
    name: "ballast_rpc_endpoint_score",
    help: "Recent success rate of the RPC endpoint, 0..1 (exponentially weighted)",
    labelNames: ["endpoint"],
    registers,
    collect() {
      for (const e of pool.snapshot()) this.set({ endpoint: e.label }, e.score);
    },
  });
  new Gauge({
    name: "ballast_rpc_healthy",
    help: "1 when at least one RPC endpoint is healthy; 0 means the keeper cannot read or send",
    registers,
    collect() {
      this.set(pool.healthy() ? 1 : 0);
    },
  });
  new Gauge({
    name: "ballast_rpc_failovers",
    help: "RPC requests moved to another endpoint after a transport failure, since start",
    registers,
    collect() {
      this.set(pool.failovers);
    },
  });
}
