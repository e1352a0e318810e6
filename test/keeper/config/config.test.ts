/**
 * Configuration: every problem reported at once with its field; the key from env or an encrypted
 * keystore; the key never printed, serialised or logged.
 */
import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { Writable } from "node:stream";
import { Wallet, encryptKeystoreJsonSync, JsonRpcProvider } from "ethers";
import { loadConfig } from "../../../keeper/src/config/load";
import { Secret } from "../../../keeper/src/config/key";
import { ConfigError } from "../../../keeper/src/errors";
import { resolveAccount } from "../../../keeper/src/chain/account";
import { createLogger } from "../../../keeper/src/logger";
import type { MarketOperator } from "../../../typechain-types";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat dev account #1

const dir = mkdtempSync(path.join(os.tmpdir(), "ballast-keeper-config-"));
const book = path.join(dir, "book.json");
const A = (n: number): string => `0x${String(n).padStart(40, "0")}`;
const BOOK = {
  chainId: 31337,
  contracts: {
    BallastDollar: A(1),
    PriceOracle: A(2),
    Reserve: A(3),
    CollateralPolicy: A(4),
    MarketOperator: A(5),
    Pool: A(6),
    USDC: A(7),
    WETH: A(8),
    feeds: { USDC: A(9), WETH: A(10) },
  },
};
writeFileSync(book, JSON.stringify(BOOK));
const file = (name: string, json: unknown): string => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof json === "string" ? json : JSON.stringify(json));
  return p;
};

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => i.field);
  }
  throw new Error("expected a ConfigError");
}

