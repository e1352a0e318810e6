/**
 * Reserve paths the rule tests do not reach, each asserted by its exact error or value:
 * - a mint worth less than one token wei reverts ZeroAmount (never mints for free);
 * - re-entry through a collateral token's transfer hook into contribute, depositFromOperator,
 *   releaseToOperator and rebalance is stopped by each function's own guard (the hook holds
 *   OPERATOR_ROLE where it needs it, as the MarketOperator would if a hook re-entered it, so the
 *   role check passes and only the re-entrancy guard stands between it and a double count);
 * - the OPERATOR_ROLE functions' argument checks (zero amount, zero recipient, more than idle,
 *   nothing to rebalance), with a signer granted OPERATOR_ROLE by the admin standing in for the
 *   MarketOperator;
 * - the value-weighted haircut of an empty reserve is 0 (not a division by zero);
 * - a strategy withdrawal that delivers less than it names (fee-on-transfer collateral in an
 *   ERC-4626 vault) reverts InsufficientLiquidity with what actually arrived, before any payout.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ZeroAddress, parseUnits, type Interface } from "ethers";
import {
  FeeOnTransferToken__factory,
  MockV3Aggregator__factory,
  ReentrantToken__factory,
  TestERC20__factory,
  TestVault__factory,
  type ReentrantToken,
} from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";
import { reserveFactory } from "../../support/reserveFactory";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const USDC = (v: string) => parseUnits(v, 6);
const TOKENS = (v: string) => parseUnits(v, 18);

/** The fixture plus a signer holding the reserve's OPERATOR_ROLE, standing in for the MarketOperator. */
async function withStandInOperator() {
  const f = await deploySystemFixture();
  const standInOperator = (await ethers.getSigners())[7];
  await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), standInOperator.address);
  await f.usdc.token.mint(standInOperator.address, USDC("100000"));
  await f.usdc.token.connect(standInOperator).approve(await addr(f.reserve), MaxUint256);
  return { ...f, standInOperator };
}
type OperatorFixture = Awaited<ReturnType<typeof withStandInOperator>>;

/** Lists a $1 test asset with the given buffer (and a TestVault strategy if asked). */
async function listAtOneDollar(f: Fixture, asset: string, bufferBps: number, withStrategy: boolean) {
  const feed = await new MockV3Aggregator__factory(f.admin).deploy(8, 10n ** 8n);
  await f.oracle.setFeed(asset, await addr(feed), 3_600, parseUnits("0.5", 18), parseUnits("2", 18));
  await f.reserve.listAsset(asset, {
    haircutBps: 0,
    mintFeeBps: 0,
    redeemFeeBps: 0,
    bufferBps,
    ceiling: TOKENS("1000000"),
  });
  if (!withStrategy) return undefined;
  const vault = await new TestVault__factory(f.admin).deploy(asset, "Ballast test strategy", "bsTEST");
  await f.reserve.setStrategy(asset, await addr(vault));
  return vault;
}

/**
 * A listed ReentrantToken that the user funded and approved, and that has itself approved the
 * reserve (its first hook call, triggered by a plain transfer, is `approve(reserve, max)` made
 * by the token as the owner). So a re-entrant contribute or deposit from the hook would really
 * pay: without the guard it would succeed and be counted twice, inside the outer balance delta.
 * The token holds OPERATOR_ROLE so its operator calls reach the re-entrancy guard.
 */
async function listReentrant(f: OperatorFixture, bufferBps = 10_000, withStrategy = false) {
  const token = await new ReentrantToken__factory(f.admin).deploy();
  const tokenAddress = await addr(token);
  const vault = await listAtOneDollar(f, tokenAddress, bufferBps, withStrategy);
  await token.mint(f.user.address, TOKENS("10000"));
  await token.connect(f.user).approve(await addr(f.reserve), MaxUint256);
  await token.mint(tokenAddress, TOKENS("100"));
  await token.arm(tokenAddress, token.interface.encodeFunctionData("approve", [await addr(f.reserve), MaxUint256]));
  await token.connect(f.user).transfer(f.trader.address, 1n);
  expect(await token.allowance(tokenAddress, await addr(f.reserve))).to.equal(MaxUint256);
  await f.reserve.connect(f.admin).grantRole(await f.reserve.OPERATOR_ROLE(), tokenAddress);
  return { token, tokenAddress, vault };
}

