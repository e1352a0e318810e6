import { expect } from "chai";
import { AbiCoder, Interface, id } from "ethers";
import { EndpointError, RpcAnswerError } from "../../keeper/src/rpc/errors";
import {
  decodeRevert,
  decodeRevertData,
  describeFailure,
  extractRevertData,
  formatRevert,
  isRevert,
  revertName,
  revertReason,
} from "../../keeper/src/chain/revert";

const coder = AbiCoder.defaultAbiCoder();
const ZERO = "0x0000000000000000000000000000000000000000";
const selector = (signature: string) => id(signature).slice(0, 10);

describe("revert decoder (keeper/src/chain/revert.ts, shared by the daemon and the scripts)", function () {
  it("decodes a Ballast custom error to its name and named arguments", function () {
    const asset = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
    const data =
      selector("ReserveCeilingExceeded(address,uint256,uint256)") +
      coder.encode(["address", "uint256", "uint256"], [asset, 100n, 250n]).slice(2);
    const decoded = decodeRevertData(data)!;
    expect(decoded.name).to.equal("ReserveCeilingExceeded");
    expect(formatRevert(decoded)).to.equal(`ReserveCeilingExceeded(asset=${asset}, ceiling=100, wanted=250)`);
  });

  it("decodes the V3 venue's LiquidityManager errors (rule 7 on a liquidity change)", function () {
    const data =
      selector("ReserveValueDecreased(uint256,uint256,uint256)") +
      coder.encode(["uint256", "uint256", "uint256"], [1000n, 990n, 2n]).slice(2);
    expect(formatRevert(decodeRevertData(data)!)).to.equal(
      "ReserveValueDecreased(grossBeforeWad=1000, grossAfterWad=990, allowanceWad=2)",
    );
  });

  it("decodes errors inherited from OpenZeppelin (access control, pausable, ERC-20)", function () {
    const account = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    const role = id("KEEPER_ROLE");
    const data = new Interface([
      "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
    ]).encodeErrorResult("AccessControlUnauthorizedAccount", [account, role]);
    expect(formatRevert(decodeRevertData(data)!)).to.equal(
      `AccessControlUnauthorizedAccount(account=${account}, neededRole=${role})`,
    );
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

  it("a node's revert answer through the RPC pool is a revert with its name and reason; a transport failure is not", function () {
    const cooldown = new Interface(["error CooldownActive(uint256 readyAt, uint256 nowSec)"]).encodeErrorResult(
      "CooldownActive",
      [1_700_000_060n, 1_700_000_001n],
    );
    const answer = new RpcAnswerError("eth_call", 3, "execution reverted", cooldown);
    expect(isRevert(answer)).to.equal(true);
    expect([revertName(answer), revertReason(answer)]).to.deep.equal([
      "CooldownActive",
      "CooldownActive(readyAt=1700000060, nowSec=1700000001)",
    ]);
    // geth nests the data one level deeper; a revert without data still says it reverted.
    expect(revertReason(new RpcAnswerError("eth_call", 3, "execution reverted", { data: cooldown }))).to.equal(
      "CooldownActive(readyAt=1700000060, nowSec=1700000001)",
    );
    const bare = new RpcAnswerError("eth_call", -32000, "execution reverted", undefined);
    expect([isRevert(bare), revertName(bare), revertReason(bare)]).to.deep.equal([
      true,
      "Unknown",
      "execution reverted",
    ]);
    expect(revertReason(new RpcAnswerError("eth_call", 3, "execution reverted", "0xdeadbeef"))).to.equal(
      "unknown error 0xdeadbeef",
    );
    expect(isRevert(new EndpointError("rpc0 (127.0.0.1:8545)", "connect ECONNREFUSED"))).to.equal(false);
    expect(isRevert(new Error("nonce too low"))).to.equal(false);
  });

  it("knows the deployed contracts' errors and their bases' (ERC-20, ERC-4626), no test contract's", function () {
    expect(decodeRevertData(selector("FeedDown()"))).to.equal(undefined); // contracts/test/RevertingAggregator.sol
    expect(
      decodeRevertData(
        selector("ERC4626ExceededMaxWithdraw(address,uint256,uint256)") +
          coder.encode(["address", "uint256", "uint256"], [ZERO, 1n, 0n]).slice(2),
      )!.name,
    ).to.equal("ERC4626ExceededMaxWithdraw");
    expect(
      decodeRevertData(
        selector("ERC20InsufficientBalance(address,uint256,uint256)") +
          coder.encode(["address", "uint256", "uint256"], [ZERO, 0n, 1n]).slice(2),
      )!.name,
    ).to.equal("ERC20InsufficientBalance");
  });
});
