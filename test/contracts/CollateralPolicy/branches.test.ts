/**
 * CollateralPolicy's `params()` getter: the keeper reads it to mirror `computeTargetRatio`
 * (the policy maths is public so the keeper's copy can be checked), so it must report
 * exactly what the constructor and `setParams` stored, field by field, not a default or a stale copy.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { CollateralPolicy__factory } from "../../../typechain-types";
import { deploySystemFixture } from "../../support/system";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

/** The getter's struct as a plain tuple, in declaration order. */
async function paramsOf(policy: {
  params(): Promise<[bigint, bigint, bigint, bigint, bigint, bigint]>;
}): Promise<bigint[]> {
  return [...(await policy.params())];
}

describe("CollateralPolicy params() reports what was set", function () {
  it("after deploy it returns the constructor's parameters, each field in its place", async function () {
    const f = await loadFixture(deploySystemFixture);
    const p = f.params.policy;
    expect(await paramsOf(f.policy)).to.deep.equal([
      p.minRatioWad,
      p.maxRatioWad,
      p.stepWad,
      BigInt(p.bandBps),
      BigInt(p.riskWeightBps),
      BigInt(p.refreshCooldownSec),
    ]);
    const named = await f.policy.params();
    expect([
      named.minRatioWad,
      named.maxRatioWad,
      named.stepWad,
      named.bandBps,
      named.riskWeightBps,
      named.refreshCooldownSec,
    ]).to.deep.equal([
      p.minRatioWad,
      p.maxRatioWad,
      p.stepWad,
      BigInt(p.bandBps),
      BigInt(p.riskWeightBps),
      BigInt(p.refreshCooldownSec),
    ]);
  });

  it("after setParams it returns the new parameters (all six distinct from the old), and ParamsSet carries them", async function () {
    const f = await loadFixture(deploySystemFixture);
    const next = {
      minRatioWad: parseUnits("1.05", 18),
      maxRatioWad: parseUnits("1.8", 18),
      stepWad: parseUnits("0.01", 18),
      bandBps: 75n,
      riskWeightBps: 12_000n,
      refreshCooldownSec: 7_200n,
    };
    await expect(f.policy.connect(f.admin).setParams(next))
      .to.emit(f.policy, "ParamsSet")
      .withArgs(
        next.minRatioWad,
        next.maxRatioWad,
        next.stepWad,
        next.bandBps,
        next.riskWeightBps,
        next.refreshCooldownSec,
      );
    expect(await paramsOf(f.policy)).to.deep.equal([
      next.minRatioWad,
      next.maxRatioWad,
      next.stepWad,
      next.bandBps,
      next.riskWeightBps,
      next.refreshCooldownSec,
    ]);
  });

  it("two policies deployed with different parameters each report their own", async function () {
    const f = await loadFixture(deploySystemFixture);
    const other = { ...f.params.policy, minRatioWad: parseUnits("1.1", 18), refreshCooldownSec: 600 };
    const policy = await new CollateralPolicy__factory(f.admin).deploy(
      f.admin.address,
      await addr(f.oracle),
      await addr(f.reserve),
      other,
    );
    expect((await policy.params()).minRatioWad).to.equal(parseUnits("1.1", 18));
    expect((await policy.params()).refreshCooldownSec).to.equal(600n);
    expect((await f.policy.params()).minRatioWad).to.equal(f.params.policy.minRatioWad);
    expect((await f.policy.params()).refreshCooldownSec).to.equal(BigInt(f.params.policy.refreshCooldownSec));
  });
});
