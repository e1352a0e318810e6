/**
 * The bad-input table: every external mutator of every protocol contract, fed every kind of bad
 * input (zero amounts, dust, over balance / allowance / ceiling, type(uint256).max, unlisted or
 * forbidden assets, decimals over 18, zero addresses, expired deadlines, unmet minOut,
 * unauthorised callers, out-of-range parameters), each asserting the EXACT custom error and, where
 * the error carries context, its arguments. The number tried and rejected is reported at the end
 * (the README's security section quotes it).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  MaxUint256,
  ZeroAddress,
  encodeBytes32String,
  parseUnits,
  AbiCoder,
  Signature,
  type BaseContract,
} from "ethers";
import {
  BallastDollar__factory,
  CollateralPolicy__factory,
  MarketOperator__factory,
  PriceOracle__factory,
  Reserve__factory,
  RevertingAggregator__factory,
  TestERC20__factory,
  TestValueSource__factory,
  TestVault__factory,
  type AccessControl,
} from "../../../typechain-types";
import { reserveFactory } from "../../support/reserveFactory";
import {
  deploySystemFixture,
  limitsOf,
  passTime,
  swapIntoPool,
  mintWithUsdc,
  type Fixture,
} from "../../support/system";

type Expectation = { contract: BaseContract; error: string; args?: unknown[] };
interface BadInput {
  fn: string;
  input: string;
  /** A known contract bug: the row stays in the table, skipped, until the contract is fixed. */
  bug?: string;
  call: (f: Fixture) => Promise<unknown>;
  expect: (f: Fixture) => Expectation | Promise<Expectation>;
}

const ADMIN_ROLE = ethers.ZeroHash;
const role = (name: string) => ethers.id(name);
const b32 = encodeBytes32String;
const USDC = (v: string) => parseUnits(v, 6);
const TOKENS = (v: string) => parseUnits(v, 18);
const WAD = (v: string) => parseUnits(v, 18);

const addr = (c: { getAddress(): Promise<string> }) => c.getAddress();
/** The protocol contracts and the role-named actors of the fixture, by name. */
type ContractName = "stable" | "oracle" | "reserve" | "policy" | "operator";
type Caller = "stranger" | "guardian" | "keeper" | "admin";
type PauseFn = "pause" | "unpause" | "pauseRedemptions" | "unpauseRedemptions";
/** `who` lacks `neededRole` on `contract` (a fixture contract by name, or picked from the fixture). */
const unauthorised =
  (contract: ContractName | ((f: Fixture) => BaseContract), who: Caller = "stranger", neededRole = ADMIN_ROLE) =>
  (f: Fixture): Expectation => ({
    contract: typeof contract === "string" ? f[contract] : contract(f),
    error: "AccessControlUnauthorizedAccount",
    args: [f[who].address, neededRole],
  });
/** A stranger calling one of the operator's keeper-only entry points. */
const notKeeper = (f: Fixture): Expectation => ({
  contract: f.operator,
  error: "NotKeeper",
  args: [f.stranger.address],
});
/** A bounded setter's value outside [min, max]: `ParameterOutOfBounds(name, value, min, max)`. */
const outOfBounds =
  (contract: ContractName, param: string, value: bigint, min: bigint, max: bigint) =>
  (f: Fixture): Expectation => ({
    contract: f[contract],
    error: "ParameterOutOfBounds",
    args: [b32(param), value, min, max],
  });

function assetConfig(
  over: Partial<{
    haircutBps: number;
    mintFeeBps: number;
    redeemFeeBps: number;
    bufferBps: number;
    ceiling: bigint;
  }> = {},
) {
  return { haircutBps: 100, mintFeeBps: 5, redeemFeeBps: 5, bufferBps: 5_000, ceiling: USDC("1000000"), ...over };
}

function policyParams(
  over: Partial<
    Record<"minRatioWad" | "maxRatioWad" | "stepWad" | "bandBps" | "riskWeightBps" | "refreshCooldownSec", bigint>
  > = {},
) {
  return {
    minRatioWad: WAD("1"),
    maxRatioWad: WAD("1.5"),
    stepWad: WAD("0.0025"),
    bandBps: 50n,
    riskWeightBps: 5_000n,
    refreshCooldownSec: 3_600n,
    ...over,
  };
}

function limits(
  over: Partial<
    Record<
      | "maxExpansionPerOp"
      | "maxExpansionPerEpoch"
      | "maxContractionPerOp"
      | "maxContractionPerEpoch"
      | "cooldownSec"
      | "epochSec",
      bigint
    >
  > = {},
) {
  return {
    maxExpansionPerOp: TOKENS("250000"),
    maxExpansionPerEpoch: TOKENS("1000000"),
    maxContractionPerOp: TOKENS("250000"),
    maxContractionPerEpoch: TOKENS("1000000"),
    cooldownSec: 60n,
    epochSec: 86_400n,
    ...over,
  };
}

/** Pushes the pool above the band and lets the TWAP follow, so an expansion is due. */
async function makeExpansionDue(f: Fixture) {
  await swapIntoPool(f, f.trader, false, USDC("30000"));
  await passTime(f, 2 * f.params.oracle.twapWindowSec, 8);
}

/** A fresh oracle/pool pair with no observations: for TwapUnavailable / EmptyPool. */
async function freshOracleOnEmptyPair(f: Fixture) {
  const token = await new TestERC20__factory(f.admin).deploy("Other", "OTH", 18);
  const factory = f.factory as unknown as {
    createPair(a: string, b: string): Promise<{ wait(): Promise<unknown> }>;
    getPair(a: string, b: string): Promise<string>;
  };
  await (await factory.createPair(await addr(token), await addr(f.usdc.token))).wait();
  const pairAddress = await factory.getPair(await addr(token), await addr(f.usdc.token));
  const oracle = await new PriceOracle__factory(f.admin).deploy(
    f.admin.address,
    pairAddress,
    await addr(token),
    await addr(f.usdc.token),
    1_800,
  );
  await oracle.setFeed(await addr(f.usdc.token), await addr(f.usdc.feed), 90_000, WAD("0.5"), WAD("2"));
  return oracle;
}

const cases: BadInput[] = [];
const add = (fn: string, input: string, call: BadInput["call"], expectation: BadInput["expect"], bug?: string) =>
  cases.push({ fn, input, call, expect: expectation, bug });

/**
 * An admin setter of one bounded value: a stranger setting its minimum, then the value one below
 * its minimum and one above its maximum (`labels` name those two rows).
 */
function boundedSetter<K extends ContractName>(
  fn: string,
  contract: K,
  param: string,
  [min, max]: readonly [bigint, bigint],
  labels: readonly [string, string],
  set: (c: Fixture[K], value: bigint) => Promise<unknown>,
): void {
  const asStranger = (f: Fixture) => f[contract].connect(f.stranger) as Fixture[K];
  add(fn, "stranger", (f) => set(asStranger(f), min), unauthorised(contract));
  add(fn, labels[0], (f) => set(f[contract], min - 1n), outOfBounds(contract, param, min - 1n, min, max));
  add(fn, labels[1], (f) => set(f[contract], max + 1n), outOfBounds(contract, param, max + 1n, min, max));
}

