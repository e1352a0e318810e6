/**
 * Sending from the tasks: simulate first (a revert is decoded to the contract's custom error and
 * nothing is sent), then send and wait for the receipt.
 */
import type { ContractTransactionReceipt } from "ethers";
import { UserError } from "./cli";
import { describeFailure } from "../../keeper/src/chain/revert";

/** A typed contract method bound to a signer: callable, with `staticCall`. */
interface SendableMethod<A extends unknown[], R> {
  (...args: A): Promise<{ hash: string; wait(): Promise<ContractTransactionReceipt | null> }>;
  staticCall(...args: A): Promise<R>;
}

export interface Sent<R> {
  /** What the simulation returned (the call's return value). */
  result: R;
  hash: string;
  receipt: ContractTransactionReceipt;
}

/** `sentBefore`: hashes this task already sent (an approval), so a failure says so honestly. */
export async function simulateThenSend<A extends unknown[], R>(label: string, sentBefore: string[], method: SendableMethod<A, R>, ...args: A): Promise<Sent<R>> {
  let result: R;
  try {
    result = await method.staticCall(...args);
  } catch (error) {
    const sent = sentBefore.length ? `not sent (only ${sentBefore.join(", ")} was)` : "no transaction sent";
    throw new UserError(`${label} ${describeFailure(error)}; ${sent}`, { cause: error });
  }
  const tx = await method(...args);
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new UserError(`${label} transaction ${tx.hash} failed on chain`);
  return { result, hash: tx.hash, receipt };
}