describe("keeper configuration", function () {
  it("accepts defaults with an address book and fills every field", function () {
    const c = loadConfig({ network: "localhost", config: file("ok.json", { addressBook: book }) }, {}, dir);
    expect(c.http.port).to.equal(9464);
    expect(c.rpcUrls).to.deep.equal(["http://127.0.0.1:8545"]);
    expect(c.key).to.deep.equal({ kind: "local-account" });
    expect(c.decision.feeCap).to.deep.equal({
      weiPerBps: 5_000_000_000n,
      minWei: 50_000_000_000n,
      maxWei: 2_000_000_000_000n,
    });
    expect(c.decision.dailyGasBudgetWad).to.equal(30_000n * 10n ** 18n);
    expect(c.decision.minValueOverGasBps).to.equal(10_000n);
    expect(c.decision.gasUnits).to.deep.equal({
      expand: 270_606n,
      contract: 268_587n,
      rebalance: 200_000n,
      observe: 150_000n,
    });
    expect(c.decision.writeObservations).to.equal(true);
  });

  it("the gas economics: every setting bounded, each bad value named by its field", function () {
    const cfg = file("gas-bad.json", {
      addressBook: book,
      policy: { minValueOverGasBps: 9_999 },
      gas: {
        dailyBudgetUsd: "0.5",
        feeCap: { gweiPerBps: "1001", minGwei: "100", maxGwei: "50" },
        units: { observe: 20_000 },
      },
    });
    const fields = issuesOf(() => loadConfig({ network: "localhost", config: cfg }, {}, dir));
    expect(fields).to.include.members([
      "policy.minValueOverGasBps",
      "gas.dailyBudgetUsd",
      "gas.feeCap.gweiPerBps",
      "gas.feeCap.maxGwei",
      "gas.units.observe",
    ]);
    const order = file("gas-order.json", { addressBook: book, gas: { feeCap: { minGwei: "100", maxGwei: "50" } } });
    expect(issuesOf(() => loadConfig({ network: "localhost", config: order }, {}, dir))).to.include(
      "gas.feeCap.maxGwei",
    );
    const ok = file("gas-ok.json", {
      addressBook: book,
      gas: { dailyBudgetUsd: 250.5, feeCap: { gweiPerBps: "2.5", minGwei: 10, maxGwei: "500" } },
    });
    const c = loadConfig({ network: "localhost", config: ok }, {}, dir);
    expect(c.decision.dailyGasBudgetWad).to.equal(2_505n * 10n ** 17n);
    expect(c.decision.feeCap).to.deep.equal({
      weiPerBps: 2_500_000_000n,
      minWei: 10_000_000_000n,
      maxWei: 500_000_000_000n,
    });
  });

  it("a replaced gas setting is refused with a message naming its replacement", function () {
    const cfg = file("gas-old.json", {
      addressBook: book,
      policy: { minProfitOverGasBps: 10_000 },
      gas: { maxFeePerGasGwei: "200" },
    });
    try {
      loadConfig({ network: "localhost", config: cfg }, {}, dir);
      expect.fail("expected a ConfigError");
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(issues.find((i) => i.field === "gas.maxFeePerGasGwei")?.message).to.include("gas.feeCap");
      expect(issues.find((i) => i.field === "policy.minProfitOverGasBps")?.message).to.include(
        "policy.minValueOverGasBps",
      );
    }
  });

  it("CLI > environment > file for the port and the RPC URLs", function () {
    const cfg = file("port.json", { addressBook: book, http: { port: 1111 } });
    expect(loadConfig({ network: "localhost", config: cfg }, {}, dir).http.port).to.equal(1111);
    expect(loadConfig({ network: "localhost", config: cfg }, { BALLAST_KEEPER_PORT: "2222" }, dir).http.port).to.equal(
      2222,
    );
    expect(
      loadConfig({ network: "localhost", config: cfg, port: 3333 }, { BALLAST_KEEPER_PORT: "2222" }, dir).http.port,
    ).to.equal(3333);
    expect(
      loadConfig({ network: "localhost", config: cfg }, { BALLAST_RPC_URLS: "http://a:1, http://b:2" }, dir).rpcUrls,
    ).to.deep.equal(["http://a:1", "http://b:2"]);
    expect(
      loadConfig({ network: "localhost", config: cfg, rpc: ["http://c:3"] }, { BALLAST_RPC_URLS: "http://a:1" }, dir)
        .rpcUrls,
    ).to.deep.equal(["http://c:3"]);
  });

  it("reports every problem at once, each with its field", function () {
    const cfg = file("bad.json", {
      addressBook: path.join(dir, "missing.json"),
      confirmations: 0,
      http: { port: "x" },
      policy: { slippageBps: -1 },
      gas: { maxFeePerGasGwei: "lots" },
      bogus: true,
    });
    const fields = issuesOf(() =>
      loadConfig(
        { network: "localhost", config: cfg },
        { BALLAST_KEEPER_PORT: "abc", BALLAST_KEEPER_KEY: "nothex" },
        dir,
      ),
    );
    expect(fields).to.include.members([
      "confirmations",
      "http.port",
      "policy.slippageBps",
      "gas.maxFeePerGasGwei",
      "(config file)",
      "BALLAST_KEEPER_PORT",
      "BALLAST_KEEPER_KEY",
    ]);
  });

  it("names a bad address book field", function () {
    const badBook = file("badbook.json", { chainId: 31337, contracts: { BallastDollar: "0x1234" } });
    const fields = issuesOf(() =>
      loadConfig({ network: "localhost", config: file("c.json", { addressBook: badBook }) }, {}, dir),
    );
    expect(fields).to.include.members([
      "addressBook.contracts.BallastDollar",
      "addressBook.contracts.MarketOperator",
      "addressBook.contracts.feeds",
    ]);
  });

  it("reads the deploy's address book schema: a bad checksum and a missing feed are named with the field, addresses come back checksummed", function () {
    const pool = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    const badChecksum = {
      ...BOOK,
      contracts: { ...BOOK.contracts, Pool: "0x5FBDB2315678afecb367f032d93F642f64180aa3", feeds: { USDC: A(9) } },
    };
    let error: unknown;
    try {
      loadConfig(
        { network: "localhost", config: file("c2.json", { addressBook: file("badbook2.json", badChecksum) }) },
        {},
        dir,
      );
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => `${i.field}: ${i.message.replace(/ \(in .*\)$/, "")}`);
    expect(issues).to.include.members([
      "addressBook.contracts.Pool: is not a valid address",
      "addressBook.contracts.feeds.WETH: missing",
    ]);
    const lower = { ...BOOK, contracts: { ...BOOK.contracts, Pool: pool } };
    const c = loadConfig(
      { network: "localhost", config: file("c3.json", { addressBook: file("lowerbook.json", lower) }) },
      {},
      dir,
    );
    expect(c.addressBook.contracts.Pool).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
  });

  it("an unknown network without RPC URLs, and a live network without a key", function () {
    expect(
      issuesOf(() => loadConfig({ network: "mainnet", config: file("m.json", { addressBook: book }) }, {}, dir)),
    ).to.include.members(["--network", "BALLAST_KEEPER_KEY"]);
    expect(
      issuesOf(() => loadConfig({ network: "hardhat", config: file("h.json", { addressBook: book }) }, {}, dir)),
    ).to.include("--network");
  });

  it("one backup delay: actDelayMs in the file or BALLAST_KEEPER_ACT_DELAY_MS; both only if they agree; default 0", function () {
    const none = file("delay-none.json", { addressBook: book });
    const two = file("delay-2000.json", { addressBook: book, actDelayMs: 2_000 });
    const load = (cfg: string, env: NodeJS.ProcessEnv) =>
      loadConfig({ network: "localhost", config: cfg }, env, dir).actDelayMs;
    expect(load(none, {})).to.equal(0);
    expect(load(two, {})).to.equal(2_000);
    expect(load(none, { BALLAST_KEEPER_ACT_DELAY_MS: "4000" })).to.equal(4_000);
    expect(load(two, { BALLAST_KEEPER_ACT_DELAY_MS: "2000" })).to.equal(2_000);
  });

  it("rejects a conflicting, invalid or old-style backup delay naming the field", function () {
    const two = file("delay-2000b.json", { addressBook: book, actDelayMs: 2_000 });
    const none = file("delay-none-b.json", { addressBook: book });
    const issues = (cfg: string, env: NodeJS.ProcessEnv): Array<{ field: string; message: string }> => {
      try {
        loadConfig({ network: "localhost", config: cfg }, env, dir);
      } catch (err) {
        return (err as ConfigError).issues;
      }
      throw new Error("expected a ConfigError");
    };
    expect(issues(two, { BALLAST_KEEPER_ACT_DELAY_MS: "4000" })).to.deep.equal([
      {
        field: "BALLAST_KEEPER_ACT_DELAY_MS",
        message:
          "is 4000 but actDelayMs in the config file is 2000: give the delay in one place, or the same value in both",
      },
    ]);
    for (const bad of ["-1", "1.5", "abc", "600001", ""]) {
      expect(issues(none, { BALLAST_KEEPER_ACT_DELAY_MS: bad }), bad).to.deep.equal([
        {
          field: "BALLAST_KEEPER_ACT_DELAY_MS",
          message: `must be an integer number of ms in [0, 600000]; got "${bad}"`,
        },
      ]);
    }
    // (An invalid file also hides its addressBook, hence the second issue.)
    expect(issues(file("delay-neg.json", { addressBook: book, actDelayMs: -5 }), {}).map((i) => i.field)).to.deep.equal(
      ["actDelayMs", "addressBook"],
    );
    // The removed second setting fails loudly: a backup keeper must not silently lose its delay.
    expect(issues(none, { BALLAST_KEEPER_BACKUP_DELAY_MS: "1500" })).to.deep.equal([
      {
        field: "BALLAST_KEEPER_BACKUP_DELAY_MS",
        message:
          "is no longer read: the backup delay is one setting, actDelayMs in the config file or BALLAST_KEEPER_ACT_DELAY_MS; move the value there and unset this variable",
      },
    ]);
  });

  it("txTimeoutSec: 90 s by default, given in seconds within [5, 3600]", function () {
    expect(
      loadConfig({ network: "localhost", config: file("tt.json", { addressBook: book }) }, {}, dir).txTimeoutSec,
    ).to.equal(90);
    expect(
      loadConfig({ network: "localhost", config: file("tt7.json", { addressBook: book, txTimeoutSec: 7 }) }, {}, dir)
        .txTimeoutSec,
    ).to.equal(7);
    expect(
      issuesOf(() =>
        loadConfig({ network: "localhost", config: file("tt4.json", { addressBook: book, txTimeoutSec: 4 }) }, {}, dir),
      ),
    ).to.deep.equal(["txTimeoutSec", "addressBook"]);
  });

  it("refuses WebSocket RPC URLs in every source, naming the source (the RPC pool polls over HTTP)", function () {
    const rule = "must be an http(s) URL (the keeper polls its RPC endpoints over HTTP; ws(s) is not supported)";
    const messages = (cli: Parameters<typeof loadConfig>[0], env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(cli, env, dir);
      } catch (err) {
        return (err as ConfigError).issues.map((i) => `${i.field}: ${i.message}`);
      }
      throw new Error("expected a ConfigError");
    };
    const plain = file("ws-plain.json", { addressBook: book });
    expect(
      messages({ network: "localhost", config: plain }, { BALLAST_RPC_URLS: "http://a:1,ws://b:2" }),
    ).to.deep.equal([`BALLAST_RPC_URLS: "ws://b:2" ${rule}`]);
    expect(messages({ network: "localhost", config: plain }, { BALLAST_LOCALHOST_URL: "wss://c:3" })).to.deep.equal([
      `BALLAST_LOCALHOST_URL: "wss://c:3" ${rule}`,
    ]);
    const inFile = file("ws-file.json", { addressBook: book, networks: { localhost: { rpcUrls: ["ws://d:4"] } } });
    expect(messages({ network: "localhost", config: inFile }, {})[0]).to.equal(`networks.localhost.rpcUrls.0: ${rule}`);
  });

  it("names where the RPC URLs came from, so a bad one can be named at start", function () {
    const urls = file("urls.json", {
      addressBook: book,
      networks: { localhost: { rpcUrls: ["http://a:1", "http://b:2"] } },
    });
    expect(loadConfig({ network: "localhost", config: urls }, {}, dir).rpcUrlsField).to.equal(
      "networks.localhost.rpcUrls",
    );
    expect(
      loadConfig({ network: "localhost", config: urls }, { BALLAST_RPC_URLS: "http://c:3" }, dir).rpcUrlsField,
    ).to.equal("BALLAST_RPC_URLS");
    expect(loadConfig({ network: "localhost", config: urls, rpc: ["http://d:4"] }, {}, dir).rpcUrlsField).to.equal(
      "--rpc",
    );
    expect(
      loadConfig({ network: "localhost", config: file("nourls.json", { addressBook: book }) }, {}, dir).rpcUrlsField,
    ).to.equal("BALLAST_LOCALHOST_URL");
  });

  it("keystore needs its password file, and both must be readable", function () {
    expect(
      issuesOf(() =>
        loadConfig(
          { network: "localhost", config: file("k.json", { addressBook: book }) },
          { BALLAST_KEYSTORE: path.join(dir, "ks.json") },
          dir,
        ),
      ),
    ).to.include("BALLAST_KEYSTORE_PASSWORD_FILE");
    expect(
      issuesOf(() =>
        loadConfig(
          { network: "localhost", config: file("k2.json", { addressBook: book }) },
          { BALLAST_KEYSTORE: path.join(dir, "none.json"), BALLAST_KEYSTORE_PASSWORD_FILE: path.join(dir, "none.txt") },
          dir,
        ),
      ),
    ).to.include.members(["BALLAST_KEYSTORE", "BALLAST_KEYSTORE_PASSWORD_FILE"]);
  });

  it("decrypts an encrypted JSON keystore with the password file; a wrong password names the password file", async function () {
    const wallet = new Wallet(KEY);
    const json = encryptKeystoreJsonSync({ address: wallet.address, privateKey: KEY }, "correct horse", {
      scrypt: { N: 1 << 10 },
    });
    const ks = file("keystore.json", json);
    const pw = file("password.txt", "correct horse\n");
    const c = loadConfig(
      {
        network: "sepolia",
        config: file("s.json", {
          addressBook: book,
          networks: { sepolia: { rpcUrls: ["https://rpc.example.invalid"] } },
        }),
      },
      { BALLAST_KEYSTORE: ks, BALLAST_KEYSTORE_PASSWORD_FILE: pw },
      dir,
    );
    const provider = new JsonRpcProvider("http://127.0.0.1:1", 31337, { staticNetwork: true });
    const account = await resolveAccount(c.key!, provider, {} as MarketOperator);
    expect(account.address).to.equal(wallet.address);
    const wrong = loadConfig(
      { network: "sepolia", config: path.join(dir, "s.json") },
      { BALLAST_KEYSTORE: ks, BALLAST_KEYSTORE_PASSWORD_FILE: file("wrong.txt", "nope") },
      dir,
    );
    try {
      await resolveAccount(wrong.key!, provider, {} as MarketOperator);
      expect.fail("wrong password accepted");
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.field)).to.deep.equal(["BALLAST_KEYSTORE_PASSWORD_FILE"]);
    }
    provider.destroy();
  });

  it("the key is never printed: config objects, errors and logs show [redacted]", function () {
    const c = loadConfig(
      { network: "localhost", config: file("key.json", { addressBook: book }) },
      { BALLAST_KEEPER_KEY: KEY },
      dir,
    );
    const hex = KEY.slice(2);
    expect(JSON.stringify(c, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).to.not.include(hex);
    expect(inspect(c, { depth: 10 })).to.not.include(hex);
    expect(String((c.key as { key: Secret }).key)).to.equal("[redacted]");
    let logged = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    const log = createLogger("info", sink);
    log.info({ config: c, key: KEY, privateKey: KEY }, "config loaded");
    expect(logged).to.include("[redacted]");
    expect(logged).to.not.include(hex);
    const bad = issuesOf(() =>
      loadConfig(
        { network: "localhost", config: file("key2.json", { addressBook: book }) },
        { BALLAST_KEEPER_KEY: `${KEY}ff` },
        dir,
      ),
    );
    expect(bad).to.deep.equal(["BALLAST_KEEPER_KEY"]);
  });
});