// ====================================================================== BallastDollar
add(
  "BallastDollar.constructor",
  "zero admin",
  async (f) => new BallastDollar__factory(f.admin).deploy(ZeroAddress),
  (f) => ({ contract: f.stable, error: "ZeroAddress" }),
);
add(
  "BallastDollar.mint",
  "caller without MINTER_ROLE",
  (f) => f.stable.connect(f.stranger).mint(f.stranger.address, 1n),
  unauthorised("stable", "stranger", role("MINTER_ROLE")),
);
add(
  "BallastDollar.mint",
  "the admin (admin is not a minter)",
  (f) => f.stable.connect(f.admin).mint(f.admin.address, 1n),
  unauthorised("stable", "admin", role("MINTER_ROLE")),
);
add(
  "BallastDollar.mint",
  "the keeper (only contracts mint)",
  (f) => f.stable.connect(f.keeper).mint(f.keeper.address, 1n),
  unauthorised("stable", "keeper", role("MINTER_ROLE")),
);
add(
  "BallastDollar.burn",
  "over balance",
  (f) => f.stable.connect(f.stranger).burn(1n),
  (f) => ({ contract: f.stable, error: "ERC20InsufficientBalance", args: [f.stranger.address, 0n, 1n] }),
);
add(
  "BallastDollar.burnFrom",
  "no allowance",
  (f) => f.stable.connect(f.stranger).burnFrom(f.admin.address, 1n),
  (f) => ({ contract: f.stable, error: "ERC20InsufficientAllowance", args: [f.stranger.address, 0n, 1n] }),
);
add(
  "BallastDollar.transfer",
  "zero recipient",
  (f) => f.stable.connect(f.admin).transfer(ZeroAddress, 1n),
  (f) => ({ contract: f.stable, error: "ERC20InvalidReceiver", args: [ZeroAddress] }),
);
add(
  "BallastDollar.transfer",
  "type(uint256).max",
  (f) => f.stable.connect(f.stranger).transfer(f.admin.address, MaxUint256),
  (f) => ({ contract: f.stable, error: "ERC20InsufficientBalance", args: [f.stranger.address, 0n, MaxUint256] }),
);
add(
  "BallastDollar.transferFrom",
  "over allowance",
  (f) => f.stable.connect(f.stranger).transferFrom(f.admin.address, f.stranger.address, 1n),
  (f) => ({ contract: f.stable, error: "ERC20InsufficientAllowance", args: [f.stranger.address, 0n, 1n] }),
);
add(
  "BallastDollar.approve",
  "zero spender",
  (f) => f.stable.connect(f.user).approve(ZeroAddress, 1n),
  (f) => ({ contract: f.stable, error: "ERC20InvalidSpender", args: [ZeroAddress] }),
);
add(
  "BallastDollar.permit",
  "expired deadline",
  async (f) => {
    const deadline = BigInt(await time.latest()) - 1n;
    return f.stable.permit(f.user.address, f.stranger.address, 1n, deadline, 27, ethers.ZeroHash, ethers.ZeroHash);
  },
  async (f) => ({ contract: f.stable, error: "ERC2612ExpiredSignature" }),
);
add(
  "BallastDollar.permit",
  "signature by someone else",
  async (f) => {
    const deadline = BigInt(await time.latest()) + 3_600n;
    const domain = {
      name: "Ballast Dollar",
      version: "1",
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await addr(f.stable),
    };
    const types = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };
    const sig = Signature.from(
      await f.stranger.signTypedData(domain, types, {
        owner: f.user.address,
        spender: f.stranger.address,
        value: 1n,
        nonce: 0n,
        deadline,
      }),
    );
    return f.stable.permit(f.user.address, f.stranger.address, 1n, deadline, sig.v, sig.r, sig.s);
  },
  (f) => ({ contract: f.stable, error: "ERC2612InvalidSigner", args: [f.stranger.address, f.user.address] }),
);
add(
  "BallastDollar.grantRole",
  "stranger grants itself MINTER_ROLE",
  (f) => f.stable.connect(f.stranger).grantRole(role("MINTER_ROLE"), f.stranger.address),
  unauthorised("stable"),
);
add(
  "BallastDollar.revokeRole",
  "stranger revokes the reserve",
  async (f) => f.stable.connect(f.stranger).revokeRole(role("MINTER_ROLE"), await addr(f.reserve)),
  unauthorised("stable"),
);
add(
  "BallastDollar.renounceRole",
  "renounce on behalf of another account",
  async (f) => f.stable.connect(f.stranger).renounceRole(ADMIN_ROLE, f.admin.address),
  (f) => ({ contract: f.stable, error: "AccessControlBadConfirmation" }),
);

// ====================================================================== AccessControl on every contract
const accessControlled: [string, (f: Fixture) => AccessControl][] = [
  ["PriceOracle", (f) => f.oracle as unknown as AccessControl],
  ["Reserve", (f) => f.reserve as unknown as AccessControl],
  ["CollateralPolicy", (f) => f.policy as unknown as AccessControl],
  ["MarketOperator", (f) => f.operator as unknown as AccessControl],
];
for (const [name, pick] of accessControlled) {
  add(
    `${name}.grantRole`,
    "stranger grants itself admin",
    (f) => pick(f).connect(f.stranger).grantRole(ADMIN_ROLE, f.stranger.address),
    unauthorised(pick),
  );
  add(
    `${name}.grantRole`,
    "guardian grants itself admin",
    (f) => pick(f).connect(f.guardian).grantRole(ADMIN_ROLE, f.guardian.address),
    unauthorised(pick, "guardian"),
  );
  add(
    `${name}.revokeRole`,
    "stranger revokes the admin",
    (f) => pick(f).connect(f.stranger).revokeRole(ADMIN_ROLE, f.admin.address),
    unauthorised(pick),
  );
  add(
    `${name}.renounceRole`,
    "renounce on behalf of the admin",
    (f) => pick(f).connect(f.stranger).renounceRole(ADMIN_ROLE, f.admin.address),
    (f) => ({ contract: pick(f), error: "AccessControlBadConfirmation" }),
  );
}

