/**
 * ballast:status (and the keeper's `status`, the same model) for an asset in degraded mode
 * (issue 16), read in-process from the fixture through the keeper's chain layer: a feed that went
 * stale shows "degraded since" its stale time; a feed that broke while its recorded last good
 * price is still within its max age shows when that price goes stale. (A feed that reverts or
 * answers undecodable data: test/keeper/chain/brokenFeed.test.ts.)
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { MalformedAggregator__factory } from "../../typechain-types";
import { connectProtocol } from "../../keeper/src/chain/protocol";
import { readProtocolStatus } from "../../keeper/src/chain/statusReader";
import { renderStatus, type ProtocolStatus } from "../../keeper/src/status";
import { addressBookOf, deploySystemFixture, type Fixture } from "../support/system";

async function statusOf(f: Fixture): Promise<ProtocolStatus> {
  const book = await addressBookOf(f);
  const provider = hre.ethers.provider;
  return readProtocolStatus(provider as never, await connectProtocol(book, provider), book, {
    network: "hardhat",
    chainId: 31337,
  });
}

describe("ballast:status in degraded mode", function () {
  it("a feed answering a non-positive round right after a good one: degraded, its last good price going stale later", async function () {
    const f = await loadFixture(deploySystemFixture);
    const weth = await f.weth.token.getAddress();
    const bad = await new MalformedAggregator__factory(f.admin).deploy();
    const now = BigInt(await time.latest());
    await bad.setRound(parseUnits("3000", 8), now, 8);
    await f.oracle
      .connect(f.admin)
      .setFeed(weth, await bad.getAddress(), 3_600, parseUnits("10", 18), parseUnits("100000", 18));
    await bad.setRound(0, now, 8);
    const s = await statusOf(f);
    const a = s.assets.find((x) => x.symbol === "WETH")!;
    expect(a.priceStatus).to.equal("degraded");
    expect(a.degradedSince).to.equal(Number(now) + 3_600);
    const at = new Date((Number(now) + 3_600) * 1000).toISOString();
    expect(s.warnings).to.include(
      `WETH price: degraded (its feed fails; the last good price goes stale at ${at}) (last good price under a 0 bps haircut; minting it is blocked)`,
    );
    expect(renderStatus(s)).to.match(/WETH\s+[\d,.]+\s+degraded\s/);
  });

  it("a stale feed: degraded since the moment its answer passed its max age", async function () {
    const f = await loadFixture(deploySystemFixture);
    const [, , , updatedAt] = await f.weth.feed.latestRoundData();
    const staleAt = updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec);
    await time.increaseTo(staleAt + 7_200n);
    await f.usdc.feed.updateAnswer(parseUnits("1", 8));
    const s = await statusOf(f);
    const at = new Date(Number(staleAt) * 1000).toISOString();
    expect(s.warnings.some((w) => w.startsWith(`WETH price: degraded since ${at}`))).to.equal(true);
    // The views the stale feed makes revert say why, decoded, instead of failing the status.
    expect(s.reserveValue).to.equal(null);
    expect(
      s.warnings.some((w) => /^reserveValue: reverted with \w+/.test(w)),
      s.warnings.join("\n"),
    ).to.equal(true);
    expect(renderStatus(s)).to.include(`warning: WETH price: degraded since ${at}`);
  });
});
