/**
 * MarketOperatorV3 in permissionless mode: the caller reward a keeper reads beforehand
 * (`estimateCallerReward`, which prices the trade's after-state with the pool's own tick maths) is
 * what a stranger's operation pays, on the real V3 pool.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits, type ContractTransactionReceipt } from "ethers";
import { deployV3SystemFixture, pushV3PriceTo, type V3Fixture } from "../../support/systemV3";
import { refreshFeeds } from "../../support/system";

const MAX_REWARD_WAD = parseUnits("1000", 18); // Constants.sol HARD_MAX_CALLER_REWARD_WAD

/** The fixture in permissionless mode with the pool at `priceWad` for half a TWAP window, so the TWAP agrees. */
async function offPegPermissionless(f: V3Fixture, priceWad: bigint): Promise<void> {
  await f.operator.connect(f.admin).setPermissionless(true, MAX_REWARD_WAD);
  await pushV3PriceTo(f, priceWad);
  await time.increase(f.params.oracle.twapWindowSec / 2);
  await refreshFeeds(f);
}

function rewardPaid(f: V3Fixture, receipt: ContractTransactionReceipt | null): bigint {
  const events = receipt!.logs.map((l) => f.operator.interface.parseLog(l)).filter((e) => e?.name === "CallerRewarded");
  expect(events).to.have.length(1);
  return events[0]!.args.quoteAmount as bigint;
}

describe("MarketOperatorV3 caller reward", () => {
  for (const [op, priceWad] of [
    ["expandSupply", parseUnits("1.01", 18)],
    ["contractSupply", parseUnits("0.99", 18)],
  ] as const) {
    it(`${op} by a stranger pays the reward estimateCallerReward() gave (within one USDC unit)`, async () => {
      const f = await loadFixture(deployV3SystemFixture);
      await offPegPermissionless(f, priceWad);
      const [estimate] = await f.operator.estimateCallerReward();
      expect(estimate).to.be.greaterThan(0n);
      const balanceBefore = await f.usdc.token.balanceOf(f.stranger.address);
      const tx = await f.operator.connect(f.stranger)[op](MaxUint256, 0);
      const paid = rewardPaid(f, await tx.wait());
      expect(paid - estimate).to.be.within(-1n, 1n);
      expect((await f.usdc.token.balanceOf(f.stranger.address)) - balanceBefore).to.equal(paid);
    });
  }
});
