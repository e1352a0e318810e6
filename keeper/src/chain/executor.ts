/**
 * What the loop needs to turn an "act" decision into a transaction: the `TxSender` interface
 * (simulate with a static call from the keeper's address, reverts decoded by name; send with the
 * fees the decision priced and wait for confirmations) and the operation's calldata. The one
 * implementation is the journaled ManagedTxSender (keeper/src/tx/managedTxSender.ts). Besides the
 * operator's entry points it writes TWAP observations (PriceOracle.update()) and refreshes the
 * target ratio (CollateralPolicy.refresh()) when asked.
 */
import { CollateralPolicy__factory, MarketOperator__factory, PriceOracle__factory } from "./contracts";
import { Action } from "../policy";

export interface OperationRequest {
  action: Action.Expand | Action.Contract | Action.Rebalance | Action.Refresh;
  amount: bigint;
  /** The amount bound, kept for the logs; the transaction carries `limitPriceWad`. */
  minOut: bigint;
  /** Expand: minimum average price received; Contract: maximum paid (quote per token, WAD). */
  limitPriceWad: bigint;
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
  /** The decision's fee cap for this deviation: fee-bump replacements stay under it, wei. */
  feeCapWei?: bigint;
}

/** A TWAP observation: PriceOracle.update(), permissionless. */
export interface ObservationRequest {
  action: "observe";
  maxFeePerGasWei: bigint;
  maxPriorityFeePerGasWei: bigint;
  feeCapWei?: bigint;
}

/** Anything the keeper sends. */
export type KeeperRequest = OperationRequest | ObservationRequest;

/** The contracts the keeper calls. */
export interface CallTargets {
  operator: string;
  /** PriceOracle; without it the keeper cannot write observations. */
  oracle?: string;
  /** CollateralPolicy; without it the keeper cannot refresh the target ratio. */
  policy?: string;
}

export interface Simulation {
  to: string;
  data: string;
  gasEstimate: bigint;
  gasLimit: bigint;
  /** What the static call returned (ABI-encoded); "0x" when the sender did not keep it. */
  returnData: string;
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
  simulate(req: KeeperRequest): Promise<Simulation>;
  /** Sends and waits for confirmations; `onSent` fires as soon as the node accepted it. */
  send(req: KeeperRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome>;
}

const operatorInterface = MarketOperator__factory.createInterface();
const oracleInterface = PriceOracle__factory.createInterface();
const policyInterface = CollateralPolicy__factory.createInterface();

/** The price-bounded forms: a front-run toward the peg shrinks the operation instead of reverting it. */
export function encodeOperation(req: {
  action: Action.Expand | Action.Contract | Action.Rebalance;
  amount: bigint;
  limitPriceWad: bigint;
}): string {
  if (req.action === Action.Expand)
    return operatorInterface.encodeFunctionData("expandSupplyAtPrice", [req.amount, req.limitPriceWad]);
  if (req.action === Action.Contract)
    return operatorInterface.encodeFunctionData("contractSupplyAtPrice", [req.amount, req.limitPriceWad]);
  return operatorInterface.encodeFunctionData("rebalance");
}

/**
 * Whether a simulated PriceOracle.update() would record an observation: it returns false (a ~30k
 * gas no-op) when another writer (a keeper, an operation, a refresh) already recorded this interval's.
 */
export function observationWouldWrite(returnData: string): boolean {
  return oracleInterface.decodeFunctionResult("update", returnData)[0] === true;
}

/** The target a simulated CollateralPolicy.refresh() would set, WAD. */
export function refreshedTargetWad(returnData: string): bigint {
  return policyInterface.decodeFunctionResult("refresh", returnData)[0] as bigint;
}

/** The call for a request: the operator's entry points, the policy's refresh(), or the oracle's update(). */
export function encodeCall(req: KeeperRequest, targets: CallTargets): { to: string; data: string } {
  const action = req.action;
  if (action === Action.Refresh) {
    if (targets.policy === undefined)
      throw new Error("no CollateralPolicy address: the sender cannot refresh the target ratio");
    return { to: targets.policy, data: policyInterface.encodeFunctionData("refresh") };
  }
  if (action !== "observe")
    return { to: targets.operator, data: encodeOperation({ ...(req as OperationRequest), action }) };
  if (targets.oracle === undefined) throw new Error("no PriceOracle address: the sender cannot write observations");
  return { to: targets.oracle, data: oracleInterface.encodeFunctionData("update") };
}
