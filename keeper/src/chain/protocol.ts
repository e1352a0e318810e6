/**
 * The protocol's contracts as the keeper talks to them: typed handles from the address book,
 * plus the facts that never change after deployment (the venue, pool orientation, decimals), read
 * once. The venue is the operator's: a MarketOperatorV3 answers `pool()` (its V3 pool), the V2
 * MarketOperator has no such function.
 */
import type { ContractRunner, Provider } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  IERC20Metadata__factory,
  IMarketOperatorV3__factory,
  IUniswapV2PairMinimal__factory,
  IUniswapV3PoolMinimal__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
  type BallastDollar,
  type CollateralPolicy,
  type IUniswapV2PairMinimal,
  type IUniswapV3PoolMinimal,
  type MarketOperator,
  type PriceOracle,
  type Reserve,
} from "./contracts";
import type { AddressBook } from "../config/addressBook";
import { ConfigError } from "../errors";
import { tryView } from "./revert";

export interface Protocol {
  operator: MarketOperator;
  oracle: PriceOracle;
  reserve: Reserve;
  policy: CollateralPolicy;
  stable: BallastDollar;
  /** The address book's Pool as a V2 pair (token0() reads the same on a V3 pool). */
  pair: IUniswapV2PairMinimal;
  /** The V3 pool when the operator is MarketOperatorV3, else null (the venue is the V2 pair). */
  v3Pool: IUniswapV3PoolMinimal | null;
  quoteAsset: string;
  tokenIsToken0: boolean;
  tokenDecimals: number;
  quoteDecimals: number;
}

export function protocolHandles(
  book: AddressBook,
  runner: ContractRunner,
): Omit<Protocol, "v3Pool" | "quoteAsset" | "tokenIsToken0" | "tokenDecimals" | "quoteDecimals"> {
  const c = book.contracts;
  return {
    operator: MarketOperator__factory.connect(c.MarketOperator, runner),
    oracle: PriceOracle__factory.connect(c.PriceOracle, runner),
    reserve: Reserve__factory.connect(c.Reserve, runner),
    policy: CollateralPolicy__factory.connect(c.CollateralPolicy, runner),
    stable: BallastDollar__factory.connect(c.BallastDollar, runner),
    pair: IUniswapV2PairMinimal__factory.connect(c.Pool, runner),
  };
}

/**
 * The venue's V3 pool, when the operator is MarketOperatorV3: its `pool()` must be the address
 * book's Pool (else a ConfigError), and null when the operator has no `pool()` (the V2 operator).
 */
export async function readV3Venue(book: AddressBook, provider: Provider): Promise<IUniswapV3PoolMinimal | null> {
  const pool = await tryView(() => IMarketOperatorV3__factory.connect(book.contracts.MarketOperator, provider).pool());
  if (pool === undefined) return null;
  if (pool.toLowerCase() !== book.contracts.Pool.toLowerCase()) {
    throw new ConfigError([
      {
        field: "addressBook.contracts.Pool",
        message: `${book.contracts.Pool} is not the pool MarketOperatorV3 trades on (its pool() is ${pool})`,
      },
    ]);
  }
  return IUniswapV3PoolMinimal__factory.connect(book.contracts.Pool, provider);
}

/** Connects and reads the immutable facts (one round of calls). */
export async function connectProtocol(book: AddressBook, provider: Provider): Promise<Protocol> {
  const h = protocolHandles(book, provider);
  const [quoteAsset, token0, tokenDecimals, v3Pool] = await Promise.all([
    h.oracle.quoteAsset(),
    h.pair.token0(),
    h.stable.decimals(),
    readV3Venue(book, provider),
  ]);
  const quoteDecimals = await IERC20Metadata__factory.connect(quoteAsset, provider).decimals();
  return {
    ...h,
    v3Pool,
    quoteAsset,
    tokenIsToken0: token0.toLowerCase() === book.contracts.BallastDollar.toLowerCase(),
    tokenDecimals: Number(tokenDecimals),
    quoteDecimals: Number(quoteDecimals),
  };
}

/** Symbols of the reserve's assets, cached: they do not change once a token is deployed. */
export class SymbolCache {
  readonly #symbols = new Map<string, string>();
  constructor(private readonly provider: Provider) {}
  async symbol(asset: string): Promise<string> {
    const key = asset.toLowerCase();
    const hit = this.#symbols.get(key);
    if (hit !== undefined) return hit;
    let symbol: string;
    try {
      symbol = await IERC20Metadata__factory.connect(asset, this.provider).symbol();
    } catch {
      symbol = asset.slice(0, 10);
    }
    this.#symbols.set(key, symbol);
    return symbol;
  }
}
