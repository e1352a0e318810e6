/**
 * Every constructor's zero-address guard, one argument at a time: each of the `a == 0 || b == 0 ...`
 * operands must reject its own argument on its own (a guard that forgot one operand would deploy a
 * contract wired to address zero, which no setter can repair: these addresses are immutable). Each
 * case is paired with a control that deploys with the same arguments, none zero, and reads them
 * back, so the revert is caused by the zero argument and nothing else.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseUnits } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  LiquidityManager__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
} from "../../typechain-types";
import type { IMarketOperator } from "../../typechain-types/contracts/MarketOperator";
import { deploySystemFixture, type Fixture } from "../support/system";
import { deployV3SystemFixture, type V3Fixture } from "../support/systemV3";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

/** The operator's limits as the deploy builds them from the local parameters. */
function operatorLimits(f: Fixture): IMarketOperator.LimitsStruct {
  const op = f.params.operator;
  return {
    maxExpansionPerOp: parseUnits(op.maxExpansionPerOp, 18),
    maxExpansionPerEpoch: parseUnits(op.maxExpansionPerEpoch, 18),
    maxContractionPerOp: parseUnits(op.maxContractionPerOp, 18),
    maxContractionPerEpoch: parseUnits(op.maxContractionPerEpoch, 18),
    cooldownSec: op.cooldownSec,
    epochSec: op.epochSec,
  };
}

/** Returns `args` with the entry at `index` replaced by the zero address. */
function withZeroAt<T extends string[]>(args: T, index: number): T {
  return args.map((a, i) => (i === index ? ZeroAddress : a)) as T;
}

