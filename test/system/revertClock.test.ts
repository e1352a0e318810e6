/**
 * The in-process chain's clock after `evm_revert`, as every fixture reload sees it: the test run's
 * set-up (test/support/setup.ts, loaded ahead of every suite) pins it to one second after the
 * restored block. Without it Hardhat's EDR jumps ahead by about twice the wall time since the
 * snapshot, and fixtures reloaded late in a long run (coverage) find their feeds stale.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";

const WALL_WAIT_MS = 2_000;

describe("the in-process chain's clock after evm_revert (the test run's set-up)", function () {
  it("resumes one second after the restored block, however long the wall clock ran since the snapshot", async function () {
    const restored = await time.latest();
    // As hardhat-network-helpers' loadFixture calls it: through the provider's request().
    const rpc = (method: string, params: unknown[] = []) => network.provider.request({ method, params });
    const snapshot = await rpc("evm_snapshot");
    await new Promise((resolve) => setTimeout(resolve, WALL_WAIT_MS));
    await rpc("evm_mine");
    expect(await rpc("evm_revert", [snapshot])).to.equal(true);
    await rpc("evm_mine");
    expect(await time.latest()).to.equal(restored + 1);
  });
});
