/**
 * The one revert decoder: turns a failed call or transaction into the contract's own words, the
 * custom error's name and arguments (`CooldownActive(readyAt=…, nowSec=…)`), a `require` reason or
 * a panic. Knows every error in the deployed contracts' ABIs (the TypeChain factories, which carry
 * the OpenZeppelin bases' errors too). The daemon, the transaction manager and the scripts all
 * name failures through it, so an operator reads the same words everywhere.
 */
import { ErrorDescription, Interface, isError, type InterfaceAbi } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  ERC4626__factory,
  ILiquidityManager__factory,
  IMarketOperatorV3__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
} from "./contracts";

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

/** The built-in errors, tried before the contracts' own. */
const STANDARD = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);
/** A selector and any number of 32-byte words. */
const REVERT_DATA = /^0x([0-9a-fA-F]{8})([0-9a-fA-F]{64})*$/;
/** How deep extractRevertData looks into nested errors (provider → JSON-RPC → node). */
const MAX_NESTING = 6;
/** Characters of unknown revert data shown: the selector and about one word. */
const SHOWN_DATA_CHARS = 74;

let cached: Interface | undefined;

/** One interface with every error of the deployed contracts, each selector once. */
export function ballastErrorsInterface(): Interface {
  if (cached) return cached;
  // ERC4626: the errors of the reserve's strategy vaults (OpenZeppelin's base).
  const abis: InterfaceAbi[] = [
    BallastDollar__factory.abi,
    PriceOracle__factory.abi,
    Reserve__factory.abi,
    CollateralPolicy__factory.abi,
    MarketOperator__factory.abi,
    IMarketOperatorV3__factory.abi,
    ILiquidityManager__factory.abi,
    ERC4626__factory.abi,
  ];
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

const isRevertData = (v: unknown): v is string => typeof v === "string" && REVERT_DATA.test(v);

/**
 * Finds revert data inside whatever an ethers provider, the RPC pool, a Hardhat provider or a
 * JSON-RPC node threw: it sits in `data`, `data.data`, `info.error.data`, `cause`… by layer.
 */
export function extractRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > MAX_NESTING || error === null || typeof error !== "object") return undefined;
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

/**
 * Whether an error is the node saying "this call reverts", as opposed to a transport failure:
 * ethers' CALL_EXCEPTION, a node's error answer carrying revert data or saying it reverted (the RPC
 * pool's RpcAnswerError), or the in-process Hardhat network's own error.
 */
export function isRevert(error: unknown): boolean {
  if (isError(error, "CALL_EXCEPTION")) return true;
  if (error === null || typeof error !== "object") return false;
  const e = error as { data?: unknown; message?: unknown };
  if (typeof e.message !== "string") return false;
  if (/execution reverted|VM Exception|revert/i.test(e.message)) return true;
  return e.data !== undefined && extractRevertData(error) !== undefined;
}

/** A view call that reverts (CALL_EXCEPTION) yields `undefined`; other errors (transport, node) propagate. */
export async function tryView<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isRevert(err)) return undefined;
    throw err;
  }
}

/** Decodes raw revert data; undefined when the selector is unknown. */
export function decodeRevertData(data: string): DecodedRevert | undefined {
  let described: ErrorDescription | null = null;
  try {
    described = STANDARD.parseError(data) ?? ballastErrorsInterface().parseError(data);
  } catch {
    return undefined;
  }
  if (!described) return undefined;
  const d = described;
  const args = d.fragment.inputs.map((input, i) => ({ name: input.name || `arg${i}`, value: d.args[i] }));
  return { name: d.name, args, data };
}

/** Decodes the revert inside a thrown error, if there is one the contracts' ABIs know. */
export function decodeRevert(error: unknown): DecodedRevert | undefined {
  const data = extractRevertData(error);
  return data ? decodeRevertData(data) : undefined;
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return String(value);
}

/** `Name(arg=value, …)`; a require reason is quoted and a panic also gets its meaning. */
export function formatRevert(decoded: DecodedRevert): string {
  if (decoded.name === "Error") return `Error("${String(decoded.args[0]?.value)}")`;
  if (decoded.name === "Panic") {
    const code = Number(decoded.args[0]?.value);
    return `Panic(0x${code.toString(16)}: ${PANIC_REASONS[code] ?? "unknown panic"})`;
  }
  return `${decoded.name}(${decoded.args.map((a) => `${a.name}=${formatValue(a.value)}`).join(", ")})`;
}

/** The revert's name for logs and metrics: the custom error's, or `Unknown`. */
export function revertName(error: unknown): string {
  return decodeRevert(error)?.name ?? "Unknown";
}

/** Why a call reverted, in one line: the decoded error, else the unknown selector, else the node's message. */
export function revertReason(error: unknown): string {
  const decoded = decodeRevert(error);
  if (decoded) return formatRevert(decoded);
  const data = extractRevertData(error);
  if (data && data !== "0x")
    return `unknown error ${data.slice(0, SHOWN_DATA_CHARS)}${data.length > SHOWN_DATA_CHARS ? "…" : ""}`;
  const e = error as { shortMessage?: string; message?: string } | null;
  return (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0];
}

/** A readable description of why a call failed (scripts): `reverted with …`, or the error's message. */
export function describeFailure(error: unknown): string {
  const decoded = decodeRevert(error);
  if (decoded) return `reverted with ${formatRevert(decoded)}`;
  const data = extractRevertData(error);
  if (data)
    return `reverted with unknown error data ${data.slice(0, SHOWN_DATA_CHARS)}${
      data.length > SHOWN_DATA_CHARS ? "…" : ""
    }`;
  const e = error as { shortMessage?: string; message?: string } | null;
  return e?.shortMessage ?? e?.message ?? String(error);
}
