/**
 * Solvency (rule 7's maths, once): the room an expansion has keeps the ratio at the floor and one
 * token more breaks it, and the reward headroom leaves the floor kept after the payout, on seeded
 * random states [INV-3]. The edges (empty supply, below the target, tokens worth the target) answer
 * as rule 7 reads them.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { MaxUint256 } from "ethers";
import { SolvencyHarness__factory, type SolvencyHarness } from "../../../typechain-types";
import { between, rng } from "../../support/bigRng";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const ratio = (value: bigint, supply: bigint) => (supply === 0n ? MaxUint256 : (value * WAD) / supply);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

describe("Solvency: rule 7's ratio, floor, expansion room and headroom [INV-3]", function () {
  let h: SolvencyHarness;
  before(async function () {
    const [deployer] = await ethers.getSigners();
    h = await new SolvencyHarness__factory(deployer).deploy();
  });

  it("an empty supply is infinitely backed and has unlimited room; the floor is min(ratio before, target)", async function () {
    expect(await h.ratioWad(123n, 0n)).to.equal(MaxUint256);
    expect(await h.expansionRoom(0n, 0n, WAD, 0n)).to.equal(MaxUint256);
    expect(await h.floorWad(MaxUint256, 11n * 10n ** 17n)).to.equal(11n * 10n ** 17n);
    expect(await h.floorWad(9n * 10n ** 17n, WAD)).to.equal(9n * 10n ** 17n);
  });

  it("below the target, room is unlimited only when each token sold raises the ratio", async function () {
    const supply = 1_000n * WAD;
    const value = 900n * WAD; // ratio 0.9 under a target of 1.0
    expect(await h.expansionRoom(value, supply, WAD, 9n * 10n ** 17n)).to.equal(MaxUint256);
    expect(await h.expansionRoom(value, supply, WAD, 9n * 10n ** 17n - 1n)).to.equal(0n);
  });

  it("at or above the target, a token that brings at least the target's value has unlimited room; one wei less bounds it", async function () {
    const supply = 1_000n * WAD;
    const target = 11n * 10n ** 17n;
    const value = 1_200n * WAD; // ratio 1.2 over a target of 1.1
    expect(await h.expansionRoom(value, supply, target, target)).to.equal(MaxUint256);
    expect(await h.expansionRoom(value, supply, target, 2n * WAD)).to.equal(MaxUint256);
    // (value − supply × target) / (target − worst): 100 WAD of slack over one wei per token.
    expect(await h.expansionRoom(value, supply, target, target - 1n)).to.equal(100n * WAD * WAD);
  });

  it("on 200 random states above the target: selling the room at the worst value keeps the target, two tokens more break it", async function () {
    const next = rng(0x501e4c7n);
    let bounded = 0;
    for (let i = 0; i < 200; i++) {
      const supply = between(next, 1n, 10n ** 9n) * WAD;
      const target = between(next, WAD, 2n * WAD);
      const worst = between(next, 5n * 10n ** 17n, target - 1n);
      const value = (supply * target) / WAD + between(next, 0n, supply);
      const room = await h.expansionRoom(value, supply, target, worst);
      if (room === MaxUint256) continue;
      bounded++;
      // Exact (no rounding): haircut value after × WAD ≥ target × supply after.
      const keeps = (tokens: bigint) => value * WAD + tokens * worst >= target * (supply + tokens);
      expect(keeps(room), `room ${room} keeps the target`).to.equal(true);
      expect(keeps(room + 2n), `room ${room} is the most: two tokens more break it`).to.equal(false);
    }
    expect(bounded).to.be.greaterThan(150);
  });

  it("on 200 random states: paying the headroom (at its haircut) keeps the floor, paying 1% more breaks it", async function () {
    const next = rng(0x4ead5n);
    let positive = 0;
    for (let i = 0; i < 200; i++) {
      const supply = between(next, 1n, 10n ** 9n) * WAD;
      const floor = between(next, WAD, 2n * WAD);
      const value = (supply * floor) / WAD + between(next, 0n, supply / 10n);
      const haircutBps = between(next, 0n, 5_000n);
      const head = await h.headroomWad(floor, value, supply, haircutBps);
      const valueAfter = (paid: bigint) => value - (paid * (BPS - haircutBps)) / BPS;
      expect(valueAfter(head) >= min(value, (supply * floor + WAD - 1n) / WAD), "keeps the floor").to.equal(true);
      if (head === 0n) continue;
      positive++;
      expect(ratio(valueAfter(head), supply) >= floor).to.equal(true);
      expect(ratio(valueAfter((head * 101n) / 100n + 1n), supply) < floor).to.equal(true);
    }
    expect(positive).to.be.greaterThan(150);
  });
});
