/**
 * The MarketOperator's reentrancy guard on each of its six entry points, against real re-entry:
 * a listed collateral whose transfer hook calls back into the operator (the Lendf.Me / ERC-777
 * pattern) while `rebalance` parks it in its ERC-4626 strategy. The hook's caller holds no role, so
 * without the guard the inner call would fail with NotKeeper instead: each test fails if the
 * guard is removed from the function it re-enters.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, MaxUint256, parseUnits } from "ethers";
import { MockV3Aggregator__factory, ReentrantToken__factory, TestVault__factory } from "../../../typechain-types";
import { deploySystemFixture } from "../../support/system";

const Action = { Rebalance: 3n };
const TOKENS = (v: string) => parseUnits(v, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const rebalanceRequest = AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [Action.Rebalance, 0n, 0n]);

/** The fixture plus a hooked collateral held idle by the reserve, half of it due for its strategy. */
async function hookedCollateralFixture() {
  const f = await deploySystemFixture();
  // Park the quote's excess first, so the next rebalance moves only the hooked token.
  await f.operator.connect(f.keeper).rebalance();
  const token = await new ReentrantToken__factory(f.admin).deploy();
  const feed = await new MockV3Aggregator__factory(f.admin).deploy(8, 10n ** 8n);
  const vault = await new TestVault__factory(f.admin).deploy(await addr(token), "Hooked strategy", "bHOOK");
  await f.oracle.setFeed(await addr(token), await addr(feed), 3_600, parseUnits("0.5", 18), parseUnits("2", 18));
  await f.reserve.listAsset(await addr(token), {
    haircutBps: 100,
    mintFeeBps: 5,
    redeemFeeBps: 5,
    bufferBps: 5_000,
    ceiling: TOKENS("1000000"),
  });
  await f.reserve.setStrategy(await addr(token), await addr(vault));
  await token.mint(f.user.address, TOKENS("10000"));
  await token.connect(f.user).approve(await addr(f.reserve), MaxUint256);
  await f.reserve.connect(f.user).mint(await addr(token), TOKENS("10000"), 0, f.user.address);
  const delta = await f.reserve.rebalanceDelta(await addr(token));
  expect(delta, "half of the hooked token is due for the strategy").to.equal(TOKENS("5000"));
  return { ...f, token, delta };
}

type HookedFixture = Awaited<ReturnType<typeof hookedCollateralFixture>>;

/** Arms the token so its next transfer (the strategy deposit) calls `payload` on the operator. */
async function armReentry(f: HookedFixture, payload: string) {
  await f.token.arm(await addr(f.operator), payload);
}

describe("MarketOperator: a collateral that re-enters the operator during rebalance [INV-2]", function () {
  const reentries: [string, (f: HookedFixture) => string][] = [
    ["expandSupply", (f) => f.operator.interface.encodeFunctionData("expandSupply", [MaxUint256, 0n])],
    ["contractSupply", (f) => f.operator.interface.encodeFunctionData("contractSupply", [MaxUint256, 0n])],
    ["expandSupplyAtPrice", (f) => f.operator.interface.encodeFunctionData("expandSupplyAtPrice", [MaxUint256, 0n])],
    [
      "contractSupplyAtPrice",
      (f) => f.operator.interface.encodeFunctionData("contractSupplyAtPrice", [MaxUint256, MaxUint256]),
    ],
    ["rebalance", (f) => f.operator.interface.encodeFunctionData("rebalance")],
    ["performUpkeep", (f) => f.operator.interface.encodeFunctionData("performUpkeep", [rebalanceRequest])],
  ];

  for (const [name, payloadOf] of reentries) {
    it(`re-entering ${name} from the strategy deposit reverts ReentrancyGuardReentrantCall and moves nothing`, async function () {
      const f = await loadFixture(hookedCollateralFixture);
      const tokenAddress = await addr(f.token);
      const holdingsBefore = await f.reserve.holdings(tokenAddress);
      await armReentry(f, payloadOf(f));
      await expect(f.operator.connect(f.keeper).rebalance()).to.be.revertedWithCustomError(
        f.operator,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.reserve.holdings(tokenAddress)).to.deep.equal(holdingsBefore);
      expect(await f.token.reentries(), "the whole transaction, hook included, was rolled back").to.equal(0n);
      // Control: the same rebalance without the hook goes through, so the re-entry was the cause.
      await f.token.disarm();
      await expect(f.operator.connect(f.keeper).rebalance())
        .to.emit(f.operator, "Rebalanced")
        .withArgs(f.keeper.address, tokenAddress, f.delta);
    });
  }

  it("re-entering expandSupply while performUpkeep runs a rebalance reverts ReentrancyGuardReentrantCall", async function () {
    const f = await loadFixture(hookedCollateralFixture);
    const [upkeepNeeded, performData] = await f.operator.checkUpkeep("0x");
    expect(upkeepNeeded).to.equal(true);
    expect(performData).to.equal(rebalanceRequest);
    await armReentry(f, f.operator.interface.encodeFunctionData("expandSupply", [MaxUint256, 0n]));
    await expect(f.operator.connect(f.keeper).performUpkeep(performData)).to.be.revertedWithCustomError(
      f.operator,
      "ReentrancyGuardReentrantCall",
    );
  });
});