// ====================================================================== PriceOracle
const feedArgs = async (f: Fixture) => [await addr(f.usdc.token), await addr(f.usdc.feed)] as const;
add(
  "PriceOracle.constructor",
  "zero pool",
  async (f) =>
    new PriceOracle__factory(f.admin).deploy(
      f.admin.address,
      ZeroAddress,
      await addr(f.stable),
      await addr(f.usdc.token),
      1_800,
    ),
  (f) => ({ contract: f.oracle, error: "ZeroAddress" }),
);
add(
  "PriceOracle.constructor",
  "pool of other tokens",
  async (f) =>
    new PriceOracle__factory(f.admin).deploy(
      f.admin.address,
      await addr(f.pair),
      await addr(f.stable),
      await addr(f.weth.token),
      1_800,
    ),
  async (f) => ({
    contract: f.oracle,
    error: "PoolTokenMismatch",
    args: [await addr(f.pair), await addr(f.stable), await addr(f.weth.token)],
  }),
);
add(
  "PriceOracle.constructor",
  "TWAP window below minimum",
  async (f) =>
    new PriceOracle__factory(f.admin).deploy(
      f.admin.address,
      await addr(f.pair),
      await addr(f.stable),
      await addr(f.usdc.token),
      59,
    ),
  (f) => ({ contract: f.oracle, error: "TwapWindowOutOfBounds", args: [59n, 60n, 86_400n] }),
);
add(
  "PriceOracle.setFeed",
  "stranger",
  async (f) => f.oracle.connect(f.stranger).setFeed(...(await feedArgs(f)), 3_600, WAD("0.5"), WAD("2")),
  unauthorised("oracle"),
);
add(
  "PriceOracle.setFeed",
  "guardian",
  async (f) => f.oracle.connect(f.guardian).setFeed(...(await feedArgs(f)), 3_600, WAD("0.5"), WAD("2")),
  unauthorised("oracle", "guardian"),
);
add(
  "PriceOracle.setFeed",
  "zero asset",
  async (f) => f.oracle.setFeed(ZeroAddress, await addr(f.usdc.feed), 3_600, WAD("0.5"), WAD("2")),
  (f) => ({ contract: f.oracle, error: "ZeroAddress" }),
);
add(
  "PriceOracle.setFeed",
  "zero aggregator",
  async (f) => f.oracle.setFeed(await addr(f.usdc.token), ZeroAddress, 3_600, WAD("0.5"), WAD("2")),
  (f) => ({ contract: f.oracle, error: "ZeroAddress" }),
);
for (const [input, maxAge, min, max] of [
  ["maxAge below 60 s", 59n, WAD("0.5"), WAD("2")],
  ["maxAge above 2 days", 172_801n, WAD("0.5"), WAD("2")],
  ["maxAge type(uint256).max", MaxUint256, WAD("0.5"), WAD("2")],
  ["zero minimum price", 3_600n, 0n, WAD("2")],
  ["minimum equal to maximum", 3_600n, WAD("1"), WAD("1")],
  ["minimum above maximum", 3_600n, WAD("2"), WAD("1")],
  ["maximum above uint128", 3_600n, WAD("0.5"), 2n ** 128n],
] as const) {
  add(
    "PriceOracle.setFeed",
    input,
    async (f) => f.oracle.setFeed(...(await feedArgs(f)), maxAge, min, max),
    async (f) => ({
      contract: f.oracle,
      error: "InvalidFeedConfig",
      args: [await addr(f.usdc.token), maxAge, min, max],
    }),
  );
}
add(
  "PriceOracle.setBackupFeed",
  "stranger",
  async (f) => f.oracle.connect(f.stranger).setBackupFeed(...(await feedArgs(f)), 3_600),
  unauthorised("oracle"),
);
add(
  "PriceOracle.setBackupFeed",
  "asset without a primary feed",
  async (f) => f.oracle.setBackupFeed(await addr(f.stable), await addr(f.usdc.feed), 3_600),
  async (f) => ({ contract: f.oracle, error: "FeedNotSet", args: [await addr(f.stable)] }),
);
add(
  "PriceOracle.setBackupFeed",
  "maxAge above 2 days",
  async (f) => f.oracle.setBackupFeed(...(await feedArgs(f)), 172_801),
  async (f) => ({
    contract: f.oracle,
    error: "InvalidFeedConfig",
    args: [await addr(f.usdc.token), 172_801n, WAD("0.5"), WAD("2")],
  }),
);
add(
  "PriceOracle.setBackupFeed",
  "aggregator without decimals()",
  async (f) => f.oracle.setBackupFeed(await addr(f.usdc.token), await addr(f.reserve), 3_600),
  async (f) => ({
    contract: f.oracle,
    error: "FeedCallFailed",
    args: [await addr(f.usdc.token), await addr(f.reserve)],
  }),
);
add(
  "PriceOracle.setSequencerUptimeFeed",
  "stranger",
  async (f) => f.oracle.connect(f.stranger).setSequencerUptimeFeed(await addr(f.usdc.feed), 3_600),
  unauthorised("oracle"),
);
add(
  "PriceOracle.setSequencerUptimeFeed",
  "grace period below 5 minutes",
  async (f) => f.oracle.setSequencerUptimeFeed(await addr(f.usdc.feed), 299),
  (f) => ({ contract: f.oracle, error: "InvalidSequencerGracePeriod", args: [299n, 300n, 86_400n] }),
);
add(
  "PriceOracle.setSequencerUptimeFeed",
  "grace period above a day",
  async (f) => f.oracle.setSequencerUptimeFeed(await addr(f.usdc.feed), 86_401),
  (f) => ({ contract: f.oracle, error: "InvalidSequencerGracePeriod", args: [86_401n, 300n, 86_400n] }),
);
add(
  "PriceOracle.setTwapWindow",
  "stranger",
  (f) => f.oracle.connect(f.stranger).setTwapWindow(1_800),
  unauthorised("oracle"),
);
add(
  "PriceOracle.setTwapWindow",
  "below 60 s",
  (f) => f.oracle.setTwapWindow(59),
  (f) => ({ contract: f.oracle, error: "TwapWindowOutOfBounds", args: [59n, 60n, 86_400n] }),
);
add(
  "PriceOracle.setTwapWindow",
  "above one day",
  (f) => f.oracle.setTwapWindow(86_401),
  (f) => ({ contract: f.oracle, error: "TwapWindowOutOfBounds", args: [86_401n, 60n, 86_400n] }),
);
add(
  "PriceOracle.setTwapWindow",
  "zero",
  (f) => f.oracle.setTwapWindow(0),
  (f) => ({ contract: f.oracle, error: "TwapWindowOutOfBounds", args: [0n, 60n, 86_400n] }),
);
add(
  "PriceOracle.price",
  "asset without a feed",
  async (f) => f.oracle.price(await addr(f.stable)),
  async (f) => ({ contract: f.oracle, error: "FeedNotSet", args: [await addr(f.stable)] }),
);
add(
  "PriceOracle.price",
  "zero answer",
  async (f) => {
    await f.weth.feed.updateAnswer(0);
    return f.oracle.price(await addr(f.weth.token));
  },
  async (f) => ({ contract: f.oracle, error: "NonPositivePrice", args: [await addr(f.weth.token), 0n] }),
);
add(
  "PriceOracle.price",
  "stale answer (older than maxAge)",
  async (f) => {
    await time.increase(4_201);
    return f.oracle.price(await addr(f.weth.token));
  },
  (f) => ({ contract: f.oracle, error: "StalePrice" }),
);
add(
  "PriceOracle.price",
  "future-dated answer",
  async (f) => {
    const now = BigInt(await time.latest());
    await f.weth.feed.updateRoundData(9, 3_000n * 10n ** 8n, now + 3_600n, now);
    return f.oracle.price(await addr(f.weth.token));
  },
  (f) => ({ contract: f.oracle, error: "StalePrice" }),
);
add(
  "PriceOracle.price",
  "answer below the feed's minimum",
  async (f) => {
    await f.weth.feed.updateAnswer(9n * 10n ** 8n);
    return f.oracle.price(await addr(f.weth.token));
  },
  async (f) => ({
    contract: f.oracle,
    error: "PriceOutOfBounds",
    args: [await addr(f.weth.token), WAD("9"), WAD("10"), WAD("100000")],
  }),
);
add(
  "PriceOracle.price",
  "answer above the feed's maximum",
  async (f) => {
    await f.usdc.feed.updateAnswer(3n * 10n ** 8n);
    return f.oracle.price(await addr(f.usdc.token));
  },
  async (f) => ({
    contract: f.oracle,
    error: "PriceOutOfBounds",
    args: [await addr(f.usdc.token), WAD("3"), WAD("0.5"), WAD("2")],
  }),
);
add(
  "PriceOracle.price",
  "aggregator call reverts",
  async (f) => {
    const agg = await new RevertingAggregator__factory(f.admin).deploy(3_000n * 10n ** 8n);
    await f.oracle.setFeed(await addr(f.weth.token), await addr(agg), 3_600, WAD("10"), WAD("100000"));
    await agg.setBroken(true);
    return f.oracle.price(await addr(f.weth.token));
  },
  async (f) => ({ contract: f.oracle, error: "FeedCallFailed" }),
);
add(
  "PriceOracle.marketPrice",
  "quote feed invalid",
  async (f) => {
    await f.usdc.feed.updateAnswer(-1);
    return f.oracle.marketPrice();
  },
  async (f) => ({ contract: f.oracle, error: "NonPositivePrice", args: [await addr(f.usdc.token), -1n] }),
);
add(
  "PriceOracle.marketPrice",
  "empty pool",
  async (f) => (await freshOracleOnEmptyPair(f)).marketPrice(),
  (f) => ({ contract: f.oracle, error: "EmptyPool" }),
);

