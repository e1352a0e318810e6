/**
 * The address book, `deployments/<network>.json`, exactly in the shape docs/deploy.md documents (its
 * schema is the keeper's, keeper/src/config/addressBook.ts), and its
 * sidecar deployment record, `deployments/<network>.deployment.json` (which chain it belongs to,
 * who holds which role). Scripts, the keeper and tests read addresses from here and nowhere else.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { addressBookSchema, addressSchema as address, type AddressBook } from "../keeper/src/config/addressBook";

export type { AddressBook };

/** Facts about the deployment that are not addresses of the system (kept out of the address book). */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  /** Hash of block 0: tells a restarted local node (same chain id, new chain) from the one deployed to. */
  genesisHash: string;
  /** Ignition deployment id; its journal lives in `<deployments dir>/ignition/<id>`. */
  deploymentId: string;
  roles: { admin: string; guardian: string; keeper: string };
  /** Local networks: the node account index that holds KEEPER_ROLE. */
  localKeeperAccountIndex: number | null;
  /** Helper contracts outside the address book (factory, local strategy vaults). */
  extra: Record<string, string>;
}

export class AddressBookError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AddressBookError";
  }
}

const recordSchema = z.object({
  network: z.string(),
  chainId: z.number().int().positive(),
  genesisHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex hash"),
  deploymentId: z.string().min(1),
  roles: z.object({ admin: address, guardian: address, keeper: address }),
  localKeeperAccountIndex: z.number().int().nonnegative().nullable(),
  extra: z.record(address),
});

/** Every contract the book names, with the name each is printed and checked under (LiquidityManager when there is one). */
export function namedAddresses(book: AddressBook): [string, string][] {
  const c = book.contracts;
  return [
    ["BallastDollar", c.BallastDollar],
    ["PriceOracle", c.PriceOracle],
    ["Reserve", c.Reserve],
    ["CollateralPolicy", c.CollateralPolicy],
    ["MarketOperator", c.MarketOperator],
    ["Pool", c.Pool],
    ["USDC", c.USDC],
    ["WETH", c.WETH],
    ["feeds.USDC", c.feeds.USDC],
    ["feeds.WETH", c.feeds.WETH],
    ...(c.LiquidityManager ? [["LiquidityManager", c.LiquidityManager] as [string, string]] : []),
  ];
}

/** Where address books live: `BALLAST_DEPLOYMENTS_DIR` if set (tests), else `<repo>/deployments`. */
export function deploymentsDir(): string {
  return path.resolve(process.env.BALLAST_DEPLOYMENTS_DIR ?? path.join(__dirname, "..", "deployments"));
}

export function addressBookPath(network: string, dir = deploymentsDir()): string {
  return path.join(dir, `${network}.json`);
}

export function deploymentRecordPath(network: string, dir = deploymentsDir()): string {
  return path.join(dir, `${network}.deployment.json`);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"} ${i.message}`).join("; ");
}

/** Validates an address book object; `source` names it in errors. Addresses come back checksummed. */
export function parseAddressBook(value: unknown, source: string): AddressBook {
  const parsed = addressBookSchema.safeParse(value);
  if (!parsed.success)
    throw new AddressBookError(`address book ${source} is malformed: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function readJson(file: string, what: string, network: string): unknown {
  if (!fs.existsSync(file)) {
    throw new AddressBookError(
      `no ${what} for network "${network}" (${file}): run \`npm run deploy -- --network ${network}\` first`,
    );
  }
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (cause) {
    throw new AddressBookError(`${what} ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/** Reads and validates `deployments/<network>.json`; throws an AddressBookError naming the network or field. */
export function readAddressBook(network: string, options: { dir?: string } = {}): AddressBook {
  const file = addressBookPath(network, options.dir);
  return parseAddressBook(readJson(file, "address book", network), file);
}

/** Reads the sidecar deployment record of `network`. */
export function readDeploymentRecord(network: string, options: { dir?: string } = {}): DeploymentRecord {
  const file = deploymentRecordPath(network, options.dir);
  const parsed = recordSchema.safeParse(readJson(file, "deployment record", network));
  if (!parsed.success)
    throw new AddressBookError(`deployment record ${file} is malformed: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Writes atomically (temp file + rename) so a reader never sees half a file. */
function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

export function writeAddressBook(network: string, book: AddressBook, options: { dir?: string } = {}): string {
  const file = addressBookPath(network, options.dir);
  // Re-validate and emit keys in the documented order, nothing more.
  const b = parseAddressBook(book, file);
  const c = b.contracts;
  writeJson(file, {
    chainId: b.chainId,
    ...(b.venue ? { venue: b.venue } : {}),
    contracts: {
      BallastDollar: c.BallastDollar,
      PriceOracle: c.PriceOracle,
      Reserve: c.Reserve,
      CollateralPolicy: c.CollateralPolicy,
      MarketOperator: c.MarketOperator,
      Pool: c.Pool,
      USDC: c.USDC,
      WETH: c.WETH,
      feeds: { USDC: c.feeds.USDC, WETH: c.feeds.WETH },
      ...(c.LiquidityManager ? { LiquidityManager: c.LiquidityManager } : {}),
    },
  });
  return file;
}

export function writeDeploymentRecord(
  network: string,
  record: DeploymentRecord,
  options: { dir?: string } = {},
): string {
  const file = deploymentRecordPath(network, options.dir);
  writeJson(file, recordSchema.parse(record));
  return file;
}
