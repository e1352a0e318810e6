/**
 * Gas on the Uniswap V3 venue, measured on the real pool in one run (receipt gas of the second of
 * two identical calls, as scripts/benchGas.ts does): a raw V3 swap (the floor of any operation on
 * this venue), the same swap stopped by a price limit, and the LiquidityManager's add, remove and
 * fee collection. Run: `npx hardhat run scripts/benchGasV3.ts`.
 */
import { parseUnits, type ContractTransactionResponse } from "ethers";
import { deployV3SystemFixture, type V3Fixture } from "./devnet/fixtureV3";
import { liquidityForQuote } from "../deploy/systemV3";
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
