/**
 * End to end against a real `hardhat node` process: the keeper daemon (a child process, through
 * its CLI) keeps the deployed system on its peg while a trader pushes the price 2% above and 2%
 * below; --dry-run sends nothing; /metrics and /healthz answer; a stale feed makes it stand still
 * and say why; the key never appears in its output; SIGTERM exits cleanly.
 */
import { expect } from "chai";
import { freePort } from "../../support/process/hardhatNode";
import { advance, poolView, pushPrice } from "../../../scripts/localMarket";
import { keeperOnNodeSuite, type LocalDeployment } from "../../support/process/localDeploy";
import { spawnKeeper, type KeeperProcess, type LogLine } from "../../../scripts/lib/keeperProcess";

/** Hardhat's development account #2 (the local keeper): a published test key, never real funds. */
const KEEPER_DEV_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

describe("keeper daemon end to end (hardhat node process)", function () {
  this.timeout(240_000);
  // Fast polling for the test; everything else is the default configuration.
  const suite = keeperOnNodeSuite({ pollIntervalMs: 100, idleCycleSec: 2, healthMaxAgeSec: 30 });
  let d: LocalDeployment;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  before(() => ({ d, configPath, env } = suite.get()));

  it("check: config, connectivity, key, role and address book all pass", async function () {
    const k = spawnKeeper(["check", "--network", "localhost", "--config", configPath], { env });
    const { code } = await k.exited;
    expect(code, k.stderr()).to.equal(0);
    for (const line of [
      "✔ config",
      "✔ rpc0 (127.0.0.1:",
      "✔ address book code",
      "✔ address book wiring",
      "✔ key: 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      "✔ role",
    ]) {
      expect(k.stdout()).to.include(line);
    }
  });

  it("status: the same table as ballast:status, and --json the status model, through the built CLI", async function () {
    const [table, json] = [
      spawnKeeper(["status", "--network", "localhost", "--config", configPath], { env }),
      spawnKeeper(["status", "--network", "localhost", "--config", configPath, "--json"], { env }),
    ];
    for (const k of [table, json]) expect((await k.exited).code, k.stderr()).to.equal(0);
    expect(table.stdout()).to.match(/^Ballast on localhost \(chain 31337\), block \d+ at /);
    expect(table.stdout()).to.match(/deviation from peg\s+0 bps/);
    expect(table.stdout()).to.match(/USDC\s+[\d,.]+\s+\$1\s+1%/);
    expect(table.stdout()).to.match(/paused\s+minting no, redemptions no, operations no/);
    const s = JSON.parse(json.stdout()) as {
      network: string;
      assets: { symbol: string; priceStatus: string }[];
      pool: { venue: string };
      warnings: string[];
    };
    expect(s.network).to.equal("localhost");
    expect(s.assets.map((a) => [a.symbol, a.priceStatus])).to.deep.equal([
      ["USDC", "ok"],
      ["WETH", "ok"],
    ]);
    expect(s.pool.venue).to.equal("v2");
    expect(s.warnings).to.deep.equal([]);
  });

  it("--dry-run decides and simulates an expansion but sends nothing", async function () {
    await pushPrice(d.book, d.trader, 200);
    await advance(d.book, d.provider, d.admin, 1_800, 1);
    const nonceBefore = await d.provider.getTransactionCount(d.keeperAddress);
    const priceBefore = (await poolView(d.book, d.admin)).priceWad;
    const k = spawnKeeper(["run", "--once", "--dry-run", "--network", "localhost", "--config", configPath], { env });
    const { code } = await k.exited;
    expect(code, k.stderr()).to.equal(0);
    const dry = k.lines.find((l) => l.event === "dry-run");
    expect(dry, k.stdout()).to.include({ action: "expand" });
    expect(k.lines.some((l) => l.event === "tx.sent")).to.equal(false);
    expect(await d.provider.getTransactionCount(d.keeperAddress)).to.equal(nonceBefore);
    expect((await poolView(d.book, d.admin)).priceWad).to.equal(priceBefore);
  });

  describe("the daemon", function () {
    let k: KeeperProcess;
    let port: number;

    before(async function () {
      port = await freePort();
      // The daemon signs with a key from the environment: it must never appear in its output.
      k = spawnKeeper(["run", "--network", "localhost", "--config", configPath, "--port", String(port)], {
        env: { ...env, BALLAST_KEEPER_KEY: KEEPER_DEV_KEY },
      });
      await k.waitFor((l) => l.event === "http.listening", 90_000);
    });

    after(async function () {
      if (k && k.child.exitCode === null) await k.stop("SIGKILL");
    });

    async function restores(direction: "above" | "below"): Promise<void> {
      const action = direction === "above" ? "expand" : "contract";
      const seen = k.lines.length;
      // The price may already be off (dry-run test left it 2% above): settle the expansion first.
      if (direction === "below") await pushPrice(d.book, d.trader, -200);
      const pushed = await poolView(d.book, d.admin);
      expect(Math.abs(pushed.deviationBps)).to.be.greaterThan(150);
      // One block 30 minutes later: the TWAP has followed spot, so the guard lets the operation through.
      await d.provider.send("evm_increaseTime", [1_800]);
      await d.provider.send("evm_mine", []);
      const noticed = await k.waitFor((l) => l.event === "cycle.act" && l.action === action, 60_000, seen);
      const confirmed = await k.waitFor((l) => l.event === "tx.confirmed" && l.action === action, 60_000, seen);
      const story = k.lines
        .slice(seen)
        .map(
          (l) =>
            `${String(l.event)} ${String(l.block ?? l.snapshotBlock ?? "")} ${String(
              l.action ?? l.reason ?? "",
            )} ${String(l.detail ?? l.error ?? "")} ${String(l.msg ?? "")}`,
        )
        .join("\n");
      // Noticed at block N, restored by the transaction mined in block N + 1. Hardhat's eth_call on
      // the latest block already sees the test's evm_increaseTime, so the daemon may notice before
      // the test's own evm_mine lands: that single empty block is the test's, not a delay.
      const gap: string[] = [];
      for (let b = (noticed.block as number) + 1; b < (confirmed.minedIn as number); b++) {
        const block = await d.provider.getBlock(b);
        gap.push(`block ${b}: ${block?.transactions.length ?? "?"} transaction(s)`);
        expect(block?.transactions.length, `${story}\n${gap.join("\n")}`).to.equal(0);
      }
      expect(confirmed.snapshotBlock, story).to.equal(noticed.block);
      expect(confirmed.minedIn as number, `${story}\n${gap.join("\n")}`).to.be.at.most((noticed.block as number) + 2);
      expect(gap.length, "at most the test's own evm_mine between noticing and the fix").to.be.at.most(1);
      const after = await poolView(d.book, d.admin);
      expect(Math.abs(after.deviationBps)).to.be.lessThanOrEqual(1);
      // A nonce and hash were logged when it was sent.
      const sent = k.lines.slice(seen).find((l: LogLine) => l.event === "tx.sent" && l.action === action)!;
      expect(sent.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(sent.nonce).to.be.a("number");
    }

    it("restores the peg within one block of noticing a price 2% above (expansion)", async function () {
      await restores("above");
    });

    it("restores the peg within one block of noticing a price 2% below (contraction)", async function () {
      await advance(d.book, d.provider, d.admin, 120, 1); // past the operation cooldown
      await restores("below");
    });

    it("serves /metrics with the ballast_ metrics and /healthz with 200", async function () {
      await k.waitFor((l) => l.event === "cycle.stand-still", 30_000, k.lines.length);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const name of [
        'ballast_peg_deviation_bps{price="spot"}',
        'ballast_collateral_ratio{kind="actual"}',
        'ballast_collateral_ratio{kind="target"}',
        "ballast_reserve_value_usd ",
        "ballast_supply_tokens ",
        'ballast_oracle_age_seconds{asset="USDC"}',
        'ballast_actions_total{action="expand",result="confirmed"} 1',
        'ballast_actions_total{action="contract",result="confirmed"} 1',
        "ballast_last_success_timestamp_seconds ",
        "ballast_keeper_balance_eth ",
        "ballast_rpc_errors_total{endpoint=",
      ]) {
        expect(metrics).to.include(name);
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.include({ status: "ok" });
    });

    it("a stale feed: stands still, names the feed, sends no operation (a due TWAP observation may still be written)", async function () {
      const seen = k.lines.length;
      const nonceBefore = await d.provider.getTransactionCount(d.keeperAddress);
      await advance(d.book, d.provider, d.admin, 120, 1); // past the cooldown, feeds fresh
      await pushPrice(d.book, d.trader, 200);
      // 2 hours without feed updates: the WETH feed (max age 70 min) goes stale.
      await advance(d.book, d.provider, d.admin, 7_200, 2, false);
      const still = await k.waitFor(
        (l) => l.event === "cycle.stand-still" && l.reason === "oracle-stale",
        60_000,
        seen,
      );
      expect(String(still.detail)).to.match(/^WETH feed updatedAt \d+ is \d+ s old > 4170 s/);
      // The pool's TWAP keeps time whatever the feeds do: the only transactions are observation
      // writes. The stand-still cycle logs its observation step right after; let it finish first.
      if (k.lines.slice(seen).some((l) => l.event === "observation.write" && l.cycle === still.cycle)) {
        await k.waitFor(
          (l) =>
            l.cycle === still.cycle &&
            ["observation.confirmed", "observation.failed", "observation.skipped", "observation.reverted"].includes(
              String(l.event),
            ),
          60_000,
          seen,
        );
      }
      const sent = k.lines.slice(seen).filter((l) => l.event === "tx.sent");
      expect(sent.map((l) => l.action)).to.satisfy((actions: unknown[]) => actions.every((a) => a === "observe"));
      expect(await d.provider.getTransactionCount(d.keeperAddress)).to.equal(nonceBefore + sent.length);
    });

    it("SIGTERM: stops taking work, finishes the cycle, exits 0; the key never appeared in its output", async function () {
      const { code, signal } = await k.stop("SIGTERM");
      expect(signal).to.equal(null);
      expect(code).to.equal(0);
      expect(k.lines.some((l) => l.event === "keeper.stopped")).to.equal(true);
      expect(k.lines.find((l) => l.event === "keeper.account")).to.include({ origin: "BALLAST_KEEPER_KEY" });
      expect((k.stdout() + k.stderr()).toLowerCase()).to.not.include(KEEPER_DEV_KEY.slice(2));
    });
  });
});
