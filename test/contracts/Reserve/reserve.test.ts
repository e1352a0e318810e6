/**
 * The protocol's rules 4, 5 and 6 (docs/design.md) as the Reserve enforces them, and its accounting (donations never
 * count). Expected amounts are computed here step by step with the documented formulas, so a
 * change to a fee, haircut, ratio or rounding direction fails the test.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { BPS, deploySystemFixture, WAD, type Actors, type Fixture } from "../../support/system";

const USDC = (s: string) => parseUnits(s, 6);
const WETH = (s: string) => parseUnits(s, 18);
const TOKENS = (s: string) => parseUnits(s, 18);

/** tokensOut = value × (1 − haircut) × (1 − fee) / peg, each step rounded down (Reserve._quoteMint). */
function expectedMint(amount: bigint, decimals: number, priceWad: bigint, haircutBps: bigint, feeBps: bigint): bigint {
  const value = (amount * priceWad) / 10n ** BigInt(decimals);
  const haircut = (value * (BPS - haircutBps)) / BPS;
  return (haircut * (BPS - feeBps)) / BPS;
}

/**
 * amountOut = tokens × peg × min(G/S, 1) × (1 − fee − spread) / price, each step rounded down
 * (Reserve._quoteRedeem); G/S is the gross ratio (`redemptionRatio`), the spread 0 in a stable lane.
 */
function expectedRedeem(
  tokens: bigint,
  decimals: number,
  priceWad: bigint,
  ratioWad: bigint,
  feeBps: bigint,
  spreadBps = 0n,
): bigint {
  let value = tokens;
  if (ratioWad < WAD) value = (value * ratioWad) / WAD;
  value = (value * (BPS - feeBps - spreadBps)) / BPS;
  return (value * 10n ** BigInt(decimals)) / priceWad;
}

/** Closes the quote asset's stable lane, so USDC mints and redeems on the ordinary (haircut) path. */
async function closeUsdcLane(f: Fixture): Promise<void> {
  await f.reserve
    .connect(f.admin)
    .setStableLane(await f.usdc.token.getAddress(), { bandBps: 0, baseFeeBps: 0, maxShareBps: 0, volumePerEpoch: 0 });
}

async function mintWith(f: Fixture, who: Actors["user"], asset: "usdc" | "weth", amount: bigint): Promise<bigint> {
  const token = f[asset].token;
  await token.connect(who).approve(await f.reserve.getAddress(), amount);
  const before = await f.stable.balanceOf(who.address);
  await f.reserve.connect(who).mint(await token.getAddress(), amount, 0, who.address);
  return (await f.stable.balanceOf(who.address)) - before;
}

async function redeemFor(f: Fixture, who: Actors["user"], asset: "usdc" | "weth", tokens: bigint): Promise<bigint> {
  const token = f[asset].token;
  await f.stable.connect(who).approve(await f.reserve.getAddress(), tokens);
  const before = await token.balanceOf(who.address);
  await f.reserve.connect(who).redeem(await token.getAddress(), tokens, 0, who.address);
  return (await token.balanceOf(who.address)) - before;
}

async function feedPriceWad(f: Fixture, asset: "usdc" | "weth"): Promise<bigint> {
  return f.oracle.price(await f[asset].token.getAddress());
}

/** Deposits WETH and crashes its price so the reserve's ratio falls below 100%. */
async function underCollateralise(f: Fixture): Promise<void> {
  await mintWith(f, f.arbitrageur, "weth", WETH("500"));
  await f.weth.feed.updateAnswer(parseUnits("1000", 8));
  expect(await f.reserve.collateralRatio()).to.be.lt(WAD);
}