// ====================================================================== Reserve (admin)
const listable = async (f: Fixture, decimals = 18) => new TestERC20__factory(f.admin).deploy("New", "NEW", decimals);
add(
  "Reserve.constructor",
  "zero oracle",
  async (f) => (await reserveFactory(f.admin)).deploy(f.admin.address, await addr(f.stable), ZeroAddress),
  (f) => ({ contract: f.reserve, error: "ZeroAddress" }),
);
add(
  "Reserve.listAsset",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).listAsset(await addr(await listable(f)), assetConfig()),
  unauthorised("reserve"),
);
add(
  "Reserve.listAsset",
  "zero asset",
  (f) => f.reserve.listAsset(ZeroAddress, assetConfig()),
  (f) => ({ contract: f.reserve, error: "ZeroAddress" }),
);
add(
  "Reserve.listAsset",
  "the stable itself as collateral",
  async (f) => f.reserve.listAsset(await addr(f.stable), assetConfig()),
  async (f) => ({ contract: f.reserve, error: "StableNotCollateral", args: [await addr(f.stable)] }),
);
add(
  "Reserve.listAsset",
  "already listed",
  async (f) => f.reserve.listAsset(await addr(f.usdc.token), assetConfig()),
  async (f) => ({ contract: f.reserve, error: "AssetAlreadyListed", args: [await addr(f.usdc.token)] }),
);
add(
  "Reserve.listAsset",
  "decimals over 18",
  async (f) => f.reserve.listAsset(await addr(await listable(f, 19)), assetConfig()),
  outOfBounds("reserve", "decimals", 19n, 0n, 18n),
);
add(
  "Reserve.listAsset",
  "a ninth asset (over MAX_ASSETS)",
  async (f) => {
    for (let i = 0; i < 6; i++) await f.reserve.listAsset(await addr(await listable(f)), assetConfig());
    return f.reserve.listAsset(await addr(await listable(f)), assetConfig());
  },
  (f) => ({ contract: f.reserve, error: "TooManyAssets", args: [8n] }),
);
for (const [field, value, max] of [
  ["haircutBps", 5_001, 5_000],
  ["mintFeeBps", 101, 100],
  ["redeemFeeBps", 101, 100],
  ["bufferBps", 10_001, 10_000],
] as const) {
  add(
    "Reserve.listAsset",
    `${field} above its bound`,
    async (f) => f.reserve.listAsset(await addr(await listable(f)), assetConfig({ [field]: value })),
    outOfBounds("reserve", field, BigInt(value), 0n, BigInt(max)),
  );
  add(
    "Reserve.setAssetConfig",
    `${field} above its bound`,
    async (f) => f.reserve.setAssetConfig(await addr(f.usdc.token), assetConfig({ [field]: value })),
    outOfBounds("reserve", field, BigInt(value), 0n, BigInt(max)),
  );
}
/** Constants.sol: MAX_ASSET_CEILING = 2^104 − 2 (type(uint256).max stands for no ceiling). */
const MAX_ASSET_CEILING = 2n ** 104n - 2n;
add(
  "Reserve.listAsset",
  "ceiling above its bound (not unlimited)",
  async (f) => f.reserve.listAsset(await addr(await listable(f)), assetConfig({ ceiling: MAX_ASSET_CEILING + 1n })),
  outOfBounds("reserve", "ceiling", MAX_ASSET_CEILING + 1n, 0n, MAX_ASSET_CEILING),
);
add(
  "Reserve.setAssetConfig",
  "ceiling one below type(uint256).max",
  async (f) => f.reserve.setAssetConfig(await addr(f.usdc.token), assetConfig({ ceiling: MaxUint256 - 1n })),
  outOfBounds("reserve", "ceiling", MaxUint256 - 1n, 0n, MAX_ASSET_CEILING),
);
add(
  "Reserve.setAssetConfig",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).setAssetConfig(await addr(f.usdc.token), assetConfig()),
  unauthorised("reserve"),
);
add(
  "Reserve.setAssetConfig",
  "unlisted asset",
  async (f) => f.reserve.setAssetConfig(await addr(f.stable), assetConfig()),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.setStrategy",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).setStrategy(await addr(f.usdc.token), ZeroAddress),
  unauthorised("reserve"),
);
add(
  "Reserve.setStrategy",
  "unlisted asset",
  async (f) => f.reserve.setStrategy(await addr(f.stable), ZeroAddress),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.setStrategy",
  "vault of another asset",
  async (f) => f.reserve.setStrategy(await addr(f.weth.token), await addr(f.usdc.vault!)),
  async (f) => ({
    contract: f.reserve,
    error: "StrategyAssetMismatch",
    args: [await addr(f.usdc.vault!), await addr(f.weth.token), await addr(f.usdc.token)],
  }),
);
add(
  "Reserve.setStrategy",
  "replacing a strategy that still holds funds",
  async (f) => {
    await f.operator.connect(f.keeper).rebalance();
    const other = await new TestVault__factory(f.admin).deploy(await addr(f.usdc.token), "other", "o");
    return f.reserve.setStrategy(await addr(f.usdc.token), await addr(other));
  },
  (f) => ({ contract: f.reserve, error: "StrategyNotEmpty" }),
);
const lane = (over: Partial<Record<"bandBps" | "baseFeeBps" | "maxShareBps" | "volumePerEpoch", bigint>> = {}) => ({
  bandBps: 50n,
  baseFeeBps: 5n,
  maxShareBps: 10_000n,
  volumePerEpoch: TOKENS("1000"),
  ...over,
});
add(
  "Reserve.setStableLane",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).setStableLane(await addr(f.usdc.token), lane()),
  unauthorised("reserve"),
);
add(
  "Reserve.setStableLane",
  "unlisted asset",
  async (f) => f.reserve.setStableLane(await addr(f.stable), lane()),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
for (const [field, value, name, min, max] of [
  ["bandBps", 101n, "laneBandBps", 1n, 100n],
  ["baseFeeBps", 11n, "laneBaseFeeBps", 0n, 10n],
  ["maxShareBps", 999n, "laneMaxShareBps", 1_000n, 10_000n],
  ["volumePerEpoch", 0n, "laneVolumePerEpoch", 1n, TOKENS("50000000")],
] as const) {
  add(
    "Reserve.setStableLane",
    `${field} out of bounds`,
    async (f) => f.reserve.setStableLane(await addr(f.usdc.token), lane({ [field]: value })),
    outOfBounds("reserve", name, value, min, max),
  );
}
add(
  "Reserve.setRedeemSpread",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).setRedeemSpread(await addr(f.weth.token), 50),
  unauthorised("reserve"),
);
add(
  "Reserve.setRedeemSpread",
  "unlisted asset",
  async (f) => f.reserve.setRedeemSpread(await addr(f.stable), 50),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.setRedeemSpread",
  "below the feed-deviation floor",
  async (f) => f.reserve.setRedeemSpread(await addr(f.weth.token), 49),
  outOfBounds("reserve", "redeemSpreadBps", 49n, 50n, 500n),
);
add(
  "Reserve.setRedeemSpread",
  "above 5%",
  async (f) => f.reserve.setRedeemSpread(await addr(f.weth.token), 501),
  outOfBounds("reserve", "redeemSpreadBps", 501n, 50n, 500n),
);
boundedSetter(
  "Reserve.setDegradedRedeemCap",
  "reserve",
  "degradedRedeemCapBps",
  [10n, 2_000n],
  ["below 0.1%", "above 20%"],
  (c, v) => c.setDegradedRedeemCap(v),
);
add(
  "Reserve.emergencyWithdraw",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).emergencyWithdraw(await addr(f.usdc.token)),
  unauthorised("reserve"),
);
add(
  "Reserve.emergencyWithdraw",
  "asset without a strategy",
  async (f) => f.reserve.emergencyWithdraw(await addr(f.weth.token)),
  async (f) => ({ contract: f.reserve, error: "NoStrategy", args: [await addr(f.weth.token)] }),
);
add(
  "Reserve.emergencyWithdraw",
  "unlisted asset",
  async (f) => f.reserve.emergencyWithdraw(await addr(f.stable)),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.writeOffStrategy",
  "guardian",
  async (f) => f.reserve.connect(f.guardian).writeOffStrategy(await addr(f.usdc.token)),
  unauthorised("reserve", "guardian"),
);
add(
  "Reserve.writeOffStrategy",
  "asset without a strategy",
  async (f) => f.reserve.writeOffStrategy(await addr(f.weth.token)),
  async (f) => ({ contract: f.reserve, error: "NoStrategy", args: [await addr(f.weth.token)] }),
);
add(
  "Reserve.delistAsset",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).delistAsset(await addr(f.weth.token)),
  unauthorised("reserve"),
);
add(
  "Reserve.delistAsset",
  "unlisted asset",
  async (f) => f.reserve.delistAsset(await addr(f.stable)),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.delistAsset",
  "asset still held",
  async (f) => f.reserve.delistAsset(await addr(f.usdc.token)),
  (f) => ({ contract: f.reserve, error: "AssetNotEmpty" }),
);
add(
  "Reserve.setRecoveryFees",
  "stranger",
  (f) => f.reserve.connect(f.stranger).setRecoveryFees(0, 50),
  unauthorised("reserve"),
);
add(
  "Reserve.setRecoveryFees",
  "mint fee above 1%",
  (f) => f.reserve.setRecoveryFees(101, 50),
  outOfBounds("reserve", "recoveryMintFeeBps", 101n, 0n, 100n),
);
add(
  "Reserve.setRecoveryFees",
  "redeem fee above 5%",
  (f) => f.reserve.setRecoveryFees(0, 501),
  outOfBounds("reserve", "recoveryRedeemFeeBps", 501n, 0n, 500n),
);
add(
  "Reserve.setRecoveryFees",
  "type(uint256).max",
  (f) => f.reserve.setRecoveryFees(MaxUint256, 0),
  outOfBounds("reserve", "recoveryMintFeeBps", MaxUint256, 0n, 100n),
);
boundedSetter(
  "Reserve.setBufferTolerance",
  "reserve",
  "bufferToleranceBps",
  [100n, 5_000n],
  ["below 1%", "above 50%"],
  (c, v) => c.setBufferTolerance(v),
);
boundedSetter(
  "Reserve.setValuationMaxAge",
  "reserve",
  "valuationMaxAgeSec",
  [60n, 3_600n],
  ["below a minute", "above an hour"],
  (c, v) => c.setValuationMaxAge(v),
);
add(
  "Reserve.setCollateralPolicy",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).setCollateralPolicy(await addr(f.policy)),
  unauthorised("reserve"),
);
add(
  "Reserve.setCollateralPolicy",
  "zero policy",
  (f) => f.reserve.setCollateralPolicy(ZeroAddress),
  (f) => ({ contract: f.reserve, error: "ZeroAddress" }),
);
add(
  "Reserve.setValueSource",
  "stranger",
  (f) => f.reserve.connect(f.stranger).setValueSource(ZeroAddress),
  unauthorised("reserve"),
);
add(
  "Reserve.setValueSource",
  "a source whose asset is not listed",
  async (f) =>
    f.reserve.setValueSource(
      await (await new TestValueSource__factory(f.admin).deploy(await addr(f.stable))).getAddress(),
    ),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
/** The pause switches: [contract, its pause, its unpause]. Only the guardian pauses; only the admin unpauses. */
const PAUSE_SWITCHES: [ContractName, PauseFn, PauseFn][] = [
  ["reserve", "pause", "unpause"],
  ["reserve", "pauseRedemptions", "unpauseRedemptions"],
  ["operator", "pause", "unpause"],
];
for (const [contract, pause, unpause] of PAUSE_SWITCHES) {
  const name = contract === "reserve" ? "Reserve" : "MarketOperator";
  const as = (f: Fixture, who: Caller) =>
    f[contract].connect(f[who]) as unknown as Record<PauseFn, () => Promise<unknown>>;
  for (const who of ["stranger", "keeper"] as const)
    add(`${name}.${pause}`, who, (f) => as(f, who)[pause](), unauthorised(contract, who, role("GUARDIAN_ROLE")));
  add(
    `${name}.${unpause}`,
    "guardian (can only pause)",
    async (f) => {
      await as(f, "guardian")[pause]();
      return as(f, "guardian")[unpause]();
    },
    unauthorised(contract, "guardian"),
  );
}
add(
  "Reserve.unpause",
  "not paused",
  (f) => f.reserve.unpause(),
  (f) => ({ contract: f.reserve, error: "ExpectedPause" }),
);
add(
  "Reserve.depositFromOperator",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).depositFromOperator(await addr(f.usdc.token), 1n),
  unauthorised("reserve", "stranger", role("OPERATOR_ROLE")),
);
add(
  "Reserve.depositFromOperator",
  "keeper (only the operator contract)",
  async (f) => f.reserve.connect(f.keeper).depositFromOperator(await addr(f.usdc.token), 1n),
  unauthorised("reserve", "keeper", role("OPERATOR_ROLE")),
);
add(
  "Reserve.releaseToOperator",
  "stranger draining the reserve",
  async (f) => f.reserve.connect(f.stranger).releaseToOperator(await addr(f.usdc.token), 1n, f.stranger.address),
  unauthorised("reserve", "stranger", role("OPERATOR_ROLE")),
);
add(
  "Reserve.releaseToOperator",
  "admin (not the operator)",
  async (f) => f.reserve.connect(f.admin).releaseToOperator(await addr(f.usdc.token), 1n, f.admin.address),
  unauthorised("reserve", "admin", role("OPERATOR_ROLE")),
);
add(
  "Reserve.rebalance",
  "stranger",
  async (f) => f.reserve.connect(f.stranger).rebalance(await addr(f.usdc.token)),
  unauthorised("reserve", "stranger", role("OPERATOR_ROLE")),
);

