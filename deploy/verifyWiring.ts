/**
 * Checks, from the chain alone, that a deployed system is wired as the design requires: every
 * contract points at the right neighbours, minter and operator rights sit with the Reserve and
 * the MarketOperator, guardian and keeper roles with the configured accounts, and admin with the
 * configured admin only; on the V3 venue also the pool's tier and observation cardinality,
 * MarketOperatorV3's pool and the LiquidityManager's links, rights and range. Collects every problem
 * and fails once, naming each missing role or link.
 */
import { Contract, ZeroAddress, getAddress, parseUnits, type Provider } from "ethers";
import { connectContract } from "./contracts";
import { V3_POOL_ABI } from "./uniswapV3";
import { namedAddresses, type AddressBook } from "./addressBook";
import { ROLES } from "./ignition/ballastModule";
import { sizingArgs, type BallastParams } from "./parameters";

export interface ExpectedRoles {
  admin: string;
  guardian: string;
  keeper: string;
  /** When admin was handed over, the deployer must no longer hold it. */
  formerAdmin?: string | null;
}

export class WiringError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `wiring check failed (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${problems.join("; ")}`,
    );
    this.name = "WiringError";
  }
}

const PAIR_ABI = ["function token0() view returns (address)", "function token1() view returns (address)"];

/**
 * `params`, when given, also checks the operator's limits and band, the oracle's TWAP window and
 * each listed asset's haircut, fees, buffer and ceiling against the configuration.
 */
