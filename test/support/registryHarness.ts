/**
 * Plays the Chainlink Automation registry's part against the MarketOperator as the network does:
 * off chain, `checkUpkeep(checkData)` by `eth_call` (no transaction, sender and origin zero, as the
 * nodes simulate it); on chain, `performUpkeep(performData)` sent from the upkeep's forwarder, the
 * one address the target sees as `msg.sender` when the registry performs.
 */
import { AbiCoder, ZeroAddress, type Signer, type TransactionResponse } from "ethers";
import type { MarketOperator } from "../../typechain-types";

export const Action = { None: 0n, Expand: 1n, Contract: 2n, Rebalance: 3n } as const;

/** What the registry learned from one simulation, and the block it simulated at. */
export interface Simulation {
  upkeepNeeded: boolean;
  performData: string;
  blockNumber: number;
}

/** performData decoded: `abi.encode(action, amount, limitPriceWad)` (quote per token, WAD). */
export interface PerformRequest {
  action: bigint;
  amount: bigint;
  limitPriceWad: bigint;
}

export function decodePerformData(performData: string): PerformRequest {
  const [action, amount, limitPriceWad] = AbiCoder.defaultAbiCoder().decode(
    ["uint8", "uint256", "uint256"],
    performData,
  );
  return { action: action as bigint, amount: amount as bigint, limitPriceWad: limitPriceWad as bigint };
}

export function encodePerformData(r: PerformRequest): string {
  return AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [r.action, r.amount, r.limitPriceWad]);
}

export class AutomationRegistryHarness {
  constructor(private readonly operator: MarketOperator, private readonly forwarder: Signer) {}

  /** The off-chain simulation: an eth_call at the latest block, never a transaction. */
  async simulate(checkData = "0x"): Promise<Simulation> {
    const provider = this.operator.runner?.provider;
    if (!provider) throw new Error("operator has no provider");
    const blockNumber = await provider.getBlockNumber();
    const iface = this.operator.interface;
    const raw = await provider.call({
      to: await this.operator.getAddress(),
      from: ZeroAddress,
      data: iface.encodeFunctionData("checkUpkeep", [checkData]),
      blockTag: blockNumber,
    });
    const [upkeepNeeded, performData] = iface.decodeFunctionResult("checkUpkeep", raw);
    return { upkeepNeeded: upkeepNeeded as boolean, performData: performData as string, blockNumber };
  }

  /** The on-chain execution, from the forwarder. `gasLimit` skips estimation (needed with automine off). */
  async perform(
    performData: string,
    overrides: { gasLimit?: bigint; nonce?: number } = {},
  ): Promise<TransactionResponse> {
    return (this.operator.connect(this.forwarder) as MarketOperator).performUpkeep(performData, overrides);
  }

  /** One registry cycle: simulate, and perform when the simulation says so. */
  async cycle(): Promise<{ simulation: Simulation; tx?: TransactionResponse }> {
    const simulation = await this.simulate();
    if (!simulation.upkeepNeeded) return { simulation };
    return { simulation, tx: await this.perform(simulation.performData) };
  }
}
