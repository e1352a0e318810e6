/**
 * `deployBallast`: the one deploy path for every network (the `ballast:deploy` task and `npm
 * start` both call it). It runs the Hardhat Ignition module with a journal per chain, finishes
 * local networks (TWAP warm-up), verifies the wiring from the chain, and only then writes the
 * address book and its deployment record.
 *
 * Idempotence: the Ignition journal lives in `<deployments>/ignition/<network>-<chainId>-<genesis>`,
 * so a re-run against the same node reconciles and sends nothing, while a restarted node (same
 * chain id, new genesis block) gets a new journal and a fresh deploy. A journal whose contracts
 * have no code on the chain (a node restarted with a fixed genesis) is set aside and redeployed.
 */
import fs from "node:fs";
import path from "node:path";
import {
  deploy,
  DeploymentResultType,
  type ArtifactResolver,
  type DeploymentResult,
  type EIP1193Provider,
} from "@nomicfoundation/ignition-core";
import {
  HardhatArtifactResolver,
  errorDeploymentResultToExceptionMessage,
} from "@nomicfoundation/hardhat-ignition/helpers";
import { getAddress, type Provider, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  deploymentsDir as defaultDeploymentsDir,
  readAddressBook,
  readDeploymentRecord,
  writeAddressBook,
  writeDeploymentRecord,
  type AddressBook,
  type DeploymentRecord,
} from "./addressBook";
import { BALLAST_MODULE_ID, buildBallastModule, type BallastModuleInput } from "./ignition/ballastModule";
import { chainIdentity, twapReady, warmTwap, type ChainIdentity } from "./localChain";
import {
  LOCAL_KEEPER_ACCOUNT_INDEX,
  isLocalNetwork,
  networkDeployConfig,
  withVenue,
  type AccountRef,
  type NetworkDeployConfig,
} from "./parameters";
import { LOCAL_V3_TIERS, V3_SEED_MARKET_RANGE_BPS, V3_SEED_POL_QUOTE, launchLocalV3Venue } from "./v3Launch";
import { checkV3Venue } from "./venue";
import { verifyWiring } from "./verifyWiring";

export interface DeployOptions {
  /** Overrides the network's entry in NETWORK_CONFIGS (tests, custom setups). */
  config?: NetworkDeployConfig;
  /** The venue chosen on the command line (`--venue v2|v3`), over the configuration's. */
  venue?: string;
  /** Where address books and journals go; default `BALLAST_DEPLOYMENTS_DIR` or `<repo>/deployments`. */
  dir?: string;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export interface DeployOutcome {
  addressBook: AddressBook;
  record: DeploymentRecord;
  addressBookPath: string;
  /** Contracts deployed by this run (0 on an idempotent re-run). */
  deployedCount: number;
  /** Why this run started from scratch, when it did. */
  freshReason: string | null;
  /** Seconds the local clock was advanced to warm the TWAP (0 when it was ready). */
  twapWarmupSec: number;
}

export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeployError";
  }
}

async function resolveAccount(ref: AccountRef, field: string, network: string, accounts: string[]): Promise<string> {
  if (typeof ref === "string") {
    try {
      return getAddress(ref);
    } catch (cause) {
      throw new DeployError(`roles.${field} is not a valid address: ${ref}`, { cause });
    }
  }
  if (!isLocalNetwork(network))
    throw new DeployError(
      `roles.${field} names local account ${ref.localAccount}, but ${network} is not a local network`,
    );
  const account = accounts[ref.localAccount];
  if (!account)
    throw new DeployError(
      `roles.${field} names local account ${ref.localAccount}, but the node has only ${accounts.length} accounts`,
    );
  return getAddress(account);
}

/**
 * The venue, checked before anything is sent: a bad V3 choice fails naming its parameter. A V3
 * venue deploys on local networks (its own factory); a live one would need an existing V3 factory.
 */
function checkVenue(config: NetworkDeployConfig): void {
  const venue = config.params.venue;
  if (!venue || venue.kind === "v2") return;
  if (config.kind === "live")
    throw new DeployError(
      "venue.kind: v3 on a live network needs external.uniswapV3Factory, which the deploy does not read yet",
    );
  checkV3Venue(venue, config.params.oracle.twapWindowSec, LOCAL_V3_TIERS);
}

