/**
 * Gas of Ballast's operations against floors deployed and measured in the same run (docs/simulation.md):
 * receipt gas of the second of two identical calls (so neither side pays first-touch storage),
 * on the in-process Hardhat network. Needs the Hardhat runtime (run through scripts/bench.ts).
 */
import { ethers } from "hardhat";
import { MaxUint256, parseUnits, type ContractTransactionResponse } from "ethers";
import { deploySystemFixture, mintWithUsdc, passTime, swapIntoPool, type Fixture } from "./devnet/fixture";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import {
  BenchMarketOperationFloor__factory,
  BenchSlot__factory,
  BenchSwapFacility__factory,
  BenchToken__factory,
} from "../typechain-types";

export interface GasRow {
  /** The market venue the row is measured on (rows that do not touch the pool say "v2", the default deploy's). */
  venue: "v2" | "v3";
  operation: string;
  gas: number;
  baseline: string;
  baselineGas: number;
  ratio: number;
  /** The target for this row, in words, and whether the measurement meets it. */
  target: string;
  meetsTarget: boolean;
}

export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

/** Runs `make` twice and returns the second call's gas. */
export async function steady(
  make: () => Promise<ContractTransactionResponse>,
  between?: () => Promise<void>,
): Promise<number> {
  await gasOf(make());
  if (between) await between();
  return gasOf(make());
}

export function row(
  operation: string,
  gas: number,
  baseline: string,
  baselineGas: number,
  target: { text: string; ok: (g: number, b: number) => boolean },
  venue: GasRow["venue"] = "v2",
): GasRow {
  return {
    venue,
    operation,
    gas,
    baseline,
    baselineGas,
    ratio: Math.round((gas / baselineGas) * 1000) / 1000,
    target: target.text,
    meetsTarget: target.ok(gas, baselineGas),
  };
}

const atMostFloor = { text: "≤ floor", ok: (g: number, b: number) => g <= b };
const within10Pct = { text: "≤ 1.1 × floor", ok: (g: number, b: number) => g <= 1.1 * b };
export const plus15k = { text: "≤ floor + 15k", ok: (g: number, b: number) => g <= b + 15_000 };
const refreshCap = { text: "≤ 37k whole tx", ok: (g: number) => g <= 37_000 };

