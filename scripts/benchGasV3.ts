/**
 * Gas on the Uniswap V3 venue, measured on the real pool in one run (receipt gas of the second of
 * two identical calls, as scripts/benchGas.ts does): a raw V3 swap (the floor of any operation on
 * this venue), the same swap stopped by a price limit, and the LiquidityManager's add, remove and
 * fee collection, and MarketOperatorV3's expansion and contraction beside the raw swap of the same
 * input. Run: `npx hardhat run scripts/benchGasV3.ts`.
 */
import { parseUnits, type ContractTransactionResponse } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployV3SystemFixture, pushV3PriceTo, type V3Fixture } from "./devnet/fixtureV3";
import { refreshFeeds } from "./devnet/fixture";
import { MarketOperatorV3__factory } from "../typechain-types";
import { liquidityForQuote } from "../deploy/v3Launch";
import * as v3 from "../keeper/src/policy/v3";

const WAD = 10n ** 18n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

async function steady(make: () => Promise<ContractTransactionResponse>): Promise<number> {
  await gasOf(make());
  return gasOf(make());
}

export async function measureV3Gas(): Promise<{ operation: string; gas: number }[]> {
  const f: V3Fixture = await deployV3SystemFixture();
  const pool = await f.v3.pool.getAddress();
  const buysToken = !f.v3.tokenIsToken0; // zeroForOne when paying quote
  const sqrt = (p: bigint) => v3.sqrtPriceForQuotePerToken(p, f.v3.tokenIsToken0, WAD, 10n ** 6n);
  const rows: { operation: string; gas: number }[] = [];
  const buy = (limit: bigint) => f.router.connect(f.trader).swap(pool, buysToken, parseUnits("1000", 6), limit);
  rows.push({ operation: "raw V3 swap (1,000 USDC in, through the trader's callback)", gas: await steady(() => buy(sqrt(parseUnits("1.1", 18)))) });
  rows.push({
    operation: "raw V3 swap with a price limit 1 bps above spot",
    gas: await steady(async () => buy(sqrt(v3.quotePerTokenWad((await f.v3.pool.slot0()).sqrtPriceX96, f.v3.tokenIsToken0, WAD, 10n ** 6n) * 10_001n / 10_000n))),
  });
  const lm = f.v3.liquidityManager;
  const liquidity = async () => {
    const s = await f.v3.pool.slot0();
    return liquidityForQuote(s.sqrtPriceX96, Number(await lm.tickLower()), Number(await lm.tickUpper()), f.v3.tokenIsToken0, parseUnits("500", 6));
  };
  rows.push({ operation: "LiquidityManager.addLiquidity (500 USDC a side)", gas: await steady(async () => lm.connect(f.keeper).addLiquidity(await liquidity(), parseUnits("1000", 18), parseUnits("1000", 6))) });
  rows.push({ operation: "LiquidityManager.removeLiquidity (same size)", gas: await steady(async () => lm.connect(f.keeper).removeLiquidity(await liquidity(), 0n, 0n)) });
  rows.push({ operation: "LiquidityManager.collectFees", gas: await steady(async () => { await buy(sqrt(parseUnits("1.1", 18))); return lm.collectFees(); }) });
  rows.push(...(await measureV3Operations(f)));
  return rows;
}

/**
 * MarketOperatorV3's expansion and contraction (keeper calls, +15 / −15 bps back to the peg inside
 * the protocol's range: no tick crossed), each after a first operation that warmed the same slots,
 * beside the raw V3 swap of the same input to the same peg limit through the trader's callback.
 */
async function measureV3Operations(f: V3Fixture): Promise<{ operation: string; gas: number }[]> {
  const op = MarketOperatorV3__factory.connect(await f.operator.getAddress(), f.admin);
  await (await op.setBand(10, 300)).wait();
  // Each push below the peg mints the trader's tokens through the Reserve: top its USDC up.
  await (await f.usdc.token.mint(f.trader.address, parseUnits("50000000", 6))).wait();
  const pool = await f.v3.pool.getAddress();
  const usdc = await f.usdc.token.getAddress();
  const peg = (sell: boolean) => v3.sqrtPriceAt(WAD * 10n ** 6n, WAD * WAD, f.v3.tokenIsToken0, sell === f.v3.tokenIsToken0);
  const offPeg = async (bps: bigint) => {
    await pushV3PriceTo(f, (WAD * (10_000n + bps)) / 10_000n);
    await time.increase(f.params.oracle.twapWindowSec); // a whole window, so the TWAP sits on this side
    await refreshFeeds(f);
  };
  const operate = async (expand: boolean) => {
    await offPeg(expand ? 15n : -15n);
    let p = await op.preview();
    // The buffer may have been parked in the vault: pull it back first.
    if (p.action === 3n) {
      await (await op.connect(f.keeper).rebalance()).wait();
      p = await op.preview();
    }
    if (p.amount === 0n) throw new Error(`no ${expand ? "expansion" : "contraction"} due: blocker ${p.blocker}`);
    const tx = expand ? op.connect(f.keeper).expandSupply(p.amount, p.expectedOut) : op.connect(f.keeper).contractSupply(p.amount, p.expectedOut);
    return { gas: await gasOf(tx), amount: p.amount };
  };
  const raw = async (expand: boolean, amount: bigint) => {
    await offPeg(expand ? 15n : -15n);
    if (expand) {
      // The trader holds the tokens it sells (minted at the peg through the Reserve).
      await (await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), amount)).wait();
      await (await f.reserve.connect(f.trader).mint(usdc, amount / 10n ** 12n + 10n ** 6n * 1_000n, 0n, f.trader.address)).wait();
    }
    return gasOf(f.router.connect(f.trader).swap(pool, expand === f.v3.tokenIsToken0, amount, peg(expand)));
  };
  const rows: { operation: string; gas: number }[] = [];
  for (const expand of [true, false]) {
    await operate(expand);
    const measured = await operate(expand);
    await raw(expand, measured.amount);
    rows.push({ operation: `MarketOperatorV3.${expand ? "expandSupply" : "contractSupply"} (±15 bps to the peg)`, gas: measured.gas });
    rows.push({ operation: `raw V3 swap of the same input to the peg limit (${expand ? "tokens" : "USDC"} in)`, gas: await raw(expand, measured.amount) });
  }
  return rows;
}

if (require.main === module) {
  measureV3Gas()
    .then((rows) => {
      for (const r of rows) process.stdout.write(`${r.operation}: ${r.gas.toLocaleString("en-US")} gas\n`);
    })
    .catch((error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exitCode = 1;
    });
}
