/**
 * A small HTTP JSON-RPC proxy in front of a `hardhat node`, controlled by the test: it answers
 * 503, hangs (so the client times out), drops the connection, delays, or injects a JSON-RPC
 * error, for every request or per method, optionally only the next N times. It also counts what
 * passed through, so a test can assert e.g. how many times a raw transaction was broadcast.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "./hardhatNode";

export type FaultRule =
  /** Answer with this HTTP status and no JSON-RPC body (e.g. 503). */
  | { kind: "http"; status: number }
  /** Accept and never answer: the client times out. */
  | { kind: "hang" }
  /** Close the connection without an answer. */
  | { kind: "drop" }
  /** Forward after a delay. */
  | { kind: "delay"; ms: number }
  /** Answer a JSON-RPC error without forwarding (the node never sees the request). */
  | { kind: "error"; message: string; code?: number }
  /** Forward to the node, then answer a JSON-RPC error instead of its result (the node did act). */
  | { kind: "forwardThenError"; message: string; code?: number }
  /** Forward to the node, then never answer (the node acted; the client times out). */
  | { kind: "forwardThenHang" };

interface MethodRule {
  rule: FaultRule;
  remaining: number;
}

interface RpcRequest {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

export class FaultProxy {
  private server?: Server;
  private globalRule: FaultRule | null = null;
  private readonly methodRules = new Map<string, MethodRule>();
  private readonly counts = new Map<string, number>();
  private readonly forwardedRaw: string[] = [];
  url = "";

  private constructor(private readonly target: string) {}

  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    const port = await freePort();
    proxy.server = createServer((req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => proxy.server!.listen(port, "127.0.0.1", resolve));
    proxy.url = `http://127.0.0.1:${port}`;
    return proxy;
  }

  /** A fault for every request (null: pass everything through). */
  setFault(rule: FaultRule | null): void {
    this.globalRule = rule;
  }

  /** A fault for one method, for the next `times` requests (default: until cleared). */
  onMethod(method: string, rule: FaultRule | null, times = Number.POSITIVE_INFINITY): void {
    if (rule === null) this.methodRules.delete(method);
    else this.methodRules.set(method, { rule, remaining: times });
  }

  clearFaults(): void {
    this.globalRule = null;
    this.methodRules.clear();
  }

  /** Requests received for `method` (all methods when omitted), faulted or not. */
  seen(method?: string): number {
    if (method) return this.counts.get(method) ?? 0;
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** Raw transactions that reached the node through this proxy, in order. */
  forwardedRawTransactions(): string[] {
    return [...this.forwardedRaw];
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private ruleFor(method: string | undefined): FaultRule | null {
    if (method) {
      const m = this.methodRules.get(method);
      if (m && m.remaining > 0) {
        m.remaining -= 1;
        if (m.remaining === 0) this.methodRules.delete(method);
        return m.rule;
      }
    }
    return this.globalRule;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let parsed: RpcRequest | RpcRequest[] | undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const single = parsed && !Array.isArray(parsed) ? parsed : undefined;
    const methods = Array.isArray(parsed) ? parsed.map((p) => p.method) : [single?.method];
    for (const m of methods) if (m) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);

    const rule = this.ruleFor(single?.method);
    const answerError = (message: string, code = -32000): void => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: single?.id ?? null, error: { code, message } }));
    };
    switch (rule?.kind) {
      case "http":
        res.writeHead(rule.status, { "content-type": "text/plain" });
        res.end(`fault proxy: HTTP ${rule.status}`);
        return;
      case "hang":
        return; // never answered; the socket is destroyed on close()
      case "drop":
        req.socket.destroy();
        return;
      case "error":
        answerError(rule.message, rule.code);
        return;
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, rule.ms));
        break;
      default:
        break;
    }

    let answer: { status: number; text: string };
    try {
      answer = await this.forward(body, parsed);
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`fault proxy: upstream failed: ${String(error)}`);
      return;
    }
    if (rule?.kind === "forwardThenError") return answerError(rule.message, rule.code);
    if (rule?.kind === "forwardThenHang") return;
    if (res.destroyed) return;
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(answer.text);
  }

  private async forward(
    body: string,
    parsed: RpcRequest | RpcRequest[] | undefined,
  ): Promise<{ status: number; text: string }> {
    const requests = Array.isArray(parsed) ? parsed : parsed ? [parsed] : [];
    for (const r of requests) {
      if (r.method === "eth_sendRawTransaction" && typeof r.params?.[0] === "string")
        this.forwardedRaw.push(r.params[0]);
    }
    const upstream = await fetch(this.target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: upstream.status, text: await upstream.text() };
  }
}
