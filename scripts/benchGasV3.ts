/**
 * Gas on the Uniswap V3 venue, measured on the real pool in one run (receipt gas of the second of
 * two identical calls, as scripts/benchGas.ts does): a raw V3 swap (the floor of any operation on
 * this venue), the same swap stopped by a price limit, and the LiquidityManager's add, remove and
 * fee collection, and MarketOperatorV3's expansion and contraction beside the raw swap of the same
 * input and beside their floor (BenchV3OperationFloor: the same swap to the same peg limit on the
 * same pool, a mint or burn, one Chainlink read per collateral). The operations' rows join the
 * bench's gas table (`venue: "v3"`) through `measureV3OperationRows`.
 * Run alone: `npx hardhat run scripts/benchGasV3.ts`.
 */
import { parseUnits } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployV3SystemFixture, pushV3PriceTo, type V3Fixture } from "./devnet/fixtureV3";
import { refreshFeeds } from "./devnet/fixture";
import { BenchV3OperationFloor__factory, MarketOperatorV3__factory } from "../typechain-types";
import * as v3 from "../keeper/src/policy/v3";
import { gasOf, plus15k, row, steady, type GasRow } from "./benchGas";

const WAD = 10n ** 18n;

export async function measureV3Gas(): Promise<{ operation: string; gas: number }[]> {
  const f: V3Fixture = await deployV3SystemFixture();
  const pool = await f.v3.pool.getAddress();
  const buysToken = !f.v3.tokenIsToken0; // zeroForOne when paying quote
  const sqrt = (p: bigint) => v3.sqrtPriceForQuotePerToken(p, f.v3.tokenIsToken0, WAD, 10n ** 6n);
  const rows: { operation: string; gas: number }[] = [];
  const buy = (limit: bigint) => f.router.connect(f.trader).swap(pool, buysToken, parseUnits("1000", 6), limit);
  rows.push({
    operation: "raw V3 swap (1,000 USDC in, through the trader's callback)",
    gas: await steady(() => buy(sqrt(parseUnits("1.1", 18)))),
  });
  rows.push({
    operation: "raw V3 swap with a price limit 1 bps above spot",
    gas: await steady(async () =>
      buy(
        sqrt(
          (v3.quotePerTokenWad((await f.v3.pool.slot0()).sqrtPriceX96, f.v3.tokenIsToken0, WAD, 10n ** 6n) * 10_001n) /
            10_000n,
        ),
      ),
    ),
  });
  const lm = f.v3.liquidityManager;
  // The swaps above left the pool above the peg, where an add's quote counts only at the peg (rule 7
  // refuses it): add just below the peg, as the keeper would.
  await pushV3PriceTo(f, parseUnits("0.9999", 18));
  const liquidity = async () => {
    const s = await f.v3.pool.slot0();
    return v3.liquidityForQuote(
      s.sqrtPriceX96,
      Number(await lm.tickLower()),
      Number(await lm.tickUpper()),
      f.v3.tokenIsToken0,
      parseUnits("500", 6),
    );
  };
  rows.push({
    operation: "LiquidityManager.addLiquidity (500 USDC a side)",
    gas: await steady(async () =>
      lm.connect(f.keeper).addLiquidity(await liquidity(), parseUnits("1000", 18), parseUnits("1000", 6)),
    ),
  });
  rows.push({
    operation: "LiquidityManager.removeLiquidity (same size)",
    gas: await steady(async () => lm.connect(f.keeper).removeLiquidity(await liquidity(), 0n, 0n)),
  });
  rows.push({
    operation: "LiquidityManager.collectFees",
    gas: await steady(async () => {
      await buy(sqrt(parseUnits("1.1", 18)));
      return lm.collectFees();
    }),
  });
  for (const m of await measureV3Operations(f)) {
    rows.push({ operation: m.operation, gas: m.gas });
    rows.push({
      operation: `raw V3 swap of the same input to the peg limit (${m.expand ? "tokens" : "USDC"} in)`,
      gas: m.rawSwapGas,
    });
    rows.push({ operation: `floor: ${m.floor}`, gas: m.floorGas });
  }
  return rows;
}

