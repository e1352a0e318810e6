/**
 * The stable lane's epoch volume when the admin lowers it to the epoch's net mints so far: no mint
 * room is left (`laneVolumeLeft`'s mintRoom 0), so the next USDC mint of that epoch takes the
 * ordinary haircut path.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseUnits } from "ethers";
import { BPS, deploySystemFixture, mintWithUsdc, refreshFeeds } from "../../support/system";

const USDC = (s: string) => parseUnits(s, 6);
const TOKENS = (s: string) => parseUnits(s, 18);

describe("Reserve stable lane volume", function () {
  it("a volume cap lowered to exactly what this epoch used leaves no room: the next mint pays the haircut [INV-4]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const usdc = await f.usdc.token.getAddress();
    await time.increase(86_400); // a fresh epoch: the fixture's seed mint used the lane
    await refreshFeeds(f);
    const lane = { bandBps: 50, baseFeeBps: 0, maxShareBps: 10_000, volumePerEpoch: TOKENS("1500") };
    await f.reserve.connect(f.admin).setStableLane(usdc, lane);
    await mintWithUsdc(f, f.user, USDC("1000"));
    const used = TOKENS("1500") - (await f.reserve.laneVolumeLeft(usdc)).mintRoom;
    expect(used).to.be.gt(0n);

    await f.reserve.connect(f.admin).setStableLane(usdc, { ...lane, volumePerEpoch: used });
    expect((await f.reserve.laneVolumeLeft(usdc)).mintRoom).to.equal(0n);
    const q = f.params.collateral.quote;
    const haircutMint = (((TOKENS("100") * (BPS - BigInt(q.haircutBps))) / BPS) * (BPS - BigInt(q.mintFeeBps))) / BPS;
    expect(await mintWithUsdc(f, f.user, USDC("100"))).to.equal(haircutMint);
    expect((await f.reserve.laneVolumeLeft(usdc)).mintRoom).to.equal(0n);
  });
});
