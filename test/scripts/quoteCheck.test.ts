import { expect } from "chai";
import { parseUnits } from "ethers";
import { quoteWarning, quoteGapBps, usdValueWad } from "../../scripts/lib/quoteCheck";

const WAD = (s: string) => parseUnits(s, 18);

describe("quote check (scripts/lib/quoteCheck.ts): warn when a quote is more than 1% off the peg value", function () {
  it("measures the gap either way in bps, rounded down", function () {
    expect(quoteGapBps(WAD("1000"), WAD("989.9"))).to.equal(101n);
    expect(quoteGapBps(WAD("1000"), WAD("990"))).to.equal(100n);
    expect(quoteGapBps(WAD("1000"), WAD("1011"))).to.equal(110n);
    expect(quoteGapBps(0n, 0n)).to.equal(0n);
  });

  it("warns above 1% (a haircut-path USDC mint: 1,000 USDC → 989.5 BLD) and not at the stable lane's 5 bps", function () {
    const paid = usdValueWad(parseUnits("1000", 6), 6, WAD("1"));
    expect(paid).to.equal(WAD("1000"));
    expect(quoteWarning("mint", paid, WAD("989.505"))).to.match(
      /^warning: this mint returns 1\.04% less than the peg value/,
    );
    expect(quoteWarning("mint", paid, WAD("999.5"))).to.equal(null);
    expect(quoteWarning("redeem", WAD("1000"), usdValueWad(parseUnits("0.33", 18), 18, WAD("3000")))).to.equal(null);
    expect(quoteWarning("redeem", WAD("1000"), usdValueWad(parseUnits("0.32", 18), 18, WAD("3000")))).to.match(
      /redeem returns 4\.00% less/,
    );
  });
});
