/**
 * Recovery mode (actual ratio below the target): the mint fee falls to its floor,
 * the redeem fee rises to its bounded recovery value, expansion is refused unless it raises the
 * ratio; and the fees return to normal once the ratio is restored.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { deploySystemFixture, WAD, type Fixture } from "../support/system";

const USDC = (s: string) => parseUnits(s, 6);

async function feesPaid(f: Fixture): Promise<{ mintFeeBps: bigint; redeemFeeBps: bigint }> {
  const usdc = await f.usdc.token.getAddress();
  await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
  await f.stable.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
  const mint = await (await f.reserve.connect(f.user).mint(usdc, USDC("1000"), 0, f.user.address)).wait();
  const minted = mint!.logs.map((l) => f.reserve.interface.parseLog(l)).find((e) => e?.name === "Minted")!;
  const redeem = await (await f.reserve.connect(f.user).redeem(usdc, parseUnits("100", 18), 0, f.user.address)).wait();
  const redeemed = redeem!.logs.map((l) => f.reserve.interface.parseLog(l)).find((e) => e?.name === "Redeemed")!;
  return { mintFeeBps: minted.args.feeBps, redeemFeeBps: redeemed.args.feeBps };
}

describe("Recovery mode", function () {
  it("under the target the mint fee drops to its floor and the redeem fee rises to the recovery fee; back above, both return [INV-4]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const normal = await feesPaid(f);
    expect(normal).to.deep.equal({
      mintFeeBps: BigInt(f.params.collateral.quote.mintFeeBps),
      redeemFeeBps: BigInt(f.params.collateral.quote.redeemFeeBps),
    });

    const ratio = await f.reserve.collateralRatio();
    await f.policy.connect(f.admin).setParams({ ...f.params.policy, minRatioWad: ratio + WAD / 100n });
    expect(await f.reserve.inRecoveryMode()).to.equal(true);
    // The stable lane charges by the recovery flag its last whole pass kept: a poke (anyone's)
    // renews it once the target has moved (test/contracts/Reserve/valuationCache.test.ts: the lag).
    await f.reserve.connect(f.stranger).poke();
    const recovery = await feesPaid(f);
    expect(recovery).to.deep.equal({
      mintFeeBps: BigInt(f.params.reserve.recoveryMintFeeBps),
      redeemFeeBps: BigInt(f.params.reserve.recoveryRedeemFeeBps),
    });

    // Governance brings the target back down (setParams re-clamps it at once), then restores the bounds.
    await f.policy.connect(f.admin).setParams({ ...f.params.policy, maxRatioWad: f.params.policy.minRatioWad });
    await f.policy.connect(f.admin).setParams(f.params.policy);
    expect(await f.reserve.inRecoveryMode()).to.equal(false);
    await f.reserve.connect(f.stranger).poke();
    expect(await feesPaid(f)).to.deep.equal(normal);
  });
});
