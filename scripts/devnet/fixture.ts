/**
 * One fixture for the whole system on the in-process Hardhat network, deployed through the same
 * wiring as `npm run deploy` (the Ignition module, scripts/devnet/deploy.ts): 6-decimal USDC and
 * 18-decimal WETH test tokens, Chainlink MockV3Aggregator feeds, the real Uniswap V2 factory and
 * pair seeded at the peg, the five protocol contracts, role-named actors, and helpers that trade
 * and pass time. Used by the tests and the gas and on-chain benchmarks.
 */
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  LOCAL_ACCOUNTS,
  LOCAL_PARAMS,
  networkDeployConfig,
  type BallastParams,
  type LocalNetworkConfig,
} from "../../deploy/parameters";
import type { LocalSystem } from "./deploy";
import type { AddressBook } from "../../deploy/addressBook";
import { connectLocalSystem, deployInProcess } from "./deploy";
import { quoteToSpendForPrice, tokensToSellForPrice } from "../../keeper/src/policy/pegMath";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;

export async function actors() {
  const [admin, guardian, keeper, user, arbitrageur, trader, stranger] = await ethers.getSigners();
  return { admin, guardian, keeper, user, arbitrageur, trader, stranger };
}

export type Actors = Awaited<ReturnType<typeof actors>>;
export type Fixture = LocalSystem &
  Actors & { params: BallastParams; usdc: LocalSystem["quote"]; weth: LocalSystem["quote"] };

/** The local network's deploy configuration, funding the fixture's user, arbitrageur and trader. */
function fixtureConfig(): LocalNetworkConfig {
  const local = networkDeployConfig("localhost");
  if (local.kind !== "local") throw new Error("the localhost deploy configuration must be local");
  return {
    ...local,
    params: LOCAL_PARAMS,
    funding: { ...local.funding, accounts: [LOCAL_ACCOUNTS.user, LOCAL_ACCOUNTS.arbitrageur, LOCAL_ACCOUNTS.trader] },
  };
}

/** Deploys (as `npm run deploy` does), seeds the pool at the peg and fills the TWAP window so operations are possible. */
export async function deploySystemFixture(): Promise<Fixture> {
  const a = await actors();
  const config = fixtureConfig();
  const outcome = await deployInProcess(hre, { config });
  const system = connectLocalSystem(outcome, config.params, a.admin);
  const [usdc, weth] = system.collaterals;
  return { ...system, ...a, params: config.params, usdc, weth };
}

/**
 * A system deployed through the same wiring, with a choice the shared fixture does not make:
 * `seed: false` leaves it empty (no pool liquidity, no equity, no token supply), `deployerAccount`
 * deploys (and administers) from another node account, which changes the contracts' addresses and
 * so the pair's token order. Connected as the deployer.
 */
export async function deploySystemWith(options: { seed?: boolean; deployerAccount?: number }): Promise<LocalSystem> {
  const config: LocalNetworkConfig = { ...fixtureConfig(), ...options };
  const outcome = await deployInProcess(hre, { config });
  const signers = await ethers.getSigners();
  return connectLocalSystem(outcome, config.params, signers[config.deployerAccount ?? LOCAL_ACCOUNTS.deployer]);
}

/** Records observations across one TWAP window, refreshing the feeds so they stay fresh. */
export async function warmTwap(system: LocalSystem, windowSec: number): Promise<void> {
  const step = Math.ceil(windowSec / 4);
  for (let i = 0; i <= 4; i++) {
    await system.oracle.update();
    await time.increase(step);
    await refreshFeeds(system);
  }
  await system.oracle.update();
}

/** Re-posts the latest answer of `feeds` (every feed by default) so none is stale after a time warp. */
export async function refreshFeeds(
  system: LocalSystem,
  feeds: LocalSystem["collaterals"] = system.collaterals,
): Promise<void> {
  for (const c of feeds) {
    const [, answer] = await c.feed.latestRoundData();
    await c.feed.updateAnswer(answer);
  }
}

/**
 * Advances time in steps, recording observations and refreshing `feeds` (every feed by default), so
 * the TWAP follows spot. Steps longer than a window leave the TWAP stale (it spans the gap).
 */
export async function passTime(
  system: LocalSystem,
  seconds: number,
  steps = 4,
  feeds: LocalSystem["collaterals"] = system.collaterals,
): Promise<void> {
  const step = Math.ceil(seconds / steps);
  for (let i = 0; i < steps; i++) {
    await time.increase(step);
    await refreshFeeds(system, feeds);
    await system.oracle.update();
  }
}

