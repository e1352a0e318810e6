/**
 * The pure parts of the resilience layer, exactly: fee bumps, backoff with jitter, the reading of
 * node answers to a broadcast, the journal's lock and settings validation. No node needed.
 */
import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { EndpointHealth, RpcAnswerError, RpcPool, endpointLabel, registerRpcMetrics } from "../../../keeper/src/rpc";
import { freePort } from "../../support/process/hardhatNode";
import {
  Journal,
  JournalLockedError,
  bumpFees,
  bumped,
  cancelFees,
  classifyBroadcastError,
  initialFees,
  txSettingsFromEnv,
  type FeePolicy,
} from "../../../keeper/src/tx";

const GWEI = 1_000_000_000n;
const policy: FeePolicy = { bumpBps: 1_000, maxFeePerGasCapWei: 100n * GWEI, minPriorityFeeWei: GWEI };

describe("resilience layer: pure parts", function () {
  describe("fees", function () {
    it("first fees leave room for the base fee to double, floored tip, capped", function () {
      expect(initialFees(10n * GWEI, 0n, policy)).to.deep.equal({
        maxFeePerGas: 21n * GWEI,
        maxPriorityFeePerGas: GWEI,
      });
      expect(initialFees(80n * GWEI, 2n * GWEI, policy)).to.deep.equal({
        maxFeePerGas: 100n * GWEI,
        maxPriorityFeePerGas: 2n * GWEI,
      });
    });

    it("a replacement raises both fees by at least the bump, and stops at the cap", function () {
      fc.assert(
        fc.property(
          fc.bigInt(1n, 90n * GWEI),
          fc.bigInt(1n, 10n * GWEI),
          fc.bigInt(0n, 60n * GWEI),
          (fee, tipRaw, base) => {
            const tip = tipRaw > fee ? fee : tipRaw;
            const r = bumpFees({ maxFeePerGas: fee, maxPriorityFeePerGas: tip }, base, 0n, policy);
            if (r.atCap)
              return (
                bumped(fee, policy.bumpBps) > policy.maxFeePerGasCapWei ||
                bumped(tip, policy.bumpBps) > policy.maxFeePerGasCapWei
              );
            return (
              r.fees.maxFeePerGas * 10_000n >= fee * 11_000n &&
              r.fees.maxPriorityFeePerGas * 10_000n >= tip * 11_000n &&
              r.fees.maxFeePerGas <= policy.maxFeePerGasCapWei &&
              r.fees.maxPriorityFeePerGas <= r.fees.maxFeePerGas
            );
          },
        ),
      );
    });

    it("at the cap there is no replacement; a cancel still outbids the last attempt", function () {
      const last = { maxFeePerGas: 95n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
      expect(bumpFees(last, 40n * GWEI, 0n, policy)).to.deep.equal({ atCap: true });
      const cancel = cancelFees(last, 40n * GWEI, policy);
      expect(cancel.maxFeePerGas).to.equal(bumped(last.maxFeePerGas, 1_000));
      expect(cancel.maxPriorityFeePerGas).to.equal(bumped(last.maxPriorityFeePerGas, 1_000));
    });
  });

  describe("endpoint health", function () {
    it("backs off exponentially with jitter in [0.5, 1) of the capped delay, and resets on success", function () {
      let r = 0;
      const h = new EndpointHealth("rpc0", { baseBackoffMs: 100, maxBackoffMs: 1_000 }, () => r);
      const delays: number[] = [];
      for (const rand of [0, 0.999, 0, 0.5, 0]) {
        r = rand;
        delays.push(h.recordFailure(0, "x"));
      }
      expect(delays).to.deep.equal([50, 200, 200, 600, 500]);
      expect(h.available(499)).to.equal(false);
      expect(h.available(500)).to.equal(true);
      h.recordSuccess(10);
      expect(h.failures).to.equal(0);
      expect(h.snapshot().healthy).to.equal(true);
    });

    it("labels endpoints by index and host, never the path or query that may carry a key", function () {
      expect(endpointLabel("https://eth.example.org/v3/SECRETKEY?x=1", 2)).to.equal("rpc2 (eth.example.org)");
    });

    it("ballast_rpc_errors_total: each endpoint's series exists at 0 from the start and is the one a failure moves", async function () {
      const deadPorts = [await freePort(), await freePort()];
      const pool = new RpcPool(
        deadPorts.map((p) => `http://127.0.0.1:${p}/v3/SECRETKEY`),
        { timeoutMs: 2_000, baseBackoffMs: 60_000, maxBackoffMs: 60_000 },
      );
      const registry = new Registry();
      registerRpcMetrics(registry, pool);
      const series = async (): Promise<Record<string, number>> =>
        Object.fromEntries(
          (await registry.getSingleMetric("ballast_rpc_errors_total")!.get()).values.map((v) => [
            String(v.labels.endpoint),
            v.value,
          ]),
        );
      const labels = deadPorts.map((p, i) => `rpc${i} (127.0.0.1:${p})`);
      expect(await series()).to.deep.equal({ [labels[0]]: 0, [labels[1]]: 0 });
      // Both refuse the connection: each fails once, then backs off (a minute), so the next request fails fast.
      await pool.request("eth_blockNumber").then(
        () => expect.fail("nothing listens"),
        (e: Error) => expect(e.name).to.equal("AllEndpointsDownError"),
      );
      await pool.request("eth_blockNumber").catch(() => undefined);
      expect(await series()).to.deep.equal({ [labels[0]]: 1, [labels[1]]: 1 });
      expect(await series(), "a scrape does not count again").to.deep.equal({ [labels[0]]: 1, [labels[1]]: 1 });
      expect(await registry.metrics()).to.not.include("SECRETKEY");
    });

    it("rejects an empty list and non-http URLs by field", function () {
      expect(() => new RpcPool([])).to.throw(/at least one RPC URL/);
      expect(() => new RpcPool(["ws://127.0.0.1:1"])).to.throw(/RPC URL #0 is not an http\(s\) URL/);
      expect(() => new RpcPool(["http://127.0.0.1:1"], { timeoutMs: 0 })).to.throw(/timeoutMs must be a positive/);
    });
  });

  describe("broadcast answers", function () {
    const verdict = (message: string): string =>
      classifyBroadcastError(new RpcAnswerError("eth_sendRawTransaction", -32000, message, undefined));
    it("reads geth's and Hardhat's wording alike", function () {
      expect(verdict("already known")).to.equal("already-known");
      expect(verdict("Known transaction: 0xabc")).to.equal("already-known");
      expect(verdict("nonce too low")).to.equal("nonce-too-low");
      expect(verdict("Transaction nonce too low. Expected nonce to be at least 1 but got 0.")).to.equal(
        "nonce-too-low",
      );
      expect(verdict("replacement transaction underpriced")).to.equal("replacement-underpriced");
      expect(
        verdict("Replacement transaction underpriced. A gasPrice/maxFeePerGas of at least 3300000000 is necessary"),
      ).to.equal("replacement-underpriced");
      expect(verdict("max fee per gas less than block base fee")).to.equal("fee-too-low");
      expect(
        verdict(
          "Transaction maxFeePerGas (3000000000) is too low for the next block, which has a baseFeePerGas of 87500000000",
        ),
      ).to.equal("fee-too-low");
      expect(verdict("insufficient funds for gas * price + value")).to.equal("insufficient-funds");
      expect(verdict("something else")).to.equal("rejected");
    });
  });

  describe("journal and settings", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "ballast-journal-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("one live process per journal; a lock left by a dead process is taken over", function () {
      const file = path.join(dir, "j.sqlite");
      const j = Journal.open(file);
      expect(() => Journal.open(file)).to.throw(JournalLockedError, /in use by process/);
      j.close();
      writeFileSync(`${file}.lock`, "999999999"); // no such process
      Journal.open(file).close();
    });

    it("keeps an attempt's nonce with its action and refuses another nonce for it", function () {
      const j = Journal.open(path.join(dir, "j.sqlite"));
      const id = j.prepare({
        key: "expand",
        kind: "action",
        sender: "0xAb",
        chainId: 1n,
        to: "0x01",
        data: "0x",
        value: 0n,
        gasLimit: 1n,
      });
      j.recordSigned(id, {
        kind: "action",
        nonce: 7,
        hash: "0x1",
        raw: "0xaa",
        maxFeePerGas: 2n,
        maxPriorityFeePerGas: 1n,
      });
      expect(() =>
        j.recordSigned(id, {
          kind: "action",
          nonce: 8,
          hash: "0x2",
          raw: "0xbb",
          maxFeePerGas: 3n,
          maxPriorityFeePerGas: 2n,
        }),
      ).to.throw(/differs/);
      expect(j.unresolved("0xab", 1n).map((a) => [a.status, a.nonce])).to.deep.equal([["signed", 7]]);
      j.close();
    });

    it("a journal of another chain (other genesis) is set aside, never replayed; the same chain's is kept", function () {
      const file = path.join(dir, "j.sqlite");
      const genesisA = `0x${"a".repeat(64)}`;
      const genesisB = `0x${"b".repeat(64)}`;
      const attempt = {
        kind: "action" as const,
        nonce: 0,
        hash: `0x${"1".repeat(64)}`,
        raw: "0xaa",
        maxFeePerGas: 2n,
        maxPriorityFeePerGas: 1n,
      };
      const onA = Journal.open(file, { genesisHash: genesisA });
      onA.recordSigned(
        onA.prepare({
          key: "expand",
          kind: "action",
          sender: "0xab",
          chainId: 31337n,
          to: "0x01",
          data: "0x",
          value: 0n,
          gasLimit: 1n,
        }),
        attempt,
      );
      onA.close();

      const sameChain = Journal.open(file, {
        genesisHash: genesisA,
        onSetAside: () => expect.fail("same chain: nothing to set aside"),
      });
      expect(sameChain.unresolved("0xab", 31337n)).to.have.length(1);
      sameChain.close();

      const setAside: string[] = [];
      const onB = Journal.open(file, { genesisHash: genesisB, onSetAside: (s) => setAside.push(s.setAsideAs) });
      expect(onB.genesisHash()).to.equal(genesisB);
      expect(onB.actions()).to.deep.equal([]);
      // The new chain's first transaction may have the old one's very bytes: it must be recordable.
      onB.recordSigned(
        onB.prepare({
          key: "expand",
          kind: "action",
          sender: "0xab",
          chainId: 31337n,
          to: "0x01",
          data: "0x",
          value: 0n,
          gasLimit: 1n,
        }),
        attempt,
      );
      onB.close();
      expect(setAside).to.have.length(1);
      expect(path.basename(setAside[0])).to.match(/^j\.sqlite\.chain-aaaaaaaaaaaa-\d+$/);
      const old = Journal.inspect(setAside[0]);
      expect([old.genesisHash(), old.allAttempts().map((a) => a.hash)]).to.deep.equal([genesisA, [attempt.hash]]);
      old.close();
    });

    it("a journal with no chain recorded (written before journals knew their chain) is kept and stamped", function () {
      const file = path.join(dir, "j.sqlite");
      const legacy = Journal.open(file);
      legacy.prepare({
        key: "expand",
        kind: "action",
        sender: "0xab",
        chainId: 1n,
        to: "0x01",
        data: "0x",
        value: 0n,
        gasLimit: 1n,
      });
      expect(legacy.genesisHash()).to.equal(undefined);
      legacy.close();
      const genesis = `0x${"c".repeat(64)}`;
      const stamped = Journal.open(file, {
        genesisHash: genesis.toUpperCase().replace("0X", "0x"),
        onSetAside: () => expect.fail("nothing to set aside"),
      });
      expect([stamped.genesisHash(), stamped.actions().length]).to.deep.equal([genesis, 1]);
      stamped.close();
    });

    it("settings from the environment name the variable in every error", function () {
      expect(() =>
        txSettingsFromEnv({ BALLAST_KEEPER_BALANCE_FLOOR_ETH: "lots", BALLAST_KEEPER_FEE_BUMP_BPS: "500" }, "/tmp/j", {
          txTimeoutSec: 90,
        }),
      ).to.throw(
        /BALLAST_KEEPER_BALANCE_FLOOR_ETH: "lots"[\s\S]*BALLAST_KEEPER_FEE_BUMP_BPS: "500" is not an integer in \[1000/,
      );
      expect(() =>
        txSettingsFromEnv(
          { BALLAST_KEEPER_BALANCE_WARN_ETH: "0.01", BALLAST_KEEPER_BALANCE_FLOOR_ETH: "0.1" },
          "/tmp/j",
          { txTimeoutSec: 90 },
        ),
      ).to.throw(/BALLAST_KEEPER_BALANCE_WARN_ETH: must be at least/);
      expect(txSettingsFromEnv({}, "/tmp/j", { txTimeoutSec: 90 }).journalPath).to.equal("/tmp/j");
    });
  });
});
