/**
 * What a node's answer to eth_sendRawTransaction means for the keeper. Messages differ between
 * clients (geth: "already known", Hardhat: "Known transaction: 0x…", Erigon/Nethermind variants),
 * so the match is on the stable fragments.
 */
import { RpcAnswerError } from "../rpc/errors";

export type BroadcastVerdict =
  /** The node has this exact transaction already: it may be in, reconcile by hash. */
  | "already-known"
  /** The nonce is used: by this action (reconcile by receipt) or by something else. */
  | "nonce-too-low"
  /** Something at this nonce pays at least as much: maybe our own earlier attempt. */
  | "replacement-underpriced"
  /** maxFeePerGas below the next block's base fee (nodes that refuse to queue it). */
  | "fee-too-low"
  | "insufficient-funds"
  /** Any other refusal: the transaction is not in that node's pool. */
  | "rejected";

const PATTERNS: Array<[BroadcastVerdict, RegExp]> = [
  [
    "already-known",
    /already known|known transaction|already imported|already in (the )?(tx|transaction) ?pool|alreadyknown/i,
  ],
  ["nonce-too-low", /nonce too low|nonce has already been used|nonce is too low|old nonce|noncetoolow/i],
  ["replacement-underpriced", /replacement (transaction )?underpriced|replacement fee too low/i],
  [
    "fee-too-low",
    /less than (the )?block base fee|too low for the next block|fee cap (is )?(less|lower) than|transaction underpriced/i,
  ],
  ["insufficient-funds", /insufficient funds/i],
];

export function classifyBroadcastError(error: RpcAnswerError): BroadcastVerdict {
  for (const [verdict, pattern] of PATTERNS) if (pattern.test(error.message)) return verdict;
  return "rejected";
}