export async function verifyWiring(
  provider: Provider,
  book: AddressBook,
  roles: ExpectedRoles,
  params?: BallastParams,
): Promise<void> {
  const c = book.contracts;
  const problems: string[] = [];
  const same = (a: string, b: string) => getAddress(a) === getAddress(b);
  const expectLink = (what: string, actual: string, expected: string, expectedName: string) => {
    if (!same(actual, expected)) problems.push(`${what} is ${actual}, expected ${expectedName} ${expected}`);
  };

  // Code first: nothing else can be checked against an empty address.
  const v3 = book.venue === "v3";
  if (params && (params.venue?.kind ?? "v2") !== (book.venue ?? "v2"))
    problems.push(`the address book's venue is ${book.venue ?? "v2"}, configured ${params.venue?.kind ?? "v2"}`);
  if (v3 && !c.LiquidityManager) problems.push("the V3 venue's address book has no LiquidityManager");
  for (const [name, address] of namedAddresses(book)) {
    if ((await provider.getCode(address)) === "0x") problems.push(`${name} has no code at ${address}`);
  }
  if (problems.length) throw new WiringError(problems);

  const stable = connectContract("BallastDollar", c.BallastDollar, provider);
  const oracle = connectContract("PriceOracle", c.PriceOracle, provider);
  const reserve = connectContract("Reserve", c.Reserve, provider);
  const policy = connectContract("CollateralPolicy", c.CollateralPolicy, provider);
  const operator = connectContract("MarketOperator", c.MarketOperator, provider);
  const pool = new Contract(c.Pool, PAIR_ABI, provider);

  const expectRole = async (
    contractName: string,
    contract: { hasRole(role: string, account: string): Promise<boolean> },
    roleName: keyof typeof ROLES,
    holderName: string,
    holder: string,
  ) => {
    if (!(await contract.hasRole(ROLES[roleName], holder)))
      problems.push(`${contractName} is missing ${roleName} for ${holderName} ${holder}`);
  };

  // Links between contracts.
  expectLink("PriceOracle.pool", await oracle.pool(), c.Pool, "Pool");
  expectLink("PriceOracle.token", await oracle.token(), c.BallastDollar, "BallastDollar");
  expectLink("PriceOracle.quoteAsset", await oracle.quoteAsset(), c.USDC, "USDC");
  for (const symbol of ["USDC", "WETH"] as const) {
    const feed = await oracle.feedConfig(c[symbol]);
    expectLink(`PriceOracle feed of ${symbol}`, feed.aggregator, c.feeds[symbol], `feeds.${symbol}`);
  }
  expectLink("Reserve.stable", await reserve.stable(), c.BallastDollar, "BallastDollar");
  expectLink("Reserve.oracle", await reserve.oracle(), c.PriceOracle, "PriceOracle");
  expectLink("Reserve.collateralPolicy", await reserve.collateralPolicy(), c.CollateralPolicy, "CollateralPolicy");
  // The V3 position counts in the reserve's value; a V2 deployment has no value source.
  expectLink(
    "Reserve.valueSource",
    await reserve.valueSource(),
    c.LiquidityManager ?? ZeroAddress,
    v3 ? "LiquidityManager" : "none",
  );
  const listed = (await reserve.assets()).map((a) => getAddress(a));
  for (const symbol of ["USDC", "WETH"] as const) {
    if (!listed.includes(getAddress(c[symbol]))) problems.push(`Reserve does not list ${symbol} ${c[symbol]}`);
  }
  expectLink("CollateralPolicy.oracle", await policy.oracle(), c.PriceOracle, "PriceOracle");
  expectLink("CollateralPolicy.reserve", await policy.reserve(), c.Reserve, "Reserve");
  expectLink("MarketOperator.stable", await operator.stable(), c.BallastDollar, "BallastDollar");
  expectLink("MarketOperator.oracle", await operator.oracle(), c.PriceOracle, "PriceOracle");
  expectLink("MarketOperator.reserve", await operator.reserve(), c.Reserve, "Reserve");
  expectLink("MarketOperator.policy", await operator.policy(), c.CollateralPolicy, "CollateralPolicy");
  expectLink("MarketOperator.pair", await operator.pair(), c.Pool, "Pool");
  expectLink("MarketOperator.quoteAsset", await operator.quoteAsset(), c.USDC, "USDC");
  const poolTokens = [await pool.token0(), await pool.token1()].map((a: string) => getAddress(a)).sort();
  const wanted = [c.BallastDollar, c.USDC].map((a) => getAddress(a)).sort();
  if (poolTokens.join() !== wanted.join())
    problems.push(`Pool trades ${poolTokens.join("/")}, expected BallastDollar/USDC`);

  // Roles.
  await expectRole("BallastDollar", stable, "MINTER_ROLE", "Reserve", c.Reserve);
  await expectRole("BallastDollar", stable, "MINTER_ROLE", "MarketOperator", c.MarketOperator);
  await expectRole("Reserve", reserve, "OPERATOR_ROLE", "MarketOperator", c.MarketOperator);
  await expectRole("Reserve", reserve, "GUARDIAN_ROLE", "guardian", roles.guardian);
  await expectRole("MarketOperator", operator, "GUARDIAN_ROLE", "guardian", roles.guardian);
  await expectRole("MarketOperator", operator, "KEEPER_ROLE", "keeper", roles.keeper);
  const admins = {
    BallastDollar: stable,
    PriceOracle: oracle,
    Reserve: reserve,
    CollateralPolicy: policy,
    MarketOperator: operator,
  };
  for (const [name, contract] of Object.entries(admins)) {
    await expectRole(name, contract, "DEFAULT_ADMIN_ROLE", "admin", roles.admin);
    if (
      roles.formerAdmin &&
      !same(roles.formerAdmin, roles.admin) &&
      (await contract.hasRole(ROLES.DEFAULT_ADMIN_ROLE, roles.formerAdmin))
    ) {
      problems.push(`${name} still grants DEFAULT_ADMIN_ROLE to the deployer ${roles.formerAdmin} after the handover`);
    }
  }

  if (v3 && c.LiquidityManager) await checkV3(provider, book, roles, params, problems);
  if (params) await checkParameters(params, { operator, oracle, reserve, book }, problems);

  if (problems.length) throw new WiringError(problems);
}