export async function measureGas(log: (line: string) => void): Promise<GasRow[]> {
  const f: Fixture = await deploySystemFixture();
  const [usdc, weth] = f.collaterals;
  const rows: GasRow[] = [];
  const usdcAddress = await usdc.token.getAddress();
  const reserveAddress = await f.reserve.getAddress();

  // --- token transfer / transferFrom vs an OpenZeppelin ERC20, same balances and allowances.
  log("gas: transfer / transferFrom");
  const oz = await new BenchToken__factory(f.admin).deploy();
  await mintWithUsdc(f, f.user, parseUnits("100000", 6));
  await (await oz.mint(f.user.address, parseUnits("100000", 18))).wait();
  for (const t of [f.stable, oz] as const) {
    await (await t.connect(f.user).transfer(f.trader.address, 1n)).wait();
    await (await t.connect(f.user).approve(f.arbitrageur.address, parseUnits("50000", 18))).wait();
  }
  const one = parseUnits("1", 18);
  const tBallast = await steady(() => f.stable.connect(f.user).transfer(f.trader.address, one));
  const tOz = await steady(() => oz.connect(f.user).transfer(f.trader.address, one));
  rows.push(row("BallastDollar.transfer", tBallast, "OpenZeppelin ERC20.transfer", tOz, atMostFloor));
  const tfBallast = await steady(() =>
    f.stable.connect(f.arbitrageur).transferFrom(f.user.address, f.trader.address, one),
  );
  const tfOz = await steady(() => oz.connect(f.arbitrageur).transferFrom(f.user.address, f.trader.address, one));
  rows.push(row("BallastDollar.transferFrom", tfBallast, "OpenZeppelin ERC20.transferFrom", tfOz, atMostFloor));

  // --- user mint / redeem vs a two-transfer swap facility plus one Chainlink read.
  log("gas: user mint / redeem");
  const facility = await new BenchSwapFacility__factory(f.admin).deploy(
    await oz.getAddress(),
    usdcAddress,
    await usdc.feed.getAddress(),
    10n ** 12n,
  );
  const facilityAddress = await facility.getAddress();
  await (await oz.mint(facilityAddress, parseUnits("1000000", 18))).wait();
  await (await usdc.token.mint(facilityAddress, parseUnits("1000000", 6))).wait();
  await (await usdc.token.connect(f.user).approve(reserveAddress, MaxUint256)).wait();
  await (await usdc.token.connect(f.user).approve(facilityAddress, MaxUint256)).wait();
  // Unlimited approvals on both sides, so neither pays an allowance update.
  await (await oz.connect(f.user).approve(facilityAddress, MaxUint256)).wait();
  await (await f.stable.connect(f.user).approve(reserveAddress, MaxUint256)).wait();
  const thousandUsdc = parseUnits("1000", 6);
  const mintBallast = await steady(() => f.reserve.connect(f.user).mint(usdcAddress, thousandUsdc, 0, f.user.address));
  const mintFloor = await steady(() => facility.connect(f.user).sellGem(thousandUsdc));
  rows.push(
    row("Reserve.mint (USDC)", mintBallast, "swap facility (2 transfers) + 1 Chainlink read", mintFloor, within10Pct),
  );
  const redeemBallast = await steady(() =>
    f.reserve.connect(f.user).redeem(usdcAddress, parseUnits("500", 18), 0, f.user.address),
  );
  const redeemFloor = await steady(() => facility.connect(f.user).buyGem(parseUnits("500", 6)));
  rows.push(
    row(
      "Reserve.redeem (USDC)",
      redeemBallast,
      "swap facility (2 transfers) + 1 Chainlink read",
      redeemFloor,
      within10Pct,
    ),
  );

  // --- expandSupply / contractSupply vs a raw V2 swap + mint/burn + one read per collateral.
  log("gas: expandSupply / contractSupply");
  const factory = f.factory as unknown as {
    createPair(a: string, b: string): Promise<ContractTransactionResponse>;
    getPair(a: string, b: string): Promise<string>;
  };
  await (await factory.createPair(await oz.getAddress(), usdcAddress)).wait();
  const floorPairAddress = await factory.getPair(await oz.getAddress(), usdcAddress);
  const floorPair = new ethers.Contract(floorPairAddress, UniswapV2PairArtifact.abi, f.admin);
  await (await oz.mint(floorPairAddress, parseUnits("1000000", 18))).wait();
  await (await usdc.token.mint(floorPairAddress, parseUnits("1000000", 6))).wait();
  await (await floorPair.getFunction("mint")(f.admin.address)).wait();
  const floor = await new BenchMarketOperationFloor__factory(f.admin).deploy(
    await oz.getAddress(),
    usdcAddress,
    floorPairAddress,
    [await usdc.feed.getAddress(), await weth.feed.getAddress()],
  );
  await (await usdc.token.mint(await floor.getAddress(), parseUnits("1000000", 6))).wait();
  const floorTokenIs0 = (await floorPair.getFunction("token0")()) === (await oz.getAddress());
  const floorReserves = async (): Promise<[bigint, bigint]> => {
    const [r0, r1] = (await floorPair.getFunction("getReserves")()) as [bigint, bigint, bigint];
    return floorTokenIs0 ? [r0, r1] : [r1, r0];
  };
  const out = (a: bigint, rin: bigint, rout: bigint) => (a * 997n * rout) / (rin * 1000n + a * 997n);
  const expandAmount = parseUnits("10000", 18);
  const expandFloor = await steady(async () => {
    const [rT, rQ] = await floorReserves();
    return floor.expand(expandAmount, out(expandAmount, rT, rQ));
  });
  const contractQuote = parseUnits("10000", 6);
  const contractFloor = await steady(async () => {
    const [rT, rQ] = await floorReserves();
    return floor.contract_(contractQuote, out(contractQuote, rQ, rT));
  });

  const window = f.params.oracle.twapWindowSec;
  const pushUp = async () => {
    await swapIntoPool(f, f.trader, false, parseUnits("30000", 6));
    await passTime(f, 2 * window, 8);
  };
  const pushDown = async () => {
    const minted = await mintWithUsdc(f, f.trader, parseUnits("40000", 6));
    await swapIntoPool(f, f.trader, true, minted);
    await passTime(f, 2 * window, 8);
  };
  await pushUp();
  const expandBallast = await steady(() => f.operator.connect(f.keeper).expandSupply(MaxUint256, 0), pushUp);
  rows.push(
    row("MarketOperator.expandSupply", expandBallast, "V2 swap + mint + 2 Chainlink reads", expandFloor, plus15k),
  );
  await pushDown();
  const contractBallast = await steady(() => f.operator.connect(f.keeper).contractSupply(MaxUint256, 0), pushDown);
  rows.push(
    row("MarketOperator.contractSupply", contractBallast, "V2 swap + burn + 2 Chainlink reads", contractFloor, plus15k),
  );

  // --- CollateralPolicy.refresh vs a single-slot update.
  log("gas: CollateralPolicy.refresh");
  const slot = await new BenchSlot__factory(f.admin).deploy();
  let v = 2n;
  const slotGas = await steady(() => slot.set(v++));
  const refreshGas = await steady(
    () => f.policy.refresh(),
    () => passTime(f, Number(f.params.policy.refreshCooldownSec), 4),
  );
  rows.push(row("CollateralPolicy.refresh", refreshGas, "single storage-slot update", slotGas, refreshCap));
  return rows;
}
