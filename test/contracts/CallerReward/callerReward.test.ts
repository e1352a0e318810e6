/**
 * The CallerReward library on its own (through a test-only harness): the deviation a move corrected,
 * including moves away from the peg or no move at all (zero; unreachable through the operator, which
 * only trades toward the peg), and the reward formula's three limits (profit share, deviation, cap).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { parseUnits } from "ethers";
import type { CallerRewardHarness } from "../../../typechain-types";

const price = (s: string) => parseUnits(s, 18);
const usd = (s: string) => parseUnits(s, 18);
// Constants.sol
const PROFIT_SHARE_BPS = 1_000n;
const FULL_DEVIATION_BPS = 200n;
const HARD_MAX_REWARD_WAD = usd("1000");

describe("CallerReward library", function () {
  let lib: CallerRewardHarness;
  before(async () => {
    lib = await (await ethers.getContractFactory("CallerRewardHarness")).deploy();
  });

  describe("deviationCorrectedBps", function () {
    it("is zero for a move away from the peg, on either side, and for no move at all", async () => {
      expect(await lib.deviationCorrectedBps(price("1.01"), price("1.02"))).to.equal(0n);
      expect(await lib.deviationCorrectedBps(price("0.99"), price("0.98"))).to.equal(0n);
      expect(await lib.deviationCorrectedBps(price("1.01"), price("1.01"))).to.equal(0n);
      expect(await lib.deviationCorrectedBps(price("1"), price("1"))).to.equal(0n);
      // Across the peg to a farther point on the other side is also away.
      expect(await lib.deviationCorrectedBps(price("1.01"), price("0.98"))).to.equal(0n);
    });

    it("is the distance removed, in bps of the peg, rounded down, from above and from below", async () => {
      expect(await lib.deviationCorrectedBps(price("1.03"), price("1.005"))).to.equal(250n);
      expect(await lib.deviationCorrectedBps(price("0.97"), price("1"))).to.equal(300n);
      // 0.00009999… of the peg is 0.9999 bps: rounds down to 0.
      expect(await lib.deviationCorrectedBps(price("1.0001"), price("1.000000000000000001"))).to.equal(0n);
      expect(await lib.deviationCorrectedBps(price("1.0002"), price("1.000000000000000001"))).to.equal(1n);
    });
  });

  describe("rewardWad", function () {
    it("is the smallest of the profit share, the deviation-scaled cap and the hard cap", async () => {
      // Profit share binds: 10% of 50 USD.
      expect(await lib.rewardWad(usd("50"), FULL_DEVIATION_BPS, usd("1000"))).to.equal(usd("5"));
      // Deviation binds: half the full deviation earns half the 100 USD cap.
      expect(await lib.rewardWad(usd("100000"), FULL_DEVIATION_BPS / 2n, usd("100"))).to.equal(usd("50"));
      // Deviation beyond the full deviation earns no more than the cap.
      expect(await lib.rewardWad(usd("100000"), FULL_DEVIATION_BPS * 5n, usd("100"))).to.equal(usd("100"));
      // The admin's cap can never lift the reward over the hard cap.
      expect(await lib.rewardWad(usd("1000000"), FULL_DEVIATION_BPS, usd("5000"))).to.equal(HARD_MAX_REWARD_WAD);
      expect((usd("1000000") * PROFIT_SHARE_BPS) / 10_000n).to.be.gt(HARD_MAX_REWARD_WAD);
    });

    it("is zero without profit or without a corrected deviation", async () => {
      expect(await lib.rewardWad(0n, FULL_DEVIATION_BPS, usd("1000"))).to.equal(0n);
      expect(await lib.rewardWad(usd("100"), 0n, usd("1000"))).to.equal(0n);
    });
  });
});
