/**
 * Turns a failed call or transaction into the contract's own words: the custom error's name and
 * arguments (`ReserveCeilingExceeded(asset=0x…, ceiling=…, wanted=…)`), a `require` reason, or a
 * panic code. Knows every error of the Ballast contracts and of the OpenZeppelin bases they
 * inherit. Shared by the scripts and the keeper.
 */
import { ErrorDescription, Interface, type InterfaceAbi } from "ethers";
import { abiOf, type ContractName } from "../../deploy/contracts";

export interface DecodedRevert {
  /** Custom error name, `Error` for a require reason, `Panic` for a panic. */
  name: string;
  args: { name: string; value: unknown }[];
  /** Raw revert data. */
  data: string;
}

const PANIC_REASONS: Record<number, string> = {
  0x01: "assertion failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division by zero",
  0x21: "invalid enum value",
  0x32: "array index out of bounds",
  0x41: "out of memory",
};

let cached: Interface | undefined;

/** One interface with every error fragment of the system, each selector once. */
export function ballastErrorsInterface(): Interface {
  if (cached) return cached;
  const names: ContractName[] = ["BallastDollar", "PriceOracle", "Reserve", "CollateralPolicy", "MarketOperator", "TestERC20", "TestVault"];
  const abis: InterfaceAbi[] = names.map(abiOf);
  const seen = new Set<string>();
  const fragments: string[] = [];
  for (const abi of abis) {
    new Interface(abi).forEachError((fragment) => {
      if (seen.has(fragment.selector)) return;
      seen.add(fragment.selector);
      fragments.push(fragment.format("full"));
    });
  }
  cached = new Interface(fragments);
  return cached;
}

const isRevertData = (v: unknown): v is string => typeof v === "string" && /^0x([0-9a-fA-F]{8})([0-9a-fA-F]{64})*$/.test(v);

/**
 * Finds revert data inside whatever an ethers provider, a Hardhat provider or a JSON-RPC node
 * threw: it sits in `data`, `error.data`, `info.error.data`, `cause`… depending on the layer.
 */
export function extractRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  if (isRevertData(e.data)) return e.data;
  if (e.data && typeof e.data === "object" && isRevertData((e.data as Record<string, unknown>).data)) {
    return (e.data as Record<string, unknown>).data as string;
  }
  for (const key of ["error", "info", "cause", "revert", "parent"]) {
    const found = extractRevertData(e[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Decodes raw revert data; undefined when the selector is unknown. */
export function decodeRevertData(data: string, iface: Interface = ballastErrorsInterface()): DecodedRevert | undefined {
  const standard = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);
  let described: ErrorDescription | null = null;
  try {
    described = standard.parseError(data) ?? iface.parseError(data);
  } catch {
    return undefined;
  }
  if (!described) return undefined;
  const args = described.fragment.inputs.map((input, i) => ({ name: input.name || `arg${i}`, value: described!.args[i] }));
  return { name: described.name, args, data };
}

/** Decodes the revert inside a thrown error, if there is one. */
export function decodeRevert(error: unknown): DecodedRevert | undefined {
  const data = extractRevertData(error);
  return data ? decodeRevertData(data) : undefined;
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return String(value);
}

/** `Name(arg=value, …)`; a panic also gets its meaning. */
export function formatRevert(decoded: DecodedRevert): string {
  if (decoded.name === "Error") return `Error("${String(decoded.args[0]?.value)}")`;
  if (decoded.name === "Panic") {
    const code = Number(decoded.args[0]?.value);
    return `Panic(0x${code.toString(16)}: ${PANIC_REASONS[code] ?? "unknown panic"})`;
  }
  return `${decoded.name}(${decoded.args.map((a) => `${a.name}=${formatValue(a.value)}`).join(", ")})`;
}

/** A readable description of why a call failed: the decoded error when possible, else the message. */
export function describeFailure(error: unknown): string {
  const decoded = decodeRevert(error);
  if (decoded) return `reverted with ${formatRevert(decoded)}`;
  const data = extractRevertData(error);
  if (data) return `reverted with unknown error data ${data.slice(0, 74)}${data.length > 74 ? "…" : ""}`;
  const e = error as { shortMessage?: string; message?: string };
  return e?.shortMessage ?? e?.message ?? String(error);
}
