/**
 * Every constructor's zero-address guard, one argument at a time: each of the `a == 0 || b == 0 ...`
 * operands must reject its own argument on its own (a guard that forgot one operand would deploy a
 * contract wired to address zero, which no setter can repair: these addresses are immutable). Each
 * case is paired with a control that deploys with the same arguments, none zero, and reads them
 * back, so the revert is caused by the zero argument and nothing else.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseUnits, type Interface } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  LiquidityManager__factory,
  MarketOperator__factory,
  PriceOracle__factory,
} from "../../typechain-types";
import type { IMarketOperator } from "../../typechain-types/contracts/MarketOperator";
import { deploySystemFixture, type Fixture } from "../support/system";
import { deployV3SystemFixture, type V3Fixture } from "../support/systemV3";
import { reserveFactory } from "../support/reserveFactory";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();

/** The system plus a Reserve factory linked to a ReserveAdmin library of its own. */
async function systemWithReserveFactory() {
  const f = await deploySystemFixture();
  return { ...f, reserveFactory: await reserveFactory(f.admin) };
}

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
function withZeroAt(args: string[], index: number): string[] {
  return args.map((a, i) => (i === index ? ZeroAddress : a));
}

/** One constructor's zero-address cases: its address arguments in order, and how to deploy and read them back. */
interface ZeroAddressCase<F, Factory extends BaseContractFactory, C> {
  signature: string;
  fixture: () => Promise<F>;
  /** The address arguments' names, in constructor order. */
  names: readonly string[];
  /** The address arguments, none zero. */
  validArgs: (f: F) => Promise<string[]>;
  factory: (f: F) => Factory;
  deploy: (factory: Factory, f: F, args: string[]) => Promise<C>;
  /** What the control deploys (completes "the same arguments, none zero, deploy …"). */
  control: string;
  /** The control's checks: the deployed contract reports `args` (and what else it derives from them). */
  reports: (c: C, f: F, args: string[]) => Promise<void>;
}
type BaseContractFactory = { interface: Interface };

