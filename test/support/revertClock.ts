/**
 * Installed by the test run's set-up (test/support/setup.ts): after `evm_revert`, the next block
 * resumes one second after the restored block. Hardhat 2.29's EDR moves the clock forward by
 * twice the wall time elapsed since the snapshot instead (measured: 20 s asleep, then revert and
 * mine: +40 s), so a fixture reloaded late in a slow run found its feeds stale: `npm run coverage`
 * (about 50 min) failed 46 tests on StalePrice and TwapStale that pass in `npm test`.
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

/** Pins the clock after each revert on the in-process `hardhat` network (other networks keep their own clock). */
export function installRevertClock(network: { name: string; provider: EIP1193Provider }): void {
  if (network.name === "hardhat") pinClockAfterRevert(network.provider as Patchable);
}
