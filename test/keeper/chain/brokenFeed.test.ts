/**
 * One collateral feed that reverts (a paused or deprecated aggregator) or answers data that does
 * not decode as a round must not blind the keeper: its snapshot still reads, with that feed invalid
 * and the reason, every other read intact, the keeper's cycle completes, and the status shows the
 * asset degraded on its last good price. Before the guard in chain/reader.ts the feed's error
 * failed the whole snapshot, so the daemon stood still every cycle and no status could be shown.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { MalformedAggregator__factory, RevertingAggregator__factory } from "../../../typechain-types";
import { SymbolCache, connectProtocol } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { StatusReader } from "../../../keeper/src/chain/statusReader";
import { protocolStatus, renderStatus } from "../../../keeper/src/status";
import { addressBookOf, deploySystemFixture, type Fixture } from "../../support/system";
import { inProcessLoop, type InProcessLoop } from "../../support/inProcessLoop";

const MAX_AGE_SEC = 3_600;

/** WETH's feed replaced by `aggregator` (a good round first: the oracle keeps it as the last good price). */
async function withWethFeed(f: Fixture, aggregator: string): Promise<string> {
  const weth = await f.weth.token.getAddress();
  await f.oracle
    .connect(f.admin)
    .setFeed(weth, aggregator, MAX_AGE_SEC, parseUnits("10", 18), parseUnits("100000", 18));
  return weth;
}

describe("keeper reader: a collateral feed that reverts or answers garbage", function () {
  let k: InProcessLoop | null = null;
  afterEach(function () {
    k?.tx.close();
    k = null;
  });

  it("a reverting feed: the snapshot reads (that feed invalid, the rest intact), a cycle completes, status shows the asset degraded", async function () {
    const f = await loadFixture(deploySystemFixture);
    const bad = await new RevertingAggregator__factory(f.admin).deploy(parseUnits("3000", 8));
    const weth = await withWethFeed(f, await bad.getAddress());
    await bad.setBroken(true);
    await check(f, weth, /reverted with/);
  });

  it("a feed answering undecodable data (0x): the same", async function () {
    const f = await loadFixture(deploySystemFixture);
    const bad = await new MalformedAggregator__factory(f.admin).deploy();
    await bad.setRound(parseUnits("3000", 8), BigInt(await time.latest()), 8);
    const weth = await withWethFeed(f, await bad.getAddress());
    await bad.setRoundData("0x");
    await check(f, weth, /could not decode|BAD_DATA|decode/i);
  });

  async function check(f: Fixture, weth: string, reason: RegExp): Promise<void> {
    k = await inProcessLoop(f);
    const book = await addressBookOf(f);
    const protocol = await connectProtocol(book, k.provider);
    const snap = await readSnapshot(k.provider, protocol, new SymbolCache(k.provider), {
      feeHistoryBlocks: 2,
      rewardPercentile: 50,
      keeper: f.keeper.address,
    });

    const wethFeed = snap.feeds.find((x) => x.asset === weth)!;
    expect(wethFeed.roundFailure).to.match(reason);
    expect(wethFeed).to.deep.include({ answer: 0n, updatedAt: 0n });
    // The oracle's verdict stands beside it: degraded on the last good price (tryPrice accepts it, with a haircut) or invalid, never a failed read.
    const usdcFeed = snap.feeds.find((x) => x.symbol === "USDC")!;
    expect(usdcFeed.roundFailure).to.equal(undefined);
    expect(usdcFeed.valid).to.equal(true);
    expect(usdcFeed.updatedAt).to.be.greaterThan(0n);
    expect(snap.operator.supply).to.equal(await f.stable.totalSupply());
    expect(snap.operator.marketOk).to.equal(true);

    // The daemon's cycle over the same system does not fail on the read.
    const outcome = await k.loop().cycle();
    expect(outcome.kind, JSON.stringify(outcome)).to.not.equal("error");

    const st = protocolStatus(snap, await new StatusReader(k.provider, book).read(snap), {
      network: "hardhat",
      chainId: 31337,
    });
    const asset = st.assets.find((a) => a.symbol === "WETH")!;
    expect(asset.priceStatus).to.equal("degraded");
    expect(asset.degradedSince).to.equal(Number((await f.oracle.priceInfo(weth)).staleSinceSec));
    expect(asset.feed.roundFailure).to.match(reason);
    expect(st.warnings.some((w) => w.startsWith("WETH feed: its latest round cannot be read ("))).to.equal(true);
    expect(st.warnings.some((w) => w.startsWith("WETH price: degraded"))).to.equal(true);
    const text = renderStatus(st);
    expect(text).to.match(/WETH .* degraded .*UNREADABLE/);
    expect(text).to.match(/USDC .* \$1(\.0+)? .* old \(max/);
  }
});
