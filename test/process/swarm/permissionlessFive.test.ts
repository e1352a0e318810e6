/**
 * Issue 8, permissionless mode: five keeper daemons, each its own process and key, none holding
 * KEEPER_ROLE, with backup delays 0…6 s, against one `hardhat node`. Two conditions (above, then
 * below the peg): each is acted on exactly once, no keeper transaction reverts, and the bounded
 * caller reward goes to exactly the caller of each operation, in the same transaction.
 * Ground truth is the chain: the operator's events, each keeper account's transactions and its
 * USDC balance.
 */
import { expect } from "chai";
import path from "node:path";
import { HDNodeWallet } from "ethers";
import { LOCAL_PARAMS } from "../../../deploy/parameters";
import { MarketOperator__factory } from "../../../typechain-types";
import { devWallet, operatorAt, pushOffPeg, writeDaemonConfig } from "../../support/process/chainSystem";
import { daemonSuite, sleep, waitFor } from "../../support/process/world";

/** Dev-mnemonic accounts funded on every hardhat node and holding no role in the deploy. */
const OUTSIDER_ACCOUNTS = [10, 11, 12, 13, 14];
const ACT_DELAY_STEP_MS = 1_500;
const MAX_CALLER_REWARD_WAD = 1_000n * 10n ** 18n; // the hard cap
const WAD = 10n ** 18n;