describe("Reserve rules (docs/design.md)", function () {
  describe("rule 4: users mint at most the haircut value minus the fee, redeem at most the oracle value minus the fee", function () {
    // Rule changed (issue 16): USDC mints in its stable lane by default; the haircut path is
    // checked here with the lane closed, the lane in test/contracts/Reserve/reserveV2.test.ts.
    it("outside a stable lane, mint pays exactly the haircut value minus the fee, for 6-decimal USDC and 18-decimal WETH [INV-4] [INV-13]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await closeUsdcLane(f);
      const u = f.params.collateral.quote;
      const w = f.params.collateral.others[0];
      const wantUsdc = expectedMint(
        USDC("1000"),
        6,
        await feedPriceWad(f, "usdc"),
        BigInt(u.haircutBps),
        BigInt(u.mintFeeBps),
      );
      const wantWeth = expectedMint(
        WETH("1"),
        18,
        await feedPriceWad(f, "weth"),
        BigInt(w.haircutBps),
        BigInt(w.mintFeeBps),
      );
      expect(wantUsdc).to.equal(TOKENS("989.505")); // 1000 × 0.99 × 0.9995
      expect(wantWeth).to.equal(TOKENS("2392.8")); // 3000 × 0.80 × 0.997
      expect(await f.reserve.previewMint(await f.usdc.token.getAddress(), USDC("1000"))).to.equal(wantUsdc);
      expect(await mintWith(f, f.user, "usdc", USDC("1000"))).to.equal(wantUsdc);
      expect(await mintWith(f, f.user, "weth", WETH("1"))).to.equal(wantWeth);
    });

    // Rule changed (issue 16): WETH redeems with its spread (≥ the feed's 0.5% deviation
    // threshold) on top of the fee; USDC in its stable lane pays the lane fee (5 bps at $1).
    it("redeem pays exactly the oracle value minus the fee (and the spread outside a stable lane) while solvent [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mintWith(f, f.user, "weth", WETH("10"));
      expect(await f.reserve.redemptionRatio()).to.be.gte(WAD);
      const laneFeeBps = BigInt(f.params.collateral.quote.stableLane!.baseFeeBps);
      const w = f.params.collateral.others[0];
      const wantUsdc = expectedRedeem(TOKENS("1000"), 6, await feedPriceWad(f, "usdc"), WAD, laneFeeBps);
      const wantWeth = expectedRedeem(
        TOKENS("3000"),
        18,
        await feedPriceWad(f, "weth"),
        WAD,
        BigInt(w.redeemFeeBps),
        BigInt(w.redeemSpreadBps!),
      );
      expect(wantUsdc).to.equal(USDC("999.5"));
      expect(wantWeth).to.equal(WETH("0.992"));
      expect(await redeemFor(f, f.user, "usdc", TOKENS("1000"))).to.equal(wantUsdc);
      expect(await redeemFor(f, f.user, "weth", TOKENS("3000"))).to.equal(wantWeth);
    });

    // Rule changed (issue 16): pro-rata on the gross ratio (redemptionRatio), not the haircut ratio.
    it("redeem pays pro-rata (gross ratio × peg value, recovery fee) when the reserve is short, and a later redeemer gets no less [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mintWith(f, f.user, "usdc", USDC("20000"));
      await underCollateralise(f);
      const ratio = await f.reserve.redemptionRatio();
      expect(ratio).to.be.lt(WAD);
      const feeBps = BigInt(f.params.reserve.recoveryRedeemFeeBps); // max(5, 50): recovery mode
      const want = expectedRedeem(TOKENS("9000"), 6, await feedPriceWad(f, "usdc"), ratio, feeBps);
      expect(want).to.be.lt((USDC("9000") * ratio) / WAD + 1n);
      const first = await redeemFor(f, f.user, "usdc", TOKENS("9000"));
      expect(first).to.equal(want);
      const second = await redeemFor(f, f.user, "usdc", TOKENS("9000"));
      expect(second, "running first gains nothing").to.be.gte(first);
    });

    it("a deposit past the asset's ceiling reverts ReserveCeilingExceeded; up to it succeeds [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      const cfg = await f.reserve.assetConfig(usdc);
      const ceiling = (await f.reserve.accountedAmount(usdc)) + USDC("100");
      await f.reserve.connect(f.admin).setAssetConfig(usdc, {
        haircutBps: cfg.haircutBps,
        mintFeeBps: cfg.mintFeeBps,
        redeemFeeBps: cfg.redeemFeeBps,
        bufferBps: cfg.bufferBps,
        ceiling,
      });
      await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
      await expect(f.reserve.connect(f.user).mint(usdc, USDC("100") + 1n, 0, f.user.address))
        .to.be.revertedWithCustomError(f.reserve, "ReserveCeilingExceeded")
        .withArgs(usdc, ceiling, ceiling + 1n);
      await expect(f.reserve.connect(f.user).mint(usdc, USDC("100"), 0, f.user.address)).to.emit(f.reserve, "Minted");
    });

    it("the packed ceiling reads back as set: its bound exactly, and type(uint256).max as no ceiling [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      const cfg = await f.reserve.assetConfig(usdc);
      const MAX_ASSET_CEILING = 2n ** 104n - 2n; // Constants.sol
      for (const ceiling of [MAX_ASSET_CEILING, MaxUint256, 0n]) {
        await f.reserve.connect(f.admin).setAssetConfig(usdc, {
          haircutBps: cfg.haircutBps,
          mintFeeBps: cfg.mintFeeBps,
          redeemFeeBps: cfg.redeemFeeBps,
          bufferBps: cfg.bufferBps,
          ceiling,
        });
        const read = await f.reserve.assetConfig(usdc);
        expect(read.ceiling).to.equal(ceiling);
        expect([read.haircutBps, read.mintFeeBps, read.redeemFeeBps, read.bufferBps]).to.deep.equal([
          cfg.haircutBps,
          cfg.mintFeeBps,
          cfg.redeemFeeBps,
          cfg.bufferBps,
        ]);
      }
      // Ceiling 0 (the drain before a delist) still stops every deposit.
      await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
      await expect(f.reserve.connect(f.user).mint(usdc, 1n, 0, f.user.address)).to.be.revertedWithCustomError(
        f.reserve,
        "ReserveCeilingExceeded",
      );
    });

    it("minOut protects users: mint and redeem revert SlippageExceeded one wei above the quote [INV-4]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      const quoted = await f.reserve.previewMint(usdc, USDC("1000"));
      await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
      await expect(
        f.reserve.connect(f.user).mint(usdc, USDC("1000"), quoted + 1n, f.user.address),
      ).to.be.revertedWithCustomError(f.reserve, "SlippageExceeded");
      await f.reserve.connect(f.user).mint(usdc, USDC("1000"), quoted, f.user.address);
      const pays = await f.reserve.previewRedeem(usdc, quoted);
      await f.stable.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
      await expect(
        f.reserve.connect(f.user).redeem(usdc, quoted, pays + 1n, f.user.address),
      ).to.be.revertedWithCustomError(f.reserve, "SlippageExceeded");
    });
  });

  describe("rule 5: decimals normalised, rounding in the reserve's favour", function () {
    it("the same dollar value in 6-decimal USDC and 18-decimal WETH mints the same tokens at equal haircut and fee [INV-13]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await closeUsdcLane(f); // both on the ordinary path (issue 16: USDC has a stable lane)
      const weth = await f.weth.token.getAddress();
      const u = f.params.collateral.quote;
      await f.reserve.connect(f.admin).setAssetConfig(weth, {
        haircutBps: u.haircutBps,
        mintFeeBps: u.mintFeeBps,
        redeemFeeBps: u.redeemFeeBps,
        bufferBps: 10_000,
        ceiling: WETH("50000"),
      });
      const byUsdc = await mintWith(f, f.user, "usdc", USDC("3000"));
      const byWeth = await mintWith(f, f.trader, "weth", WETH("1"));
      expect(byWeth).to.equal(byUsdc);
    });

    it("mint rounds down at every step and never exceeds the exact rational value, at an awkward WETH price [INV-11] [INV-13]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await f.weth.feed.updateAnswer(300012345678n); // 3000.12345678 USD, 8 decimals
      const w = f.params.collateral.others[0];
      const priceWad = await feedPriceWad(f, "weth");
      expect(priceWad).to.equal(3000_12345678n * 10n ** 10n);
      for (const amount of [7n, 999_999_999_999n, WETH("0.123456789012345678")]) {
        const got = await f.reserve.previewMint(await f.weth.token.getAddress(), amount);
        expect(got).to.equal(expectedMint(amount, 18, priceWad, BigInt(w.haircutBps), BigInt(w.mintFeeBps)));
        // Exact: amount × price × (1 − h) × (1 − fee) / 1e18; the paid amount never exceeds it.
        const exactNumerator = amount * priceWad * (BPS - BigInt(w.haircutBps)) * (BPS - BigInt(w.mintFeeBps));
        expect(got * WAD * BPS * BPS).to.be.lte(exactNumerator);
      }
    });

    it("a redemption worth less than one USDC unit reverts ZeroAmount instead of rounding up [INV-11]", async function () {
      const f = await loadFixture(deploySystemFixture);
      await mintWith(f, f.user, "usdc", USDC("1"));
      await f.stable.connect(f.user).approve(await f.reserve.getAddress(), MaxUint256);
      const usdc = await f.usdc.token.getAddress();
      expect(await f.reserve.previewRedeem(usdc, 10n ** 12n - 1n)).to.equal(0n);
      await expect(
        f.reserve.connect(f.user).redeem(usdc, 10n ** 12n - 1n, 0, f.user.address),
      ).to.be.revertedWithCustomError(f.reserve, "ZeroAmount");
    });

    it("a mint → redeem round trip never returns more than was deposited, in either decimals [INV-4] [INV-11]", async function () {
      const f = await loadFixture(deploySystemFixture);
      for (const amount of [1n, 3n, 1_000_001n, USDC("12345.678901")]) {
        const tokens = await mintWith(f, f.user, "usdc", amount);
        if (tokens === 0n) continue;
        const usdc = await f.usdc.token.getAddress();
        const back = await f.reserve.previewRedeem(usdc, tokens);
        expect(back, `USDC ${amount}`).to.be.lt(amount);
      }
      for (const amount of [1n, 10n ** 6n + 7n, WETH("1.000000000000000001")]) {
        const tokens = await mintWith(f, f.user, "weth", amount);
        if (tokens === 0n) continue;
        const back = await f.reserve.previewRedeem(await f.weth.token.getAddress(), tokens);
        expect(back, `WETH ${amount}`).to.be.lt(amount);
      }
    });
  });

  describe("rule 6: pause stops minting; redemption stays live unless paused explicitly", function () {
    it("guardian pause stops mint at once while redeem keeps paying [INV-10]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const tokens = await mintWith(f, f.user, "usdc", USDC("1000"));
      await f.reserve.connect(f.guardian).pause();
      const usdc = await f.usdc.token.getAddress();
      await f.usdc.token.connect(f.user).approve(await f.reserve.getAddress(), USDC("1"));
      await expect(f.reserve.connect(f.user).mint(usdc, USDC("1"), 0, f.user.address)).to.be.revertedWithCustomError(
        f.reserve,
        "EnforcedPause",
      );
      expect(await redeemFor(f, f.user, "usdc", tokens)).to.be.gt(0n);
    });

    it("pauseRedemptions stops redeem with RedemptionsPaused; only the admin lifts either pause [INV-10]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const tokens = await mintWith(f, f.user, "usdc", USDC("1000"));
      await f.reserve.connect(f.guardian).pause();
      await f.reserve.connect(f.guardian).pauseRedemptions();
      const usdc = await f.usdc.token.getAddress();
      await f.stable.connect(f.user).approve(await f.reserve.getAddress(), tokens);
      await expect(f.reserve.connect(f.user).redeem(usdc, tokens, 0, f.user.address)).to.be.revertedWithCustomError(
        f.reserve,
        "RedemptionsPaused",
      );
      await expect(f.reserve.connect(f.guardian).unpause()).to.be.revertedWithCustomError(
        f.reserve,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.reserve.connect(f.guardian).unpauseRedemptions()).to.be.revertedWithCustomError(
        f.reserve,
        "AccessControlUnauthorizedAccount",
      );
      await f.reserve.connect(f.admin).unpauseRedemptions();
      await f.reserve.connect(f.admin).unpause();
      expect(await redeemFor(f, f.user, "usdc", tokens)).to.be.gt(0n);
      expect(await mintWith(f, f.user, "usdc", USDC("1"))).to.be.gt(0n);
    });
  });

  describe("accounting: donations never count", function () {
    it("tokens sent straight to the reserve change no accounted amount, value or ratio [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      const before = {
        amount: await f.reserve.accountedAmount(usdc),
        value: await f.reserve.reserveValue(),
        ratio: await f.reserve.collateralRatio(),
      };
      await f.usdc.token.connect(f.trader).transfer(await f.reserve.getAddress(), USDC("100000"));
      await f.weth.token.connect(f.trader).transfer(await f.reserve.getAddress(), WETH("10"));
      expect(await f.reserve.accountedAmount(usdc)).to.equal(before.amount);
      expect(await f.reserve.reserveValue()).to.equal(before.value);
      expect(await f.reserve.collateralRatio()).to.equal(before.ratio);
    });

    it("tokens sent to the strategy vault do not raise the reserve's accounted amount [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      await f.operator.connect(f.keeper).rebalance();
      expect((await f.reserve.holdings(usdc)).strategyShares).to.be.gt(0n);
      const before = await f.reserve.accountedAmount(usdc);
      await f.usdc.token.connect(f.trader).transfer(await f.usdc.vault!.getAddress(), USDC("100000"));
      expect(await f.reserve.accountedAmount(usdc)).to.equal(before);
    });

    it("contribute is the explicit way to add equity: it is accounted, evented and mints nothing [INV-1] [INV-2]", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await f.usdc.token.getAddress();
      const supply = await f.stable.totalSupply();
      const before = await f.reserve.accountedAmount(usdc);
      await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), USDC("500"));
      await expect(f.reserve.connect(f.trader).contribute(usdc, USDC("500")))
        .to.emit(f.reserve, "EquityContributed")
        .withArgs(f.trader.address, usdc, USDC("500"));
      expect(await f.reserve.accountedAmount(usdc)).to.equal(before + USDC("500"));
      expect(await f.stable.totalSupply()).to.equal(supply);
    });
  });
});
