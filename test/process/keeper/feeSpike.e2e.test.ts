/**
 * The keeper's gas economics end to end against a real `hardhat node` process, the keeper a child
 * process through its CLI, default configuration (fee cap 5 gwei per bps of deviation within
 * [50, 2,000] gwei): a fee spike to a 1,000 gwei base fee (hardhat_setNextBlockBaseFeePerGas)
 * - a 4% premium (cap 2,000 gwei) is still corrected, the transaction paying the spiked fee;
 * - a 0.9% premium (cap ~450 gwei) is not: the keeper stands still, names `fee-above-cap` with its
 *   numbers in the log and in ballast_stand_still_total, sends nothing, and acts once the fee falls;
 * - at the peg, with no observation for more than window / 4, it writes one (PriceOracle.update()).
 */
import { expect } from "chai";
import { freePort } from "../../support/process/hardhatNode";
import { advance, poolView, pushPrice, refreshFeeds } from "../../../scripts/localMarket";
import { PriceOracle__factory } from "../../../typechain-types";
import { keeperOnNodeSuite, type LocalDeployment } from "../../support/process/localDeploy";
import { spawnKeeper, type KeeperProcess } from "../../../scripts/lib/keeperProcess";

const GWEI = 1_000_000_000n;

describe("keeper gas economics end to end: a fee spike (hardhat node process)", function () {
  this.timeout(300_000);
  // Fast polling for the test, and no policy refresh (its own transaction, tested in
  // test/keeper/chain/refresh.test.ts) between the cycles it reads; everything else is the default.
  const suite = keeperOnNodeSuite({
    pollIntervalMs: 100,
    idleCycleSec: 1,
    healthMaxAgeSec: 30,
    policy: { refreshPolicy: false },
  });
  let d: LocalDeployment;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  before(() => ({ d, configPath, env } = suite.get()));

  const setNextBaseFee = (wei: bigint) =>
    d.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x" + wei.toString(16)]);

  it("a 4% premium at a 1,000 gwei base fee: the cap is 2,000 gwei, so it expands and pays the spiked fee", async function () {
    const pushed = await pushPrice(d.book, d.trader, 400);
    expect(pushed.deviationBps).to.be.within(395, 405);
    await advance(d.book, d.provider, d.admin, 1_800, 4);
    await setNextBaseFee(1_000n * GWEI);
    const k = spawnKeeper(["run", "--once", "--network", "localhost", "--config", configPath], { env });
    const { code } = await k.exited;
    expect(code, k.stdout().slice(-3000) + k.stderr()).to.equal(0);
    const act = k.lines.find((l) => l.event === "cycle.act");
    expect(act, k.stdout().slice(-3000)).to.include({ action: "expand" });
    const confirmed = k.lines.find((l) => l.event === "tx.confirmed");
    expect(confirmed, k.stdout().slice(-3000)).to.not.equal(undefined);
    const receipt = await d.provider.getTransactionReceipt(String(confirmed!.txHash));
    expect(receipt!.gasPrice >= 1_000n * GWEI, `paid ${receipt!.gasPrice} wei per gas`).to.equal(true);
    const tx = await d.provider.getTransaction(String(confirmed!.txHash));
    expect(tx!.maxFeePerGas! <= 2_000n * GWEI, `maxFeePerGas ${tx!.maxFeePerGas}`).to.equal(true);
    expect(Math.abs((await poolView(d.book, d.admin)).deviationBps)).to.be.at.most(1);
  });

  describe("the daemon", function () {
    let k: KeeperProcess;
    let port: number;

    before(async function () {
      await advance(d.book, d.provider, d.admin, 120, 1); // past the operation cooldown
      const pushed = await pushPrice(d.book, d.trader, 90);
      expect(pushed.deviationBps).to.be.within(85, 95);
      await advance(d.book, d.provider, d.admin, 1_800, 4); // the TWAP follows spot
      await setNextBaseFee(1_000n * GWEI);
      port = await freePort();
      k = spawnKeeper(["run", "--network", "localhost", "--config", configPath, "--port", String(port)], { env });
      await k.waitFor((l) => l.event === "http.listening", 90_000);
    });

    after(async function () {
      if (k && k.child.exitCode === null) await k.stop("SIGTERM");
    });

    it("a 0.9% premium at the same 1,000 gwei base fee: stands still, fee-above-cap with its numbers, sends nothing", async function () {
      const nonceBefore = await d.provider.getTransactionCount(d.keeperAddress);
      const still = await k.waitFor((l) => l.event === "cycle.stand-still" && l.reason === "fee-above-cap", 60_000);
      expect(String(still.detail)).to.match(
        /^base fee \+ tip 100\d{10} wei > cap 4[2-7]\d{10} wei at (8[5-9]|9[0-5]) bps from the peg$/,
      );
      const facts = still.facts as Record<string, string>;
      expect(BigInt(facts.effectiveWei) >= 1_000n * GWEI).to.equal(true);
      expect(BigInt(facts.capWei)).to.equal(BigInt(facts.deviationBps) * 5n * GWEI);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).to.match(/ballast_stand_still_total\{reason="fee-above-cap"\} [1-9]/);
      expect(metrics).to.match(/ballast_fee_cap_gwei 4[2-7]\d/);
      expect(metrics).to.include("ballast_gas_budget_usd 30000"); // the default gas.dailyBudgetUsd
      expect(await d.provider.getTransactionCount(d.keeperAddress)).to.equal(nonceBefore);
    });

    it("when the base fee falls to 100 gwei (under the cap) it expands at once and counts the gas in its budget", async function () {
      const seen = k.lines.length;
      await setNextBaseFee(100n * GWEI);
      await k.waitFor((l) => l.event === "tx.confirmed" && l.action === "expand", 60_000, seen);
      expect(Math.abs((await poolView(d.book, d.admin)).deviationBps)).to.be.at.most(1);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      // ~340k gas × ≥ 100 gwei × $3,000 ≥ $100 paid, within the $30,000 default budget.
      const spent = Number(/^ballast_gas_spent_usd_24h (\S+)$/m.exec(metrics)?.[1]);
      expect(spent).to.be.within(100, 30_000);
    });

    it("at the peg with no observation for more than 900 s (the keeper's default policy.observationIntervalSec): writes one with PriceOracle.update()", async function () {
      const oracle = PriceOracle__factory.connect(d.book.contracts.PriceOracle, d.admin);
      const before = (await oracle.latestObservation()).timestamp;
      const seen = k.lines.length;
      await d.provider.send("evm_increaseTime", [950]);
      await refreshFeeds(d.book, d.admin); // mines blocks, writes no observation
      await setNextBaseFee(GWEI);
      const written = await k.waitFor((l) => l.event === "observation.confirmed", 60_000, seen);
      const after = await oracle.latestObservation();
      expect(after.timestamp > before + 900n, `${before} → ${after.timestamp}`).to.equal(true);
      const receipt = await d.provider.getTransactionReceipt(String(written.txHash));
      expect(receipt!.to!.toLowerCase()).to.equal(d.book.contracts.PriceOracle.toLowerCase());
      expect(receipt!.from.toLowerCase()).to.equal(d.keeperAddress.toLowerCase());
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).to.include('ballast_observations_total{result="confirmed"} 1');
    });
  });
});
