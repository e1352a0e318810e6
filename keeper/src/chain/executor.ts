/**
 * What the loop needs to turn an "act" decision into a transaction: the `TxSender` interface
 * (simulate with a static call from the keeper's address, reverts decoded by name; send with the
 * fees the decision priced and wait for confirmations) and the operation's calldata. The one
 * implementation is the journaled ManagedTxSender (keeper/src/tx/managedTxSender.ts).
 */
import { MarketOperator__factory } from "./contracts";
import { Action } from "../policy";

export interface OperationRequest {
  action: Action.Expand | Action.Contract | Action.Rebalance;
  amount: bigint;
  /** The amount bound, kept for the logs; the transaction carries `limitPriceWad`. */
  minOut: bigint;
  /** Expand: minimum average price received; Contract: maximum paid (quote per token, WAD). */
  limitPriceWad: bigint;
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
}

export interface Simulation {
  to: string;
  data: string;
  gasEstimate: bigint;
  gasLimit: bigint;
}

export interface SentTx {
  hash: string;
  nonce: number;
}

export interface TxOutcome extends SentTx {
  blockNumber: number;
  gasUsed: bigint;
  effectiveGasPriceWei: bigint;
}

export interface TxSender {
  readonly address: string;
  /** Static call + gas estimate; throws SimulationRevertedError with the decoded custom error. */
  simulate(req: OperationRequest): Promise<Simulation>;
  /** Sends and waits for confirmations; `onSent` fires as soon as the node accepted it. */
  send(req: OperationRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome>;
}

const operatorInterface = MarketOperator__factory.createInterface();

/** The price-bounded forms: a front-run toward the peg shrinks the operation instead of reverting it. */
export function encodeOperation(req: Pick<OperationRequest, "action" | "amount" | "limitPriceWad">): string {
  if (req.action === Action.Expand) return operatorInterface.encodeFunctionData("expandSupplyAtPrice", [req.amount, req.limitPriceWad]);
  if (req.action === Action.Contract) return operatorInterface.encodeFunctionData("contractSupplyAtPrice", [req.amount, req.limitPriceWad]);
  return operatorInterface.encodeFunctionData("rebalance");
}