/** Journal entries that point at empty addresses mean the chain under the journal is gone. */
async function journalMatchesChain(journalDir: string, provider: Provider): Promise<string | null> {
  const file = path.join(journalDir, "deployed_addresses.json");
  if (!fs.existsSync(file)) return null;
  const deployed = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  for (const [futureId, address] of Object.entries(deployed)) {
    if ((await provider.getCode(address)) === "0x") return `journal entry ${futureId} has no code at ${address}`;
  }
  return null;
}

function countDeployed(journalDir: string | undefined): number {
  if (!journalDir) return 0;
  const file = path.join(journalDir, "deployed_addresses.json");
  return fs.existsSync(file) ? Object.keys(JSON.parse(fs.readFileSync(file, "utf8"))).length : 0;
}

/** Why the existing address book cannot describe this chain, or null when it can (or there is none). */
async function staleAddressBookReason(
  network: string,
  dir: string,
  chain: ChainIdentity,
  provider: Provider,
): Promise<string | null> {
  let book: AddressBook;
  let record: DeploymentRecord | null = null;
  try {
    book = readAddressBook(network, { dir });
  } catch {
    return null;
  }
  try {
    record = readDeploymentRecord(network, { dir });
  } catch {
    /* an address book without its record: judged by chain id and code below */
  }
  if (book.chainId !== chain.chainId) return `chain id changed from ${book.chainId} to ${chain.chainId}`;
  if (record && record.genesisHash !== chain.genesisHash)
    return `genesis block changed from ${record.genesisHash} to ${chain.genesisHash} (a new node)`;
  if ((await provider.getCode(book.contracts.BallastDollar)) === "0x")
    return `no code at the recorded BallastDollar ${book.contracts.BallastDollar}`;
  return null;
}

function resultAddress(
  result: DeploymentResult & { type: DeploymentResultType.SUCCESSFUL_DEPLOYMENT },
  futureName: string,
): string {
  const entry = result.contracts[`${BALLAST_MODULE_ID}#${futureName}`];
  if (!entry) throw new DeployError(`the deployment result has no ${futureName}`);
  return getAddress(entry.address);
}

/**
 * Deploys (or reconciles) Ballast on `hre.network`, verifies it and writes the address book.
 * From a script (e.g. `npm start`), point the `localhost` network at a node first: set
 * `BALLAST_LOCALHOST_URL` and `HARDHAT_NETWORK=localhost` before `import hre from "hardhat"`.
 */
export async function deployBallast(
  hre: HardhatRuntimeEnvironment,
  options: DeployOptions = {},
): Promise<DeployOutcome> {
  await hre.run("compile", { quiet: true });
  return deployBallastTo(
    {
      network: hre.network.name,
      rpc: hre.network.provider,
      provider: hre.ethers.provider,
      artifacts: new HardhatArtifactResolver(hre),
      signer: (address) => hre.ethers.getSigner(address),
    },
    options,
  );
}

/**
 * A chain to deploy to: the network's name (which NETWORK_CONFIGS entry applies, and whether it is
 * local), its raw JSON-RPC provider (Ignition sends through it from the node's accounts), an ethers
 * provider over the same chain, the compiled artifacts, and signers of the node's accounts.
 */
export interface DeployTarget {
  network: string;
  rpc: EIP1193Provider;
  provider: Provider;
  artifacts: ArtifactResolver;
  signer(address: string): Promise<Signer>;
}

