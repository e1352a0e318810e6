/**
 * Checks, from the chain alone, that a deployed system is wired as the design requires: every
 * contract points at the right neighbours, minter and operator rights sit with the Reserve and
 * the MarketOperator, guardian and keeper roles with the configured accounts, and admin with the
 * configured admin only. Collects every problem and fails once, naming each missing role or link.
 */
import { Contract, getAddress, parseUnits, type Provider } from "ethers";
import { connectContract } from "./contracts";
import type { AddressBook } from "./addressBook";
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
    super(`wiring check failed (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${problems.join("; ")}`);
    this.name = "WiringError";
  }
}

const PAIR_ABI = ["function token0() view returns (address)", "function token1() view returns (address)"];

/**
 * `params`, when given, also checks the operator's limits and band, the oracle's TWAP window and
 * each listed asset's haircut, fees, buffer and ceiling against the configuration.
 */
export async function verifyWiring(provider: Provider, book: AddressBook, roles: ExpectedRoles, params?: BallastParams): Promise<void> {
  const c = book.contracts;
  const problems: string[] = [];
  const same = (a: string, b: string) => getAddress(a) === getAddress(b);
  const expectLink = (what: string, actual: string, expected: string, expectedName: string) => {
    if (!same(actual, expected)) problems.push(`${what} is ${actual}, expected ${expectedName} ${expected}`);
  };

  // Code first: nothing else can be checked against an empty address.
  const named: [string, string][] = [
    ["BallastDollar", c.BallastDollar], ["PriceOracle", c.PriceOracle], ["Reserve", c.Reserve],
    ["CollateralPolicy", c.CollateralPolicy], ["MarketOperator", c.MarketOperator], ["Pool", c.Pool],
    ["USDC", c.USDC], ["WETH", c.WETH], ["feeds.USDC", c.feeds.USDC], ["feeds.WETH", c.feeds.WETH],
  ];
  for (const [name, address] of named) {
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
    if (!(await contract.hasRole(ROLES[roleName], holder))) problems.push(`${contractName} is missing ${roleName} for ${holderName} ${holder}`);
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
  if (poolTokens.join() !== wanted.join()) problems.push(`Pool trades ${poolTokens.join("/")}, expected BallastDollar/USDC`);

  // Roles.
  await expectRole("BallastDollar", stable, "MINTER_ROLE", "Reserve", c.Reserve);
  await expectRole("BallastDollar", stable, "MINTER_ROLE", "MarketOperator", c.MarketOperator);
  await expectRole("Reserve", reserve, "OPERATOR_ROLE", "MarketOperator", c.MarketOperator);
  await expectRole("Reserve", reserve, "GUARDIAN_ROLE", "guardian", roles.guardian);
  await expectRole("MarketOperator", operator, "GUARDIAN_ROLE", "guardian", roles.guardian);
  await expectRole("MarketOperator", operator, "KEEPER_ROLE", "keeper", roles.keeper);
  const admins = { BallastDollar: stable, PriceOracle: oracle, Reserve: reserve, CollateralPolicy: policy, MarketOperator: operator };
  for (const [name, contract] of Object.entries(admins)) {
    await expectRole(name, contract, "DEFAULT_ADMIN_ROLE", "admin", roles.admin);
    if (roles.formerAdmin && !same(roles.formerAdmin, roles.admin) && (await contract.hasRole(ROLES.DEFAULT_ADMIN_ROLE, roles.formerAdmin))) {
      problems.push(`${name} still grants DEFAULT_ADMIN_ROLE to the deployer ${roles.formerAdmin} after the handover`);
    }
  }

  if (params) await checkParameters(params, { operator, oracle, reserve, book }, problems);

  if (problems.length) throw new WiringError(problems);
}

async function checkParameters(
  params: BallastParams,
  c: { operator: ReturnType<typeof connectContract<"MarketOperator">>; oracle: ReturnType<typeof connectContract<"PriceOracle">>; reserve: ReturnType<typeof connectContract<"Reserve">>; book: AddressBook },
  problems: string[],
): Promise<void> {
  const expectEqual = (what: string, actual: bigint, expected: bigint) => {
    if (actual !== expected) problems.push(`${what} is ${actual}, configured ${expected}`);
  };
  const op = params.operator;
  const limits = await c.operator.limits();
  expectEqual("MarketOperator.limits.maxExpansionPerOp", limits.maxExpansionPerOp, parseUnits(op.maxExpansionPerOp, 18));
  expectEqual("MarketOperator.limits.maxExpansionPerEpoch", limits.maxExpansionPerEpoch, parseUnits(op.maxExpansionPerEpoch, 18));
  expectEqual("MarketOperator.limits.maxContractionPerOp", limits.maxContractionPerOp, parseUnits(op.maxContractionPerOp, 18));
  expectEqual("MarketOperator.limits.maxContractionPerEpoch", limits.maxContractionPerEpoch, parseUnits(op.maxContractionPerEpoch, 18));
  expectEqual("MarketOperator.limits.cooldownSec", limits.cooldownSec, BigInt(op.cooldownSec));
  expectEqual("MarketOperator.limits.epochSec", limits.epochSec, BigInt(op.epochSec));
  expectEqual("MarketOperator.bandBps", await c.operator.bandBps(), BigInt(op.bandBps));
  expectEqual("MarketOperator.maxSpotTwapDeviationBps", await c.operator.maxSpotTwapDeviationBps(), BigInt(op.maxSpotTwapDeviationBps));
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
