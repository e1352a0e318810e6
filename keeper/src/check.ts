/**
 * `check`: everything the keeper needs before it can be trusted to run, each as a named result:
 * connectivity of every endpoint, the address book against the chain (code and wiring), the key,
 * its KEEPER_ROLE and its gas balance.
 */
import { formatEther } from "ethers";
import type { KeeperConfig } from "./config/load";
import { protocolHandles } from "./chain/protocol";
import { resolveAccount } from "./chain/account";
import { probeEndpoints } from "./chain/startupCheck";
import type { PoolProvider } from "./rpc";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * `connect` gives the daemon's RPC pool (every URL, failover) once the endpoints passed; it is
 * not called when one serves another chain or none answers.
 */
export async function runChecks(config: KeeperConfig, connect: () => PoolProvider): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const book = config.addressBook;

  const probes = await probeEndpoints(config.rpcUrls, config.rpcUrlsField);
  for (const p of probes) {
    const name = p.label;
    if (p.status === "unreachable") results.push({ name, ok: false, detail: `unreachable: ${p.error}` });
    else if (p.chainId !== BigInt(book.chainId))
      results.push({ name, ok: false, detail: `chain ${p.chainId} but the address book is for chain ${book.chainId}` });
    else results.push({ name, ok: true, detail: `chain ${p.chainId}, head block ${p.headBlock}` });
  }
  // The rest is read through the pool; any endpoint on the wrong chain fails the check first.
  if (!results.some((r) => r.ok) || results.some((r) => !r.ok && r.detail.startsWith("chain "))) return results;
  const provider = connect();

  const missing: string[] = [];
  for (const [name, address] of Object.entries(book.contracts)) {
    if (typeof address !== "string") continue;
    if ((await provider.getCode(address)) === "0x") missing.push(`${name} ${address}`);
  }
  results.push({
    name: "address book code",
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? `${Object.keys(book.contracts).length} entries have code`
        : `no code at ${missing.join(", ")}`,
  });
  if (missing.length > 0) return results;

  const h = protocolHandles(book, provider);
  const wiring: [string, string, string][] = [
    ["MarketOperator.stable()", await h.operator.stable(), book.contracts.BallastDollar],
    ["MarketOperator.oracle()", await h.operator.oracle(), book.contracts.PriceOracle],
    ["MarketOperator.reserve()", await h.operator.reserve(), book.contracts.Reserve],
    ["MarketOperator.policy()", await h.operator.policy(), book.contracts.CollateralPolicy],
    ["MarketOperator.pair()", await h.operator.pair(), book.contracts.Pool],
  ];
  const wrong = wiring.filter(([, actual, expected]) => !same(actual, expected));
  results.push({
    name: "address book wiring",
    ok: wrong.length === 0,
    detail:
      wrong.length === 0
        ? "operator points at the book's stable, oracle, reserve, policy and pool"
        : wrong.map(([n, a, e]) => `${n} is ${a}, book says ${e}`).join("; "),
  });

  let address: string;
  try {
    const account = await resolveAccount(config.key!, provider, h.operator);
    address = account.address;
    results.push({ name: "key", ok: true, detail: `${address} from ${account.origin}` });
  } catch (err) {
    results.push({ name: "key", ok: false, detail: (err as Error).message });
    return results;
  }
  const hasRole = await h.operator.hasRole(await h.operator.KEEPER_ROLE(), address);
  // In permissionless mode anyone may call the operations (and earns the bounded caller reward).
  const permissionless = await h.operator.permissionless();
  results.push({
    name: "role",
    ok: hasRole || permissionless,
    detail: hasRole
      ? "KEEPER_ROLE on MarketOperator"
      : permissionless
      ? "no KEEPER_ROLE, but the MarketOperator is permissionless"
      : `${address} lacks KEEPER_ROLE on MarketOperator ${book.contracts.MarketOperator}`,
  });
  const balance = await provider.getBalance(address);
  results.push({ name: "gas balance", ok: balance > 0n, detail: `${formatEther(balance)} native` });
  const paused = await h.operator.paused();
  results.push({
    name: "operations",
    ok: true,
    detail: paused ? "MarketOperator is PAUSED (the keeper will stand still)" : "not paused",
  });
  return results;
}