/** The control, then one case for each address argument set to zero on its own. */
function zeroAddressCases<F, Factory extends BaseContractFactory, C>(z: ZeroAddressCase<F, Factory, C>): void {
  describe(z.signature, function () {
    it(`the control: the same arguments, none zero, deploy ${z.control}`, async function () {
      const f = await loadFixture(z.fixture);
      const args = await z.validArgs(f);
      await z.reports(await z.deploy(z.factory(f), f, args), f, args);
    });

    for (const [index, name] of z.names.entries()) {
      it(`a zero ${name} reverts ZeroAddress`, async function () {
        const f = await loadFixture(z.fixture);
        const factory = z.factory(f);
        const args = withZeroAt(await z.validArgs(f), index);
        await expect(z.deploy(factory, f, args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      });
    }
  });
}

const isAdmin = async (
  c: { hasRole(role: string, who: string): Promise<boolean>; DEFAULT_ADMIN_ROLE(): Promise<string> },
  who: string,
) => c.hasRole(await c.DEFAULT_ADMIN_ROLE(), who);

describe("Constructors reject each zero address on its own", function () {
  describe("BallastDollar(admin)", function () {
    it("a zero admin reverts ZeroAddress; a real admin holds DEFAULT_ADMIN_ROLE", async function () {
      const f = await loadFixture(deploySystemFixture);
      const factory = new BallastDollar__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      const stable = await factory.deploy(f.guardian.address);
      expect(await isAdmin(stable, f.guardian.address)).to.equal(true);
      expect(await isAdmin(stable, f.admin.address)).to.equal(false);
    });
  });

  zeroAddressCases({
    signature: "PriceOracle(admin, pool, token, quoteAsset, window)",
    fixture: deploySystemFixture,
    names: ["admin", "pool", "token", "quoteAsset"],
    validArgs: async (f) => [f.guardian.address, await addr(f.pair), await addr(f.stable), await addr(f.usdc.token)],
    factory: (f) => new PriceOracle__factory(f.admin),
    deploy: (factory, _f, [admin, pool, token, quote]) => factory.deploy(admin, pool, token, quote, 1_800),
    control: "an oracle that reports them",
    async reports(oracle, _f, [admin, pool, token, quote]) {
      expect([
        await oracle.pool(),
        await oracle.token(),
        await oracle.quoteAsset(),
        await oracle.twapWindowSec(),
      ]).to.deep.equal([pool, token, quote, 1_800n]);
      expect(await isAdmin(oracle, admin)).to.equal(true);
    },
  });

  zeroAddressCases({
    signature: "Reserve(admin, stable, oracle)",
    fixture: systemWithReserveFactory,
    names: ["admin", "stable", "oracle"],
    validArgs: async (f) => [f.guardian.address, await addr(f.stable), await addr(f.oracle)],
    factory: (f) => f.reserveFactory,
    deploy: (factory, _f, [admin, stable, oracle]) => factory.deploy(admin, stable, oracle),
    control: "a reserve that reports them",
    async reports(reserve, _f, [admin, stable, oracle]) {
      expect([await reserve.stable(), await reserve.oracle()]).to.deep.equal([stable, oracle]);
      expect(await isAdmin(reserve, admin)).to.equal(true);
    },
  });

  zeroAddressCases({
    signature: "CollateralPolicy(admin, oracle, reserve, params)",
    fixture: deploySystemFixture,
    names: ["admin", "oracle", "reserve"],
    validArgs: async (f) => [f.guardian.address, await addr(f.oracle), await addr(f.reserve)],
    factory: (f) => new CollateralPolicy__factory(f.admin),
    deploy: (factory, f, [admin, oracle, reserve]) => factory.deploy(admin, oracle, reserve, f.params.policy),
    control: "a policy that reports them and starts at minRatio",
    async reports(policy, f, [admin, oracle, reserve]) {
      expect([await policy.oracle(), await policy.reserve()]).to.deep.equal([oracle, reserve]);
      expect(await policy.targetRatio()).to.equal(f.params.policy.minRatioWad);
      expect(await isAdmin(policy, admin)).to.equal(true);
    },
  });

  /** MarketOperator's constructor with these addresses and the local parameters' limits, band and deviation. */
  const deployOperator = (
    factory: MarketOperator__factory,
    f: Fixture,
    [admin, stable, oracle, reserve, policy]: string[],
  ) =>
    factory.deploy(
      admin,
      stable,
      oracle,
      reserve,
      policy,
      operatorLimits(f),
      f.params.operator.bandBps,
      f.params.operator.maxSpotTwapDeviationBps,
    );

  describe("MarketOperator: the oracle's pool must trade the stable", function () {
    it("an oracle that prices another token reverts PoolTokenMismatch(pool, stable, quoteAsset)", async function () {
      const f = await loadFixture(deploySystemFixture);
      // A second BallastDollar: a real token, but not the one the oracle's pool trades.
      const otherStable = await new BallastDollar__factory(f.admin).deploy(f.admin.address);
      const factory = new MarketOperator__factory(f.admin);
      await expect(
        deployOperator(factory, f, [
          f.admin.address,
          await addr(otherStable),
          await addr(f.oracle),
          await addr(f.reserve),
          await addr(f.policy),
        ]),
      )
        .to.be.revertedWithCustomError(factory, "PoolTokenMismatch")
        .withArgs(await addr(f.pair), await addr(otherStable), await addr(f.usdc.token));
    });
  });

  zeroAddressCases({
    signature: "MarketOperator(admin, stable, oracle, reserve, policy, limits, band, deviation)",
    fixture: deploySystemFixture,
    names: ["admin", "stable", "oracle", "reserve", "policy"],
    validArgs: async (f) => [
      f.guardian.address,
      await addr(f.stable),
      await addr(f.oracle),
      await addr(f.reserve),
      await addr(f.policy),
    ],
    factory: (f) => new MarketOperator__factory(f.admin),
    deploy: deployOperator,
    control: "an operator that reports them and the oracle's pool",
    async reports(operator, f, [admin, stable, oracle, reserve, policy]) {
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
      expect(await isAdmin(operator, admin)).to.equal(true);
    },
  });

  zeroAddressCases({
    signature: "LiquidityManager(admin, stable, oracle, reserve, rangeBps, cap)",
    fixture: deployV3SystemFixture,
    names: ["admin", "stable", "oracle", "reserve"],
    validArgs: async (f: V3Fixture) => [
      f.guardian.address,
      await addr(f.stable),
      await addr(f.oracle),
      await addr(f.reserve),
    ],
    factory: (f) => new LiquidityManager__factory(f.admin),
    deploy: (factory, _f, [admin, stable, oracle, reserve]) => factory.deploy(admin, stable, oracle, reserve, 20, 0),
    control: "a manager that reports them, the oracle's pool and quote",
    async reports(lm, f, [admin, stable, oracle, reserve]) {
      expect([
        await lm.stable(),
        await lm.oracle(),
        await lm.reserve(),
        await lm.pool(),
        await lm.quoteAsset(),
      ]).to.deep.equal([stable, oracle, reserve, await addr(f.v3.pool), await addr(f.usdc.token)]);
      expect(await isAdmin(lm, admin)).to.equal(true);
    },
  });
});