/** Arms the token so its next transfer calls `fn(args)` on the reserve. */
async function armReentry(f: Fixture, token: ReentrantToken, fn: string, args: unknown[]) {
  const reserveInterface = f.reserve.interface as unknown as Interface;
  await token.arm(await addr(f.reserve), reserveInterface.encodeFunctionData(fn, args));
}

describe("Reserve branches: dust mints, re-entry guards, operator checks, empty reserve, short strategy withdrawals", function () {
  describe("a mint worth less than one token wei", function () {
    it("reverts ZeroAmount and moves nothing; one more wei of the asset mints exactly one token wei", async function () {
      const f = await loadFixture(deploySystemFixture);
      // An 18-decimal asset at $0.50: one wei is worth half a token wei, which rounds down to zero.
      const dust = await new TestERC20__factory(f.admin).deploy("Half-dollar (test)", "HALF", 18);
      const dustAddress = await addr(dust);
      const feed = await new MockV3Aggregator__factory(f.admin).deploy(8, 50_000_000n);
      await f.oracle.setFeed(dustAddress, await addr(feed), 3_600, parseUnits("0.1", 18), parseUnits("2", 18));
      await f.reserve.listAsset(dustAddress, {
        haircutBps: 0,
        mintFeeBps: 0,
        redeemFeeBps: 0,
        bufferBps: 10_000,
        ceiling: TOKENS("1000"),
      });
      await dust.mint(f.user.address, 10n);
      await dust.connect(f.user).approve(await addr(f.reserve), MaxUint256);

      expect(await f.reserve.previewMint(dustAddress, 1n)).to.equal(0n);
      const supply = await f.stable.totalSupply();
      await expect(f.reserve.connect(f.user).mint(dustAddress, 1n, 0n, f.user.address)).to.be.revertedWithCustomError(
        f.reserve,
        "ZeroAmount",
      );
      expect(await dust.balanceOf(f.user.address)).to.equal(10n);
      expect(await f.reserve.accountedAmount(dustAddress)).to.equal(0n);
      expect(await f.stable.totalSupply()).to.equal(supply);

      await expect(f.reserve.connect(f.user).mint(dustAddress, 2n, 0n, f.user.address))
        .to.emit(f.reserve, "Minted")
        .withArgs(f.user.address, f.user.address, dustAddress, 2n, 1n, 0n);
      expect(await f.stable.totalSupply()).to.equal(supply + 1n);
    });
  });

  describe("re-entry through a collateral token's transfer hook", function () {
    it("contribute re-entered from its own deposit transfer reverts ReentrancyGuardReentrantCall; unarmed it counts once", async function () {
      const f = await loadFixture(withStandInOperator);
      const { token, tokenAddress } = await listReentrant(f);
      await armReentry(f, token, "contribute", [tokenAddress, TOKENS("1")]);
      await expect(f.reserve.connect(f.user).contribute(tokenAddress, TOKENS("100"))).to.be.revertedWithCustomError(
        f.reserve,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.reserve.accountedAmount(tokenAddress)).to.equal(0n);
      expect(await token.balanceOf(await addr(f.reserve))).to.equal(0n);

      await token.disarm();
      await expect(f.reserve.connect(f.user).contribute(tokenAddress, TOKENS("100")))
        .to.emit(f.reserve, "EquityContributed")
        .withArgs(f.user.address, tokenAddress, TOKENS("100"));
      expect(await f.reserve.accountedAmount(tokenAddress)).to.equal(TOKENS("100"));
    });

    it("depositFromOperator re-entered from its own transfer reverts ReentrancyGuardReentrantCall; unarmed it counts once", async function () {
      const f = await loadFixture(withStandInOperator);
      const { token, tokenAddress } = await listReentrant(f);
      await token.mint(f.standInOperator.address, TOKENS("100"));
      await token.connect(f.standInOperator).approve(await addr(f.reserve), MaxUint256);
      await armReentry(f, token, "depositFromOperator", [tokenAddress, TOKENS("1")]);
      await expect(
        f.reserve.connect(f.standInOperator).depositFromOperator(tokenAddress, TOKENS("100")),
      ).to.be.revertedWithCustomError(f.reserve, "ReentrancyGuardReentrantCall");
      expect(await f.reserve.accountedAmount(tokenAddress)).to.equal(0n);

      await token.disarm();
      await expect(f.reserve.connect(f.standInOperator).depositFromOperator(tokenAddress, TOKENS("100")))
        .to.emit(f.reserve, "OperatorDeposited")
        .withArgs(f.standInOperator.address, tokenAddress, TOKENS("100"));
      expect(await f.reserve.accountedAmount(tokenAddress)).to.equal(TOKENS("100"));
    });

    it("releaseToOperator re-entered from its own payout transfer reverts ReentrancyGuardReentrantCall; nothing leaves", async function () {
      const f = await loadFixture(withStandInOperator);
      const { token, tokenAddress } = await listReentrant(f);
      await f.reserve.connect(f.user).contribute(tokenAddress, TOKENS("1000"));
      // The hook would release the same amount again, to the trader, while the first payout is in flight.
      await armReentry(f, token, "releaseToOperator", [tokenAddress, TOKENS("400"), f.trader.address]);
      await expect(
        f.reserve.connect(f.standInOperator).releaseToOperator(tokenAddress, TOKENS("400"), f.standInOperator.address),
      ).to.be.revertedWithCustomError(f.reserve, "ReentrancyGuardReentrantCall");
      expect((await f.reserve.holdings(tokenAddress)).idle).to.equal(TOKENS("1000"));
      expect(await token.balanceOf(await addr(f.reserve))).to.equal(TOKENS("1000"));
      expect(await token.balanceOf(f.trader.address)).to.equal(1n); // the one wei sent while priming the hook
    });

    it("rebalance re-entered from the strategy deposit's transfer reverts ReentrancyGuardReentrantCall; unarmed it parks the excess", async function () {
      const f = await loadFixture(withStandInOperator);
      const { token, tokenAddress, vault } = await listReentrant(f, 0, true);
      await f.reserve.connect(f.user).contribute(tokenAddress, TOKENS("1000"));
      expect(await f.reserve.rebalanceDelta(tokenAddress)).to.equal(TOKENS("1000"));
      await armReentry(f, token, "rebalance", [tokenAddress]);
      await expect(f.reserve.connect(f.standInOperator).rebalance(tokenAddress)).to.be.revertedWithCustomError(
        f.reserve,
        "ReentrancyGuardReentrantCall",
      );
      expect(await f.reserve.holdings(tokenAddress)).to.deep.equal([TOKENS("1000"), 0n, 0n]);
      expect(await f.reserve.idleOf(tokenAddress)).to.equal(TOKENS("1000"));

      await token.disarm();
      await expect(f.reserve.connect(f.standInOperator).rebalance(tokenAddress))
        .to.emit(f.reserve, "StrategyDeposited")
        .withArgs(tokenAddress, await addr(vault!), TOKENS("1000"), TOKENS("1000"));
      expect(await f.reserve.holdings(tokenAddress)).to.deep.equal([0n, TOKENS("1000"), TOKENS("1000")]);
      // idleOf is the idle part alone: zero while the whole amount is parked.
      expect(await f.reserve.idleOf(tokenAddress)).to.equal(0n);
    });
  });

  describe("OPERATOR_ROLE argument checks", function () {
    it("depositFromOperator of zero reverts ZeroAmount; a real deposit is counted and evented", async function () {
      const f = await loadFixture(withStandInOperator);
      const usdc = await addr(f.usdc.token);
      const idle = (await f.reserve.holdings(usdc)).idle;
      await expect(f.reserve.connect(f.standInOperator).depositFromOperator(usdc, 0n)).to.be.revertedWithCustomError(
        f.reserve,
        "ZeroAmount",
      );
      await expect(f.reserve.connect(f.standInOperator).depositFromOperator(usdc, USDC("250")))
        .to.emit(f.reserve, "OperatorDeposited")
        .withArgs(f.standInOperator.address, usdc, USDC("250"));
      expect((await f.reserve.holdings(usdc)).idle).to.equal(idle + USDC("250"));
    });

    it("releaseToOperator of zero reverts ZeroAmount, to the zero address reverts ZeroAddress", async function () {
      const f = await loadFixture(withStandInOperator);
      const usdc = await addr(f.usdc.token);
      await expect(
        f.reserve.connect(f.standInOperator).releaseToOperator(usdc, 0n, f.standInOperator.address),
      ).to.be.revertedWithCustomError(f.reserve, "ZeroAmount");
      await expect(
        f.reserve.connect(f.standInOperator).releaseToOperator(usdc, USDC("1"), ZeroAddress),
      ).to.be.revertedWithCustomError(f.reserve, "ZeroAddress");
    });

    it("releaseToOperator one unit above idle reverts InsufficientLiquidity(asset, idle, wanted); exactly idle pays it all", async function () {
      const f = await loadFixture(withStandInOperator);
      const usdc = await addr(f.usdc.token);
      // Park the excess so idle is the buffer alone: the release must not reach into the strategy.
      await f.reserve.connect(f.standInOperator).rebalance(usdc);
      const { idle, strategyShares } = await f.reserve.holdings(usdc);
      expect(strategyShares).to.be.gt(0n);
      await expect(f.reserve.connect(f.standInOperator).releaseToOperator(usdc, idle + 1n, f.trader.address))
        .to.be.revertedWithCustomError(f.reserve, "InsufficientLiquidity")
        .withArgs(usdc, idle, idle + 1n);

      const before = await f.usdc.token.balanceOf(f.trader.address);
      await expect(f.reserve.connect(f.standInOperator).releaseToOperator(usdc, idle, f.trader.address))
        .to.emit(f.reserve, "OperatorReleased")
        .withArgs(f.standInOperator.address, usdc, idle, f.trader.address);
      expect(await f.usdc.token.balanceOf(f.trader.address)).to.equal(before + idle);
      expect((await f.reserve.holdings(usdc)).idle).to.equal(0n);
      expect((await f.reserve.holdings(usdc)).strategyShares).to.equal(strategyShares);
    });

    it("rebalance with nothing to move reverts NothingToRebalance(asset): no strategy, or a buffer already on target", async function () {
      const f = await loadFixture(withStandInOperator);
      const weth = await addr(f.weth.token);
      const usdc = await addr(f.usdc.token);
      expect(await f.reserve.rebalanceDelta(weth)).to.equal(0n);
      await expect(f.reserve.connect(f.standInOperator).rebalance(weth))
        .to.be.revertedWithCustomError(f.reserve, "NothingToRebalance")
        .withArgs(weth);

      const delta = await f.reserve.rebalanceDelta(usdc);
      expect(delta).to.be.gt(0n);
      await expect(f.reserve.connect(f.standInOperator).rebalance(usdc)).to.emit(f.reserve, "StrategyDeposited");
      expect(await f.reserve.rebalanceDelta(usdc)).to.equal(0n);
      await expect(f.reserve.connect(f.standInOperator).rebalance(usdc))
        .to.be.revertedWithCustomError(f.reserve, "NothingToRebalance")
        .withArgs(usdc);
    });
  });

  describe("views", function () {
    it("strategyOf names each asset's vault, zero for none, and zero once the admin removes an empty one", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const vault = await addr(f.usdc.vault!);
      expect(await f.reserve.strategyOf(usdc)).to.equal(vault);
      expect(await f.reserve.strategyOf(await addr(f.weth.token))).to.equal(ZeroAddress);
      await expect(f.reserve.connect(f.admin).setStrategy(usdc, ZeroAddress))
        .to.emit(f.reserve, "StrategySet")
        .withArgs(usdc, vault, ZeroAddress);
      expect(await f.reserve.strategyOf(usdc)).to.equal(ZeroAddress);
      expect(await f.reserve.rebalanceDelta(usdc)).to.equal(0n);
    });

    it("weightedHaircutBps is 0 for a reserve holding nothing, then the value-weighted haircut rounded up", async function () {
      const f = await loadFixture(deploySystemFixture);
      const reserve = await (
        await reserveFactory(f.admin)
      ).deploy(f.admin.address, await addr(f.stable), await addr(f.oracle));
      expect(await reserve.weightedHaircutBps()).to.equal(0n); // no assets at all
      const usdc = await addr(f.usdc.token);
      const weth = await addr(f.weth.token);
      for (const [asset, haircutBps] of [
        [usdc, 100],
        [weth, 2_000],
      ] as const) {
        await reserve.listAsset(asset, {
          haircutBps,
          mintFeeBps: 0,
          redeemFeeBps: 0,
          bufferBps: 10_000,
          ceiling: MaxUint256,
        });
      }
      expect(await reserve.grossValue()).to.equal(0n);
      expect(await reserve.weightedHaircutBps()).to.equal(0n); // listed assets, nothing held

      await f.usdc.token.connect(f.user).approve(await addr(reserve), MaxUint256);
      await reserve.connect(f.user).contribute(usdc, USDC("7000"));
      expect(await reserve.weightedHaircutBps()).to.equal(100n);

      await f.weth.token.connect(f.user).approve(await addr(reserve), MaxUint256);
      await reserve.connect(f.user).contribute(weth, TOKENS("1"));
      // $7,000 at 100 bps and $3,000 at 2,000 bps: (700,000 + 6,000,000) / 10,000 = 670 bps exactly.
      expect(await reserve.weightedHaircutBps()).to.equal(670n);
      await reserve.connect(f.user).contribute(usdc, 1n);
      // One more micro-dollar at 100 bps: 669.99… bps, which must round up to 670 (the floor is never understated).
      const usdcValueWad = (USDC("7000") + 1n) * 10n ** 12n;
      const wethValueWad = TOKENS("3000");
      expect(await reserve.grossValue()).to.equal(usdcValueWad + wethValueWad);
      expect((usdcValueWad * 100n + wethValueWad * 2_000n) / (usdcValueWad + wethValueWad)).to.equal(669n);
      expect(await reserve.weightedHaircutBps()).to.equal(670n);
    });
  });

  describe("a strategy withdrawal that delivers less than it names", function () {
    it("reverts InsufficientLiquidity(asset, arrived, wanted) before paying: fee-on-transfer collateral parked in a vault", async function () {
      const f = await loadFixture(withStandInOperator);
      const fot = await new FeeOnTransferToken__factory(f.admin).deploy(100); // 1% of every transfer is burned
      const fotAddress = await addr(fot);
      const vault = await listAtOneDollar(f, fotAddress, 0, true);
      await fot.mint(f.user.address, TOKENS("10000"));
      await fot.connect(f.user).approve(await addr(f.reserve), MaxUint256);

      // The reserve counts what arrived: 9,900 of the 10,000 sent.
      await expect(f.reserve.connect(f.user).mint(fotAddress, TOKENS("10000"), 0n, f.user.address))
        .to.emit(f.reserve, "Minted")
        .withArgs(f.user.address, f.user.address, fotAddress, TOKENS("9900"), TOKENS("9900"), 0n);
      // A zero buffer parks all of it; the vault receives 9,801 but credits shares for 9,900.
      await f.reserve.connect(f.standInOperator).rebalance(fotAddress);
      expect(await f.reserve.holdings(fotAddress)).to.deep.equal([0n, TOKENS("9900"), TOKENS("9900")]);
      expect(await fot.balanceOf(await addr(vault!))).to.equal(TOKENS("9801"));

      // Redeeming 1,000 tokens pays 995 (issue 16: the minimum 0.5% redemption spread outside a
      // stable lane), which needs 995 idle: the vault sends 995 and 985.05 arrive.
      expect(await f.reserve.previewRedeem(fotAddress, TOKENS("1000"))).to.equal(TOKENS("995"));
      await f.stable.connect(f.user).approve(await addr(f.reserve), MaxUint256);
      const tokensBefore = await f.stable.balanceOf(f.user.address);
      await expect(f.reserve.connect(f.user).redeem(fotAddress, TOKENS("1000"), 0n, f.user.address))
        .to.be.revertedWithCustomError(f.reserve, "InsufficientLiquidity")
        .withArgs(fotAddress, TOKENS("985.05"), TOKENS("995"));
      expect(await f.stable.balanceOf(f.user.address)).to.equal(tokensBefore);
      expect(await f.reserve.holdings(fotAddress)).to.deep.equal([0n, TOKENS("9900"), TOKENS("9900")]);
    });
  });
});
