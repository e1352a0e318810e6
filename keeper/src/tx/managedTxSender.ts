/**
 * The daemon's `TxSender` (keeper/src/chain/executor.ts) on top of the TxManager: the keeper loop
 * keeps deciding; nonces, the journal, fee bumps, cancels, reorg handling and recovery happen
 * here. Outcomes other than "confirmed" become the daemon's typed errors.
 */
import { SimulationRevertedError, TxFailedError } from "../errors";
import {
  encodeCall,
  type CallTargets,
  type KeeperRequest,
  type SentTx,
  type Simulation,
  type TxOutcome,
  type TxSender,
} from "../chain/executor";
import { Action, actionName } from "../policy";
import { gasLimitWithBuffer } from "./gasLimit";
import type { ChainClient } from "./chain";
import { isRevert, revertName, revertReason } from "../chain/revert";
import type { TxManager } from "./txManager";

export class ManagedTxSender implements TxSender {
  constructor(
    private readonly manager: TxManager,
    private readonly chain: ChainClient,
    private readonly targets: CallTargets,
    private readonly gasLimitBufferBps: number,
  ) {}

  get address(): string {
    return this.manager.address;
  }

  async simulate(req: KeeperRequest): Promise<Simulation> {
    const call = { from: this.address, ...encodeCall(req, this.targets) };
    try {
      // An observation or a refresh is checked on the pending block: another keeper's update() or
      // refresh() already waiting in the node's pool makes ours a no-op (or RefreshTooSoon), not sent.
      const onPending = req.action === "observe" || req.action === Action.Refresh;
      const returnData = await this.chain.call(call, onPending ? "pending" : "latest");
      const gasEstimate = await this.chain.estimateGas(call);
      return {
        to: call.to,
        data: call.data,
        gasEstimate,
        gasLimit: gasLimitWithBuffer(gasEstimate, this.gasLimitBufferBps),
        returnData,
      };
    } catch (error) {
      if (!isRevert(error)) throw error;
      throw new SimulationRevertedError(revertName(error), revertReason(error), { cause: error });
    }
  }

  async send(req: KeeperRequest, sim: Simulation, onSent: (tx: SentTx) => void): Promise<TxOutcome> {
    const outcome = await this.manager.submit({
      key: req.action === "observe" ? "observe" : actionName(req.action),
      to: sim.to,
      data: sim.data,
      gasLimit: sim.gasLimit,
      fees: { maxFeePerGas: req.maxFeePerGasWei, maxPriorityFeePerGas: req.maxPriorityFeePerGasWei },
      feeCapWei: req.feeCapWei,
      onBroadcast: onSent,
    });
    switch (outcome.status) {
      case "confirmed":
        return {
          hash: outcome.hash,
          nonce: outcome.nonce,
          blockNumber: outcome.blockNumber,
          gasUsed: outcome.gasUsed,
          effectiveGasPriceWei: outcome.effectiveGasPriceWei,
        };
      case "reverted":
        throw new TxFailedError(outcome.hash, outcome.nonce, "mined but reverted");
      case "cancelled":
        throw new TxFailedError(
          outcome.hash,
          outcome.nonce,
          "cancelled: the action was no longer valid while its transaction was pending",
        );
      case "dropped":
        throw new TxFailedError("", -1, `dropped: ${outcome.reason}`);
      case "rejected":
        throw new SimulationRevertedError(outcome.reason.split("(")[0], outcome.reason);
      case "halted":
        throw new TxFailedError("", -1, `not sent: ${outcome.reason}`);
      case "interrupted":
        throw new TxFailedError(
          "",
          -1,
          "interrupted by shutdown; the journal holds the transaction for the next start",
        );
    }
  }
}
