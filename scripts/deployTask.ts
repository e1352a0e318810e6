/** `ballast:deploy`: deploy or reconcile Ballast on --network and print what happened. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { namedAddresses } from "../deploy/addressBook";
import { deployBallast } from "../deploy/deploy";
import { expectedFailure, out, runTask } from "./lib/cli";

export async function deployTask(hre: HardhatRuntimeEnvironment, venue?: string): Promise<void> {
  await runTask(async () => {
    const outcome = await deployBallast(hre, { venue, log: (line) => out(line) });
    const rows = namedAddresses(outcome.addressBook);
    out();
    out(
      `  venue             ${
        outcome.addressBook.venue === "v3" ? "Uniswap V3 pool with protocol-owned liquidity" : "Uniswap V2 pair"
      }`,
    );
    for (const [name, address] of rows) out(`  ${name.padEnd(17)} ${address}`);
    out(
      `  roles: admin ${outcome.record.roles.admin}, guardian ${outcome.record.roles.guardian}, keeper ${outcome.record.roles.keeper}` +
        (outcome.record.localKeeperAccountIndex === null
          ? ""
          : ` (local account #${outcome.record.localKeeperAccountIndex})`),
    );
  }, expectedFailure);
}
