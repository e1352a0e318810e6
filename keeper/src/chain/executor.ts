/**
 * The executor: turns an "act" decision into a transaction. Behind the small `TxSender`
 * interface so a transaction manager (nonce lock, journal, fee bumps) can replace the direct
 * implementation here without touching the loop.
 * Also writes TWAP observations (PriceOracle.update()) when the decision asks for one.
 * Simulate with a static call from the keeper's address (reverts decoded by name), estimate gas,
 * send an EIP-1559 transaction with the fees the decision priced (already within the cap), wait
 * for the configured number of confirmations.
 */
import type { Provider, Signer, TransactionReceipt } from "ethers";
import { MarketOperator__factory, PriceOracle__factory } from "./contracts";
import { SimulationRevertedError, TxFailedError } from "../errors";
import { Action, BPS } from "../policy";
import { revertName, revertReason } from "./revert";

export interface OperationRequest {
  action: Action.Expand | Action.Contract | Action.Rebalance;
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
  simulate(req: KeeperRequest): Promise<Simulation>;
  /** Sends and waits for confirmations; `onSent` fires as soon as the node accepted it. */
  send(req: KeeperRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome>;
}

const operatorInterface = MarketOperator__factory.createInterface();
const oracleInterface = PriceOracle__factory.createInterface();

/** The price-bounded forms: a front-run toward the peg shrinks the operation instead of reverting it. */
export function encodeOperation(req: Pick<OperationRequest, "action" | "amount" | "limitPriceWad">): string {
  if (req.action === Action.Expand) return operatorInterface.encodeFunctionData("expandSupplyAtPrice", [req.amount, req.limitPriceWad]);
  if (req.action === Action.Contract) return operatorInterface.encodeFunctionData("contractSupplyAtPrice", [req.amount, req.limitPriceWad]);
  return operatorInterface.encodeFunctionData("rebalance");
}

/** The call for a request: the operator's entry points, or the oracle's update(). */
export function encodeCall(req: KeeperRequest, targets: CallTargets): { to: string; data: string } {
  if (req.action !== "observe") return { to: targets.operator, data: encodeOperation(req) };
  if (targets.oracle === undefined) throw new Error("no PriceOracle address: the sender cannot write observations");
  return { to: targets.oracle, data: oracleInterface.encodeFunctionData("update") };
}

export interface DirectTxSenderOptions {
  operator: string;
  oracle?: string;
  confirmations: number;
  timeoutMs: number;
  gasLimitBufferBps: number;
}

/** Sends from one signer; nonces from the node's pending count (one keeper process per key). */
export class DirectTxSender implements TxSender {
  constructor(
    private readonly signer: Signer,
    private readonly provider: Provider,
    readonly address: string,
    private readonly options: DirectTxSenderOptions,
  ) {}

  async simulate(req: KeeperRequest): Promise<Simulation> {
    const { to, data } = encodeCall(req, this.options);
    const tx = { from: this.address, to, data };
    try {
      await this.provider.call(tx);
      const gasEstimate = await this.provider.estimateGas(tx);
      const gasLimit = gasEstimate + (gasEstimate * BigInt(this.options.gasLimitBufferBps)) / BPS;
      return { to, data, gasEstimate, gasLimit };
    } catch (err) {
      throw new SimulationRevertedError(revertName(err), revertReason(err), { cause: err });
    }
  }

  async send(req: KeeperRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome> {
    const nonce = await this.provider.getTransactionCount(this.address, "pending");
    const network = await this.provider.getNetwork();
    const response = await this.signer.sendTransaction({
      type: 2,
      chainId: network.chainId,
      to: sim.to,
      data: sim.data,
      nonce,
      gasLimit: sim.gasLimit,
      maxFeePerGas: req.maxFeePerGasWei,
      maxPriorityFeePerGas: req.maxPriorityFeePerGasWei,
    });
    onSent({ hash: response.hash, nonce });
    let receipt: TransactionReceipt | null;
    try {
      receipt = await this.provider.waitForTransaction(response.hash, this.options.confirmations, this.options.timeoutMs);
    } catch (err) {
      throw new TxFailedError(response.hash, nonce, `not confirmed within ${this.options.timeoutMs} ms`, { cause: err });
    }
    if (!receipt) throw new TxFailedError(response.hash, nonce, "no receipt");
    if (receipt.status !== 1) {
      // A mined revert carries no reason; replay it at its block's parent state to name it.
      let why = "reverted on chain";
      try {
        await this.provider.call({ from: this.address, to: sim.to, data: sim.data, blockTag: receipt.blockNumber - 1 });
      } catch (err) {
        why = `reverted on chain: ${revertReason(err)}`;
      }
      throw new TxFailedError(response.hash, nonce, why);
    }
    return { hash: response.hash, nonce, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, effectiveGasPriceWei: receipt.gasPrice };
  }
}
