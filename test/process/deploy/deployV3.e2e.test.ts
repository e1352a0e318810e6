/**
 * The V3 venue deployed as a user deploys it: `hardhat ballast:deploy --network localhost --venue v3`
 * against a real `hardhat node` process (the Ignition module, the pool launched at the peg, the
 * wiring check), re-run idempotently; and `npm start -- --venue v3 --exit`, which deploys the same
 * way, prints the venue's status and runs the price scenario on the V3 pool: the trader's swaps push
 * the price 2% above and below the peg, and the keeper daemon's expansions and contractions (each
 * capped, back to back a cooldown apart) bring it back to the peg, under the V3 venue's 3 bps band.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { expect } from "chai";
import { Contract, JsonRpcProvider, id } from "ethers";
import { readAddressBook, readDeploymentRecord } from "../../../deploy/addressBook";
import { LOCAL_ACCOUNTS, PEG_CONTROL_V3_POOL } from "../../../deploy/parameters";
import { V3_POOL_ABI } from "../../../deploy/uniswapV3";
import { startHardhatNode, type RunningNode } from "../../support/process/hardhatNode";
import { expectOk, runHardhat, type CliEnv } from "../../support/process/cli";
import { tempDir } from "../../support/process/deployedNode";

const WAD = 10n ** 18n;
const ROOT = path.resolve(__dirname, "../../..");

describe("deploy the V3 venue to a hardhat node process (npm run deploy -- --venue v3)", function () {
  this.timeout(900_000);
  let node: RunningNode;
  let provider: JsonRpcProvider;
  let env: CliEnv;

  before(async function () {
    node = await startHardhatNode();
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    env = { url: node.url, dir: tempDir("ballast-deploy-v3-") };
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
  });

  it("writes an address book naming the venue and the LiquidityManager, with the pool at the peg and the protocol's position in it", async function () {
    const deploy = expectOk(
      await runHardhat(["ballast:deploy", "--network", "localhost", "--venue", "v3"], env),
      "ballast:deploy --venue v3",
    );
    expect(deploy.stdout).to.contain("launched the V3 pool at the peg");
    expect(deploy.stdout).to.contain("wiring verified");
    expect(deploy.stdout).to.match(/venue +Uniswap V3 pool with protocol-owned liquidity/);
    const raw = JSON.parse(fs.readFileSync(path.join(env.dir, "localhost.json"), "utf8"));
    expect(Object.keys(raw)).to.deep.equal(["chainId", "venue", "contracts"]);
    expect(raw.venue).to.equal("v3");
    expect(Object.keys(raw.contracts)).to.deep.equal([
      "BallastDollar",
      "PriceOracle",
      "Reserve",
      "CollateralPolicy",
      "MarketOperator",
      "Pool",
      "USDC",
      "WETH",
      "feeds",
      "LiquidityManager",
    ]);
    const book = readAddressBook("localhost", { dir: env.dir });
    const record = readDeploymentRecord("localhost", { dir: env.dir });
    expect(Object.keys(record.extra)).to.include.members(["UniswapV3Factory", "UniswapV3Trader"]);

    const pool = new Contract(book.contracts.Pool, V3_POOL_ABI, provider);
    expect(await pool.fee()).to.equal(100n);
    const lm = new Contract(
      book.contracts.LiquidityManager!,
      ["function positionLiquidity() view returns (uint128)", "function hasRole(bytes32, address) view returns (bool)"],
      provider,
    );
    expect(await lm.positionLiquidity()).to.be.greaterThan(0n);
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    expect(await lm.hasRole(id("OPERATOR_ROLE"), accounts[LOCAL_ACCOUNTS.keeper])).to.equal(true);
    const oracle = new Contract(
      book.contracts.PriceOracle,
      ["function marketPrice() view returns (uint256, uint256)"],
      provider,
    );
    const [spot, twap] = await oracle.marketPrice();
    // At the peg within one tick (1 bps at the 0.01% tier): the TWAP is a mean tick.
    expect(spot).to.be.closeTo(WAD, WAD / 10_000n);
    expect(twap).to.be.closeTo(WAD, WAD / 10_000n);
  });

  it("re-running against the same node sends no transaction", async function () {
    const blockBefore = await provider.getBlockNumber();
    const rerun = expectOk(
      await runHardhat(["ballast:deploy", "--network", "localhost", "--venue", "v3"], env),
      "re-deploy --venue v3",
    );
    expect(rerun.stdout).to.contain("nothing new to deploy");
    expect(await provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("rejects an unknown venue by name before connecting", async function () {
    const result = await runHardhat(["ballast:deploy", "--network", "localhost", "--venue", "v4"], env);
    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.contain('--venue: "v4" is not a venue (v2 or v3)');
  });
});

/** The scenario's table rows: `label … dev N bps`, in order. */
function deviationRows(stdout: string): { label: string; deviationBps: number }[] {
  return [...stdout.matchAll(/^ {2}(\S.*?) +spot \d+\.\d+ +twap \d+\.\d+ +dev +(-?\d+) bps/gm)].map((m) => ({
    label: m[1].trim(),
    deviationBps: Number(m[2]),
  }));
}