async function checkParameters(
  params: BallastParams,
  c: {
    operator: ReturnType<typeof connectContract<"MarketOperator">>;
    oracle: ReturnType<typeof connectContract<"PriceOracle">>;
    reserve: ReturnType<typeof connectContract<"Reserve">>;
    book: AddressBook;
  },
  problems: string[],
): Promise<void> {
  const expectEqual = (what: string, actual: bigint, expected: bigint) => {
    if (actual !== expected) problems.push(`${what} is ${actual}, configured ${expected}`);
  };
  const op = params.operator;
  const limits = await c.operator.limits();
  expectEqual(
    "MarketOperator.limits.maxExpansionPerOp",
    limits.maxExpansionPerOp,
    parseUnits(op.maxExpansionPerOp, 18),
  );
  expectEqual(
    "MarketOperator.limits.maxExpansionPerEpoch",
    limits.maxExpansionPerEpoch,
    parseUnits(op.maxExpansionPerEpoch, 18),
  );
  expectEqual(
    "MarketOperator.limits.maxContractionPerOp",
    limits.maxContractionPerOp,
    parseUnits(op.maxContractionPerOp, 18),
  );
  expectEqual(
    "MarketOperator.limits.maxContractionPerEpoch",
    limits.maxContractionPerEpoch,
    parseUnits(op.maxContractionPerEpoch, 18),
  );
  expectEqual("MarketOperator.limits.cooldownSec", limits.cooldownSec, BigInt(op.cooldownSec));
  expectEqual("MarketOperator.limits.epochSec", limits.epochSec, BigInt(op.epochSec));
  expectEqual("MarketOperator.bandBps", await c.operator.bandBps(), BigInt(op.bandBps));
  expectEqual(
    "MarketOperator.maxSpotTwapDeviationBps",
    await c.operator.maxSpotTwapDeviationBps(),
    BigInt(op.maxSpotTwapDeviationBps),
  );
  const [minShareBps, maxLossBps, maxLossPerEpochWad] = sizingArgs(op.sizing);
  expectEqual("MarketOperator.minOperationShareBps", await c.operator.minOperationShareBps(), BigInt(minShareBps));
  expectEqual("MarketOperator.maxLossBps", await c.operator.maxLossBps(), BigInt(maxLossBps));
  expectEqual("MarketOperator.maxLossPerEpochWad", await c.operator.maxLossPerEpochWad(), maxLossPerEpochWad);
  expectEqual("PriceOracle.twapWindowSec", await c.oracle.twapWindowSec(), BigInt(params.oracle.twapWindowSec));
  for (const p of [params.collateral.quote, ...params.collateral.others]) {
    const address = (c.book.contracts as unknown as Record<string, string>)[p.symbol];
    if (!address) continue;
    const config = await c.reserve.assetConfig(address);
    expectEqual(`Reserve ${p.symbol} haircutBps`, config.haircutBps, BigInt(p.haircutBps));
    expectEqual(`Reserve ${p.symbol} mintFeeBps`, config.mintFeeBps, BigInt(p.mintFeeBps));
    expectEqual(`Reserve ${p.symbol} redeemFeeBps`, config.redeemFeeBps, BigInt(p.redeemFeeBps));
    expectEqual(`Reserve ${p.symbol} bufferBps`, config.bufferBps, BigInt(p.bufferBps));
    expectEqual(`Reserve ${p.symbol} ceiling`, config.ceiling, parseUnits(p.ceiling, p.decimals));
  }
}

