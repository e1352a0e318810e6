/**
 * Issue 8, "the backup takes over": a primary keeper daemon (no delay) and a backup daemon
 * (`BALLAST_KEEPER_ACT_DELAY_MS`) watch one system, each with its own key and journal. The primary's
 * process is killed; when a condition appears, the backup acts on it once, only after its delay,
 * and the condition is fixed. Real daemons (keeper/src/main.ts run) against a real `hardhat node`.
 */
import { expect } from "chai";
import path from "node:path";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import { MarketOperator__factory } from "../../../typechain-types";
import {
  KEEPER_INDEX,
  SECOND_KEEPER_INDEX,
  keeperWallet,
  operatorAt,
  writeDaemonConfig,
} from "../../support/process/chainSystem";
import type { KeeperChild } from "../../support/process/spawnKeeper";
import { daemonSuite, sleep, waitFor } from "../../support/process/world";

const BACKUP_DELAY_MS = 3_000;
const WAD = 10n ** 18n;

/** The daemon's JSON log lines with an `event`. */
function events(child: KeeperChild): Array<{ event: string; time: number; [k: string]: unknown }> {
  return child
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as { event: string; time: number };
      } catch {
        return { event: "", time: 0 };
      }
    })
    .filter((e) => typeof e.event === "string" && e.event.length > 0);
}

/** Same gate as process.faults.test.ts: daemon processes take tens of seconds to start here. */

describe("keeper takeover: the primary daemon is down, the backup acts after its delay (hardhat node)", function () {
  this.timeout(180_000);
  const { world, spawn } = daemonSuite();

  it(`the backup (actDelayMs ${BACKUP_DELAY_MS}) acts once, ≥ ${BACKUP_DELAY_MS} ms after it saw the condition, and the peg is restored`, async function () {
    const journalPath = await world.reset();
    const configPath = await writeDaemonConfig(world.chain, path.dirname(journalPath));
    const primaryKey = keeperWallet(KEEPER_INDEX);
    const backupKey = keeperWallet(SECOND_KEEPER_INDEX);
    const daemon = (privateKey: string, journal: string, env: Record<string, string> = {}): KeeperChild => {
      const c = spawn({ urls: [world.node.url], privateKey, journalPath: journal, configPath, env });
      return c;
    };
    const operator = operatorAt(world.chain);
    // Both daemons come up while the operator is paused, so neither can act before the primary is down.
    await (await operator.connect(world.chain.guardian).pause()).wait();
    const primary = daemon(primaryKey.privateKey, journalPath);
    const backup = daemon(backupKey.privateKey, journalPath.replace(/\.sqlite$/, "-backup.sqlite"), {
      BALLAST_KEEPER_ACT_DELAY_MS: String(BACKUP_DELAY_MS),
    });
    for (const c of [primary, backup])
      await waitFor(
        "both daemons to stand still on the pause",
        () => c.output().includes('"reason":"paused"'),
        150_000,
      );

    primary.kill("SIGKILL");
    expect((await primary.exited).signal).to.equal("SIGKILL");
    const startBlock = await world.blockNumber();
    const nonces = {
      primary: await world.keeperNonce(),
      backup: await world.chain.provider.getTransactionCount(backupKey.address),
    };
    await (await operator.connect(world.chain.admin).unpause()).wait();

    await waitFor(
      "the backup's action to be confirmed",
      () => events(backup).some((e) => e.event === "tx.confirmed"),
      60_000,
    );
    await sleep(2_000); // more cycles: the backup must stand still now
    backup.kill("SIGTERM");
    expect((await backup.exited).code, "the backup stopped cleanly").to.equal(0);

    // Its log: the condition seen and deferred by exactly its delay, then the one send.
    const log = events(backup);
    const deferred = log.filter((e) => e.event === "cycle.act-deferred");
    const sent = log.filter((e) => e.event === "tx.sent");
    expect(deferred.map((e) => e.delayMs)).to.deep.equal([BACKUP_DELAY_MS]);
    expect(sent).to.have.length(1);
    expect(sent[0].time - deferred[0].time, "sent only after its delay").to.be.gte(BACKUP_DELAY_MS);

    // On chain: one operation, by the backup, and nothing from the dead primary.
    const op = MarketOperator__factory.connect(world.chain.operatorAddress, world.chain.provider);
    const expanded = await op.queryFilter(op.filters.SupplyExpanded(), startBlock + 1);
    const contracted = await op.queryFilter(op.filters.SupplyContracted(), startBlock + 1);
    expect(contracted).to.have.length(0);
    expect(expanded.map((e) => e.args.caller)).to.deep.equal([backupKey.address]);
    expect(expanded[0].transactionHash).to.equal(sent[0].txHash);
    expect(await world.keeperNonce(), "the primary sent nothing").to.equal(nonces.primary);
    expect(
      await world.chain.provider.getTransactionCount(backupKey.address),
      "the backup sent one transaction",
    ).to.equal(nonces.backup + 1);
    expect((await world.chain.provider.getTransactionReceipt(sent[0].txHash as string))?.status).to.equal(1);

    // The condition is fixed: the pool's spot price is back inside the band around the peg.
    const [spotWad] = await world.chain.system.oracle.marketPrice();
    const bandWad = (WAD * BigInt(LOCAL_PARAMS.operator.bandBps)) / 10_000n;
    expect(spotWad > WAD - bandWad && spotWad < WAD + bandWad, `spot ${spotWad} inside 1 ± ${bandWad}`).to.equal(true);
    expect(expanded[0].args.spotBeforeWad > WAD + bandWad, "it was outside before").to.equal(true);
  });
});
