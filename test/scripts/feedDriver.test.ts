/**
 * The local feed driver's rules: Chainlink's update rule (heartbeat or deviation), the price paths
 * it follows (constant, seeded random walk, CSV keyframes), each bad input named, and its clock on
 * an idle chain (the in-process network, with an injected wall clock).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { LOCAL_ACCOUNTS } from "../../deploy/parameters";
import { FeedDriver, feedUpdateReason, feedsOfBook } from "../../scripts/devnet/feedDriver";
import { addressBookOf, deploySystemFixture } from "../support/system";
import {
  constantPath,
  parseCsvPath,
  parsePathSpec,
  randomWalkPath,
  PricePathError,
} from "../../scripts/devnet/pricePath";

const WETH = { heartbeatSec: 3_600, deviationBps: 50 };
const at = (answer: bigint, updatedAt: bigint) => ({ answer, updatedAt });

describe("feed driver rules (scripts/devnet)", () => {
  describe("feedUpdateReason", () => {
    it("posts at the heartbeat, not a second before", () => {
      expect(feedUpdateReason(at(3_000n, 1_000n), 3_000n, 4_599n, WETH)).to.equal(null);
      expect(feedUpdateReason(at(3_000n, 1_000n), 3_000n, 4_600n, WETH)).to.equal("heartbeat");
    });

    it("posts when the price moved by the deviation threshold either way, not below it", () => {
      const last = at(300_000n, 1_000n);
      expect(feedUpdateReason(last, 301_499n, 1_001n, WETH)).to.equal(null);
      expect(feedUpdateReason(last, 301_500n, 1_001n, WETH)).to.equal("deviation");
      expect(feedUpdateReason(last, 298_500n, 1_001n, WETH)).to.equal("deviation");
      expect(feedUpdateReason(last, 298_501n, 1_001n, WETH)).to.equal(null);
    });

    it("repairs a non-positive answer with any positive price", () => {
      expect(feedUpdateReason(at(0n, 1_000n), 1n, 1_001n, WETH)).to.equal("deviation");
      expect(feedUpdateReason(at(-5n, 1_000n), 0n, 1_001n, WETH)).to.equal(null);
    });
  });

  describe("price paths", () => {
    it("a constant holds", () => {
      const p = constantPath(3_000);
      expect([p.priceAt(0), p.priceAt(86_400)]).to.deep.equal([3_000, 3_000]);
    });

    it("a random walk is a function of its seed and the step, whatever order it is asked in", () => {
      const a = randomWalkPath({ seed: 7, startUsd: 3_000, volBps: 20, stepSec: 60 });
      const b = randomWalkPath({ seed: 7, startUsd: 3_000, volBps: 20, stepSec: 60 });
      const late = a.priceAt(7_200);
      for (let t = 0; t <= 7_200; t += 600) b.priceAt(t);
      expect(b.priceAt(7_200)).to.equal(late);
      expect(a.priceAt(0)).to.equal(3_000);
      expect(a.priceAt(59)).to.equal(3_000);
      expect(a.priceAt(60)).to.not.equal(3_000);
      expect(randomWalkPath({ seed: 8, startUsd: 3_000, volBps: 20, stepSec: 60 }).priceAt(7_200)).to.not.equal(late);
    });

    it("a CSV path interpolates between rows and holds after the last", () => {
      const p = parseCsvPath("offsetSec,priceUsd\n0,3000\n600,2400\n\n1200,2700\n", "test.csv");
      expect(p.priceAt(0)).to.equal(3_000);
      expect(p.priceAt(300)).to.equal(2_700);
      expect(p.priceAt(600)).to.equal(2_400);
      expect(p.priceAt(900)).to.equal(2_550);
      expect(p.priceAt(99_999)).to.equal(2_700);
    });

    it("bad paths fail naming what is wrong", () => {
      const fails = (f: () => unknown, message: RegExp) => expect(f).to.throw(PricePathError, message);
      fails(
        () => parseCsvPath("0,3000\n600,abc", "p.csv"),
        /p\.csv line 2: expected "offsetSec,priceUsd"; got "600,abc"/,
      );
      fails(() => parseCsvPath("10,3000", "p.csv"), /the first row must be at offset 0 s/);
      fails(() => parseCsvPath("0,3000\n0,2000", "p.csv"), /row 2: offsets must increase/);
      fails(() => parseCsvPath("0,-1", "p.csv"), /row 1 price must be a positive number/);
      fails(() => parsePathSpec("walk", 3_000), /a random walk needs a seed/);
      fails(() => parsePathSpec("walk:1.5", 3_000), /seed must be an integer/);
      fails(() => parsePathSpec("csv:/no/such/file.csv", 3_000), /cannot read \/no\/such\/file\.csv \(ENOENT\)/);
      fails(() => parsePathSpec("sine", 3_000), /unknown price path "sine"/);
      expect(parsePathSpec("constant", 2_500).priceAt(10)).to.equal(2_500);
      expect(parsePathSpec("constant:1.01", 2_500).priceAt(10)).to.equal(1.01);
    });
  });

  describe("the driver's clock on an idle chain", () => {
    it("an hour of wall time without a block makes the WETH heartbeat due; USDC's (24 h) is not", async () => {
      const f = await loadFixture(deploySystemFixture);
      let wallMs = 1_000_000;
      const driver = new FeedDriver({
        provider: ethers.provider,
        signer: (await ethers.getSigners())[LOCAL_ACCOUNTS.feedDriver],
        feeds: feedsOfBook(await addressBookOf(f), f.params),
        nowMs: () => wallMs,
      });
      // Both feeds were posted at deploy: nothing to do yet.
      expect(await driver.tick()).to.deep.equal([]);
      const [, , , wethUpdatedAt] = await f.weth.feed.latestRoundData();
      const head = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      wallMs += Number(BigInt(f.params.collateral.others[0].heartbeatSec) - (head - wethUpdatedAt)) * 1_000 - 1_000;
      expect(await driver.tick(), "one second before the heartbeat").to.deep.equal([]);
      wallMs += 1_000;
      const posts = await driver.tick();
      expect(posts.map((p) => [p.symbol, p.reason])).to.deep.equal([["WETH", "heartbeat"]]);
      expect(posts[0].answer).to.equal(3_000n * 10n ** 8n);
    });
  });
});