/** The V3 venue: MarketOperatorV3 trades on the book's pool; the LiquidityManager's links, rights, range and cap; the pool's tier and cardinality. */
async function checkV3(
  provider: Provider,
  book: AddressBook,
  roles: ExpectedRoles,
  params: BallastParams | undefined,
  problems: string[],
): Promise<void> {
  const c = book.contracts;
  const lmAddress = c.LiquidityManager!;
  const same = (a: string, b: string) => getAddress(a) === getAddress(b);
  const expectLink = (what: string, actual: string, expected: string, expectedName: string) => {
    if (!same(actual, expected)) problems.push(`${what} is ${actual}, expected ${expectedName} ${expected}`);
  };
  const operator = new Contract(c.MarketOperator, ["function pool() view returns (address)"], provider);
  const operatorPool = await operator.pool().catch(() => null);
  if (operatorPool === null) problems.push(`MarketOperator ${c.MarketOperator} is not a MarketOperatorV3 (no pool())`);
  else expectLink("MarketOperatorV3.pool", operatorPool as string, c.Pool, "Pool");

  const lm = connectContract("LiquidityManager", lmAddress, provider);
  expectLink("LiquidityManager.stable", await lm.stable(), c.BallastDollar, "BallastDollar");
  expectLink("LiquidityManager.oracle", await lm.oracle(), c.PriceOracle, "PriceOracle");
  expectLink("LiquidityManager.reserve", await lm.reserve(), c.Reserve, "Reserve");
  expectLink("LiquidityManager.pool", await lm.pool(), c.Pool, "Pool");
  expectLink("LiquidityManager.quoteAsset", await lm.quoteAsset(), c.USDC, "USDC");

  const has = async (
    name: string,
    contract: { hasRole(role: string, account: string): Promise<boolean> },
    role: keyof typeof ROLES,
    holderName: string,
    holder: string,
  ) => {
    if (!(await contract.hasRole(ROLES[role], holder)))
      problems.push(`${name} is missing ${role} for ${holderName} ${holder}`);
  };
  await has(
    "BallastDollar",
    connectContract("BallastDollar", c.BallastDollar, provider),
    "MINTER_ROLE",
    "LiquidityManager",
    lmAddress,
  );
  await has("Reserve", connectContract("Reserve", c.Reserve, provider), "OPERATOR_ROLE", "LiquidityManager", lmAddress);
  await has("LiquidityManager", lm, "OPERATOR_ROLE", "keeper", roles.keeper);
  await has("LiquidityManager", lm, "DEFAULT_ADMIN_ROLE", "admin", roles.admin);
  if (
    roles.formerAdmin &&
    !same(roles.formerAdmin, roles.admin) &&
    (await lm.hasRole(ROLES.DEFAULT_ADMIN_ROLE, roles.formerAdmin))
  ) {
    problems.push(
      `LiquidityManager still grants DEFAULT_ADMIN_ROLE to the deployer ${roles.formerAdmin} after the handover`,
    );
  }

  const venue = params?.venue?.kind === "v3" ? params.venue : null;
  if (!venue) return;
  const pool = new Contract(c.Pool, V3_POOL_ABI, provider);
  const fee = (await pool.fee()) as bigint;
  if (fee !== BigInt(venue.feePips))
    problems.push(`Pool fee is ${fee} pips, configured venue.feePips ${venue.feePips}`);
  const slot0 = (await pool.slot0()) as { sqrtPriceX96: bigint; observationCardinalityNext: bigint };
  if (slot0.sqrtPriceX96 === 0n) problems.push("Pool is not initialised");
  if (slot0.observationCardinalityNext < BigInt(venue.observationCardinality)) {
    problems.push(
      `Pool observation cardinality is ${slot0.observationCardinalityNext}, configured venue.observationCardinality ${venue.observationCardinality}`,
    );
  }
  if ((await lm.rangeBps()) !== BigInt(venue.polRangeBps))
    problems.push(
      `LiquidityManager.rangeBps is ${await lm.rangeBps()}, configured venue.polRangeBps ${venue.polRangeBps}`,
    );
  const cap = parseUnits(venue.polMaxQuote, 18);
  if ((await lm.maxQuoteDeployedWad()) !== cap)
    problems.push(
      `LiquidityManager.maxQuoteDeployedWad is ${await lm.maxQuoteDeployedWad()}, configured venue.polMaxQuote ${cap}`,
    );
}