/** Swaps on the real pair as a trader would: sells `amountIn` of the token (or of quote) into the pool. */
export async function swapIntoPool(
  f: Fixture,
  seller: Actors["trader"],
  sellToken: boolean,
  amountIn: bigint,
): Promise<void> {
  const pairAddress = await f.pair.getAddress();
  const stableAddress = await f.stable.getAddress();
  const [r0, r1] = await f.pair.getReserves();
  const token0 = await f.pair.token0();
  const tokenIs0 = token0 === stableAddress;
  const [rT, rQ] = tokenIs0 ? [r0, r1] : [r1, r0];
  const [rIn, rOut] = sellToken ? [rT, rQ] : [rQ, rT];
  const out = (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
  if (sellToken) await f.stable.connect(seller).transfer(pairAddress, amountIn);
  else await f.usdc.token.connect(seller).transfer(pairAddress, amountIn);
  // Output side: the other token.
  const outIs0 = sellToken ? !tokenIs0 : tokenIs0;
  await (f.pair.connect(seller) as typeof f.pair).swap(outIs0 ? out : 0n, outIs0 ? 0n : out, seller.address, "0x");
}

/** Mints tokens for `who` through the reserve with USDC. */
export async function mintWithUsdc(f: Fixture, who: Actors["user"], usdcAmount: bigint): Promise<bigint> {
  await f.usdc.token.connect(who).approve(await f.reserve.getAddress(), usdcAmount);
  const before = await f.stable.balanceOf(who.address);
  await f.reserve.connect(who).mint(await f.usdc.token.getAddress(), usdcAmount, 0, who.address);
  return (await f.stable.balanceOf(who.address)) - before;
}

/** Pool spot in WAD quote-per-token (whole units), from the pair's reserves. */
export async function poolPrice(f: Fixture): Promise<bigint> {
  const [r0, r1] = await f.pair.getReserves();
  const tokenIs0 = (await f.pair.token0()) === (await f.stable.getAddress());
  const [rT, rQ] = tokenIs0 ? [r0, r1] : [r1, r0];
  return (rQ * 10n ** 12n * WAD) / rT;
}

/** The peg as the raw price of the fixture's pair (quote units per token unit) for a WAD USD price, as num/den. */
function rawPrice(priceWad: bigint): { num: bigint; den: bigint } {
  return { num: priceWad * 10n ** 6n, den: WAD * WAD };
}

/**
 * Moves the pool's spot to `priceWad` (WAD quote per token) with one real swap by `trader`, sized
 * by the keeper's PegMath mirror (equal to the contract's, a parity test checks): buys tokens with USDC to push up, sells tokens (minted through
 * the reserve with USDC first) to push down. Does not move time: the TWAP still lags.
 */
export async function pushSpotTo(f: Fixture, priceWad: bigint, trader: Actors["trader"] = f.trader): Promise<void> {
  const [r0, r1] = await f.pair.getReserves();
  const tokenIs0 = (await f.pair.token0()) === (await f.stable.getAddress());
  const [rT, rQ] = tokenIs0 ? [r0, r1] : [r1, r0];
  const { num, den } = rawPrice(priceWad);
  if (rQ * den < rT * num) {
    const quoteIn = quoteToSpendForPrice(rT, rQ, num, den);
    await swapIntoPool(f, trader, false, quoteIn);
  } else {
    const tokensIn = tokensToSellForPrice(rT, rQ, num, den);
    const have = await f.stable.balanceOf(trader.address);
    if (have < tokensIn) await mintWithUsdc(f, trader, (((tokensIn - have) * 10n ** 6n) / WAD / 9n) * 10n + 10n ** 6n);
    await swapIntoPool(f, trader, true, tokensIn);
  }
}

/** Pushes spot to `priceWad` and lets two TWAP windows pass so spot and TWAP agree there. */
export async function settleAt(f: Fixture, priceWad: bigint): Promise<void> {
  await pushSpotTo(f, priceWad);
  await passTime(f, 2 * f.params.oracle.twapWindowSec, 8);
}

/** Protocol equity as MarketOperator measures it: gross reserve value − supply × peg, WAD USD. */
export async function equityWad(f: Fixture): Promise<bigint> {
  return (await f.reserve.grossValue()) - (await f.stable.totalSupply());
}

/** A system's addresses as the address book the deploy writes and the keeper reads (Pool: the V3 pool on a V3 venue). */
export async function addressBookOf(f: LocalSystem): Promise<AddressBook> {
  const { chainId } = await ethers.provider.getNetwork();
  const [usdc, weth] = f.collaterals;
  return {
    chainId: Number(chainId),
    // As the deploy writes it: the venue and, on V3, the protocol-owned position's manager.
    ...(f.v3 ? { venue: "v3" as const } : {}),
    contracts: {
      BallastDollar: await f.stable.getAddress(),
      PriceOracle: await f.oracle.getAddress(),
      Reserve: await f.reserve.getAddress(),
      CollateralPolicy: await f.policy.getAddress(),
      MarketOperator: await f.operator.getAddress(),
      Pool: await (f.v3?.pool ?? f.pair).getAddress(),
      USDC: await usdc.token.getAddress(),
      WETH: await weth.token.getAddress(),
      feeds: { USDC: await usdc.feed.getAddress(), WETH: await weth.feed.getAddress() },
      ...(f.v3 ? { LiquidityManager: await f.v3.liquidityManager.getAddress() } : {}),
    },
  };
}

/** An operator's limits as a plain struct, to pass back to `setLimits` with one field changed. */
export async function limitsOf(operator: Pick<LocalSystem["operator"], "limits">) {
  const l = await operator.limits();
  return {
    maxExpansionPerOp: l.maxExpansionPerOp,
    maxExpansionPerEpoch: l.maxExpansionPerEpoch,
    maxContractionPerOp: l.maxContractionPerOp,
    maxContractionPerEpoch: l.maxContractionPerEpoch,
    cooldownSec: l.cooldownSec,
    epochSec: l.epochSec,
  };
}
