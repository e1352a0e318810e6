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
import { MaxUint256, getCreateAddress, parseUnits } from "ethers";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import { actors, deploySystemWith, settleAt, WAD, type Fixture } from "../../support/system";
import { pegMathHarness } from "../../support/pureHarness";

const Action = { Expand: 1n, Contract: 2n };
const price = (s: string) => parseUnits(s, 18);
const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
// The peg as the pair's raw price (USDC units per token unit) at a quote price of $1: num/den.
const PEG_NUM = WAD * 10n ** 6n;
const PEG_DEN = WAD * WAD;
const FIRST_SPARE_SIGNER = 10; // the fixtures' role-named actors and automation parties use 0…9

const amountOut = (amountIn: bigint, rIn: bigint, rOut: bigint) =>
  (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
const spotWad = (rT: bigint, rQ: bigint) => (rQ * WAD * WAD) / (rT * 10n ** 6n);

/** The nonce offset (from the deployer's first) at which a deploy created `address`. */
function nonceOffset(deployer: string, firstNonce: number, address: string): number {
  for (let offset = 0; offset < 500; offset++)
    if (getCreateAddress({ from: deployer, nonce: firstNonce + offset }) === address) return offset;
  throw new Error(`${address} was not created by ${deployer} within 500 transactions of nonce ${firstNonce}`);
}

/**
 * The full system with the stable token as the pair's token0, seeded at the peg, TWAP warm, as the
 * deploy builds it. The token order follows from the deployer's address: deploy from the first
 * spare account; if the order is the other one, read at which nonces the deploy created the two
 * tokens (the same for any account), undo it, and deploy from a spare account whose addresses at
 * those nonces put the stable token first.
 */
async function tokenFirstFixture(): Promise<Fixture> {
  const a = await actors();
  const signers = await ethers.getSigners();
  const firstNonce = async (i: number) => ethers.provider.getTransactionCount(signers[i].address);
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  let deployerAccount = FIRST_SPARE_SIGNER;
  const start = await firstNonce(deployerAccount);
  let system = await deploySystemWith({ deployerAccount });
  if ((await system.pair.token0()) !== (await addr(system.stable))) {
    const stableAt = nonceOffset(signers[deployerAccount].address, start, await addr(system.stable));
    const quoteAt = nonceOffset(signers[deployerAccount].address, start, await addr(system.quote.token));
    await ethers.provider.send("evm_revert", [snapshot]);
    const created = async (i: number, offset: number) =>
      BigInt(getCreateAddress({ from: signers[i].address, nonce: (await firstNonce(i)) + offset }));
    deployerAccount = -1;
    for (let i = FIRST_SPARE_SIGNER + 1; i < signers.length && deployerAccount < 0; i++) {
      if ((await created(i, stableAt)) < (await created(i, quoteAt))) deployerAccount = i;
    }
    if (deployerAccount < 0) throw new Error("no spare deployer account puts the stable token first in the pair");
    system = await deploySystemWith({ deployerAccount });
    expect(await system.pair.token0()).to.equal(await addr(system.stable));
  }
  const [usdc, weth] = system.collaterals;
  return { ...system, ...a, admin: signers[deployerAccount], params: LOCAL_PARAMS, usdc, weth };
}

describe("MarketOperator with the stable token as the pair's token0", function () {
  it("an expansion takes quote out of token1 and lands exactly where PegMath sizes it", async function () {
    const f = await loadFixture(tokenFirstFixture);
    const pegMath = await pegMathHarness();
    await settleAt(f, price("1.03"));
    const [rT, rQ] = await f.pair.getReserves(); // token0 is the stable token
    const sold = await pegMath.tokensToSellForPrice(rT, rQ, PEG_NUM, PEG_DEN);
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
    const pegMath = await pegMathHarness();
    await settleAt(f, price("0.97"));
    const [rT, rQ] = await f.pair.getReserves();
    const spent = await pegMath.quoteToSpendForPrice(rT, rQ, PEG_NUM, PEG_DEN);
    const tokensOut = amountOut(spent, rQ, rT);
    const supplyBefore = await f.stable.totalSupply();
    expect((await f.operator.preview()).action).to.equal(Action.Contract);
    await expect(f.operator.connect(f.keeper).contractSupply(MaxUint256, 0))
      .to.emit(f.operator, "SupplyContracted")
      .withArgs(f.keeper.address, spent, tokensOut, spotWad(rT, rQ), spotWad(rT - tokensOut, rQ + spent));
    expect(await f.stable.totalSupply()).to.equal(supplyBefore - tokensOut);
  });
});
