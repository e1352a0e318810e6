/**
 * The live deploy path, end to end, against a separate Anvil node standing in for a testnet
 * (scripts/devnet/testnet.ts deployed its tokens, feeds, Uniswap V2 factory and the governance
 * timelock beforehand): `ballast:deploy --network devnet` (a `live` NETWORK_CONFIGS entry, deployer
 * key from BALLAST_DEPLOYER_KEY) hands admin to the TimelockController; after the market's first
 * liquidity, `ballast:status` reads it, and one keeper cycle signed from an encrypted keystore
 * restores a price pushed 2% above the peg. A process test: `npm run test:process`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, ZeroHash } from "ethers";
import { readAddressBook, readDeploymentRecord, type AddressBook } from "../../../deploy/addressBook";
import { DEVNET_CHAIN_ID, DEVNET_CONFIG } from "../../../deploy/parameters";
import { startAnvil, type RunningNode } from "../../../scripts/devnet/node";
import { TESTNET_ACCOUNTS, launchMarket, setupTestnet } from "../../../scripts/devnet/testnet";
import { advance, poolView, pushPrice } from "../../../scripts/localMarket";
import { spawnKeeper } from "../../../scripts/lib/keeperProcess";
import { expectOk, runHardhat, type CliEnv } from "../../support/process/cli";

/** The test mnemonic's account #0 and #7 keys: published test keys, never real funds. */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEEPER_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";
const TRADER_ACCOUNT = 5;
const ACCESS = ["function hasRole(bytes32, address) view returns (bool)"];

describe("the live path on a stand-in testnet (Anvil): timelock admin, keystore keeper", function () {
  this.timeout(900_000);
  let anvil: RunningNode;
  let provider: JsonRpcProvider;
  let dir: string;
  let env: CliEnv;
  let book: AddressBook;

  before(async function () {
    anvil = await startAnvil(DEVNET_CHAIN_ID);
    provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1 });
    dir = mkdtempSync(path.join(os.tmpdir(), "ballast-live-"));
    env = { dir, extra: { BALLAST_DEVNET_URL: anvil.url, BALLAST_DEPLOYER_KEY: DEPLOYER_KEY } };
    await setupTestnet(anvil.url);
  });

  after(async function () {
    provider?.destroy();
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("deploys onto the existing tokens, feeds and factory and hands admin to the timelock", async function () {
    const deploy = expectOk(
      await runHardhat(["ballast:deploy", "--network", "devnet"], env),
      "ballast:deploy --network devnet",
    );
    expect(deploy.stdout).to.contain("wiring verified");
    book = readAddressBook("devnet", { dir });
    const record = readDeploymentRecord("devnet", { dir });
    expect(book.chainId).to.equal(DEVNET_CHAIN_ID);
    expect(book.contracts.USDC).to.equal(DEVNET_CONFIG.external.tokens.USDC);
    expect(book.contracts.feeds.WETH).to.equal(DEVNET_CONFIG.external.feeds.WETH);
    expect(record.roles).to.deep.equal(DEVNET_CONFIG.roles);
    expect(record.localKeeperAccountIndex).to.equal(null);
    const deployer = new Wallet(DEPLOYER_KEY).address;
    for (const name of ["BallastDollar", "PriceOracle", "Reserve", "CollateralPolicy", "MarketOperator"] as const) {
      const c = new Contract(book.contracts[name], ACCESS, provider);
      expect(await c.hasRole(ZeroHash, DEVNET_CONFIG.roles.admin), `${name} admin is the timelock`).to.equal(true);
      expect(await c.hasRole(ZeroHash, deployer), `${name}: the deployer renounced admin`).to.equal(false);
    }
  });

  it("after the first liquidity, ballast:status reads the system at the peg", async function () {
    await launchMarket(anvil.url, book);
    const status = expectOk(
      await runHardhat(["ballast:status", "--network", "devnet", "--json"], env),
      "ballast:status --network devnet",
    );
    const s = JSON.parse(status.stdout) as {
      deviationBps: number;
      collateralRatio: string;
      targetRatio: string;
      assets: { symbol: string }[];
      paused: Record<string, boolean>;
    };
    expect(Math.abs(s.deviationBps)).to.be.at.most(1);
    expect(BigInt(s.collateralRatio) > BigInt(s.targetRatio)).to.equal(true);
    expect(s.assets.map((a) => a.symbol)).to.deep.equal(["USDC", "WETH"]);
    expect(Object.values(s.paused).some(Boolean)).to.equal(false);
  });

  it("one keeper cycle from an encrypted keystore restores a price 2% above the peg", async function () {
    const trader = await provider.getSigner(TRADER_ACCOUNT);
    const clock = await provider.getSigner(TESTNET_ACCOUNTS.marketMaker);
    await pushPrice(book, trader, 200);
    await advance(book, provider, clock, 1_800, 4);
    expect((await poolView(book, trader)).deviationBps).to.be.greaterThan(150);

    const keystore = path.join(dir, "keeper.keystore.json");
    const passwordFile = path.join(dir, "keeper.password");
    const password = "devnet keystore password";
    writeFileSync(keystore, await new Wallet(KEEPER_KEY).encrypt(password));
    writeFileSync(passwordFile, password);
    const configPath = path.join(dir, "keeper.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        addressBook: path.join(dir, "devnet.json"),
        networks: { devnet: { rpcUrls: [anvil.url], chainId: DEVNET_CHAIN_ID } },
      }),
    );
    const k = spawnKeeper(["run", "--once", "--network", "devnet", "--config", configPath], {
      env: {
        BALLAST_KEYSTORE: keystore,
        BALLAST_KEYSTORE_PASSWORD_FILE: passwordFile,
        BALLAST_KEEPER_JOURNAL: path.join(dir, "journal.sqlite"),
        BALLAST_KEEPER_KEY: undefined,
        BALLAST_RPC_URLS: undefined,
        BALLAST_KEEPER_PORT: "0",
      },
    });
    const { code } = await k.exited;
    expect(code, `${k.stdout()}\n${k.stderr()}`).to.equal(0);
    expect(
      k.lines.find((l) => l.event === "keeper.account"),
      k.stdout(),
    ).to.include({ address: DEVNET_CONFIG.roles.keeper, origin: `keystore ${keystore}` });
    const confirmed = k.lines.find((l) => l.event === "tx.confirmed");
    expect(confirmed, k.stdout()).to.include({ action: "expand" });
    expect(Math.abs((await poolView(book, trader)).deviationBps)).to.be.at.most(1);
    expect((k.stdout() + k.stderr()).toLowerCase()).to.not.include(password);
  });
});
