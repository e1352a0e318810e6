/**
 * Uniswap V2 sorts a pair's tokens by address, so whether the stable token is token0 or token1
 * depends on where the deployment happened to land. The main fixture's deployment puts it on one
 * side; this file deploys the same system from fresh deployers until the pair sorts the token
 * first, then checks that an expansion and a contraction take their output from the right side
 * and land exactly where PegMath says.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import { deployLocalSystem, seedPoolAtPeg } from "../../../deploy/system";
import { actors, settleAt, warmTwap, WAD, type Fixture } from "../../support/system";

const Action = { Expand: 1n, Contract: 2n };
const price = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
// The peg as the pair's raw price (USDC units per token unit) at a quote price of $1: num/den.
const PEG_NUM = WAD * 10n ** 6n;
const PEG_DEN = WAD * WAD;
const FIRST_SPARE_SIGNER = 10; // the fixtures' role-named actors and automation parties use 0…9

const amountOut = (amountIn: bigint, rIn: bigint, rOut: bigint) => (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
const spotWad = (rT: bigint, rQ: bigint) => (rQ * WAD * WAD) / (rT * 10n ** 6n);

/** The full system with the stable token as the pair's token0, seeded at the peg, TWAP warm. */
async function tokenFirstFixture(): Promise<Fixture> {
  const a = await actors();
  const signers = await ethers.getSigners();
  for (const deployer of signers.slice(FIRST_SPARE_SIGNER)) {
    const system = await deployLocalSystem(LOCAL_PARAMS, { admin: deployer, guardian: a.guardian.address, keeper: a.keeper.address });
    if ((await system.pair.token0()) !== (await addr(system.stable))) continue;
    await seedPoolAtPeg(system, deployer, LOCAL_PARAMS.poolDepth, LOCAL_PARAMS.seedEquity);
    await warmTwap(system, LOCAL_PARAMS.oracle.twapWindowSec);
    const [usdc, weth] = system.collaterals;
    await usdc.token.mint(a.trader.address, parseUnits("5000000", 6));
    return { ...system, ...a, admin: deployer, params: LOCAL_PARAMS, usdc, weth };
  }
  throw new Error("no spare deployer produced a pair with the stable token as token0");
}

describe("MarketOperator with the stable token as the pair's token0", function () {
  it("an expansion takes quote out of token1 and lands exactly where PegMath sizes it", async function () {
    const f = await loadFixture(tokenFirstFixture);
    await settleAt(f, price("1.03"));
    const [rT, rQ] = await f.pair.getReserves(); // token0 is the stable token
    const sold = await f.operator.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN);
    const quoteOut = amountOut(sold, rT, rQ);
    expect((await f.operator.preview()).action).to.equal(Action.Expand);
    await expect(f.operator.connect(f.keeper).expandSupply(MaxUint256, 0))
      .to.emit(f.operator, "SupplyExpanded")
      .withArgs(f.keeper.address, sold, quoteOut, spotWad(rT, rQ), spotWad(rT + sold, rQ - quoteOut));
    const [r0, r1] = await f.pair.getReserves();
    expect([r0, r1]).to.deep.equal([rT + sold, rQ - quoteOut]);
  });

  it("a contraction takes tokens out of token0 and burns exactly what the pair paid", async function () {
    const f = await loadFixture(tokenFirstFixture);
    await settleAt(f, price("0.97"));
    const [rT, rQ] = await f.pair.getReserves();
    const spent = await f.operator.quoteToSpendForPrice(rT, rQ, PEG_NUM, PEG_DEN);
    const tokensOut = amountOut(spent, rQ, rT);
    const supplyBefore = await f.stable.totalSupply();
    expect((await f.operator.preview()).action).to.equal(Action.Contract);
    await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
      .to.emit(f.operator, "SupplyContracted")
      .withArgs(f.keeper.address, spent, tokensOut, spotWad(rT, rQ), spotWad(rT - tokensOut, rQ + spent));
    expect(await f.stable.totalSupply()).to.equal(supplyBefore - tokensOut);
  });
});