describe("Constructors reject each zero address on its own", function () {
  describe("BallastDollar(admin)", function () {
    it("a zero admin reverts ZeroAddress; a real admin holds DEFAULT_ADMIN_ROLE", async function () {
      const f = await loadFixture(deploySystemFixture);
      const factory = new BallastDollar__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      const stable = await factory.deploy(f.guardian.address);
      expect(await stable.hasRole(await stable.DEFAULT_ADMIN_ROLE(), f.guardian.address)).to.equal(true);
      expect(await stable.hasRole(await stable.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(false);
    });
  });

  describe("PriceOracle(admin, pool, token, quoteAsset, window)", function () {
    const names = ["admin", "pool", "token", "quoteAsset"];
    async function validArgs(f: Fixture): Promise<[string, string, string, string]> {
      return [f.guardian.address, await addr(f.pair), await addr(f.stable), await addr(f.usdc.token)];
    }

    it("the control: the same arguments, none zero, deploy an oracle that reports them", async function () {
      const f = await loadFixture(deploySystemFixture);
      const [admin, pool, token, quote] = await validArgs(f);
      const oracle = await new PriceOracle__factory(f.admin).deploy(admin, pool, token, quote, 1_800);
      expect([
        await oracle.pool(),
        await oracle.token(),
        await oracle.quoteAsset(),
        await oracle.twapWindowSec(),
      ]).to.deep.equal([pool, token, quote, 1_800n]);
      expect(await oracle.hasRole(await oracle.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    });

    for (const [index, name] of names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const factory = new PriceOracle__factory(f.admin);
        const [admin, pool, token, quote] = withZeroAt(await validArgs(f), index);
        await expect(factory.deploy(admin, pool, token, quote, 1_800)).to.be.revertedWithCustomError(
          factory,
          "ZeroAddress",
        );
      });
    }
  });

  describe("Reserve(admin, stable, oracle)", function () {
    const names = ["admin", "stable", "oracle"];
    async function validArgs(f: Fixture): Promise<[string, string, string]> {
      return [f.guardian.address, await addr(f.stable), await addr(f.oracle)];
    }

    it("the control: the same arguments, none zero, deploy a reserve that reports them", async function () {
      const f = await loadFixture(deploySystemFixture);
      const [admin, stable, oracle] = await validArgs(f);
      const reserve = await new Reserve__factory(f.admin).deploy(admin, stable, oracle);
      expect([await reserve.stable(), await reserve.oracle()]).to.deep.equal([stable, oracle]);
      expect(await reserve.hasRole(await reserve.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    });

    for (const [index, name] of names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const factory = new Reserve__factory(f.admin);
        const [admin, stable, oracle] = withZeroAt(await validArgs(f), index);
        await expect(factory.deploy(admin, stable, oracle)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      });
    }
  });

  describe("CollateralPolicy(admin, oracle, reserve, params)", function () {
    const names = ["admin", "oracle", "reserve"];
    async function validArgs(f: Fixture): Promise<[string, string, string]> {
      return [f.guardian.address, await addr(f.oracle), await addr(f.reserve)];
    }

    it("the control: the same arguments, none zero, deploy a policy that reports them and starts at minRatio", async function () {
      const f = await loadFixture(deploySystemFixture);
      const [admin, oracle, reserve] = await validArgs(f);
      const policy = await new CollateralPolicy__factory(f.admin).deploy(admin, oracle, reserve, f.params.policy);
      expect([await policy.oracle(), await policy.reserve()]).to.deep.equal([oracle, reserve]);
      expect(await policy.targetRatio()).to.equal(f.params.policy.minRatioWad);
      expect(await policy.hasRole(await policy.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    });

    for (const [index, name] of names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const factory = new CollateralPolicy__factory(f.admin);
        const [admin, oracle, reserve] = withZeroAt(await validArgs(f), index);
        await expect(factory.deploy(admin, oracle, reserve, f.params.policy)).to.be.revertedWithCustomError(
          factory,
          "ZeroAddress",
        );
      });
    }
  });

  describe("MarketOperator(admin, stable, oracle, reserve, policy, limits, band, deviation)", function () {
    const names = ["admin", "stable", "oracle", "reserve", "policy"];
    async function validArgs(f: Fixture): Promise<[string, string, string, string, string]> {
      return [
        f.guardian.address,
        await addr(f.stable),
        await addr(f.oracle),
        await addr(f.reserve),
        await addr(f.policy),
      ];
    }

    it("the control: the same arguments, none zero, deploy an operator that reports them and the oracle's pool", async function () {
      const f = await loadFixture(deploySystemFixture);
      const [admin, stable, oracle, reserve, policy] = await validArgs(f);
      const op = f.params.operator;
      const operator = await new MarketOperator__factory(f.admin).deploy(
        admin,
        stable,
        oracle,
        reserve,
        policy,
        operatorLimits(f),
        op.bandBps,
        op.maxSpotTwapDeviationBps,
      );
      expect([
        await operator.stable(),
        await operator.oracle(),
        await operator.reserve(),
        await operator.policy(),
      ]).to.deep.equal([stable, oracle, reserve, policy]);
      expect([await operator.pair(), await operator.quoteAsset()]).to.deep.equal([
        await addr(f.pair),
        await addr(f.usdc.token),
      ]);
      expect(await operator.hasRole(await operator.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    });

    for (const [index, name] of names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const factory = new MarketOperator__factory(f.admin);
        const [admin, stable, oracle, reserve, policy] = withZeroAt(await validArgs(f), index);
        const op = f.params.operator;
        await expect(
          factory.deploy(
            admin,
            stable,
            oracle,
            reserve,
            policy,
            operatorLimits(f),
            op.bandBps,
            op.maxSpotTwapDeviationBps,
          ),
        ).to.be.revertedWithCustomError(factory, "ZeroAddress");
      });
    }

    it("an oracle that prices another token reverts PoolTokenMismatch(pool, stable, quoteAsset)", async function () {
      const f = await loadFixture(deploySystemFixture);
      // A second BallastDollar: a real token, but not the one the oracle's pool trades.
      const otherStable = await new BallastDollar__factory(f.admin).deploy(f.admin.address);
      const factory = new MarketOperator__factory(f.admin);
      const op = f.params.operator;
      await expect(
        factory.deploy(
          f.admin.address,
          await addr(otherStable),
          await addr(f.oracle),
          await addr(f.reserve),
          await addr(f.policy),
          operatorLimits(f),
          op.bandBps,
          op.maxSpotTwapDeviationBps,
        ),
      )
        .to.be.revertedWithCustomError(factory, "PoolTokenMismatch")
        .withArgs(await addr(f.pair), await addr(otherStable), await addr(f.usdc.token));
    });
  });

  describe("LiquidityManager(admin, stable, oracle, reserve, rangeBps, cap)", function () {
    const names = ["admin", "stable", "oracle", "reserve"];
    async function validArgs(f: V3Fixture): Promise<[string, string, string, string]> {
      return [f.guardian.address, await addr(f.stable), await addr(f.oracle), await addr(f.reserve)];
    }

    it("the control: the same arguments, none zero, deploy a manager that reports them, the oracle's pool and quote", async function () {
      const f = await loadFixture(deployV3SystemFixture);
      const [admin, stable, oracle, reserve] = await validArgs(f);
      const lm = await new LiquidityManager__factory(f.admin).deploy(admin, stable, oracle, reserve, 20, 0);
      expect([
        await lm.stable(),
        await lm.oracle(),
        await lm.reserve(),
        await lm.pool(),
        await lm.quoteAsset(),
      ]).to.deep.equal([stable, oracle, reserve, await addr(f.v3.pool), await addr(f.usdc.token)]);
      expect(await lm.hasRole(await lm.DEFAULT_ADMIN_ROLE(), admin)).to.equal(true);
    });

    for (const [index, name] of names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(deployV3SystemFixture);
        const factory = new LiquidityManager__factory(f.admin);
        const [admin, stable, oracle, reserve] = withZeroAt(await validArgs(f), index);
        await expect(factory.deploy(admin, stable, oracle, reserve, 20, 0)).to.be.revertedWithCustomError(
          factory,
          "ZeroAddress",
        );
      });
    }
  });
});