describe("five permissionless keeper daemons (hardhat node)", function () {
  this.timeout(240_000);
  const { world, children, spawn } = daemonSuite();

  it("one operation per condition, no reverted keeper transaction, the reward paid to exactly the callers that operated", async function () {
    const journalPath = await world.reset();
    const configPath = await writeDaemonConfig(world.chain, path.dirname(journalPath));
    const c = world.chain;
    const operator = operatorAt(c);
    const keepers: HDNodeWallet[] = OUTSIDER_ACCOUNTS.map(devWallet);
    const role = await operator.KEEPER_ROLE();
    for (const k of keepers)
      expect(await operator.hasRole(role, k.address), `${k.address} holds no role`).to.equal(false);
    await (await operator.connect(c.admin).setPermissionless(true, MAX_CALLER_REWARD_WAD)).wait();
    // Paused while the daemons start, so the first condition appears for all of them at once.
    await (await operator.connect(c.guardian).pause()).wait();

    const usdc = c.system.quote.token;
    const usdcBefore = await Promise.all(keepers.map((k) => usdc.balanceOf(k.address)));
    const startBlock = (await world.blockNumber()) + 1;
    for (const [i, k] of keepers.entries()) {
      spawn({
        urls: [world.node.url],
        privateKey: k.privateKey,
        journalPath: journalPath.replace(/\.sqlite$/, `-${i}.sqlite`),
        configPath,
        env: { BALLAST_KEEPER_ACT_DELAY_MS: String(i * ACT_DELAY_STEP_MS) },
      });
    }
    for (const d of children)
      await waitFor(
        "every daemon to stand still on the pause",
        () => d.output().includes('"reason":"paused"'),
        180_000,
      );

    const settle = OUTSIDER_ACCOUNTS.length * ACT_DELAY_STEP_MS + 1_500; // past the last delay
    const rounds: Array<{ from: number; to: number; want: "SupplyExpanded" | "SupplyContracted" }> = [];
    const op = MarketOperator__factory.connect(c.operatorAddress, c.provider);
    const peggedOps = async (from: number) =>
      (await op.queryFilter(op.filters.SupplyExpanded(), from)).length +
      (await op.queryFilter(op.filters.SupplyContracted(), from)).length;

    // Round 1: the world starts above the peg; the unpause shows it to all five at once.
    let from = await world.blockNumber();
    await (await operator.connect(c.admin).unpause()).wait();
    await waitFor("the expansion", async () => (await peggedOps(from + 1)) >= 1, 60_000);
    await sleep(settle);
    rounds.push({ from: from + 1, to: await world.blockNumber(), want: "SupplyExpanded" });

    // Round 2: a sell-off below the peg, spot and TWAP agreeing after the clock moves.
    from = await world.blockNumber();
    await pushOffPeg(c, "below", "60000");
    await waitFor("the contraction", async () => (await peggedOps(from + 1)) >= 1, 60_000);
    await sleep(settle);
    rounds.push({ from: from + 1, to: await world.blockNumber(), want: "SupplyContracted" });

    for (const d of children) d.kill("SIGTERM");
    const exits = await Promise.all(children.map((d) => d.exited));
    expect(
      exits.map((e) => e.code),
      "every daemon stopped cleanly",
    ).to.deep.equal(children.map(() => 0));

    // One operation per condition.
    const ops = [
      ...(await op.queryFilter(op.filters.SupplyExpanded(), startBlock)).map((e) => ({
        name: "SupplyExpanded",
        caller: e.args.caller,
        block: e.blockNumber,
        tx: e.transactionHash,
      })),
      ...(await op.queryFilter(op.filters.SupplyContracted(), startBlock)).map((e) => ({
        name: "SupplyContracted",
        caller: e.args.caller,
        block: e.blockNumber,
        tx: e.transactionHash,
      })),
    ].sort((a, b) => a.block - b.block);
    for (const [i, r] of rounds.entries()) {
      expect(
        ops.filter((o) => o.block >= r.from && o.block <= r.to).map((o) => o.name),
        `round ${i}: one operation`,
      ).to.deep.equal([r.want]);
    }
    expect(ops).to.have.length(rounds.length);

    // No keeper transaction reverted, and every one was an operation (or a rebalance, which anyone may run).
    const addresses = new Set(keepers.map((k) => k.address));
    const sent: Array<{ from: string; hash: string; to: string; status: number }> = [];
    for (let n = startBlock; n <= (await world.blockNumber()); n++) {
      const block = await c.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (!addresses.has(tx.from)) continue;
        sent.push({
          from: tx.from,
          hash: tx.hash,
          to: tx.to ?? "",
          status: (await c.provider.getTransactionReceipt(tx.hash))?.status ?? -1,
        });
      }
    }
    expect(
      sent.filter((t) => t.status !== 1),
      "no reverted keeper transaction",
    ).to.deep.equal([]);
    const rebalances = (await op.queryFilter(op.filters.Rebalanced(), startBlock))
      .filter((e) => addresses.has(e.args.caller))
      .map((e) => e.transactionHash);
    // The keepers also write TWAP observations on the clock (PriceOracle.update()): operator calls only here.
    const operatorAddress = (await op.getAddress()).toLowerCase();
    const operations = sent.filter((t) => t.to.toLowerCase() === operatorAddress);
    expect(operations.map((t) => t.hash).sort()).to.deep.equal([...ops.map((o) => o.tx), ...rebalances].sort());

    // The reward: one CallerRewarded per operation, in its transaction, to its caller, within the bounds.
    const rewards = (await op.queryFilter(op.filters.CallerRewarded(), startBlock)).map((e) => ({
      caller: e.args.caller,
      quote: e.args.quoteAmount,
      valueWad: e.args.valueWad,
      tx: e.transactionHash,
    }));
    expect(rewards.map((r) => [r.tx, r.caller])).to.deep.equal(ops.map((o) => [o.tx, o.caller]));
    for (const r of rewards) {
      expect(r.quote > 0n, "a reward was paid").to.equal(true);
      expect(r.valueWad <= MAX_CALLER_REWARD_WAD).to.equal(true);
    }
    // Exactly those callers were paid, exactly those amounts; the other keepers got nothing.
    const usdcAfter = await Promise.all(keepers.map((k) => usdc.balanceOf(k.address)));
    const paid = keepers.map((k) =>
      rewards.filter((r) => r.caller === k.address).reduce((sum, r) => sum + r.quote, 0n),
    );
    expect(usdcAfter.map((b, i) => b - usdcBefore[i])).to.deep.equal(paid);
    expect(paid.filter((p) => p > 0n).length, "paid callers").to.equal(new Set(ops.map((o) => o.caller)).size);

    // The race was real: keepers that saw a condition and deferred, then sent nothing for it.
    const deferredOnly = children.filter(
      (d, i) =>
        d.output().includes('"event":"cycle.act-deferred"') && !operations.some((t) => t.from === keepers[i].address),
    );
    expect(deferredOnly.length, "keepers that deferred and stood down").to.be.gte(1);

    // The peg is restored after the last round.
    const [spotWad] = await c.system.oracle.marketPrice();
    const bandWad = (WAD * BigInt(LOCAL_PARAMS.operator.bandBps)) / 10_000n;
    expect(spotWad > WAD - bandWad && spotWad < WAD + bandWad, `spot ${spotWad} inside the band`).to.equal(true);
  });
});
