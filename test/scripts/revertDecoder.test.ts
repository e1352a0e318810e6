import { expect } from "chai";
import { AbiCoder, Interface, id } from "ethers";
import { decodeRevert, decodeRevertData, describeFailure, extractRevertData, formatRevert } from "../../scripts/lib/revertDecoder";

const coder = AbiCoder.defaultAbiCoder();
const selector = (signature: string) => id(signature).slice(0, 10);

describe("revert decoder (scripts/lib/revertDecoder.ts)", function () {
  it("decodes a Ballast custom error to its name and named arguments", function () {
    const asset = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
    const data = selector("ReserveCeilingExceeded(address,uint256,uint256)") + coder.encode(["address", "uint256", "uint256"], [asset, 100n, 250n]).slice(2);
    const decoded = decodeRevertData(data)!;
    expect(decoded.name).to.equal("ReserveCeilingExceeded");
    expect(formatRevert(decoded)).to.equal(`ReserveCeilingExceeded(asset=${asset}, ceiling=100, wanted=250)`);
  });

  it("decodes errors inherited from OpenZeppelin (access control, pausable, ERC-20)", function () {
    const account = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    const role = id("KEEPER_ROLE");
    const data = new Interface(["error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)"]).encodeErrorResult("AccessControlUnauthorizedAccount", [account, role]);
    expect(formatRevert(decodeRevertData(data)!)).to.equal(`AccessControlUnauthorizedAccount(account=${account}, neededRole=${role})`);
    expect(formatRevert(decodeRevertData(selector("EnforcedPause()"))!)).to.equal("EnforcedPause()");
  });

  it("decodes require reasons and panics", function () {
    const reason = new Interface(["error Error(string)"]).encodeErrorResult("Error", ["UniswapV2: K"]);
    expect(formatRevert(decodeRevertData(reason)!)).to.equal('Error("UniswapV2: K")');
    const panic = new Interface(["error Panic(uint256)"]).encodeErrorResult("Panic", [0x11]);
    expect(formatRevert(decodeRevertData(panic)!)).to.equal("Panic(0x11: arithmetic overflow or underflow)");
  });

  it("finds revert data wherever the provider layer put it", function () {
    const data = selector("EnforcedPause()");
    expect(extractRevertData({ data })).to.equal(data);
    expect(extractRevertData({ info: { error: { data: { data } } } })).to.equal(data);
    expect(extractRevertData({ cause: { error: { data } } })).to.equal(data);
    expect(extractRevertData(new Error("no data"))).to.equal(undefined);
    expect(decodeRevert({ error: { data } })!.name).to.equal("EnforcedPause");
  });

  it("says so when the selector is unknown, and falls back to the message without data", function () {
    expect(describeFailure({ data: "0xdeadbeef" })).to.equal("reverted with unknown error data 0xdeadbeef");
    expect(describeFailure(new Error("connection refused"))).to.equal("connection refused");
  });
});
