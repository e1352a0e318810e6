/**
 * Decodes revert data into the protocol's custom errors by name, e.g.
 * `CooldownActive(readyAt=1700000060, nowSec=1700000001)`, from every protocol interface's ABI.
 */
import { Interface, isError, type ErrorDescription } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
} from "../../../typechain-types";

const interfaces: Interface[] = [
  MarketOperator__factory.createInterface(),
  PriceOracle__factory.createInterface(),
  Reserve__factory.createInterface(),
  CollateralPolicy__factory.createInterface(),
  BallastDollar__factory.createInterface(),
];

export interface DecodedRevert {
  /** The custom error's name, `Error` / `Panic` for the built-ins, or `Unknown`. */
  name: string;
  /** Name with arguments, for logs. */
  text: string;
}

function render(d: ErrorDescription): DecodedRevert {
  const args = d.fragment.inputs.map((input, i) => `${input.name || i}=${String(d.args[i])}`).join(", ");
  return { name: d.name, text: `${d.name}(${args})` };
}

/** Finds revert data anywhere ethers or a node puts it. */
export function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown };
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(o.data)) return o.data;
    if (o.data && typeof o.data === "object" && typeof (o.data as { data?: unknown }).data === "string") return (o.data as { data: string }).data;
    e = o.error ?? o.info?.error ?? o.cause;
  }
  return undefined;
}

export function decodeRevertData(data: string): DecodedRevert {
  for (const iface of interfaces) {
    try {
      const d = iface.parseError(data);
      if (d) return render(d);
    } catch {
      /* not this interface's error */
    }
  }
  return { name: "Unknown", text: `unknown revert data ${data.slice(0, 74)}` };
}

/** A readable name for why a call or transaction failed. */
export function decodeRevert(err: unknown): DecodedRevert {
  const data = revertData(err);
  if (data !== undefined) return decodeRevertData(data);
  if (isError(err, "CALL_EXCEPTION") && err.reason) return { name: "Error", text: `Error(${err.reason})` };
  const message = err instanceof Error ? err.message : String(err);
  return { name: "Unknown", text: message.split("\n")[0].slice(0, 300) };
}
