/**
 * readSnapshot({ pending: true }) reads the block the node is building: the queued transactions, at
 * that block's number and time. The on-chain replay (scripts/simOnChain.ts) posts a block's feeds,
 * lets the keeper read them there and act in the same block, so its operations land at the model's
 * time; reading the mined head instead had them land one second later, and with a one-block
 * cooldown every second back-to-back operation waited a block.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { SymbolCache, connectProtocol } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { addressBookOf, deploySystemFixture, swapIntoPool } from "../../support/system";

const USDC_AT_998 = 99_800_000n;

describe("keeper reader: the pending block", function () {
  it("reads the queued feed post and swap at the next block's number and time; once mined, the head reads the same", async function () {
    const f = await loadFixture(deploySystemFixture);
    const provider = ethers.provider;
    const protocol = await connectProtocol(await addressBookOf(f), provider);
    const symbols = new SymbolCache(provider);
    const read = (pending: boolean) =>
      readSnapshot(provider, protocol, symbols, {
        feeHistoryBlocks: 1,
        rewardPercentile: 50,
        keeper: f.keeper.address,
        pending,
      });
    const usdcOf = (s: Awaited<ReturnType<typeof read>>) => s.feeds.find((x) => x.symbol === "USDC")!;

    const before = await read(false);
    const at = before.blockTimestamp + 12n;
    await provider.send("evm_setAutomine", [false]);
    try {
      await provider.send("evm_setNextBlockTimestamp", [Number(at)]);
      await f.usdc.feed.updateAnswer(USDC_AT_998);
      await swapIntoPool(f, f.trader, false, parseUnits("20000", 6));

      // The head has not moved: neither the feed nor the pool.
      const head = await read(false);
      expect(head.blockNumber).to.equal(before.blockNumber);
      expect(usdcOf(head).answer).to.equal(usdcOf(before).answer);
      expect(head.operator.spotWad).to.equal(before.operator.spotWad);

      const pending = await read(true);
      expect(pending.blockNumber).to.equal(before.blockNumber + 1);
      expect(pending.blockTimestamp).to.equal(at);
      expect(pending.operator.timestamp).to.equal(at);
      expect(pending.blockHash).to.equal("");
      expect(usdcOf(pending)).to.include({ answer: USDC_AT_998, updatedAt: at });
      expect(pending.operator.spotWad > before.operator.spotWad).to.equal(true);

      await provider.send("evm_mine", []);
      const mined = await read(false);
      expect(mined.blockNumber).to.equal(pending.blockNumber);
      expect(mined.blockTimestamp).to.equal(at);
      expect(mined.operator).to.deep.equal(pending.operator);
      expect(mined.onchainPreview).to.deep.equal(pending.onchainPreview);
      expect(mined.feeds).to.deep.equal(pending.feeds);
      expect(mined.policy).to.deep.equal(pending.policy);
      expect(mined.observations).to.deep.equal(pending.observations);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });
});