// ====================================================================== Reserve (users)
const approveUsdc = async (f: Fixture, who = f.user, amount = MaxUint256) =>
  f.usdc.token.connect(who).approve(await addr(f.reserve), amount);
add(
  "Reserve.mint",
  "unlisted asset",
  async (f) => f.reserve.connect(f.user).mint(await addr(f.stable), 1n, 0, f.user.address),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.mint",
  "zero amount",
  async (f) => {
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), 0, 0, f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "ZeroAmount" }),
);
add(
  "Reserve.mint",
  "zero receiver",
  async (f) => {
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("1"), 0, ZeroAddress);
  },
  (f) => ({ contract: f.reserve, error: "ZeroAddress" }),
);
add(
  "Reserve.mint",
  "over the asset's ceiling",
  async (f) => {
    await f.reserve.setAssetConfig(await addr(f.usdc.token), assetConfig({ ceiling: USDC("1") }));
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("1"), 0, f.user.address);
  },
  async (f) => ({ contract: f.reserve, error: "ReserveCeilingExceeded" }),
);
add(
  "Reserve.mint",
  "type(uint256).max",
  async (f) => {
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), MaxUint256, 0, f.user.address);
  },
  async (f) => ({ contract: f.reserve, error: "ReserveCeilingExceeded" }),
);
add(
  "Reserve.mint",
  "over the caller's allowance",
  async (f) => {
    await approveUsdc(f, f.user, USDC("1"));
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("2"), 0, f.user.address);
  },
  async (f) => ({
    contract: f.usdc.token,
    error: "ERC20InsufficientAllowance",
    args: [await addr(f.reserve), USDC("1"), USDC("2")],
  }),
);
add(
  "Reserve.mint",
  "over the caller's balance",
  async (f) => {
    await approveUsdc(f, f.stranger);
    return f.reserve.connect(f.stranger).mint(await addr(f.usdc.token), USDC("1"), 0, f.stranger.address);
  },
  (f) => ({ contract: f.usdc.token, error: "ERC20InsufficientBalance", args: [f.stranger.address, 0n, USDC("1")] }),
);
add(
  "Reserve.mint",
  "unmet minOut",
  async (f) => {
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("100"), TOKENS("100"), f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "SlippageExceeded" }),
);
add(
  "Reserve.mint",
  "while paused",
  async (f) => {
    await f.reserve.connect(f.guardian).pause();
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("1"), 0, f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "EnforcedPause" }),
);
add(
  "Reserve.mint",
  "stale feed of the deposited asset",
  async (f) => {
    await time.increase(4_201);
    await f.weth.token.connect(f.user).approve(await addr(f.reserve), MaxUint256);
    return f.reserve.connect(f.user).mint(await addr(f.weth.token), TOKENS("1"), 0, f.user.address);
  },
  (f) => ({ contract: f.oracle, error: "StalePrice" }),
);
// Rule changed (issue 16): another asset's invalid feed no longer blocks a mint (degraded mode
// values it at zero); only the deposited asset's own price must be fresh and valid.
add(
  "Reserve.mint",
  "deposited asset's feed invalid",
  async (f) => {
    await f.usdc.feed.updateAnswer(0);
    await approveUsdc(f);
    return f.reserve.connect(f.user).mint(await addr(f.usdc.token), USDC("1"), 0, f.user.address);
  },
  async (f) => ({ contract: f.oracle, error: "NonPositivePrice", args: [await addr(f.usdc.token), 0n] }),
);
const redeemSetup = async (f: Fixture) => {
  await mintWithUsdc(f, f.user, USDC("1000"));
  await f.stable.connect(f.user).approve(await addr(f.reserve), MaxUint256);
};
add(
  "Reserve.redeem",
  "unlisted asset",
  async (f) => f.reserve.connect(f.user).redeem(await addr(f.stable), 1n, 0, f.user.address),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.redeem",
  "zero amount",
  async (f) => f.reserve.connect(f.user).redeem(await addr(f.usdc.token), 0, 0, f.user.address),
  (f) => ({ contract: f.reserve, error: "ZeroAmount" }),
);
add(
  "Reserve.redeem",
  "zero receiver",
  async (f) => {
    await redeemSetup(f);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), TOKENS("1"), 0, ZeroAddress);
  },
  (f) => ({ contract: f.reserve, error: "ZeroAddress" }),
);
add(
  "Reserve.redeem",
  "dust (worth less than one unit of USDC)",
  async (f) => {
    await redeemSetup(f);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), 10n ** 11n, 0, f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "ZeroAmount" }),
);
add(
  "Reserve.redeem",
  "without allowance",
  async (f) => {
    await mintWithUsdc(f, f.user, USDC("10"));
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), TOKENS("1"), 0, f.user.address);
  },
  async (f) => ({
    contract: f.stable,
    error: "ERC20InsufficientAllowance",
    args: [await addr(f.reserve), 0n, TOKENS("1")],
  }),
);
add(
  "Reserve.redeem",
  "over balance",
  async (f) => {
    await redeemSetup(f);
    const bal = await f.stable.balanceOf(f.user.address);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), bal + 1n, 0, f.user.address);
  },
  async (f) => ({ contract: f.stable, error: "ERC20InsufficientBalance" }),
);
add(
  "Reserve.redeem",
  "type(uint256).max",
  async (f) => {
    await redeemSetup(f);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), MaxUint256, 0, f.user.address);
  },
  async (f) => ({ contract: f.reserve, error: "InsufficientLiquidity" }),
);
add(
  "Reserve.redeem",
  "more WETH than the reserve holds",
  async (f) => {
    await redeemSetup(f);
    return f.reserve.connect(f.user).redeem(await addr(f.weth.token), TOKENS("100"), 0, f.user.address);
  },
  async (f) => ({ contract: f.reserve, error: "InsufficientLiquidity" }),
);
add(
  "Reserve.redeem",
  "unmet minOut",
  async (f) => {
    await redeemSetup(f);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), TOKENS("100"), USDC("100"), f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "SlippageExceeded" }),
);
add(
  "Reserve.redeem",
  "redemptions paused",
  async (f) => {
    await redeemSetup(f);
    await f.reserve.connect(f.guardian).pauseRedemptions();
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), TOKENS("1"), 0, f.user.address);
  },
  (f) => ({ contract: f.reserve, error: "RedemptionsPaused" }),
);
// Rule changed (issue 16): a stale feed is degraded (last good price) for a day past its max age;
// beyond that the redeemed asset has no price and the redemption is refused.
add(
  "Reserve.redeem",
  "redeemed asset's feed stale past the degraded window",
  async (f) => {
    await redeemSetup(f);
    await time.increase(90_000 + 86_401);
    return f.reserve.connect(f.user).redeem(await addr(f.usdc.token), TOKENS("1"), 0, f.user.address);
  },
  (f) => ({ contract: f.oracle, error: "StalePrice" }),
);
add(
  "Reserve.contribute",
  "unlisted asset",
  async (f) => f.reserve.connect(f.user).contribute(await addr(f.stable), 1n),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.contribute",
  "zero amount",
  async (f) => f.reserve.connect(f.user).contribute(await addr(f.usdc.token), 0),
  (f) => ({ contract: f.reserve, error: "ZeroAmount" }),
);
add(
  "Reserve.contribute",
  "over allowance",
  async (f) => f.reserve.connect(f.user).contribute(await addr(f.usdc.token), 1n),
  async (f) => ({ contract: f.usdc.token, error: "ERC20InsufficientAllowance", args: [await addr(f.reserve), 0n, 1n] }),
);
add(
  "Reserve.previewMint",
  "unlisted asset",
  async (f) => f.reserve.previewMint(await addr(f.stable), 1n),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.previewRedeem",
  "unlisted asset",
  async (f) => f.reserve.previewRedeem(await addr(f.stable), 1n),
  async (f) => ({ contract: f.reserve, error: "AssetNotListed", args: [await addr(f.stable)] }),
);
add(
  "Reserve.inRecoveryMode",
  "no collateral policy set",
  async (f) =>
    (
      await (await reserveFactory(f.admin)).deploy(f.admin.address, await addr(f.stable), await addr(f.oracle))
    ).inRecoveryMode(),
  (f) => ({ contract: f.reserve, error: "CollateralPolicyNotSet" }),
);