/** MarketOperatorV3's expansion and contraction against their floor, as rows of the bench's gas table. */
export async function measureV3OperationRows(log: (line: string) => void): Promise<GasRow[]> {
  log("gas: MarketOperatorV3 expandSupply / contractSupply (Uniswap V3 venue)");
  const measured = await measureV3Operations(await deployV3SystemFixture());
  return measured.map((m) => row(m.operation, m.gas, m.floor, m.floorGas, plus15k, "v3"));
}

interface V3OperationGas {
  expand: boolean;
  operation: string;
  gas: number;
  rawSwapGas: number;
  floor: string;
  floorGas: number;
}

/**
 * MarketOperatorV3's expansion and contraction (keeper calls, +15 / −15 bps back to the peg inside
 * the protocol's range: no tick crossed), each after a first operation that warmed the same slots,
 * beside the raw V3 swap of the same input to the same peg limit through the trader's callback and
 * the floor's operation of the same input from the same price.
 */
async function measureV3Operations(f: V3Fixture): Promise<V3OperationGas[]> {
  const op = MarketOperatorV3__factory.connect(await f.operator.getAddress(), f.admin);
  await (await op.setBand(10, 300)).wait();
  // Each push below the peg mints the trader's tokens through the Reserve: top its USDC up.
  await (await f.usdc.token.mint(f.trader.address, parseUnits("50000000", 6))).wait();
  const pool = await f.v3.pool.getAddress();
  const usdc = await f.usdc.token.getAddress();
  const peg = (sell: boolean) =>
    v3.sqrtPriceAt(WAD * 10n ** 6n, WAD * WAD, f.v3.tokenIsToken0, sell === f.v3.tokenIsToken0);
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
    const tx = expand
      ? op.connect(f.keeper).expandSupply(p.amount, p.expectedOut)
      : op.connect(f.keeper).contractSupply(p.amount, p.expectedOut);
    return { gas: await gasOf(tx), amount: p.amount };
  };
  const raw = async (expand: boolean, amount: bigint) => {
    await offPeg(expand ? 15n : -15n);
    if (expand) {
      // The trader holds the tokens it sells (minted at the peg through the Reserve).
      await (await f.usdc.token.connect(f.trader).approve(await f.reserve.getAddress(), amount)).wait();
      await (
        await f.reserve.connect(f.trader).mint(usdc, amount / 10n ** 12n + 10n ** 6n * 1_000n, 0n, f.trader.address)
      ).wait();
    }
    return gasOf(f.router.connect(f.trader).swap(pool, expand === f.v3.tokenIsToken0, amount, peg(expand)));
  };
  const [usdcCollateral, wethCollateral] = f.collaterals;
  const floor = await new BenchV3OperationFloor__factory(f.admin).deploy(await f.stable.getAddress(), usdc, pool, [
    await usdcCollateral.feed.getAddress(),
    await wethCollateral.feed.getAddress(),
  ]);
  await (await f.stable.connect(f.admin).grantRole(await f.stable.MINTER_ROLE(), await floor.getAddress())).wait();
  await (await f.usdc.token.mint(await floor.getAddress(), parseUnits("50000000", 6))).wait();
  const floorOperation = async (expand: boolean, amount: bigint) => {
    await offPeg(expand ? 15n : -15n);
    return gasOf(expand ? floor.expand(amount, peg(true)) : floor.contract_(amount, peg(false)));
  };
  const measured: V3OperationGas[] = [];
  const amounts = new Map<boolean, bigint>();
  for (const expand of [true, false]) {
    await operate(expand);
    const op = await operate(expand);
    amounts.set(expand, op.amount);
    await raw(expand, op.amount);
    const rawSwapGas = await raw(expand, op.amount);
    measured.push({
      expand,
      operation: `MarketOperatorV3.${expand ? "expandSupply" : "contractSupply"}`,
      gas: op.gas,
      rawSwapGas,
      floor: `V3 swap to the peg limit + ${expand ? "mint" : "burn"} + 2 Chainlink reads (±15 bps, same input)`,
      floorGas: 0,
    });
  }
  // The floors last: their unbacked mints would lower the collateral ratio the operations are gated on.
  for (const m of measured) {
    const amount = amounts.get(m.expand)!;
    await floorOperation(m.expand, amount);
    m.floorGas = await floorOperation(m.expand, amount);
  }
  return measured;
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
