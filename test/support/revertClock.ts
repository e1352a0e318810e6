/**
 * Mocha root hook (hardhat.config.ts): after `evm_revert`, the next block resumes one second after
 * the restored block. Hardhat 2.29's EDR moves the clock forward by twice the wall time elapsed
 * since the snapshot instead (measured: 20 s asleep, then revert and mine: +40 s), so a fixture
 * reloaded late in a slow run found its feeds stale: `npm run coverage` (about 50 min) failed 46
 * tests on StalePrice and TwapStale that pass in `npm test`. Installed when the suites start, after
 * solidity-coverage has swapped in its own provider.
 */
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

const PATCHED = Symbol("ballast.revertClock");

type Patchable = EIP1193Provider & { [PATCHED]?: true };

function pinClockAfterRevert(provider: Patchable): void {
  if (provider[PATCHED]) return;
  const request = provider.request.bind(provider);
  provider.request = async (args: RequestArguments) => {
    const result = await request(args);
    if (args.method === "evm_revert" && result === true) {
      const latest = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
        timestamp: string;
      };
      await request({ method: "evm_setNextBlockTimestamp", params: [Number(latest.timestamp) + 1] });
    }
    return result;
  };
  provider[PATCHED] = true;
}

export const revertClockHooks = {
  async beforeAll(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- hardhat cannot be imported while its config loads
    const hre = require("hardhat") as typeof import("hardhat");
    if (hre.network.name === "hardhat") pinClockAfterRevert(hre.network.provider as Patchable);
  },
};
