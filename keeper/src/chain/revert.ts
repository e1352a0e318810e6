/**
 * Names why a call or transaction failed, by the contract's custom error, e.g.
 * `CooldownActive(readyAt=1700000060, nowSec=1700000001)`. Delegates to the shared decoder
 * (scripts/lib/revertDecoder.ts: every Ballast error plus the OpenZeppelin bases, require
 * reasons and panics) so the keeper and the scripts name failures the same way.
 */
import { decodeRevert as decodeBallastRevert, describeFailure, formatRevert } from "../../../scripts/lib/revertDecoder";

export interface DecodedRevert {
  /** The custom error's name, `Error` / `Panic` for the built-ins, or `Unknown`. */
  name: string;
  /** Name with arguments, for logs. */
  text: string;
}

export function decodeRevert(err: unknown): DecodedRevert {
  const decoded = decodeBallastRevert(err);
  if (decoded) return { name: decoded.name, text: formatRevert(decoded) };
  return { name: "Unknown", text: describeFailure(err).split("\n")[0].slice(0, 300) };
}
