/**
 * The simulator's stable lane against the real Reserve: the same sequence of USDC mints and
 * redemptions (round trips, a mint past the net-flow cap, a redemption back through it, a feed off
 * $1, one 50 bps under $1 that the ordinary path pays better, a cap lowered below the net) on the in-process fixture and on the model seeded from the chain's state, every output and
 * the room left each way equal to the wei.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { parseUnits } from "ethers";
import { FRONTIER_STABLE_LANE, LOCAL_PARAMS, stableLaneArgs, withStableLane } from "../../deploy/parameters";
import { BallastReserve, ballastConfigFrom } from "../../keeper/sim/ballastReserve";
import type { Market } from "../../keeper/sim/market";
import { deploySystemFixture, refreshFeeds, type Fixture } from "../support/system";
import { marketAt } from "../support/sim";

const USDC = (s: string) => parseUnits(s, 6);
const TOKENS = (s: string) => parseUnits(s, 18);
/** A cap small enough that the sequence below reaches it. */
const LANE = { ...FRONTIER_STABLE_LANE, volumePerEpoch: "3000" };

/** The model's market and reserve seeded from the chain: holdings, supply, feeds, clock, target. */
async function modelOf(f: Fixture): Promise<{ m: Market; reserve: BallastReserve }> {
  const usdc = await f.usdc.token.getAddress();
  const weth = await f.weth.token.getAddress();
  const reserve = new BallastReserve(ballastConfigFrom(withStableLane(LOCAL_PARAMS, LANE)), {
    USDC: await f.reserve.accountedAmount(usdc),
    WETH: await f.reserve.accountedAmount(weth),
  });
  reserve.targetRatioWad = await f.policy.targetRatio();
  const m = marketAt(1_000_000, 1_000_000);
  await syncModel(f, m);
  return { m, reserve };
}

async function syncModel(f: Fixture, m: Market): Promise<void> {
  m.supply = await f.stable.totalSupply();
  const head = await ethers.provider.getBlock("latest");
  m.now = BigInt(head!.timestamp);
  for (const [a, c] of [
    ["USDC", f.usdc],
    ["WETH", f.weth],
  ] as const) {
    const [, answer, , updatedAt] = await c.feed.latestRoundData();
    m.feeds[a].answer = answer;
    m.feeds[a].updatedAt = updatedAt;
  }
}

describe("Simulator stable lane: parity with the Reserve's net-flow cap and lane fee", function () {
  it("mints, redeems, a full mint side, a redemption through it, a feed at $0.998, one at $0.995 (the ordinary path pays more) and a lowered cap pay to the wei what the chain pays, with the same room left each way", async function () {
    const f = await deploySystemFixture();
    const usdc = await f.usdc.token.getAddress();
    await time.increase(86_400); // a fresh epoch: the fixture's seed mint used the lane
    await refreshFeeds(f);
    await f.reserve.connect(f.admin).setStableLane(usdc, stableLaneArgs(LANE));
    const { m, reserve } = await modelOf(f);
    await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), USDC("100000"));
    await f.stable.connect(f.user).approve(await f.reserve.getAddress(), TOKENS("100000"));

    const steps: { kind: "mint" | "redeem"; amount: bigint; lane: boolean; feedUsd?: string; capTokens?: string }[] = [
      { kind: "mint", amount: USDC("1000"), lane: true },
      { kind: "redeem", amount: TOKENS("1000"), lane: true },
      { kind: "mint", amount: USDC("2500"), lane: true }, // mints plus redeems 4,500 > 3,000: net 2,500
      { kind: "mint", amount: USDC("1000"), lane: false }, // net 2,500 + 1,000 > 3,000: the ordinary path
      { kind: "redeem", amount: TOKENS("3400"), lane: true }, // net back to −900
      { kind: "mint", amount: USDC("700"), lane: true, feedUsd: "0.998" },
      { kind: "redeem", amount: TOKENS("500"), lane: true }, // net about −702
      // 50 bps under $1 the ordinary path pays more (fee + spread at $0.995 against 25 bps at $1): it pays, the net stays.
      { kind: "redeem", amount: TOKENS("150"), lane: false, feedUsd: "0.995" },
      { kind: "redeem", amount: TOKENS("100"), lane: false, capTokens: "500" }, // a cap lowered below the net
    ];
    for (const [i, step] of steps.entries()) {
      if (step.feedUsd) await f.usdc.feed.updateAnswer(parseUnits(step.feedUsd, 8));
      if (step.capTokens) {
        const lowered = { ...LANE, volumePerEpoch: step.capTokens };
        await f.reserve.connect(f.admin).setStableLane(usdc, stableLaneArgs(lowered));
        reserve.config.assets.USDC.lane = ballastConfigFrom(withStableLane(LOCAL_PARAMS, lowered)).assets.USDC.lane;
      }
      await syncModel(f, m);
      const quoted =
        step.kind === "mint"
          ? reserve.quoteMintDetail(m, "USDC", step.amount).lane
          : reserve.quoteRedeemDetail(m, "USDC", step.amount).lane;
      expect(quoted, `step ${i}: in the lane`).to.equal(step.lane);
      let chainOut: bigint;
      let modelOut: bigint;
      if (step.kind === "mint") {
        const before = await f.stable.balanceOf(f.user.address);
        await f.reserve.connect(f.user).mint(usdc, step.amount, 0, f.user.address);
        chainOut = (await f.stable.balanceOf(f.user.address)) - before;
        modelOut = reserve.mint(m, "USDC", step.amount);
      } else {
        const before = await f.usdc.token.balanceOf(f.user.address);
        await f.reserve.connect(f.user).redeem(usdc, step.amount, 0, f.user.address);
        chainOut = (await f.usdc.token.balanceOf(f.user.address)) - before;
        modelOut = reserve.redeem(m, "USDC", step.amount);
      }
      expect(modelOut, `step ${i}: ${step.kind} output`).to.equal(chainOut);
      await syncModel(f, m);
      const [mintRoom, redeemRoom] = await f.reserve.laneVolumeLeft(usdc);
      expect([reserve.laneRoom(m, "USDC", true), reserve.laneRoom(m, "USDC", false)], `step ${i}: room`).to.deep.equal([
        mintRoom,
        redeemRoom,
      ]);
    }
    const [mintRoom, redeemRoom] = await f.reserve.laneVolumeLeft(usdc);
    expect(redeemRoom, "the lowered cap leaves no redeem room").to.equal(0n);
    expect(mintRoom).to.be.gt(TOKENS("1000"));
  });
});
