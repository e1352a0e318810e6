/**
 * `ballast:status`: the system at a glance, as a table or (`--json`) one JSON object. The same
 * model and table as the keeper's `status` command, read through the keeper's chain layer.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { expectedFailure, out, runTask } from "./lib/cli";
import { loadSystem } from "./lib/context";
import { connectProtocol } from "../keeper/src/chain/protocol";
import { readProtocolStatus } from "../keeper/src/chain/statusReader";
import { renderStatus } from "../keeper/src/status";

export async function statusTask(hre: HardhatRuntimeEnvironment, args: { json: boolean }): Promise<void> {
  await runTask(async () => {
    const { book, network } = await loadSystem(hre);
    const provider = hre.ethers.provider;
    const status = await readProtocolStatus(provider, await connectProtocol(book, provider), book, {
      network,
      chainId: book.chainId,
    });
    out(args.json ? JSON.stringify(status, null, 2) : renderStatus(status));
  }, expectedFailure);
}