// ====================================================================== CollateralPolicy
add(
  "CollateralPolicy.constructor",
  "zero reserve",
  async (f) =>
    new CollateralPolicy__factory(f.admin).deploy(f.admin.address, await addr(f.oracle), ZeroAddress, policyParams()),
  (f) => ({ contract: f.policy, error: "ZeroAddress" }),
);
add(
  "CollateralPolicy.setParams",
  "stranger",
  (f) => f.policy.connect(f.stranger).setParams(policyParams()),
  unauthorised("policy"),
);
add(
  "CollateralPolicy.setParams",
  "guardian",
  (f) => f.policy.connect(f.guardian).setParams(policyParams()),
  unauthorised("policy", "guardian"),
);
for (const [field, value, min, max] of [
  ["minRatioWad", WAD("0.99"), WAD("1"), WAD("2")],
  ["minRatioWad", WAD("2.01"), WAD("1"), WAD("2")],
  ["maxRatioWad", WAD("2.01"), WAD("1"), WAD("2")],
  ["maxRatioWad", WAD("0.99"), WAD("1"), WAD("2")],
  ["stepWad", WAD("0.051"), 0n, WAD("0.05")],
  ["bandBps", 9n, 10n, 500n],
  ["bandBps", 501n, 10n, 500n],
  ["riskWeightBps", 20_001n, 0n, 20_000n],
  ["refreshCooldownSec", 599n, 600n, 604_800n],
  ["refreshCooldownSec", 604_801n, 600n, 604_800n],
  ["stepWad", MaxUint256, 0n, WAD("0.05")],
] as const) {
  add(
    "CollateralPolicy.setParams",
    `${field} = ${value} out of range`,
    (f) => f.policy.setParams(policyParams({ [field]: value })),
    outOfBounds("policy", field, value, min, max),
  );
}
add(
  "CollateralPolicy.setParams",
  "maxRatioWad below minRatioWad",
  (f) => f.policy.setParams(policyParams({ minRatioWad: WAD("1.2"), maxRatioWad: WAD("1.1") })),
  outOfBounds("policy", "maxRatioWad", WAD("1.1"), WAD("1.2"), WAD("2")),
);
add(
  "CollateralPolicy.refresh",
  "inside its cooldown",
  async (f) => {
    await f.policy.refresh();
    return f.policy.refresh();
  },
  (f) => ({ contract: f.policy, error: "RefreshTooSoon" }),
);
add(
  "CollateralPolicy.refresh",
  "quote feed invalid",
  async (f) => {
    await f.usdc.feed.updateAnswer(0);
    return f.policy.refresh();
  },
  async (f) => ({ contract: f.oracle, error: "NonPositivePrice", args: [await addr(f.usdc.token), 0n] }),
);

