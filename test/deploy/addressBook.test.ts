import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  AddressBookError,
  parseAddressBook,
  readAddressBook,
  writeAddressBook,
  type AddressBook,
} from "../../deploy/addressBook";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const valid = (): AddressBook => ({
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
});

describe("address book (deployments/<network>.json)", function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-book-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round-trips in exactly the address-book shape, addresses checksummed", function () {
    const lower = valid();
    lower.contracts.Pool = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    writeAddressBook("localhost", lower, { dir });
    const raw = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
    expect(Object.keys(raw)).to.deep.equal(["chainId", "contracts"]);
    expect(Object.keys(raw.contracts)).to.deep.equal([
      "BallastDollar",
      "PriceOracle",
      "Reserve",
      "CollateralPolicy",
      "MarketOperator",
      "Pool",
      "USDC",
      "WETH",
      "feeds",
    ]);
    expect(readAddressBook("localhost", { dir }).contracts.Pool).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
  });

  it("a missing address book names the network and how to create it", function () {
    expect(() => readAddressBook("localhost", { dir })).to.throw(
      AddressBookError,
      /no address book for network "localhost" .*npm run deploy -- --network localhost/,
    );
  });

  it("a missing field is named by its path", function () {
    const book = valid() as unknown as { contracts: { feeds: Record<string, string> } };
    delete book.contracts.feeds.WETH;
    expect(() => parseAddressBook(book, "x.json")).to.throw(
      AddressBookError,
      "address book x.json is malformed: contracts.feeds.WETH missing",
    );
  });

  it("a malformed address or chain id is named by its path", function () {
    const book = valid() as unknown as Record<string, unknown> & { contracts: Record<string, unknown> };
    book.contracts.Pool = "0x1234";
    expect(() => parseAddressBook(book, "x.json")).to.throw(AddressBookError, "contracts.Pool is not a valid address");
    book.contracts.Pool = A(6);
    book.chainId = "31337";
    expect(() => parseAddressBook(book, "x.json")).to.throw(AddressBookError, "chainId must be a number");
  });

  it("a file that is not JSON is reported with its path", function () {
    fs.writeFileSync(path.join(dir, "localhost.json"), "{ not json");
    expect(() => readAddressBook("localhost", { dir })).to.throw(AddressBookError, /localhost\.json is not valid JSON/);
  });
});
