/**
 * Every `ballast:*` task against a real `hardhat node` process, run as child processes the way a
 * user runs them; then every bad input: one `error:` line naming the argument, a non-zero exit,
 * and no transaction sent (the node's block number does not move).
 */
import { expect } from "chai";
import { Contract, MaxUint256, getAddress, parseUnits } from "ethers";
import { readAddressBook } from "../../../deploy/addressBook";
import { LOCAL_ACCOUNTS, LOCAL_PARAMS } from "../../../deploy/parameters";
import { expectOk, runHardhat, type CliResult } from "../../support/process/cli";
import { deployedNode, tempDir, type DeployedNode } from "../../support/process/deployedNode";

const WAD = 10n ** 18n;
const ERC20 = [
  "function balanceOf(address) view returns (uint256)",
  "function approve(address, uint256) returns (bool)",
];
const PAUSABLE = ["function pause()", "function unpause()"];

describe("ballast:* tasks against a hardhat node process", function () {
  // Each step is a real CLI run against a real node: slow on a loaded machine, never flaky by design.
  this.timeout(900_000);
  let d: DeployedNode;
  const task = (args: string[], extra?: Record<string, string>) =>
    runHardhat([...args, "--network", "localhost"], { ...d.env, extra });
  const statusJson = async () => JSON.parse(expectOk(await task(["ballast:status", "--json"]), "status --json").stdout);

  before(async function () {
    d = await deployedNode();
  });

  describe("on a freshly deployed system", function () {
    it("ballast:status shows a healthy system at the peg, as a table and as JSON", async function () {
      const [table, json] = await Promise.all([task(["ballast:status"]), task(["ballast:status", "--json"])]);
      expectOk(table, "status");
      expect(table.stdout).to.match(/pool spot\s+\$1\n/);
      expect(table.stdout).to.match(/deviation from peg\s+0 bps/);
      expect(table.stdout).to.match(/USDC\s+[\d,.]+\s+\$1\s+1%/);
      expect(table.stdout).to.match(/paused\s+minting no, redemptions no, operations no/);
      const s = JSON.parse(expectOk(json, "status --json").stdout);
      for (const field of ["spotPrice", "twapPrice", "supply", "reserveValue", "collateralRatio", "targetRatio"]) {
        expect(s[field], field).to.be.a("string").and.match(/^\d+$/);
      }
      expect(s.deviationBps).to.equal(0);
      expect(BigInt(s.twapPrice)).to.be.closeTo(WAD, 10n ** 6n);
      expect(s.twap.stale).to.equal(false);
      expect(s.twap.spanSec)
        .to.be.gte(s.twap.windowSec)
        .and.lte(2 * s.twap.windowSec);
      expect(table.stdout).to.match(/TWAP span\s+\d+ min \(window 30 min\)/);
      expect(BigInt(s.collateralRatio) >= BigInt(s.targetRatio)).to.equal(true);
      expect(s.assets.map((a: { symbol: string }) => a.symbol)).to.deep.equal(["USDC", "WETH"]);
      for (const a of s.assets)
        expect(Object.keys(a)).to.include.members([
          "symbol",
          "address",
          "amount",
          "price",
          "haircutBps",
          "value",
          "priceStatus",
          "degradedSince",
          "degradedHaircutBps",
        ]);
      expect(s.paused).to.deep.equal({ minting: false, redemptions: false, operations: false });
      expect(s.caps.expansionLeftInEpoch).to.equal(
        parseUnits(LOCAL_PARAMS.operator.maxExpansionPerEpoch, 18).toString(),
      );
      expect(s.cooldowns.operationReadyInSec).to.equal(0);
      expect(s.warnings).to.deep.equal([]);
    });
  });

  describe("each task changes the chain and says how", function () {
    it("ballast:swap --side buy moves the pool price up and status shows the deviation", async function () {
      const swap = expectOk(
        await task(["ballast:swap", "--side", "buy", "--amount", "20000", "--from", String(LOCAL_ACCOUNTS.trader)]),
        "swap",
      );
      expect(swap.stdout).to.match(/bought BLD: paid 20000\.0 USDC/);
      expect(swap.stdout).to.match(/tx 0x[0-9a-f]{64} \(payment\), 0x[0-9a-f]{64} \(swap\)/);
      const s = await statusJson();
      // 20,000 USDC into a 1,000,000 / 1,000,000 pool: price (1.02)^2 ≈ 1.0403 → ~403 bps.
      expect(s.deviationBps).to.be.within(395, 410);
      expect(BigInt(s.spotPrice) > BigInt(s.twapPrice)).to.equal(true);
    });

    it("ballast:swap --side sell brings it back down", async function () {
      const before = (await statusJson()).deviationBps;
      const swap = expectOk(
        await task(["ballast:swap", "--side", "sell", "--amount", "19000", "--from", String(LOCAL_ACCOUNTS.trader)]),
        "swap sell",
      );
      expect(swap.stdout).to.match(/sold BLD: paid 19000\.0 BLD/);
      expect((await statusJson()).deviationBps).to.be.lessThan(before);
    });

    it("ballast:mint deposits USDC and mints BLD at the peg less the fee", async function () {
      const book = readAddressBook("localhost", { dir: d.env.dir });
      const user = (await d.provider.send("eth_accounts", []))[LOCAL_ACCOUNTS.user] as string;
      const stable = new Contract(book.contracts.BallastDollar, ERC20, d.provider);
      const before = await stable.balanceOf(user);
      const mint = expectOk(
        await task(["ballast:mint", "--asset", "USDC", "--amount", "1000", "--from", String(LOCAL_ACCOUNTS.user)]),
        "mint",
      );
      expect(mint.stdout).to.match(/^tx 0x[0-9a-f]{64}$/m);
      // Rule changed (issue 16): USDC mints in its stable lane, 1000 USDC × (1 − 0.05% lane fee) = 999.5 BLD.
      expect(mint.stdout).to.contain("minted 999.5 BLD for 1000.0 USDC");
      expect(mint.stdout).to.not.contain("warning");
      expect((await stable.balanceOf(user)) - before).to.equal(parseUnits("999.5", 18));
    });

    it("ballast:redeem burns BLD for USDC, the asset given by address", async function () {
      const book = readAddressBook("localhost", { dir: d.env.dir });
      const redeem = expectOk(
        await task([
          "ballast:redeem",
          "--asset",
          book.contracts.USDC.toLowerCase(),
          "--amount",
          "500",
          "--from",
          String(LOCAL_ACCOUNTS.user),
        ]),
        "redeem",
      );
      // 500 BLD at $1 less the 0.05% fee = 499.75 USDC.
      expect(redeem.stdout).to.contain("redeemed 500.0 BLD for 499.75 USDC");
      expect(redeem.stdout).to.match(/^tx 0x[0-9a-f]{64}$/m);
    });

    it("ballast:set-price posts to the local feed and status reports the new price", async function () {
      const set = expectOk(await task(["ballast:set-price", "--asset", "weth", "--price", "2500"]), "set-price");
      expect(set.stdout).to.match(/WETH feed 0x[0-9a-fA-F]{40}: \$3000\.0 -> \$2500\.0/);
      const weth = (await statusJson()).assets.find((a: { symbol: string }) => a.symbol === "WETH");
      expect(weth.price).to.equal((2500n * WAD).toString());
    });
  });

  describe("bad input: one clear line, non-zero exit, no transaction", function () {
    function expectRefused(result: CliResult, message: RegExp): void {
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).to.have.length(1);
      expect(lines[0]).to.match(message);
    }

    it("refuses each bad argument by name and sends nothing", async function () {
      const blockBefore = await d.provider.getBlockNumber();
      const noBookDir = tempDir("ballast-empty-");
      const [unknownAsset, notNumber, negative, tooMuch, tooMuchRedeem, badSide, badSlippage, noBook, remote] =
        await Promise.all([
          task(["ballast:mint", "--asset", "DAI", "--amount", "10"]),
          task(["ballast:mint", "--asset", "USDC", "--amount", "ten"]),
          task(["ballast:redeem", "--asset", "USDC", "--amount", "-5"]),
          task(["ballast:mint", "--asset", "WETH", "--amount", "999999", "--from", String(LOCAL_ACCOUNTS.user)]),
          task(["ballast:redeem", "--asset", "USDC", "--amount", "10", "--from", "9"]),
          task(["ballast:swap", "--side", "sideways", "--amount", "10"]),
          task(["ballast:mint", "--asset", "USDC", "--amount", "10", "--slippage-bps", "0.5"]),
          runHardhat(["ballast:status", "--network", "localhost"], { ...d.env, dir: noBookDir }),
          runHardhat(["ballast:set-price", "--asset", "WETH", "--price", "1", "--network", "sepolia"], {
            ...d.env,
            extra: { BALLAST_SEPOLIA_URL: d.node.url },
          }),
        ]);
      expectRefused(unknownAsset, /^error: --asset DAI is unknown: use USDC or WETH/);
      expectRefused(notNumber, /^error: --amount ten is not a number/);
      expectRefused(negative, /^error: --amount -5 must not be negative$/);
      expectRefused(
        tooMuch,
        /^error: --amount 999999 WETH is more than the balance of 0x[0-9a-fA-F]{40} \(1000\.0 WETH\)$/,
      );
      expectRefused(
        tooMuchRedeem,
        /^error: --amount 10 BLD is more than the balance of 0x[0-9a-fA-F]{40} \(0\.0 BLD\)$/,
      );
      expectRefused(badSide, /^error: --side sideways must be one of: buy, sell$/);
      expectRefused(badSlippage, /^error: --slippage-bps 0\.5 must be a whole number of basis points/);
      expectRefused(
        noBook,
        /^error: no address book for network "localhost" \(.*localhost\.json\): run `npm run deploy -- --network localhost` first$/,
      );
      expectRefused(
        remote,
        /^error: ballast:set-price works only on local networks \(hardhat, localhost\); --network sepolia is not local$/,
      );
      expect(await d.provider.getBlockNumber()).to.equal(blockBefore);
    });

    it("a revert is decoded to the custom error's name and arguments, and nothing is sent", async function () {
      const book = readAddressBook("localhost", { dir: d.env.dir });
      const accounts = (await d.provider.send("eth_accounts", [])) as string[];
      const user = await d.provider.getSigner(accounts[LOCAL_ACCOUNTS.user]);
      const guardian = await d.provider.getSigner(accounts[LOCAL_ACCOUNTS.guardian]);
      const admin = await d.provider.getSigner(accounts[LOCAL_ACCOUNTS.deployer]);
      // An allowance already in place, so the task's first transaction would be the mint itself.
      await (await new Contract(book.contracts.USDC, ERC20, user).approve(book.contracts.Reserve, MaxUint256)).wait();
      await (await new Contract(book.contracts.Reserve, PAUSABLE, guardian).pause()).wait();
      try {
        const blockBefore = await d.provider.getBlockNumber();
        const result = await task([
          "ballast:mint",
          "--asset",
          "USDC",
          "--amount",
          "100",
          "--from",
          getAddress(accounts[LOCAL_ACCOUNTS.user]),
        ]);
        expectRefused(result, /^error: mint reverted with EnforcedPause\(\); no transaction sent$/);
        expect(await d.provider.getBlockNumber()).to.equal(blockBefore);
      } finally {
        await (await new Contract(book.contracts.Reserve, PAUSABLE, admin).unpause()).wait();
        await (await new Contract(book.contracts.USDC, ERC20, user).approve(book.contracts.Reserve, 0)).wait();
      }
    });

    it("a revert with arguments names each one", async function () {
      // Redeeming WETH the reserve does not hold: the Reserve answers InsufficientLiquidity.
      const accounts = (await d.provider.send("eth_accounts", [])) as string[];
      const book = readAddressBook("localhost", { dir: d.env.dir });
      const result = await task([
        "ballast:redeem",
        "--asset",
        "WETH",
        "--amount",
        "1",
        "--from",
        getAddress(accounts[LOCAL_ACCOUNTS.user]),
      ]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(
        new RegExp(
          `^error: redeem reverted with InsufficientLiquidity\\(asset=${book.contracts.WETH}, available=0, wanted=\\d+\\); not sent \\(only approval 0x[0-9a-f]{64} was\\)$`,
          "m",
        ),
      );
    });
  });
});