// ====================================================================== MarketOperator
add(
  "MarketOperator.constructor",
  "zero policy",
  async (f) =>
    new MarketOperator__factory(f.admin).deploy(
      f.admin.address,
      await addr(f.stable),
      await addr(f.oracle),
      await addr(f.reserve),
      ZeroAddress,
      limits(),
      50,
      300,
    ),
  (f) => ({ contract: f.operator, error: "ZeroAddress" }),
);
add(
  "MarketOperator.constructor",
  "band out of range",
  async (f) =>
    new MarketOperator__factory(f.admin).deploy(
      f.admin.address,
      await addr(f.stable),
      await addr(f.oracle),
      await addr(f.reserve),
      await addr(f.policy),
      limits(),
      9,
      300,
    ),
  outOfBounds("operator", "bandBps", 9n, 10n, 500n),
);
add(
  "MarketOperator.setLimits",
  "stranger",
  (f) => f.operator.connect(f.stranger).setLimits(limits()),
  unauthorised("operator"),
);
add(
  "MarketOperator.setLimits",
  "keeper raising its own caps",
  (f) => f.operator.connect(f.keeper).setLimits(limits({ maxExpansionPerOp: TOKENS("10000000") })),
  unauthorised("operator", "keeper"),
);
for (const [field, value, min, max, over] of [
  ["maxExpansionPerEpoch", TOKENS("50000001"), 0n, TOKENS("50000000"), {}],
  ["maxExpansionPerOp", TOKENS("1000001"), 0n, TOKENS("1000000"), {}],
  ["maxExpansionPerOp", TOKENS("10000001"), 0n, TOKENS("10000000"), { maxExpansionPerEpoch: TOKENS("50000000") }],
  ["maxContractionPerEpoch", TOKENS("50000001"), 0n, TOKENS("50000000"), {}],
  ["maxContractionPerOp", TOKENS("1000001"), 0n, TOKENS("1000000"), {}],
  ["cooldownSec", 0n, 1n, 86_400n, {}],
  ["cooldownSec", 86_401n, 1n, 86_400n, {}],
  ["epochSec", 3_599n, 3_600n, 604_800n, {}],
  ["epochSec", 604_801n, 3_600n, 604_800n, {}],
  ["maxExpansionPerEpoch", MaxUint256, 0n, TOKENS("50000000"), {}],
] as const) {
  add(
    "MarketOperator.setLimits",
    `${field} = ${value} out of range`,
    (f) => f.operator.setLimits(limits({ ...over, [field]: value })),
    outOfBounds("operator", field, value, min, max),
  );
}
boundedSetter(
  "MarketOperator.setBand",
  "operator",
  "bandBps",
  [10n, 500n],
  ["band below 10 bps", "band above 500 bps"],
  (c, v) => c.setBand(v, 300),
);
add(
  "MarketOperator.setBand",
  "spot/TWAP guard below 10 bps",
  (f) => f.operator.setBand(50, 9),
  outOfBounds("operator", "maxSpotTwapDeviationBps", 9n, 10n, 1_000n),
);
add(
  "MarketOperator.setBand",
  "spot/TWAP guard above 1000 bps",
  (f) => f.operator.setBand(50, 1_001),
  outOfBounds("operator", "maxSpotTwapDeviationBps", 1_001n, 10n, 1_000n),
);
/** The keeper's four operation entry points, each with a second argument it accepts (min out, or a limit price). */
const OPERATIONS = [
  ["expandSupply", 0n],
  ["contractSupply", 0n],
  ["expandSupplyAtPrice", 0n],
  ["contractSupplyAtPrice", WAD("1")],
] as const;
for (const [op, arg] of OPERATIONS) {
  const fn = `MarketOperator.${op}`;
  add(fn, "stranger", (f) => f.operator.connect(f.stranger)[op](1n, arg), notKeeper);
  add(
    fn,
    "zero amount",
    (f) => f.operator.connect(f.keeper)[op](0, arg),
    (f) => ({ contract: f.operator, error: "ZeroAmount" }),
  );
  add(
    fn,
    "while paused",
    async (f) => {
      await f.operator.connect(f.guardian).pause();
      return f.operator.connect(f.keeper)[op](1n, arg);
    },
    (f) => ({ contract: f.operator, error: "EnforcedPause" }),
  );
}
add(
  "MarketOperator.expandSupply",
  "price inside the band",
  (f) => f.operator.connect(f.keeper).expandSupply(MaxUint256, 0),
  (f) => ({ contract: f.operator, error: "PriceInsideBand" }),
);
add(
  "MarketOperator.expandSupply",
  "unmet minQuoteOut",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).expandSupply(MaxUint256, MaxUint256);
  },
  (f) => ({ contract: f.operator, error: "SlippageExceeded" }),
);
add(
  "MarketOperator.expandSupply",
  "inside the cooldown",
  async (f) => {
    await f.operator.setLimits({ ...(await limitsOf(f.operator)), maxExpansionPerOp: TOKENS("1") });
    await makeExpansionDue(f);
    await f.operator.connect(f.keeper).expandSupply(TOKENS("1"), 0);
    return f.operator.connect(f.keeper).expandSupply(TOKENS("1"), 0);
  },
  (f) => ({ contract: f.operator, error: "CooldownActive" }),
);
add(
  "MarketOperator.expandSupply",
  "dust (below the minimum operation size)",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).expandSupply(10n ** 12n, 0);
  },
  (f) => ({ contract: f.operator, error: "OperationTooSmall" }),
);
add(
  "MarketOperator.expandSupplyAtPrice",
  "limit price above the hard bound",
  (f) => f.operator.connect(f.keeper).expandSupplyAtPrice(MaxUint256, MaxUint256),
  outOfBounds("operator", "minPriceWad", MaxUint256, 0n, 10n ** 30n),
);
add(
  "MarketOperator.expandSupplyAtPrice",
  "limit price the pool cannot reach",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).expandSupplyAtPrice(MaxUint256, WAD("2"));
  },
  (f) => ({ contract: f.operator, error: "PriceLimitExceeded" }),
);
add(
  "MarketOperator.expandSupplyAtPrice",
  "dust (below the minimum operation size)",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).expandSupplyAtPrice(10n ** 12n, 0);
  },
  (f) => ({ contract: f.operator, error: "OperationTooSmall" }),
);
add(
  "MarketOperator.expandSupplyAtPrice",
  "price inside the band",
  (f) => f.operator.connect(f.keeper).expandSupplyAtPrice(MaxUint256, 0),
  (f) => ({ contract: f.operator, error: "PriceInsideBand" }),
);
add(
  "MarketOperator.contractSupplyAtPrice",
  "zero limit price",
  (f) => f.operator.connect(f.keeper).contractSupplyAtPrice(MaxUint256, 0),
  outOfBounds("operator", "maxPriceWad", 0n, 1n, 10n ** 30n),
);
add(
  "MarketOperator.contractSupplyAtPrice",
  "limit price above the hard bound",
  (f) => f.operator.connect(f.keeper).contractSupplyAtPrice(MaxUint256, MaxUint256),
  outOfBounds("operator", "maxPriceWad", MaxUint256, 1n, 10n ** 30n),
);
add(
  "MarketOperator.contractSupplyAtPrice",
  "price above the peg (wrong side)",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).contractSupplyAtPrice(MaxUint256, WAD("1"));
  },
  (f) => ({ contract: f.operator, error: "PriceInsideBand" }),
);
boundedSetter(
  "MarketOperator.setSizing",
  "operator",
  "minOperationShareBps",
  [100n, 5_000n],
  ["minimum share below 1%", "minimum share above 50%"],
  (c, v) => c.setSizing(v, 0, 0),
);
add(
  "MarketOperator.setSizing",
  "loss budget above 30 bps",
  (f) => f.operator.setSizing(1_000, 31, 0),
  outOfBounds("operator", "maxLossBps", 31n, 0n, 30n),
);
add(
  "MarketOperator.setSizing",
  "epoch loss cap above its hard cap",
  (f) => f.operator.setSizing(1_000, 0, WAD("50000") + 1n),
  outOfBounds("operator", "maxLossPerEpochWad", WAD("50000") + 1n, 0n, WAD("50000")),
);
add(
  "MarketOperator.expandSupply",
  "spot manipulated away from the TWAP",
  async (f) => {
    await makeExpansionDue(f);
    await swapIntoPool(f, f.trader, false, USDC("100000"));
    return f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
  },
  (f) => ({ contract: f.operator, error: "SpotTwapDivergence" }),
);
add(
  "MarketOperator.expandSupply",
  "quote feed stale",
  async (f) => {
    await time.increase(90_001);
    return f.operator.connect(f.keeper).expandSupply(MaxUint256, 0);
  },
  (f) => ({ contract: f.oracle, error: "StalePrice" }),
);
add(
  "MarketOperator.contractSupply",
  "price inside the band",
  (f) => f.operator.connect(f.keeper).contractSupply(MaxUint256, 0),
  (f) => ({ contract: f.operator, error: "PriceInsideBand" }),
);
add(
  "MarketOperator.contractSupply",
  "price above the peg (wrong side)",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).contractSupply(MaxUint256, 0);
  },
  (f) => ({ contract: f.operator, error: "PriceInsideBand" }),
);
add("MarketOperator.rebalance", "stranger", (f) => f.operator.connect(f.stranger).rebalance(), notKeeper);
add(
  "MarketOperator.rebalance",
  "nothing to rebalance",
  async (f) => {
    await f.operator.connect(f.keeper).rebalance();
    return f.operator.connect(f.keeper).rebalance();
  },
  (f) => ({ contract: f.operator, error: "NothingToRebalance" }),
);
add(
  "MarketOperator.rebalance",
  "while paused",
  async (f) => {
    await f.operator.connect(f.guardian).pause();
    return f.operator.connect(f.keeper).rebalance();
  },
  (f) => ({ contract: f.operator, error: "EnforcedPause" }),
);
const upkeepData = (action: number, amount: bigint, minOut: bigint) =>
  AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint256"], [action, amount, minOut]);
