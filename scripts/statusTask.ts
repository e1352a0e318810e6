/** `ballast:status`: the system at a glance, as a table or (`--json`) one JSON object. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { expectedFailure, out, runTask } from "./lib/cli";
import { loadSystem } from "./lib/context";
import { formatStatus, readStatus } from "./lib/status";

export async function statusTask(hre: HardhatRuntimeEnvironment, args: { json: boolean }): Promise<void> {
  await runTask(async () => {
    const status = await readStatus(await loadSystem(hre));
    out(args.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  }, expectedFailure);
}
