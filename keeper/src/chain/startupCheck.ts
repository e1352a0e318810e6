/**
 * Start-up check of every configured RPC URL, not only the first: each is asked its chain id.
 *
 * Rules (README, "Operating the keeper"):
 * - An endpoint that answers a chain id other than the address book's is fatal: the
 *   configuration mixes chains, and reads from it would be another chain's state.
 * - An endpoint that does not answer is reported and skipped; the keeper starts when at least one
 *   endpoint answered the right chain. (Its RPC pool checks the chain id again before that endpoint
 *   serves, so one that comes back as another chain is never used.)
 * - No endpoint answered: fatal, as before.
 */
import { RpcPool } from "../rpc/rpcPool";
import { endpointLabel } from "../rpc/endpointHealth";

export type EndpointProbe = { index: number; label: string; field: string } & (
  | { status: "ok"; chainId: bigint; headBlock: number }
  | { status: "wrong-chain"; chainId: bigint; headBlock: number }
  | { status: "unreachable"; error: string }
);

export interface StartupVerdict {
  /** Index of the first endpoint that serves the right chain, or null when there is none. */
  usable: number | null;
  /** Readable, one line each: why the keeper must not start. Empty when it may. */
  fatal: string[];
  /** Endpoints skipped at start, each with a readable line. */
  warnings: Array<{ probe: EndpointProbe; message: string }>;
}

/** How long one endpoint may take to answer eth_chainId at start. */
export const STARTUP_PROBE_TIMEOUT_MS = 5_000;

/** Asks every URL for its chain id and head block, all at once. `field` names where the URLs came from (for messages). */
export async function probeEndpoints(
  urls: readonly string[],
  field: string,
  timeoutMs = STARTUP_PROBE_TIMEOUT_MS,
): Promise<EndpointProbe[]> {
  return Promise.all(
    urls.map(async (url, index): Promise<EndpointProbe> => {
      const where = { index, label: endpointLabel(url, index), field: `${field}[${index}]` };
      try {
        // A one-URL pool: its transport (timeout, HTTP and JSON-RPC error handling) without failover.
        const pool = new RpcPool([url], { timeoutMs });
        const [chainId, head] = await Promise.all([
          pool.request<string>("eth_chainId"),
          pool.request<string>("eth_blockNumber"),
        ]);
        return { ...where, status: "ok", chainId: BigInt(chainId), headBlock: Number(BigInt(head)) };
      } catch (error) {
        return { ...where, status: "unreachable", error: firstLine(error) };
      }
    }),
  );
}

/** Judges the probes against the address book's chain id. */
export function startupVerdict(
  probes: readonly EndpointProbe[],
  expectedChainId: number | bigint,
  addressBookPath: string,
): StartupVerdict {
  const expected = BigInt(expectedChainId);
  const judged = probes.map(
    (p): EndpointProbe => (p.status === "ok" && p.chainId !== expected ? { ...p, status: "wrong-chain" } : p),
  );
  const fatal: string[] = [];
  const warnings: StartupVerdict["warnings"] = [];
  for (const p of judged) {
    if (p.status === "wrong-chain") {
      fatal.push(
        `${p.field} ${p.label} serves chain ${p.chainId}, but the address book ${addressBookPath} is for chain ${expected}: remove that URL or fix the address book`,
      );
    } else if (p.status === "unreachable") {
      warnings.push({
        probe: p,
        message: `${p.field} ${p.label} did not answer eth_chainId (${p.error}); starting without it, it is used once it answers chain ${expected}`,
      });
    }
  }
  const usable = judged.find((p) => p.status === "ok")?.index ?? null;
  if (usable === null && fatal.length === 0)
    fatal.push(`no RPC endpoint answered: ${judged.map((p) => `${p.field} ${p.label}`).join(", ")}`);
  return { usable: fatal.length > 0 ? null : usable, fatal, warnings };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
