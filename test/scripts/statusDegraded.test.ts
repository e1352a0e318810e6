/**
 * ballast:status for an asset in degraded mode (issue 16), read in-process from the fixture: a
 * feed that went stale shows "degraded since" its stale time; a feed that broke while its
 * recorded last good price is still within its max age shows when that price goes stale.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { MalformedAggregator__factory } from "../../typechain-types";
import { readStatus } from "../../scripts/lib/status";
import { deploySystemFixture } from "../support/system";
import { systemContextOf as contextOf } from "../support/scriptsContext";

describe("ballast:status in degraded mode", function () {
  it("a feed answering garbage right after a good round: degraded, its last good price going stale later", async function () {
    const f = await loadFixture(deploySystemFixture);
    const weth = await f.weth.token.getAddress();
    const bad = await new MalformedAggregator__factory(f.admin).deploy();
    const now = BigInt(await time.latest());
    await bad.setRound(parseUnits("3000", 8), now, 8);
    await f.oracle.connect(f.admin).setFeed(weth, await bad.getAddress(), 3_600, parseUnits("10", 18), parseUnits("100000", 18));
    await bad.setRoundData("0x");
    const s = await readStatus(await contextOf(f));
    const a = s.assets.find((x) => x.symbol === "WETH")!;
    expect(a.priceStatus).to.equal("degraded");
    expect(a.degradedSince).to.equal(Number(now) + 3_600);
    const at = new Date((Number(now) + 3_600) * 1000).toISOString();
    expect(s.warnings).to.include(`WETH price: degraded (its feed fails; the last good price goes stale at ${at}) (last good price under a 0 bps haircut; minting it is blocked)`);
  });

  it("a stale feed: degraded since the moment its answer passed its max age", async function () {
    const f = await loadFixture(deploySystemFixture);
    const [, , , updatedAt] = await f.weth.feed.latestRoundData();
    const staleAt = updatedAt + BigInt(f.params.collateral.others[0].maxAgeSec);
    await time.increaseTo(staleAt + 7_200n);
    await f.usdc.feed.updateAnswer(parseUnits("1", 8));
    const s = await readStatus(await contextOf(f));
    const at = new Date(Number(staleAt) * 1000).toISOString();
    expect(s.warnings.some((w) => w.startsWith(`WETH price: degraded since ${at}`))).to.equal(true);
  });
});
