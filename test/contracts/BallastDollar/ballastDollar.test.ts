/**
 * INV-1: supply changes only by protocol mints (MINTER_ROLE: the Reserve and the MarketOperator)
 * and burns; balances never change by themselves.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseUnits } from "ethers";
import { deploySystemFixture, mintWithUsdc, settleAt } from "../../support/system";

describe("BallastDollar supply accounting", function () {
  it("only the Reserve and the MarketOperator hold MINTER_ROLE; anyone else's mint reverts [INV-1] [INV-9]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const role = await f.stable.MINTER_ROLE();
    expect(await f.stable.hasRole(role, await f.reserve.getAddress())).to.equal(true);
    expect(await f.stable.hasRole(role, await f.operator.getAddress())).to.equal(true);
    for (const who of [f.admin, f.guardian, f.keeper, f.user, f.stranger]) {
      expect(await f.stable.hasRole(role, who.address)).to.equal(false);
      await expect(f.stable.connect(who).mint(who.address, 1n)).to.be.revertedWithCustomError(
        f.stable,
        "AccessControlUnauthorizedAccount",
      );
    }
  });

  it("across mint, expansion, contraction and redeem, supply moves by exactly the protocol's mints minus burns, and idle balances never change [INV-1]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const zero = "0x0000000000000000000000000000000000000000";
    await f.usdc.token.mint(f.stranger.address, parseUnits("100", 6));
    await mintWithUsdc(f, f.stranger, parseUnits("100", 6)); // a holder who takes no part below
    const bystander = f.stranger.address;
    const bystanderBalance = await f.stable.balanceOf(bystander);
    expect(bystanderBalance).to.be.gt(0n);
    const start = await f.stable.totalSupply();
    const fromBlock = await f.stable.runner!.provider!.getBlockNumber();

    const minted = await mintWithUsdc(f, f.user, parseUnits("20000", 6));
    await settleAt(f, parseUnits("1.04", 18));
    await f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
    await settleAt(f, parseUnits("0.96", 18));
    await f.operator.connect(f.keeper).contractSupply(MaxUint256, 0);
    await f.stable.connect(f.user).approve(await f.reserve.getAddress(), minted / 2n);
    await f.reserve.connect(f.user).redeem(await f.usdc.token.getAddress(), minted / 2n, 0, f.user.address);

    const transfers = await f.stable.queryFilter(f.stable.filters.Transfer(), fromBlock + 1);
    let net = 0n;
    for (const t of transfers) {
      if (t.args.from === zero) net += t.args.value;
      if (t.args.to === zero) net -= t.args.value;
    }
    expect(await f.stable.totalSupply()).to.equal(start + net);
    expect(net).to.not.equal(0n);
    expect(await f.stable.balanceOf(bystander), "no rebase: an uninvolved holder's balance is unchanged").to.equal(
      bystanderBalance,
    );
  });
});
