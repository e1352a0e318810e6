/**
 * The one status model, pure: from an injected snapshot and its detail read to the fields every
 * status view formats (the chain-backed cases are in keeper/observe/statusAndHealth,
 * keeper/statusPage/model and scripts/statusDegraded).
 */
import { expect } from "chai";
import { Action, Blocker } from "../../../keeper/src/policy";
import { protocolStatus, renderStatus, type StatusDetail } from "../../../keeper/src/status";
import { getSqrtRatioAtTick } from "../../../keeper/src/policy/v3/tickMath";
import { T0, snapshot, tok, usdc, wad } from "../../support/policyFixtures";

const SOURCE = { network: "unit", chainId: 7 };
const USDC = "0x" + "11".repeat(20);
const WETH = "0x" + "12".repeat(20);

function detail(over: Partial<StatusDetail> = {}): StatusDetail {
  return {
    blockNumber: 100,
    assets: [
      {
        asset: USDC,
        amount: usdc("600000"),
        decimals: 6,
        haircutBps: 100n,
        priceStatus: 0,
        staleSinceSec: 0n,
        degradedHaircutBps: 0n,
      },
      {
        asset: WETH,
        amount: tok("200.5"),
        decimals: 18,
        haircutBps: 1_500n,
        priceStatus: 0,
        staleSinceSec: 0n,
        degradedHaircutBps: 0n,
      },
    ],
    mintingPaused: false,
    redemptionsPaused: true,
    policyRefreshAt: T0 + 90n,
    failures: [],
    position: null,
    ...over,
  };
}

