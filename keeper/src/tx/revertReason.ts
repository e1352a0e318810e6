/**
 * Names a revert: the custom error (with its arguments) from the contracts' ABIs, Error(string),
 * Panic(uint256), or the raw selector when no ABI knows it. The keeper logs this name, so an
 * operator reads "CooldownActive(readyAt=…, nowSec=…)" rather than a hex blob.
 */
import { Interface } from "ethers";
import { RpcAnswerError } from "../rpc/errors";

const STANDARD = new Interface(["error Error(string message)", "error Panic(uint256 code)"]);

export function isRevert(error: unknown): error is RpcAnswerError {
  return error instanceof RpcAnswerError && (error.revertData() !== undefined || /revert|execution reverted|VM Exception/i.test(error.message));
}

export function revertReason(error: RpcAnswerError, interfaces: readonly Interface[]): string {
  const data = error.revertData();
  if (!data || data === "0x") return error.message;
  for (const iface of [...interfaces, STANDARD]) {
    try {
      const parsed = iface.parseError(data);
      if (!parsed) continue;
      const args = parsed.fragment.inputs.map((input, i) => `${input.name || i}=${String(parsed.args[i])}`);
      if (parsed.name === "Error") return `Error(${String(parsed.args[0])})`;
      return `${parsed.name}(${args.join(", ")})`;
    } catch {
      // not this interface's error
    }
  }
  return `unknown error ${data.slice(0, 10)}`;
}
