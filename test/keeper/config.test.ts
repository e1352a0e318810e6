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
import { loadConfig } from "../../keeper/src/config/load";
import { Secret } from "../../keeper/src/config/key";
import { ConfigError } from "../../keeper/src/errors";
import { resolveAccount } from "../../keeper/src/chain/account";
import { createLogger } from "../../keeper/src/logger";
import type { MarketOperator } from "../../typechain-types";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // Hardhat dev account #1

const dir = mkdtempSync(path.join(os.tmpdir(), "ballast-keeper-config-"));
const book = path.join(dir, "book.json");
writeFileSync(book, JSON.stringify({
  chainId: 31337,
  contracts: Object.fromEntries(["BallastDollar", "PriceOracle", "Reserve", "CollateralPolicy", "MarketOperator", "Pool"].map((n, i) => [n, `0x${String(i + 1).padStart(40, "0")}`])),
}));
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
    expect(c.decision.maxFeePerGasWei).to.equal(200_000_000_000n);
  });

  it("CLI > environment > file for the port and the RPC URLs", function () {
    const cfg = file("port.json", { addressBook: book, http: { port: 1111 } });
    expect(loadConfig({ network: "localhost", config: cfg }, {}, dir).http.port).to.equal(1111);
    expect(loadConfig({ network: "localhost", config: cfg }, { BALLAST_KEEPER_PORT: "2222" }, dir).http.port).to.equal(2222);
    expect(loadConfig({ network: "localhost", config: cfg, port: 3333 }, { BALLAST_KEEPER_PORT: "2222" }, dir).http.port).to.equal(3333);
    expect(loadConfig({ network: "localhost", config: cfg }, { BALLAST_RPC_URLS: "http://a:1, http://b:2" }, dir).rpcUrls).to.deep.equal(["http://a:1", "http://b:2"]);
    expect(loadConfig({ network: "localhost", config: cfg, rpc: ["http://c:3"] }, { BALLAST_RPC_URLS: "http://a:1" }, dir).rpcUrls).to.deep.equal(["http://c:3"]);
  });

  it("reports every problem at once, each with its field", function () {
    const cfg = file("bad.json", { addressBook: path.join(dir, "missing.json"), confirmations: 0, http: { port: "x" }, policy: { slippageBps: -1 }, gas: { maxFeePerGasGwei: "lots" }, bogus: true });
    const fields = issuesOf(() => loadConfig({ network: "localhost", config: cfg }, { BALLAST_KEEPER_PORT: "abc", BALLAST_KEEPER_KEY: "nothex" }, dir));
    expect(fields).to.include.members(["confirmations", "http.port", "policy.slippageBps", "gas.maxFeePerGasGwei", "(config file)", "BALLAST_KEEPER_PORT", "BALLAST_KEEPER_KEY"]);
  });

  it("names a bad address book field", function () {
    const badBook = file("badbook.json", { chainId: 31337, contracts: { BallastDollar: "0x1234" } });
    const fields = issuesOf(() => loadConfig({ network: "localhost", config: file("c.json", { addressBook: badBook }) }, {}, dir));
    expect(fields).to.include.members(["addressBook.contracts.BallastDollar", "addressBook.contracts.MarketOperator"]);
  });

  it("an unknown network without RPC URLs, and a live network without a key", function () {
    expect(issuesOf(() => loadConfig({ network: "mainnet", config: file("m.json", { addressBook: book }) }, {}, dir))).to.include.members(["--network", "BALLAST_KEEPER_KEY"]);
    expect(issuesOf(() => loadConfig({ network: "hardhat", config: file("h.json", { addressBook: book }) }, {}, dir))).to.include("--network");
  });

  it("keystore needs its password file, and both must be readable", function () {
    expect(issuesOf(() => loadConfig({ network: "localhost", config: file("k.json", { addressBook: book }) }, { BALLAST_KEYSTORE: path.join(dir, "ks.json") }, dir))).to.include("BALLAST_KEYSTORE_PASSWORD_FILE");
    expect(issuesOf(() => loadConfig({ network: "localhost", config: file("k2.json", { addressBook: book }) }, { BALLAST_KEYSTORE: path.join(dir, "none.json"), BALLAST_KEYSTORE_PASSWORD_FILE: path.join(dir, "none.txt") }, dir))).to.include.members(["BALLAST_KEYSTORE", "BALLAST_KEYSTORE_PASSWORD_FILE"]);
  });

  it("decrypts an encrypted JSON keystore with the password file; a wrong password names the password file", async function () {
    const wallet = new Wallet(KEY);
    const json = encryptKeystoreJsonSync({ address: wallet.address, privateKey: KEY }, "correct horse", { scrypt: { N: 1 << 10 } });
    const ks = file("keystore.json", json);
    const pw = file("password.txt", "correct horse\n");
    const c = loadConfig({ network: "sepolia", config: file("s.json", { addressBook: book, networks: { sepolia: { rpcUrls: ["https://rpc.example.invalid"] } } }) }, { BALLAST_KEYSTORE: ks, BALLAST_KEYSTORE_PASSWORD_FILE: pw }, dir);
    const provider = new JsonRpcProvider("http://127.0.0.1:1", 31337, { staticNetwork: true });
    const account = await resolveAccount(c.key!, provider, {} as MarketOperator);
    expect(account.address).to.equal(wallet.address);
    const wrong = loadConfig({ network: "sepolia", config: path.join(dir, "s.json") }, { BALLAST_KEYSTORE: ks, BALLAST_KEYSTORE_PASSWORD_FILE: file("wrong.txt", "nope") }, dir);
    try {
      await resolveAccount(wrong.key!, provider, {} as MarketOperator);
      expect.fail("wrong password accepted");
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.field)).to.deep.equal(["BALLAST_KEYSTORE_PASSWORD_FILE"]);
    }
    provider.destroy();
  });

  it("the key is never printed: config objects, errors and logs show [redacted]", function () {
    const c = loadConfig({ network: "localhost", config: file("key.json", { addressBook: book }) }, { BALLAST_KEEPER_KEY: KEY }, dir);
    const hex = KEY.slice(2);
    expect(JSON.stringify(c, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).to.not.include(hex);
    expect(inspect(c, { depth: 10 })).to.not.include(hex);
    expect(String((c.key as { key: Secret }).key)).to.equal("[redacted]");
    let logged = "";
    const sink = new Writable({ write(chunk, _enc, cb) { logged += chunk.toString(); cb(); } });
    const log = createLogger("info", sink);
    log.info({ config: c, key: KEY, privateKey: KEY }, "config loaded");
    expect(logged).to.include("[redacted]");
    expect(logged).to.not.include(hex);
    const bad = issuesOf(() => loadConfig({ network: "localhost", config: file("key2.json", { addressBook: book }) }, { BALLAST_KEEPER_KEY: `${KEY}ff` }, dir));
    expect(bad).to.deep.equal(["BALLAST_KEEPER_KEY"]);
  });
});
