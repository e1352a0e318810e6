/**
 * PriceOracle paths the rule tests do not reach: its two getters (`feedConfig`, `latestObservation`),
 * a real Uniswap V2 pair with only one side filled (EmptyPool from either side), an oracle that has
 * recorded nothing yet (TwapUnavailable reports age 0, not the age of an empty slot), and the ring
 * buffer after it wrapped: the oldest retained observation is the slot after the newest, not slot 0,
 * both for the TwapUnavailable age and as the TWAP's anchor. Expected TWAPs are computed from the
 * pair's own cumulative price, so a wrong anchor, orientation or scaling fails the test.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Contract, ContractFactory, parseUnits, type ContractTransactionResponse } from "ethers";
import UniswapV2FactoryArtifact from "@uniswap/v2-core/build/UniswapV2Factory.json";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import {
  IUniswapV2PairMinimal__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  type PriceOracle,
} from "../../../typechain-types";
import { WAD, deploySystemFixture, mintWithUsdc, swapIntoPool, type Fixture } from "../../support/system";

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
const USDC = (v: string) => parseUnits(v, 6);
const TOKENS = (v: string) => parseUnits(v, 18);
/** Constants.sol: the ring buffer length. */
const OBSERVATION_SLOTS = 8n;
const TOKEN_UNIT = 10n ** 18n;
const QUOTE_UNIT = 10n ** 6n;

interface Observation {
  index: bigint;
  timestamp: bigint;
  cumulative: bigint;
}

/** A fresh oracle on `pool` (stable/USDC) with the fixture's USDC feed, window `windowSec`. */
async function freshOracle(f: Fixture, pool: string, windowSec: number): Promise<PriceOracle> {
  const oracle = await new PriceOracle__factory(f.admin).deploy(
    f.admin.address,
    pool,
    await addr(f.stable),
    await addr(f.usdc.token),
    windowSec,
  );
  const p = f.params.collateral.quote;
  await oracle.setFeed(
    await addr(f.usdc.token),
    await addr(f.usdc.feed),
    p.maxAgeSec,
    parseUnits(p.minPriceUsd, 18),
    parseUnits(p.maxPriceUsd, 18),
  );
  return oracle;
}

/** Calls `update()` in a block at exactly `timestamp` and returns the observation it recorded. */
async function updateAt(oracle: PriceOracle, timestamp: bigint): Promise<Observation> {
  await time.setNextBlockTimestamp(timestamp);
  const receipt = await ((await oracle.update()) as ContractTransactionResponse).wait();
  const events = receipt!.logs
    .map((l) => oracle.interface.parseLog(l))
    .filter((e) => e?.name === "ObservationRecorded");
  expect(events, `an observation recorded at ${timestamp}`).to.have.length(1);
  const [index, ts, cumulative] = events[0]!.args;
  return { index, timestamp: ts, cumulative };
}

/** The stable's cumulative price (UQ112x112 · s) the pair would have at `nowSec`: its last value plus the current price since. */
async function pairCumulativeAt(f: Fixture, pool: string, nowSec: bigint): Promise<bigint> {
  const pair = IUniswapV2PairMinimal__factory.connect(pool, f.admin);
  const [r0, r1, last] = await pair.getReserves();
  const stableIs0 = (await pair.token0()) === (await addr(f.stable));
  const [rT, rQ] = stableIs0 ? [r0, r1] : [r1, r0];
  const cumulative = stableIs0 ? await pair.price0CumulativeLast() : await pair.price1CumulativeLast();
  return cumulative + ((rQ << 112n) / rT) * (nowSec - last);
}

/** TWAP in WAD USD from `anchor` to `nowSec`, at a quote price of `quoteUsdWad` (the documented conversion). */
function twapFrom(anchor: Observation, cumulativeNow: bigint, nowSec: bigint, quoteUsdWad: bigint): bigint {
  const averageUq112 = (cumulativeNow - anchor.cumulative) / (nowSec - anchor.timestamp);
  const quoteWad = (averageUq112 * WAD * TOKEN_UNIT) / (QUOTE_UNIT << 112n);
  return (quoteWad * quoteUsdWad) / WAD;
}

