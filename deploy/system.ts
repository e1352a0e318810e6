/**
 * Deploys a complete local Ballast system with ethers: test collateral tokens, Chainlink's
 * MockV3Aggregator feeds, the real Uniswap V2 factory and pair (from @uniswap/v2-core's
 * compiled artifacts), the five protocol contracts, their wiring, and a pool seeded at the peg.
 * Not the deploy: `npm run deploy`, `npm start` and the test fixture all go through the Ignition
 * module (deploy/deploy.ts, scripts/devnet/deploy.ts). This direct path remains for the few suites
 * that need a system the module does not build (unseeded, or from a chosen deployer account);
 * test/deploy/fixtureWiring.test.ts holds it to the deploy's wiring check.
 */
import { ContractFactory, parseUnits, type Signer } from "ethers";
import UniswapV2FactoryArtifact from "@uniswap/v2-core/build/UniswapV2Factory.json";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  MarketOperator__factory,
  MockV3Aggregator__factory,
  PriceOracle__factory,
  Reserve__factory,
  TestERC20__factory,
  TestVault__factory,
  type BallastDollar,
  type CollateralPolicy,
  type MarketOperator,
  type MockV3Aggregator,
  type PriceOracle,
  type Reserve,
  type TestERC20,
  type TestVault,
} from "../typechain-types";
import type { IMarketOperator } from "../typechain-types/contracts/MarketOperator";
import { sizingArgs, stableLaneArgs, type BallastParams, type CollateralParams } from "./parameters";
import { seedAmounts } from "./seedAmounts";
import { checkLocalV3Venue, deployLiquidityManager, deployMarketOperatorV3, deployV3Pool, type LocalV3Venue } from "./systemV3";

export interface UniswapV2Pair {
  getAddress(): Promise<string>;
  token0(): Promise<string>;
  getReserves(): Promise<[bigint, bigint, bigint]>;
  mint(to: string): Promise<{ wait(): Promise<unknown> }>;
  swap(a0: bigint, a1: bigint, to: string, data: string): Promise<{ wait(): Promise<unknown> }>;
  sync(): Promise<{ wait(): Promise<unknown> }>;
}

export interface Collateral {
  params: CollateralParams;
  token: TestERC20;
  feed: MockV3Aggregator;
  vault?: TestVault;
}

export interface LocalSystem {
  stable: BallastDollar;
  oracle: PriceOracle;
  reserve: Reserve;
  policy: CollateralPolicy;
  operator: MarketOperator;
  /** The V2 pair; on a V3 venue, the V3 pool's contract (use `v3.pool` there). */
  pair: UniswapV2Pair & import("ethers").BaseContract;
  factory: import("ethers").BaseContract;
  /** Present when `params.venue` is V3: the pool and the protocol-owned liquidity. */
  v3?: LocalV3Venue;
  quote: Collateral;
  collaterals: Collateral[];
}

export interface SystemRoles {
  admin: Signer;
  guardian: string;
  keeper: string;
}

export const usd = (value: string, decimals: number): bigint => parseUnits(value, decimals);

