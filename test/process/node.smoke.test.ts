import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startHardhatNode, type RunningNode } from "../support/process/hardhatNode";

describe("hardhat node process (e2e harness)", function () {
  let node: RunningNode;
  before(async function () {
    node = await startHardhatNode();
  });
  after(async function () {
    await node?.stop();
  });

  it("answers JSON-RPC on its own port with the local chain id", async function () {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    expect((await provider.getNetwork()).chainId).to.equal(31337n);
    provider.destroy();
  });
});