describe("PriceOracle branches: getters, one-sided pools, empty and wrapped observation buffers", function () {
  describe("feedConfig", function () {
    it("reports the feed as setFeed stored it (aggregator, its decimals, bounds), zeros for an asset without one, and follows a replacement", async function () {
      const f = await loadFixture(deploySystemFixture);
      const usdc = await addr(f.usdc.token);
      const p = f.params.collateral.quote;
      expect([...(await f.oracle.feedConfig(usdc))]).to.deep.equal([
        await addr(f.usdc.feed),
        8n,
        BigInt(p.maxAgeSec),
        parseUnits(p.minPriceUsd, 18),
        parseUnits(p.maxPriceUsd, 18),
      ]);
      const stable = await addr(f.stable);
      expect([...(await f.oracle.feedConfig(stable))]).to.deep.equal([
        "0x0000000000000000000000000000000000000000",
        0n,
        0n,
        0n,
        0n,
      ]);

      // The decimals are read from the new aggregator, not kept from the old one.
      const feed18 = await new MockV3Aggregator__factory(f.admin).deploy(18, WAD);
      await f.oracle.setFeed(usdc, await addr(feed18), 600, parseUnits("0.9", 18), parseUnits("1.1", 18));
      const cfg = await f.oracle.feedConfig(usdc);
      expect([cfg.aggregator, cfg.decimals, cfg.maxAgeSec, cfg.minPriceWad, cfg.maxPriceWad]).to.deep.equal([
        await addr(feed18),
        18n,
        600n,
        parseUnits("0.9", 18),
        parseUnits("1.1", 18),
      ]);
    });
  });

  describe("latestObservation", function () {
    it("is all zero before the first update, then the newest (timestamp, cumulative) with a count that stops at the slot count", async function () {
      const f = await loadFixture(deploySystemFixture);
      const oracle = await freshOracle(f, await addr(f.pair), 60);
      expect([...(await oracle.latestObservation())]).to.deep.equal([0n, 0n, 0n]);

      const start = BigInt(await time.latest()) + 10n;
      for (let k = 0n; k < OBSERVATION_SLOTS + 2n; k++) {
        const o = await updateAt(oracle, start + 15n * k);
        expect(o.index).to.equal(k % OBSERVATION_SLOTS);
        // The recorded cumulative is the pair's own, carried forward to the update's block.
        expect(o.cumulative).to.equal(await pairCumulativeAt(f, await addr(f.pair), o.timestamp));
        const count = k + 1n < OBSERVATION_SLOTS ? k + 1n : OBSERVATION_SLOTS;
        expect([...(await oracle.latestObservation())]).to.deep.equal([o.timestamp, o.cumulative, count]);
      }
    });
  });

  describe("a real pair with one side empty", function () {
    /** A second real Uniswap V2 factory and a stable/USDC pair on it that no one has added liquidity to. */
    async function freshPair(f: Fixture): Promise<Contract> {
      const factory = await new ContractFactory(
        UniswapV2FactoryArtifact.abi,
        UniswapV2FactoryArtifact.bytecode,
        f.admin,
      ).deploy(f.admin.address);
      const factoryAt = factory as unknown as {
        createPair(a: string, b: string): Promise<ContractTransactionResponse>;
        getPair(a: string, b: string): Promise<string>;
      };
      await (await factoryAt.createPair(await addr(f.stable), await addr(f.usdc.token))).wait();
      const pairAddress = await factoryAt.getPair(await addr(f.stable), await addr(f.usdc.token));
      return new Contract(pairAddress, UniswapV2PairArtifact.abi, f.admin);
    }

    it("tokens but no quote (a transfer and a permissionless sync) reverts EmptyPool", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pair = await freshPair(f);
      const pool = await pair.getAddress();
      await mintWithUsdc(f, f.user, USDC("1000"));
      await f.stable.connect(f.user).transfer(pool, TOKENS("500"));
      await ((await pair.sync()) as ContractTransactionResponse).wait();
      const oracle = await freshOracle(f, pool, 60);
      const [rT, rQ] = await orientedReserves(f, pool);
      expect([rT, rQ]).to.deep.equal([TOKENS("500"), 0n]);
      await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "EmptyPool");
    });

    it("quote but no tokens reverts EmptyPool", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pair = await freshPair(f);
      const pool = await pair.getAddress();
      await f.usdc.token.connect(f.user).transfer(pool, USDC("500"));
      await ((await pair.sync()) as ContractTransactionResponse).wait();
      const oracle = await freshOracle(f, pool, 60);
      expect(await orientedReserves(f, pool)).to.deep.equal([0n, USDC("500")]);
      await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "EmptyPool");
    });

    it("both sides filled but nothing recorded yet: spot is valid and the TWAP reverts TwapUnavailable(0, window), not the age of an empty slot", async function () {
      const f = await loadFixture(deploySystemFixture);
      const pair = await freshPair(f);
      const pool = await pair.getAddress();
      await mintWithUsdc(f, f.user, USDC("1000"));
      await f.stable.connect(f.user).transfer(pool, TOKENS("500"));
      await f.usdc.token.connect(f.user).transfer(pool, USDC("510"));
      await ((await pair.sync()) as ContractTransactionResponse).wait();
      const oracle = await freshOracle(f, pool, 60);
      await time.increase(3_600);
      await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "TwapUnavailable").withArgs(0n, 60n);

      // One observation a full window old makes the TWAP available: the price never moved, so it is spot.
      const first = await updateAt(oracle, BigInt(await time.latest()) + 1n);
      await time.increaseTo(first.timestamp + 60n);
      const [spotWad, twapWad] = await oracle.marketPrice();
      expect(spotWad).to.equal(parseUnits("1.02", 18));
      const nowSec = BigInt(await time.latest());
      expect(twapWad).to.equal(twapFrom(first, await pairCumulativeAt(f, pool, nowSec), nowSec, WAD));
    });
  });

  describe("the ring buffer after it wrapped", function () {
    /**
     * Eleven observations 20 s apart (window 60 s, so one per 15 s is allowed) on the fixture's pair,
     * with the price pushed up after the 4th and down after the 5th, so anchors give different TWAPs.
     * Slots then hold observations 8, 9, 10 (indices 0..2) and 3..7 (indices 3..7): the oldest kept
     * is observation 3 in slot 3, while slot 0 holds the much newer observation 8.
     */
    async function wrappedOracle(f: Fixture) {
      const pool = await addr(f.pair);
      const oracle = await freshOracle(f, pool, 60);
      const start = BigInt(await time.latest()) + 10n;
      const observations: Observation[] = [];
      for (let k = 0n; k < 11n; k++) {
        observations.push(await updateAt(oracle, start + 20n * k));
        if (k === 3n) await swapIntoPool(f, f.trader, false, USDC("200000"));
        if (k === 4n) await swapIntoPool(f, f.trader, true, TOKENS("150000"));
      }
      expect(observations.map((o) => o.index)).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 0n, 1n, 2n]);
      expect((await oracle.latestObservation()).count).to.equal(OBSERVATION_SLOTS);
      return { oracle, pool, start, observations };
    }

    it("TwapUnavailable reports the age of the oldest retained observation (slot after the newest), not slot 0's", async function () {
      const f = await loadFixture(deploySystemFixture);
      const { oracle, start, observations } = await wrappedOracle(f);
      await time.setNextBlockTimestamp(start + 205n);
      await oracle.setTwapWindow(156);
      await time.increaseTo(start + 215n); // mines the block the calls below read
      // Oldest kept: observation 3 at start + 60, so 155 s old; slot 0 (observation 8) is only 55 s old.
      expect(observations[3].timestamp).to.equal(start + 60n);
      await expect(oracle.marketPrice()).to.be.revertedWithCustomError(oracle, "TwapUnavailable").withArgs(155n, 156n);
    });

    it("the TWAP anchors on the oldest retained observation when only it is a window old, to the wei", async function () {
      const f = await loadFixture(deploySystemFixture);
      const { oracle, pool, start, observations } = await wrappedOracle(f);
      await time.setNextBlockTimestamp(start + 205n);
      await oracle.setTwapWindow(150);
      await time.increaseTo(start + 215n); // mines the block the calls below read
      const nowSec = start + 215n;
      const cumulativeNow = await pairCumulativeAt(f, pool, nowSec);
      const quoteUsdWad = await f.oracle.price(await addr(f.usdc.token));
      const expected = twapFrom(observations[3], cumulativeNow, nowSec, quoteUsdWad);
      const [, twapWad] = await oracle.marketPrice();
      expect(twapWad).to.equal(expected);
      // The anchors a wrong index would pick give different answers, so this pins observation 3.
      expect(twapFrom(observations[4], cumulativeNow, nowSec, quoteUsdWad)).to.not.equal(expected);
      expect(twapFrom(observations[8], cumulativeNow, nowSec, quoteUsdWad)).to.not.equal(expected);
      // The swaps moved the price: after the push up and part of it back, the TWAP sits above the peg.
      expect(twapWad).to.be.gt(WAD);
    });
  });
});

/** The pair's reserves oriented (stable, quote). */
async function orientedReserves(f: Fixture, pool: string): Promise<[bigint, bigint]> {
  const pair = IUniswapV2PairMinimal__factory.connect(pool, f.admin);
  const [r0, r1] = await pair.getReserves();
  return (await pair.token0()) === (await addr(f.stable)) ? [r0, r1] : [r1, r0];
}
