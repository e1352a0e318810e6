/**
 * The protocol's contracts as the keeper talks to them: typed handles from the address book,
 * plus the facts that never change after deployment (pair orientation, decimals), read once.
 */
import type { ContractRunner, Provider } from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  IERC20Metadata__factory,
  IUniswapV2PairMinimal__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
  type BallastDollar,
  type CollateralPolicy,
  type IUniswapV2PairMinimal,
  type MarketOperator,
  type PriceOracle,
  type Reserve,
} from "./contracts";
import type { AddressBook } from "../config/addressBook";

export interface Protocol {
  operator: MarketOperator;
  oracle: PriceOracle;
  reserve: Reserve;
  policy: CollateralPolicy;
  stable: BallastDollar;
  pair: IUniswapV2PairMinimal;
  quoteAsset: string;
  tokenIsToken0: boolean;
  tokenDecimals: number;
  quoteDecimals: number;
}

export function protocolHandles(book: AddressBook, runner: ContractRunner): Omit<Protocol, "quoteAsset" | "tokenIsToken0" | "tokenDecimals" | "quoteDecimals"> {
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

/** Connects and reads the immutable facts (one round of calls). */
export async function connectProtocol(book: AddressBook, provider: Provider): Promise<Protocol> {
  const h = protocolHandles(book, provider);
  const [quoteAsset, token0, tokenDecimals] = await Promise.all([h.oracle.quoteAsset(), h.pair.token0(), h.stable.decimals()]);
  const quoteDecimals = await IERC20Metadata__factory.connect(quoteAsset, provider).decimals();
  return {
    ...h,
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