add(
  "MarketOperator.performUpkeep",
  "stranger",
  (f) => f.operator.connect(f.stranger).performUpkeep(upkeepData(1, 1n, 0n)),
  notKeeper,
);
add(
  "MarketOperator.performUpkeep",
  "expansion requested, none due",
  (f) => f.operator.connect(f.keeper).performUpkeep(upkeepData(1, MaxUint256, 0n)),
  (f) => ({ contract: f.operator, error: "UpkeepNotNeeded" }),
);
// With an observation due, Action.None records it instead (tested in pegControl); written first here.
add(
  "MarketOperator.performUpkeep",
  "Action.None requested, no observation due",
  async (f) => {
    await f.oracle.update();
    return f.operator.connect(f.keeper).performUpkeep(upkeepData(0, 0n, 0n));
  },
  (f) => ({ contract: f.operator, error: "UpkeepNotNeeded" }),
);
add(
  "MarketOperator.performUpkeep",
  "contraction requested while an expansion is due",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).performUpkeep(upkeepData(2, MaxUint256, 0n));
  },
  (f) => ({ contract: f.operator, error: "UpkeepNotNeeded" }),
);
add(
  "MarketOperator.performUpkeep",
  "limit price in performData above the hard bound",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).performUpkeep(upkeepData(1, MaxUint256, MaxUint256));
  },
  outOfBounds("operator", "limitPriceWad", MaxUint256, 0n, 10n ** 30n),
);
add(
  "MarketOperator.performUpkeep",
  "limit price in performData the pool cannot reach",
  async (f) => {
    await makeExpansionDue(f);
    return f.operator.connect(f.keeper).performUpkeep(upkeepData(1, MaxUint256, WAD("2")));
  },
  (f) => ({ contract: f.operator, error: "PriceLimitExceeded" }),
);
add(
  "MarketOperator.performUpkeep",
  "while paused",
  async (f) => {
    await f.operator.connect(f.guardian).pause();
    return f.operator.connect(f.keeper).performUpkeep(upkeepData(1, 1n, 0n));
  },
  (f) => ({ contract: f.operator, error: "EnforcedPause" }),
);
add(
  "MarketOperator.setAutomationForwarder",
  "stranger",
  (f) => f.operator.connect(f.stranger).setAutomationForwarder(f.stranger.address),
  unauthorised("operator"),
);
add(
  "MarketOperator.setPermissionless",
  "stranger",
  (f) => f.operator.connect(f.stranger).setPermissionless(true, 0),
  unauthorised("operator"),
);
add(
  "MarketOperator.setPermissionless",
  "reward cap above the hard cap",
  (f) => f.operator.setPermissionless(true, WAD("1000") + 1n),
  outOfBounds("operator", "maxCallerRewardWad", WAD("1000") + 1n, 0n, WAD("1000")),
);

describe("Bad inputs: every external function rejects every bad input with its exact custom error", function () {
  let tried = 0;
  let rejected = 0;

  after(function () {
    // One summary line for the README's security section.
    const known = cases.filter((c) => c.bug).length;
    console.log(
      `      bad inputs tried: ${tried}, rejected with the exact custom error: ${rejected}; known bugs skipped: ${known}`,
    );
  });

  for (const c of cases) {
    if (c.bug) {
      // Kept out of the suite until the contract is fixed; the lead tracks it (see the report).
      it.skip(`${c.fn}: ${c.input} → reverts [KNOWN BUG: ${c.bug}]`, async function () {
        const f = await loadFixture(deploySystemFixture);
        const { contract, error } = await c.expect(f);
        await expect(c.call(f)).to.be.revertedWithCustomError(contract, error);
      });
      continue;
    }
    it(`${c.fn}: ${c.input} → reverts`, async function () {
      const f = await loadFixture(deploySystemFixture);
      tried++;
      const { contract, error, args } = await c.expect(f);
      const assertion = expect(c.call(f)).to.be.revertedWithCustomError(contract, error);
      if (args) await assertion.withArgs(...args);
      else await assertion;
      rejected++;
    });
  }

  it("the table covers every protocol contract's external mutators", function () {
    const covered = new Set(cases.map((c) => c.fn));
    const mutators: [string, { abi: readonly unknown[] }][] = [
      ["BallastDollar", BallastDollar__factory],
      ["PriceOracle", PriceOracle__factory],
      ["Reserve", Reserve__factory],
      ["CollateralPolicy", CollateralPolicy__factory],
      ["MarketOperator", MarketOperator__factory],
    ];
    // Functions with no bad input of their own: permissionless and argument-free by design.
    const noBadInput = new Set(["PriceOracle.update", "PriceOracle.recordPrices", "Reserve.poke"]);
    const missing: string[] = [];
    for (const [name, factory] of mutators) {
      for (const fragment of factory.abi as { type: string; name?: string; stateMutability?: string }[]) {
        if (fragment.type !== "function" || fragment.stateMutability === "view" || fragment.stateMutability === "pure")
          continue;
        const key = `${name}.${fragment.name}`;
        if (!covered.has(key) && !noBadInput.has(key)) missing.push(key);
      }
    }
    expect(missing, `mutators without a bad-input row: ${missing.join(", ")}`).to.deep.equal([]);
  });
});
