/**
 * The system fixture plus the parties of the keeper networks: a Chainlink upkeep forwarder (the
 * address the registry performs from), Gelato's dedicated msg.sender, and an outside caller with
 * no role at all.
 */
import { ethers } from "hardhat";
import { deploySystemFixture, equityWad, type Fixture } from "./system";
import { AutomationRegistryHarness } from "./registryHarness";

export type AutomationFixture = Fixture & {
  forwarder: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  gelatoSender: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  outsider: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  registry: AutomationRegistryHarness;
};

export async function automationFixture(): Promise<AutomationFixture> {
  const f = await deploySystemFixture();
  const signers = await ethers.getSigners();
  const [forwarder, gelatoSender, outsider] = [signers[7], signers[8], signers[9]];
  await f.operator.connect(f.admin).setAutomationForwarder(forwarder.address);
  // Park the reserve's excess first, so that "nothing to do" means nothing at all.
  if ((await f.operator.preview()).action === 3n) await f.operator.connect(f.keeper).rebalance();
  return { ...f, forwarder, gelatoSender, outsider, registry: new AutomationRegistryHarness(f.operator, forwarder) };
}

/** Everything a reverted perform must leave untouched. */
export async function operatorState(f: Fixture) {
  const [r0, r1] = await f.pair.getReserves();
  const e = await f.operator.epoch();
  return {
    reserves: [r0, r1],
    supply: await f.stable.totalSupply(),
    equity: await equityWad(f),
    lastOperationAt: await f.operator.lastOperationAt(),
    netMinted: e.netMinted,
    contracted: e.contracted,
    idleQuote: (await f.reserve.holdings(await f.usdc.token.getAddress())).idle,
  };
}