/** `deployBallast` on any target: the Hardhat runtime's network, or a node reached over JSON-RPC (scripts/devnet). */
export async function deployBallastTo(target: DeployTarget, options: DeployOptions = {}): Promise<DeployOutcome> {
  const network = target.network;
  const log = options.log ?? (() => undefined);
  const dir = options.dir ?? defaultDeploymentsDir();
  let config: NetworkDeployConfig;
  try {
    config = withVenue(options.config ?? networkDeployConfig(network), options.venue);
  } catch (cause) {
    throw new DeployError((cause as Error).message, { cause });
  }
  if (config.kind === "local" && !isLocalNetwork(network))
    throw new DeployError(`network ${network} is not local but its config deploys local test contracts`);
  checkVenue(config);

  const provider = target.provider;
  const chain = await chainIdentity(provider);
  const accounts = (await target.rpc.request({ method: "eth_accounts" })) as string[];
  if (accounts.length === 0)
    throw new DeployError(
      `network ${network} has no account to deploy from: configure accounts for it in hardhat.config.ts`,
    );
  const deployerAccount = config.kind === "local" ? config.deployerAccount ?? 0 : 0;
  if (!accounts[deployerAccount])
    throw new DeployError(
      `deployerAccount names local account ${deployerAccount}, but the node has only ${accounts.length} accounts`,
    );
  const deployer = getAddress(accounts[deployerAccount]);
  const seed = config.kind === "local" && config.seed !== false;
  const v3 = config.params.venue?.kind === "v3" ? config.params.venue : null;
  const admin =
    config.roles.admin === "deployer" ? deployer : await resolveAccount(config.roles.admin, "admin", network, accounts);
  const guardian = await resolveAccount(config.roles.guardian, "guardian", network, accounts);
  const keeper = await resolveAccount(config.roles.keeper, "keeper", network, accounts);

  const deploymentId = `${network}-${chain.chainId}-${chain.genesisHash.slice(2, 14)}`;
  // The in-process network is born and dies with this process: keep its journal in memory.
  const journalDir = network === "hardhat" ? undefined : path.join(dir, "ignition", deploymentId);

  let freshReason = await staleAddressBookReason(network, dir, chain, provider);
  if (journalDir && fs.existsSync(journalDir)) {
    const gone = await journalMatchesChain(journalDir, provider);
    if (gone) {
      const aside = `${journalDir}.stale-${Date.now()}`;
      fs.renameSync(journalDir, aside);
      freshReason = `${gone}; old journal moved to ${aside}`;
    }
  } else if (!freshReason) {
    freshReason = "no deployment on this chain yet";
  }
  if (freshReason) log(`deploying fresh on ${network} (chain ${chain.chainId}): ${freshReason}`);
  else log(`${network} (chain ${chain.chainId}) already has a deployment; reconciling`);

  const input: BallastModuleInput = {
    params: config.params,
    deployer,
    guardian,
    keeper,
    handoverAdmin: admin === deployer ? null : admin,
    local:
      config.kind === "local"
        ? {
            fundedAccounts: config.funding.accounts.map((i) => {
              const a = accounts[i];
              if (!a)
                throw new DeployError(
                  `funding.accounts names local account ${i}, but the node has only ${accounts.length} accounts`,
                );
              return getAddress(a);
            }),
            amountBySymbol: config.funding.amountBySymbol,
            seed,
          }
        : null,
    external: config.kind === "live" ? config.external : null,
  };

  // A journal kept in memory is never read back, so the compiler's build info it would store (one
  // 17 MB JSON parse per deployed contract, most of an in-process deploy's time) is left out.
  const artifactResolver: ArtifactResolver = journalDir
    ? target.artifacts
    : { loadArtifact: (name) => target.artifacts.loadArtifact(name), getBuildInfo: async () => undefined };
  const runIgnition = () =>
    deploy({
      artifactResolver,
      provider: target.rpc,
      deploymentDir: journalDir,
      ignitionModule: buildBallastModule(input),
      deploymentParameters: {},
      // A local node mines each transaction at once: poll for receipts often instead of each second.
      config: isLocalNetwork(network)
        ? { blockPollingInterval: 50 }
        : config.kind === "live" && config.confirmations !== undefined
        ? { requiredConfirmations: config.confirmations }
        : {},
      accounts,
      defaultSender: deployer,
    });
  let before = countDeployed(journalDir);
  let result = await runIgnition();
  if (
    (result.type === DeploymentResultType.RECONCILIATION_ERROR ||
      result.type === DeploymentResultType.PREVIOUS_RUN_ERROR) &&
    journalDir &&
    config.kind === "local"
  ) {
    // On a local chain, contracts or parameters that changed since the last deploy (or a run that
    // died half-way) mean "start over", not "repair": set the journal aside and deploy afresh.
    // On a live network the same condition stays an error for a human to look at.
    const aside = `${journalDir}.stale-${Date.now()}`;
    fs.renameSync(journalDir, aside);
    freshReason = `the deployment on this chain no longer matches the code or parameters (${errorDeploymentResultToExceptionMessage(
      result,
    )
      .replace(/\s+/g, " ")
      .trim()}); old journal moved to ${aside}`;
    log(`deploying fresh on ${network}: ${freshReason}`);
    before = 0;
    result = await runIgnition();
  }
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new DeployError(
      `Ignition deployment ${deploymentId} failed: ${errorDeploymentResultToExceptionMessage(result)}`,
    );
  }
  const deployedCount = journalDir ? countDeployed(journalDir) - before : Object.keys(result.contracts).length;

  const addressBook: AddressBook = {
    chainId: chain.chainId,
    ...(v3 ? { venue: "v3" as const } : {}),
    contracts: {
      BallastDollar: resultAddress(result, "BallastDollar"),
      PriceOracle: resultAddress(result, "PriceOracle"),
      Reserve: resultAddress(result, "Reserve"),
      CollateralPolicy: resultAddress(result, "CollateralPolicy"),
      MarketOperator: resultAddress(result, "MarketOperator"),
      Pool: resultAddress(result, "Pool"),
      USDC: config.kind === "local" ? resultAddress(result, "USDC") : getAddress(config.external.tokens.USDC),
      WETH: config.kind === "local" ? resultAddress(result, "WETH") : getAddress(config.external.tokens.WETH),
      feeds: {
        USDC: config.kind === "local" ? resultAddress(result, "FeedUSDC") : getAddress(config.external.feeds.USDC),
        WETH: config.kind === "local" ? resultAddress(result, "FeedWETH") : getAddress(config.external.feeds.WETH),
      },
      ...(v3 ? { LiquidityManager: resultAddress(result, "LiquidityManager") } : {}),
    },
  };

  if (v3 && config.kind === "local") {
    const c = addressBook.contracts;
    const p = config.params;
    await launchLocalV3Venue({
      venue: v3,
      pool: c.Pool,
      stable: c.BallastDollar,
      reserve: c.Reserve,
      liquidityManager: c.LiquidityManager!,
      quote: { token: c.USDC, params: p.collateral.quote },
      admin: await target.signer(deployer),
      keeper: await target.signer(keeper),
      ...(seed
        ? {
            seed: {
              trader: resultAddress(result, "UniswapV3Trader"),
              depth: p.poolDepth,
              equity: p.seedEquity,
              polQuote: V3_SEED_POL_QUOTE,
              marketRangeBps: V3_SEED_MARKET_RANGE_BPS,
            },
          }
        : {}),
    });
    log(
      `launched the V3 pool at the peg${seed ? ": market maker and protocol-owned positions seeded" : " (unseeded)"}`,
    );
  }

  // Operations need a TWAP observation a full window old; on a local node we can make time pass
  // (an unseeded pool has no price to average).
  let twapWarmupSec = 0;
  if (seed && !(await twapReady(addressBook.contracts.PriceOracle, provider))) {
    const signer = await target.signer(deployer);
    const rpc = { send: (method: string, params: unknown[]) => target.rpc.request({ method, params }) };
    twapWarmupSec = await warmTwap(
      rpc,
      addressBook.contracts.PriceOracle,
      [addressBook.contracts.feeds.USDC, addressBook.contracts.feeds.WETH],
      signer,
    );
    log(`warmed the pool TWAP: advanced the local clock by ${twapWarmupSec} s`);
  }

  await verifyWiring(
    provider,
    addressBook,
    { admin, guardian, keeper, formerAdmin: admin === deployer ? null : deployer },
    config.params,
  );
  log(
    "wiring verified: links, minter/operator rights, guardian, keeper and admin roles, operator limits, asset parameters",
  );

  const extra: Record<string, string> = v3
    ? { UniswapV3Factory: resultAddress(result, "UniswapV3Factory") }
    : {
        UniswapV2Factory:
          config.kind === "local"
            ? resultAddress(result, "UniswapV2Factory")
            : getAddress(config.external.uniswapV2Factory),
      };
  for (const key of Object.keys(result.contracts)) {
    const name = key.slice(BALLAST_MODULE_ID.length + 1);
    if (name.startsWith("Vault") || name === "UniswapV3Trader") extra[name] = getAddress(result.contracts[key].address);
  }
  const record: DeploymentRecord = {
    network,
    chainId: chain.chainId,
    genesisHash: chain.genesisHash,
    deploymentId,
    roles: { admin, guardian, keeper },
    localKeeperAccountIndex:
      config.kind === "local" && typeof config.roles.keeper === "object" ? config.roles.keeper.localAccount : null,
    extra,
  };
  const addressBookPath = writeAddressBook(network, addressBook, { dir });
  writeDeploymentRecord(network, record, { dir });
  log(deployedCount === 0 ? "nothing new to deploy" : `deployed ${deployedCount} contracts`);
  log(`address book: ${addressBookPath}`);
  if (network === "hardhat")
    log(
      "note: the in-process hardhat chain ends with this process; for a chain that stays, run `npm run node` and deploy with --network localhost",
    );
  return { addressBook, record, addressBookPath, deployedCount, freshReason, twapWarmupSec };
}

export { LOCAL_KEEPER_ACCOUNT_INDEX };