function runStart(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const ts = path.join(ROOT, "node_modules", ".bin", "ts-node");
  const child = spawn(ts, ["--transpile-only", "scripts/start.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("npm start -- --venue v3", function () {
  this.timeout(900_000);

  it("runs the price scenario on the V3 pool: the keeper expands after the +2% push and contracts after the -2% one, operation after capped operation, back to within 1 bps of the peg, then stops everything with --exit", async function () {
    const { code, stdout, stderr } = await runStart(["--venue", "v3", "--exit"]);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).to.equal(0);
    expect(stdout).to.contain("deploying Ballast (Uniswap V3 pool with protocol-owned liquidity");
    expect(stdout).to.match(/LiquidityManager +0x[0-9a-fA-F]{40} +range \[-?\d+, -?\d+\) +liquidity [1-9]\d*/);
    expect(stdout).to.match(/oracle +spot (1\.0000|0\.999\d) +twap (1\.0000|0\.999\d)/);
    expect(stdout).to.not.contain("V2 pair only");

    // The local V3 deploy runs the V3 venue's peg control, not the V2 pair's 50 bps band.
    const band = Number(/\(band ±(\d+) bps\)/.exec(stdout)?.[1]);
    expect(band, stdout).to.equal(PEG_CONTROL_V3_POOL.bandBps);
    expect(stdout).to.match(/keeper +expand confirmed in block \d+/);
    expect(stdout).to.match(/keeper +contract confirmed in block \d+/);
    expect(stdout).to.match(/operations confirmed +.*expand.*contract/);

    // Each push goes well beyond the band. One operation is capped at 250k tokens and stops short
    // (measured: +36 and -38 bps); the keeper goes on, one operation a cooldown, until the last
    // lands on the peg (measured: 4 each way, 0 bps; the row's deviation is truncated to whole bps).
    const rows = deviationRows(stdout);
    const pushes = rows.flatMap((r, i) => (r.label === "after the trade" ? [i] : []));
    expect(pushes, stdout).to.have.length(2);
    expect(rows[pushes[0]].deviationBps).to.be.at.least(150);
    expect(rows[pushes[1]].deviationBps).to.be.at.most(-150);
    for (const [k, start] of pushes.entries()) {
      const after = rows.slice(start, pushes[k + 1]).filter((r) => /^after (the keeper's )?operation/.test(r.label));
      expect(after.length, stdout).to.be.at.least(2);
      expect(Math.abs(after[0].deviationBps), "the first, capped operation stops short").to.be.greaterThan(band);
      expect(Math.abs(after[after.length - 1].deviationBps), stdout).to.be.at.most(1);
    }
    const final = Number(/final (-?\d+) bps/.exec(stdout)?.[1]);
    expect(Math.abs(final), stdout).to.be.at.most(1);
    expect(stdout).to.contain("done.");
  });

  it("rejects an unknown venue by naming the flag, before starting a node", async function () {
    const { code, stdout } = await runStart(["--venue", "v4", "--exit"]);
    expect(code).to.equal(1);
    expect(stdout).to.contain("npm start failed: --venue v4 must be one of: v2, v3");
    expect(stdout).to.not.contain("starting a local Hardhat node");
  });
});