/** Deploys and wires everything; the admin signer pays and keeps DEFAULT_ADMIN_ROLE. */
export async function deployLocalSystem(params: BallastParams, roles: SystemRoles): Promise<LocalSystem> {
  const admin = roles.admin;
  const adminAddress = await admin.getAddress();
  const venue = params.venue?.kind === "v3" ? params.venue : null;
  if (venue) checkLocalV3Venue(venue, params.oracle.twapWindowSec); // before anything is sent

  const collaterals: Collateral[] = [];
  for (const p of [params.collateral.quote, ...params.collateral.others]) {
    const token = await new TestERC20__factory(admin).deploy(p.symbol === "USDC" ? "USD Coin (test)" : `${p.symbol} (test)`, p.symbol, p.decimals);
    const feed = await new MockV3Aggregator__factory(admin).deploy(p.feedDecimals, usd(p.initialPriceUsd, p.feedDecimals));
    const vault = p.strategy
      ? await new TestVault__factory(admin).deploy(await token.getAddress(), `Ballast ${p.symbol} strategy`, `bs${p.symbol}`)
      : undefined;
    collaterals.push({ params: p, token, feed, vault });
  }
  const quote = collaterals[0];

  const stable = await new BallastDollar__factory(admin).deploy(adminAddress);
  let factory: import("ethers").BaseContract;
  let pair: LocalSystem["pair"];
  let oracle: PriceOracle;
  let v3Pool: Omit<LocalV3Venue, "liquidityManager" | "params"> | null = null;
  if (venue) {
    const deployed = await deployV3Pool(admin, venue, stable, quote.token, quote.params.decimals, params.oracle.twapWindowSec);
    v3Pool = deployed;
    factory = deployed.factory as unknown as import("ethers").BaseContract;
    pair = deployed.pool as unknown as LocalSystem["pair"];
    oracle = deployed.oracle as unknown as PriceOracle;
  } else {
    factory = await new ContractFactory(UniswapV2FactoryArtifact.abi, UniswapV2FactoryArtifact.bytecode, admin).deploy(adminAddress);
    const factoryAt = factory as unknown as { createPair(a: string, b: string): Promise<{ wait(): Promise<unknown> }>; getPair(a: string, b: string): Promise<string> };
    await (await factoryAt.createPair(await stable.getAddress(), await quote.token.getAddress())).wait();
    const pairAddress = await factoryAt.getPair(await stable.getAddress(), await quote.token.getAddress());
    pair = new (await import("ethers")).Contract(pairAddress, UniswapV2PairArtifact.abi, admin) as unknown as LocalSystem["pair"];

    oracle = await new PriceOracle__factory(admin).deploy(
      adminAddress, pairAddress, await stable.getAddress(), await quote.token.getAddress(), params.oracle.twapWindowSec,
    );
  }
  for (const c of collaterals) {
    await (await oracle.setFeed(
      await c.token.getAddress(), await c.feed.getAddress(), c.params.maxAgeSec,
      usd(c.params.minPriceUsd, 18), usd(c.params.maxPriceUsd, 18),
    )).wait();
  }

  const reserve = await new Reserve__factory(admin).deploy(adminAddress, await stable.getAddress(), await oracle.getAddress());
  for (const c of collaterals) {
    await (await reserve.listAsset(await c.token.getAddress(), {
      haircutBps: c.params.haircutBps,
      mintFeeBps: c.params.mintFeeBps,
      redeemFeeBps: c.params.redeemFeeBps,
      bufferBps: c.params.bufferBps,
      ceiling: usd(c.params.ceiling, c.params.decimals),
    })).wait();
    if (c.vault) await (await reserve.setStrategy(await c.token.getAddress(), await c.vault.getAddress())).wait();
    if (c.params.redeemSpreadBps !== undefined) await (await reserve.setRedeemSpread(await c.token.getAddress(), c.params.redeemSpreadBps)).wait();
    if (c.params.stableLane) await (await reserve.setStableLane(await c.token.getAddress(), stableLaneArgs(c.params.stableLane))).wait();
  }
  await (await reserve.setRecoveryFees(params.reserve.recoveryMintFeeBps, params.reserve.recoveryRedeemFeeBps)).wait();
  await (await reserve.setBufferTolerance(params.reserve.bufferToleranceBps)).wait();

  const policy = await new CollateralPolicy__factory(admin).deploy(adminAddress, await oracle.getAddress(), await reserve.getAddress(), params.policy);
  await (await reserve.setCollateralPolicy(await policy.getAddress())).wait();

  const op = params.operator;
  const limits: IMarketOperator.LimitsStruct = {
    maxExpansionPerOp: parseUnits(op.maxExpansionPerOp, 18),
    maxExpansionPerEpoch: parseUnits(op.maxExpansionPerEpoch, 18),
    maxContractionPerOp: parseUnits(op.maxContractionPerOp, 18),
    maxContractionPerEpoch: parseUnits(op.maxContractionPerEpoch, 18),
    cooldownSec: op.cooldownSec,
    epochSec: op.epochSec,
  };
  const operatorArgs: Parameters<MarketOperator__factory["deploy"]> = [
    adminAddress, await stable.getAddress(), await oracle.getAddress(), await reserve.getAddress(),
    await policy.getAddress(), limits, op.bandBps, op.maxSpotTwapDeviationBps,
  ];
  // On V3 the operator trades through the pool's swap callback and quotes with the linked tick maths.
  const operator: MarketOperator = venue
    ? await deployMarketOperatorV3(admin, operatorArgs)
    : await new MarketOperator__factory(admin).deploy(...operatorArgs);
  await (await operator.setSizing(...sizingArgs(op.sizing))).wait();

  // Wiring: who may mint, who may move reserve funds, who may pause, who may operate.
  await (await stable.grantRole(await stable.MINTER_ROLE(), await reserve.getAddress())).wait();
  await (await stable.grantRole(await stable.MINTER_ROLE(), await operator.getAddress())).wait();
  await (await reserve.grantRole(await reserve.OPERATOR_ROLE(), await operator.getAddress())).wait();
  await (await reserve.grantRole(await reserve.GUARDIAN_ROLE(), roles.guardian)).wait();
  await (await operator.grantRole(await operator.GUARDIAN_ROLE(), roles.guardian)).wait();
  await (await operator.grantRole(await operator.KEEPER_ROLE(), roles.keeper)).wait();

  const v3 = venue && v3Pool
    ? { ...v3Pool, params: venue, liquidityManager: await deployLiquidityManager(admin, venue, stable, oracle, reserve, roles.keeper) }
    : undefined;
  return { stable, oracle, reserve, policy, operator, pair, factory, quote, collaterals, v3 };
}

/**
 * Seeds the pool at the peg with `depth` whole units on each side: the admin mints the token
 * through the reserve (depositing quote collateral), then adds both sides as liquidity.
 */
export async function seedPoolAtPeg(system: LocalSystem, admin: Signer, depth: string, equity: string): Promise<void> {
  const adminAddress = await admin.getAddress();
  const { quote, reserve, stable, pair } = system;
  const quoteAddress = await quote.token.getAddress();
  const reserveAddress = await reserve.getAddress();
  const pairAddress = await pair.getAddress();

  // Enough quote to back the pool's token side (minted at peg after haircut and fee) and the quote side.
  const { tokenSide, quoteSide, mintDeposit: deposit, equity: equityAmount } = seedAmounts(quote.params, depth, equity);
  await (await quote.token.mint(adminAddress, deposit + quoteSide)).wait();
  await (await quote.token.connect(admin).approve(reserveAddress, deposit)).wait();
  await (await reserve.connect(admin).mint(quoteAddress, deposit, tokenSide, adminAddress)).wait();
  await (await stable.connect(admin).transfer(pairAddress, tokenSide)).wait();
  await (await quote.token.connect(admin).transfer(pairAddress, quoteSide)).wait();
  await (await pair.mint(adminAddress)).wait();

  // Protocol equity, so the system starts above its target ratio.
  await (await quote.token.mint(adminAddress, equityAmount)).wait();
  await (await quote.token.connect(admin).approve(reserveAddress, equityAmount)).wait();
  await (await reserve.connect(admin).contribute(quoteAddress, equityAmount)).wait();
}