describe("status model (pure)", function () {
  it("values each asset as Reserve.reserveValue() does and carries the detail's flags and refresh time", function () {
    const st = protocolStatus(snapshot(), detail(), SOURCE);
    // 200.5 WETH × $3000 × (1 − 15%) = 511,275; 600,000 USDC × $1 × 0.99 = 594,000.
    expect(st.assets.map((a) => a.value)).to.deep.equal([wad("594000").toString(), wad("511275").toString()]);
    expect(st.assets[1]).to.deep.include({
      decimals: 18,
      amount: tok("200.5").toString(),
      haircutBps: 1_500,
      priceStatus: "ok",
      degradedSince: null,
    });
    expect(st.assets[1].feed).to.deep.equal({
      updatedAt: Number(T0 - 600n),
      ageSec: 600,
      maxAgeSec: 4_200,
      valid: true,
      roundFailure: null,
    });
    expect(st.paused).to.deep.equal({ minting: false, redemptions: true, operations: false });
    expect(st.cooldowns).to.deep.equal({
      operationCooldownSec: 60,
      operationReadyInSec: 0,
      policyRefreshReadyInSec: 90,
    });
    expect(st.pool).to.deep.equal({
      venue: "v2",
      reserveToken: tok("1000000").toString(),
      reserveQuote: usdc("1000000").toString(),
    });
    expect(st.keeperBalance).to.equal(wad("10").toString());
    expect(st.warnings).to.deep.equal([]);
    expect(st.operator).to.equal(null);
    const text = renderStatus(st);
    expect(text).to.match(/redemptions YES/);
    expect(text).to.match(/operator would\s+n\/a\n/);
    expect(text).to.match(/WETH\s+200\.5\s+\$3000\s+15%\s+\$511,275\s+10 min old \(max 70 min\)\n/);
  });

  it("never mixes blocks: a detail read at another block (or none) leaves its fields null", function () {
    for (const d of [detail({ blockNumber: 99 }), null]) {
      const st = protocolStatus(snapshot(), d, SOURCE);
      expect(st.assets.map((a) => [a.amount, a.value, a.priceStatus])).to.deep.equal([
        [null, null, null],
        [null, null, null],
      ]);
      expect(st.assets[0].price).to.equal(wad("1").toString());
      expect(st.paused).to.deep.equal({ minting: null, redemptions: null, operations: false });
      expect(st.cooldowns.policyRefreshReadyInSec).to.equal(null);
      expect(renderStatus(st)).to.match(/paused\s+minting n\/a, redemptions n\/a, operations no/);
    }
  });

  it("while the oracle cannot price the pool: spot from preview, no TWAP, and the decoded reason the detail read found", function () {
    const snap = snapshot(
      { spotWad: 0n, twapWad: 0n, marketOk: false },
      {
        onchainPreview: {
          action: Action.None,
          blocker: Blocker.OracleInvalid,
          amount: 0n,
          expectedOut: 0n,
          spotWad: wad("1.02"),
          twapWad: 0n,
          deviationBps: 200n,
        },
      },
    );
    const st = protocolStatus(
      snap,
      detail({ failures: [{ what: "pool price", reason: "reverted with TwapUnavailable()" }] }),
      SOURCE,
    );
    expect(st.spotPrice).to.equal(wad("1.02").toString());
    expect(st.twapPrice).to.equal(null);
    expect(st.deviationBps).to.equal(200);
    expect(st.warnings).to.deep.equal(["pool price: reverted with TwapUnavailable()"]);
    expect(renderStatus(st)).to.match(/operator would\s+wait \(OracleInvalid\)/);
  });

  it("says when the TWAP is stale, a feed is rejected or degraded, and a view reverts", function () {
    const snap = snapshot(
      { twapSpanSec: 3_601n, twapWindowSec: 1_800n, backingOk: false },
      { collateralRatioWad: null },
    );
    snap.feeds[0] = { ...snap.feeds[0], valid: false, priceWad: 0n };
    const d = detail();
    d.assets[1] = { ...d.assets[1], priceStatus: 1, staleSinceSec: T0 - 10n, degradedHaircutBps: 25n };
    const st = protocolStatus(snap, d, SOURCE);
    expect(st.twap).to.deep.equal({ spanSec: 3_601, windowSec: 1_800, stale: true });
    expect(st.assets[0]).to.include({ price: null, value: null, priceNote: "rejected by the oracle" });
    expect(st.assets[1].priceNote).to.equal(`degraded since ${new Date(Number(T0 - 10n) * 1000).toISOString()}`);
    expect(st.warnings).to.deep.equal([
      "pool TWAP is stale: it averages over 3601 s (window 1800 s); observations stopped — call PriceOracle.update()",
      "USDC price: the oracle rejects its feed (no last good price within the degraded window, or an answer out of bounds)",
      `WETH price: degraded since ${new Date(
        Number(T0 - 10n) * 1000,
      ).toISOString()} (last good price under a 25 bps haircut; minting it is blocked)`,
      "reserveValue: the view reverts",
      "collateralRatio: the view reverts",
    ]);
    const text = renderStatus(st);
    expect(text).to.match(/TWAP span\s+60 min \(window 30 min\), STALE/);
    expect(text).to.match(/USDC\s+[\d,.]+\s+rejected\s+1%\s+n\/a\s+10 min old \(max 25\.0 h\) INVALID/);
  });

  it("a degraded price whose feed fails while its last good price is still fresh says when it goes stale", function () {
    const d = detail();
    d.assets[1] = { ...d.assets[1], priceStatus: 1, staleSinceSec: T0 + 1_200n, degradedHaircutBps: 0n };
    const snap = snapshot();
    snap.feeds[1] = { ...snap.feeds[1], valid: false, priceWad: 0n };
    const st = protocolStatus(snap, d, SOURCE);
    expect(st.assets[1]).to.include({
      priceStatus: "degraded",
      degradedSince: Number(T0 + 1_200n),
      degradedHaircutBps: 0,
    });
    expect(st.assets[1].priceNote, "not 'degraded since' a moment still to come").to.equal(
      `degraded (its feed fails; the last good price goes stale at ${new Date(
        Number(T0 + 1_200n) * 1000,
      ).toISOString()})`,
    );
    expect(st.assets[0].priceNote).to.equal("ok");
    expect(st.warnings).to.deep.equal([
      `WETH price: degraded (its feed fails; the last good price goes stale at ${new Date(
        Number(T0 + 1_200n) * 1000,
      ).toISOString()}) (last good price under a 0 bps haircut; minting it is blocked)`,
    ]);
    expect(renderStatus(st)).to.match(/WETH\s+200\.5\s+degraded\s+15%\s+n\/a/);
  });

  it("counts caps as the operator does: a finished epoch starts afresh", function () {
    const live = protocolStatus(
      snapshot({ epoch: { startedAt: T0 - 3_600n, netMinted: tok("400000"), contracted: wad("100000"), lossWad: 0n } }),
      null,
      SOURCE,
    );
    expect(live.caps).to.include({
      expansionLeftInEpoch: tok("600000").toString(),
      contractionLeftInEpoch: wad("900000").toString(),
      epochEndsInSec: 86_400 - 3_600,
    });
    const over = protocolStatus(
      snapshot({
        epoch: { startedAt: T0 - 86_400n, netMinted: tok("1000000"), contracted: wad("1000000"), lossWad: 0n },
      }),
      null,
      SOURCE,
    );
    expect(over.caps).to.include({
      expansionLeftInEpoch: tok("1000000").toString(),
      contractionLeftInEpoch: wad("1000000").toString(),
      epochEndsInSec: 86_400,
    });
  });

  it("gives a V3 venue its own pool section: tier, pool price and tick, in-range liquidity, the protocol-owned position", function () {
    // BLD (18 decimals) as token0 against a 6-decimal quote: 1 quote per BLD is a raw price of 1e-12, tick ≈ -276,324.
    const tick = -276_324;
    const v3 = {
      pool: {
        sqrtPriceX96: getSqrtRatioAtTick(tick),
        tick,
        liquidity: 10n ** 20n,
        feePips: 100n,
        tickSpacing: 1,
        ticks: new Map<number, bigint>(),
      },
      tokenIsToken0: true,
    };
    const position = {
      manager: "0x" + "21".repeat(20),
      tickLower: tick - 20,
      tickUpper: tick + 20,
      liquidity: 5n * 10n ** 18n,
      counted: true,
      valueWad: wad("19990.5"),
    };
    const st = protocolStatus(snapshot({ v3 }), detail({ position }), SOURCE);
    if (st.pool.venue !== "v3") throw new Error(st.pool.venue);
    expect(st.pool).to.deep.include({
      venue: "v3",
      sqrtPriceX96: getSqrtRatioAtTick(tick).toString(),
      tick,
      liquidity: (10n ** 20n).toString(),
      feePips: 100,
      tokenIsToken0: true,
    });
    // Within one tick (1 bp) of $1 per whole BLD.
    expect(Number(BigInt(st.pool.poolPrice) - wad("1"))).to.be.within(-1e14, 1e14);
    const p = st.pool.position!;
    expect(p).to.deep.include({
      tickLower: tick - 20,
      tickUpper: tick + 20,
      liquidity: (5n * 10n ** 18n).toString(),
      inRange: true,
      counted: true,
      valueWad: wad("19990.5").toString(),
    });
    // ±20 ticks ≈ ±20 bps around $1, low to high.
    expect(Number(BigInt(p.lowPrice) - wad("0.998"))).to.be.within(-2e14, 2e14);
    expect(Number(BigInt(p.highPrice) - wad("1.002"))).to.be.within(-2e14, 2e14);
    expect(st.warnings).to.deep.equal([]);
    const text = renderStatus(st);
    expect(text).to.match(/pool\s+Uniswap V3, 0\.01% tier/);
    expect(text).to.match(/pool price \(tick\)\s+(0\.9999\d*|1(\.0000\d*)?) quote per BLD \(tick -276324\)/);
    expect(text).to.match(/pool liquidity in range\s+100,000,000,000,000,000,000/);
    expect(text).to.match(
      /protocol-owned position\s+0\.998\d*–1\.002\d* \(ticks -276344…-276304\), liquidity 5,000,000,000,000,000,000, in range, counts \$19,990\.5 in the reserve's value/,
    );
    // A position the Reserve does not count (its value source is elsewhere) is named and warned.
    const uncounted = protocolStatus(snapshot({ v3 }), detail({ position: { ...position, counted: false } }), SOURCE);
    expect(uncounted.warnings).to.deep.equal([
      "the Reserve does not count the protocol-owned position in its value (its value source is not the LiquidityManager)",
    ]);
    expect(renderStatus(uncounted)).to.match(/in range, NOT COUNTED in the reserve's value/);

    // The upper tick is exclusive: at it the position is out of range (and warned); with no manager in the book, a warning; with no detail, neither.
    const atUpper = protocolStatus(
      snapshot({ v3: { ...v3, pool: { ...v3.pool, tick: tick + 20 } } }),
      detail({ position }),
      SOURCE,
    );
    expect(atUpper.pool.venue === "v3" && atUpper.pool.position!.inRange).to.equal(false);
    expect(atUpper.warnings).to.deep.equal([
      `the protocol-owned position is out of range: the pool's tick ${tick + 20} is outside [${tick - 20}, ${
        tick + 20
      })`,
    ]);
    expect(renderStatus(atUpper)).to.match(/OUT OF RANGE/);
    const noManager = protocolStatus(snapshot({ v3 }), detail(), SOURCE);
    expect(noManager.warnings).to.deep.equal([
      "the address book names no LiquidityManager: the protocol-owned position is not shown",
    ]);
    const noDetail = protocolStatus(snapshot({ v3 }), null, SOURCE);
    expect(noDetail.pool.venue === "v3" && noDetail.pool.position).to.equal(null);
    expect(renderStatus(noDetail)).to.match(/protocol-owned position\s+n\/a/);
  });
});
