/**
 * The real Uniswap V3 factory and pool from @uniswap/v3-core's compiled artifacts: deploy the
 * factory (local networks), create the token/quote pool at a tier, initialise it at a price and
 * raise its observation cardinality so its own oracle covers the TWAP window.
 */
import { Contract, ContractFactory, type ContractRunner, type Signer } from "ethers";
import UniswapV3FactoryArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import UniswapV3PoolArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json";
import { V3_FACTORY_DEFAULT_TIERS, V3_TICK_SPACING } from "./venue";

export const V3_FACTORY_ABI = UniswapV3FactoryArtifact.abi;
export const V3_POOL_ABI = UniswapV3PoolArtifact.abi;

type Tx = Promise<{ wait(): Promise<unknown> }>;

export interface UniswapV3FactoryContract {
  getAddress(): Promise<string>;
  enableFeeAmount(fee: number, tickSpacing: number): Tx;
  feeAmountTickSpacing(fee: number): Promise<bigint>;
  createPool(a: string, b: string, fee: number): Tx;
  getPool(a: string, b: string, fee: number): Promise<string>;
}

export interface UniswapV3PoolContract {
  getAddress(): Promise<string>;
  token0(): Promise<string>;
  token1(): Promise<string>;
  fee(): Promise<bigint>;
  tickSpacing(): Promise<bigint>;
  liquidity(): Promise<bigint>;
  slot0(): Promise<
    [bigint, bigint, bigint, bigint, bigint, bigint, boolean] & {
      sqrtPriceX96: bigint;
      tick: bigint;
      observationCardinalityNext: bigint;
    }
  >;
  ticks(tick: number): Promise<{ liquidityNet: bigint; initialized: boolean }>;
  tickBitmap(word: number): Promise<bigint>;
  initialize(sqrtPriceX96: bigint): Tx;
  increaseObservationCardinalityNext(n: number, overrides?: { gasLimit: bigint }): Tx;
  observe(secondsAgos: number[]): Promise<[bigint[], bigint[]]>;
}

/** Deploys the real V3 factory; its owner is the signer. */
export async function deployV3Factory(signer: Signer): Promise<UniswapV3FactoryContract & Contract> {
  const factory = await new ContractFactory(
    UniswapV3FactoryArtifact.abi,
    UniswapV3FactoryArtifact.bytecode,
    signer,
  ).deploy();
  await factory.waitForDeployment();
  return factory as unknown as UniswapV3FactoryContract & Contract;
}

export function connectV3Pool(address: string, signer: ContractRunner): UniswapV3PoolContract & Contract {
  return new Contract(address, UniswapV3PoolArtifact.abi, signer) as unknown as UniswapV3PoolContract & Contract;
}

/** The tiers the factory has enabled, read from the chain (no transaction). */
export async function enabledTiers(
  factory: UniswapV3FactoryContract,
  candidates: readonly number[] = Object.keys(V3_TICK_SPACING).map(Number),
): Promise<number[]> {
  const tiers: number[] = [];
  for (const fee of candidates) if ((await factory.feeAmountTickSpacing(fee)) !== 0n) tiers.push(fee);
  return tiers;
}

/** Enables the 0.01% tier (spacing 1) when asked for and not yet on: local networks only. */
export async function enableLocalTier(factory: UniswapV3FactoryContract, feePips: number): Promise<void> {
  if (V3_FACTORY_DEFAULT_TIERS.includes(feePips)) return;
  if ((await factory.feeAmountTickSpacing(feePips)) !== 0n) return;
  await (await factory.enableFeeAmount(feePips, V3_TICK_SPACING[feePips])).wait();
}

/** Creates and initialises the pool at `sqrtPriceX96`, raising its cardinality to `cardinality`. */
export async function createV3Pool(
  factory: UniswapV3FactoryContract,
  signer: Signer,
  tokenA: string,
  tokenB: string,
  feePips: number,
  sqrtPriceX96: bigint,
  cardinality: number,
): Promise<UniswapV3PoolContract & Contract> {
  await (await factory.createPool(tokenA, tokenB, feePips)).wait();
  const pool = connectV3Pool(await factory.getPool(tokenA, tokenB, feePips), signer);
  await (await pool.initialize(sqrtPriceX96)).wait();
  await raiseCardinality(pool, cardinality);
  return pool;
}

/**
 * Observation slots one transaction may open: the pool writes each slot (~22k gas), so 1,800 at
 * once would pass a block's gas limit.
 */
export const CARDINALITY_STEP = 400;

/**
 * Gas per observation slot opened: a zero-to-nonzero SSTORE (20,000) on a cold slot (2,100) and the
 * loop around it, with room. Sent as the gas limit: a `hardhat node` fails to estimate this call
 * ("missing revert data") although it succeeds when sent.
 */
export const GAS_PER_CARDINALITY_SLOT = 25_000n;
const CARDINALITY_CALL_GAS = 100_000n;

/** Raises the pool's observation cardinality to `cardinality` in steps that fit a block. */
export async function raiseCardinality(pool: UniswapV3PoolContract, cardinality: number): Promise<void> {
  let next = Number((await pool.slot0()).observationCardinalityNext);
  while (next < cardinality) {
    const opened = Math.min(next + CARDINALITY_STEP, cardinality) - next;
    next += opened;
    await (
      await pool.increaseObservationCardinalityNext(next, {
        gasLimit: CARDINALITY_CALL_GAS + GAS_PER_CARDINALITY_SLOT * BigInt(opened),
      })
    ).wait();
  }
}
