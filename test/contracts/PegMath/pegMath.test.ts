/**
 * Rule 1 at the maths level: PegMath's trade sizes, executed as real swaps on real Uniswap V2
 * pairs (the @uniswap/v2-core bytecode, via the fixture's factory), never push the price past the
 * target and land on it to within rounding — over many pool states, depths and decimals. The
 * keeper's bigint mirror must return the same sizes (parity).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Contract } from "ethers";
import UniswapV2PairArtifact from "@uniswap/v2-core/build/UniswapV2Pair.json";
import { TestERC20__factory, type TestERC20 } from "../../../typechain-types";
import { deploySystemFixture, type Fixture } from "../../support/system";
import * as mirror from "../../../keeper/src/policy/pegMath";
import { between, rng } from "../../support/bigRng";
import { pegMathHarness } from "../../support/pureHarness";

interface TestPair {
  pair: Contract;
  token: TestERC20;
  quote: TestERC20;
  tokenIs0: boolean;
}

async function deployPair(
  f: Fixture,
  tokenDecimals: number,
  quoteDecimals: number,
  rT: bigint,
  rQ: bigint,
): Promise<TestPair> {
  const token = await new TestERC20__factory(f.admin).deploy("Sized token", "TKN", tokenDecimals);
  const quote = await new TestERC20__factory(f.admin).deploy("Sized quote", "QTE", quoteDecimals);
  const factory = f.factory as unknown as {
    createPair(a: string, b: string): Promise<unknown>;
    getPair(a: string, b: string): Promise<string>;
  };
  await factory.createPair(await token.getAddress(), await quote.getAddress());
  const pairAddress = await factory.getPair(await token.getAddress(), await quote.getAddress());
  const pair = new Contract(pairAddress, UniswapV2PairArtifact.abi, f.trader);
  await token.mint(pairAddress, rT);
  await quote.mint(pairAddress, rQ);
  await pair.mint(f.trader.address);
  const tokenIs0 = (await pair.token0()) === (await token.getAddress());
  await token.mint(f.trader.address, 1n << 200n);
  await quote.mint(f.trader.address, 1n << 200n);
  return { pair, token, quote, tokenIs0 };
}

async function reserves(p: TestPair): Promise<[bigint, bigint]> {
  const [r0, r1] = await p.pair.getReserves();
  return p.tokenIs0 ? [r0, r1] : [r1, r0];
}

/** A real swap: `amountIn` of the token (sellToken) or of the quote, output by Uniswap's own formula. */
async function swap(p: TestPair, sellToken: boolean, amountIn: bigint, trader: Fixture["trader"]): Promise<void> {
  const [rT, rQ] = await reserves(p);
  const out = sellToken ? mirror.amountOut(amountIn, rT, rQ) : mirror.amountOut(amountIn, rQ, rT);
  await (sellToken ? p.token : p.quote).connect(trader).transfer(await p.pair.getAddress(), amountIn);
  const outIs0 = sellToken ? !p.tokenIs0 : p.tokenIs0;
  await p.pair.swap(outIs0 ? out : 0n, outIs0 ? 0n : out, trader.address, "0x");
}

const CASES = [
  {
    name: "18-decimal token / 6-decimal quote, deep pool",
    tokenDecimals: 18,
    quoteDecimals: 6,
    depth: 10n ** 24n,
    quoteDepth: 10n ** 12n,
    seed: 11n,
  },
  {
    name: "18-decimal token / 18-decimal quote",
    tokenDecimals: 18,
    quoteDecimals: 18,
    depth: 10n ** 23n,
    quoteDepth: 10n ** 23n,
    seed: 29n,
  },
  {
    name: "6-decimal token / 18-decimal quote, shallow pool",
    tokenDecimals: 6,
    quoteDecimals: 18,
    depth: 10n ** 10n,
    quoteDepth: 10n ** 22n,
    seed: 47n,
  },
];
const TRADES_PER_CASE = 24;

describe("PegMath on the real Uniswap V2 pair (rule 1)", function () {
  for (const c of CASES) {
    it(`sized trades never cross their target price and land on it, both directions, ${TRADES_PER_CASE} pool states: ${c.name} (seed ${c.seed}) [INV-5] [INV-11]`, async function () {
      const f = await loadFixture(deploySystemFixture);
      const pegMath = await pegMathHarness();
      const next = rng(c.seed);
      const p = await deployPair(f, c.tokenDecimals, c.quoteDecimals, c.depth, c.quoteDepth);
      let landed = 0;
      for (let i = 0; i < TRADES_PER_CASE; i++) {
        // Move to a new pool state with a random trade of up to 40% of the input side.
        const [rT0, rQ0] = await reserves(p);
        const noiseSellsToken = next() % 2n === 0n;
        await swap(p, noiseSellsToken, between(next, 1n, ((noiseSellsToken ? rT0 : rQ0) * 4n) / 10n), f.trader);

        // Pick a target price on a random side, 0.01% … 30% away, as the fraction num/den.
        const [rT, rQ] = await reserves(p);
        const sellToken = next() % 2n === 0n;
        const moveBps = between(next, 1n, 3_000n);
        const num = rQ * (sellToken ? 10_000n - moveBps : 10_000n + moveBps);
        const den = rT * 10_000n;

        const amount = sellToken
          ? await pegMath.tokensToSellForPrice(rT, rQ, num, den)
          : await pegMath.quoteToSpendForPrice(rT, rQ, num, den);
        const mirrored = sellToken
          ? mirror.tokensToSellForPrice(rT, rQ, num, den)
          : mirror.quoteToSpendForPrice(rT, rQ, num, den);
        expect(amount, "keeper mirror parity").to.equal(mirrored);
        expect(amount, "a trade toward a price 1 bps+ away is never empty").to.be.gt(0n);
        await swap(p, sellToken, amount, f.trader);

        const [tA, qA] = await reserves(p);
        // Not crossed: selling tokens keeps price ≥ target; buying keeps price ≤ target (exact fractions).
        if (sellToken) expect(qA * den, `trade ${i} crossed below the target`).to.be.gte(tA * num);
        else expect(qA * den, `trade ${i} crossed above the target`).to.be.lte(tA * num);
        // Landed: within rounding of the target — a few raw units on either reserve (the sqrt and
        // Uniswap's output both round down), plus 1 ppb.
        const gap = sellToken ? qA * den - tA * num : tA * num - qA * den;
        const exact = tA * num;
        const toleranceParts = (3n * exact) / tA + (3n * exact) / qA + exact / 1_000_000_000n;
        expect(gap, `trade ${i} stopped short of the target`).to.be.lte(toleranceParts);
        landed++;
      }
      expect(landed).to.equal(TRADES_PER_CASE);
    });
  }

  it("limit-price sizes: the largest input whose average price (Uniswap's own output formula) meets the limit — one percent more misses it — over changing pool states; mirror parity [INV-8]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const pegMath = await pegMathHarness();
    const next = rng(83n);
    const p = await deployPair(f, 18, 6, 10n ** 24n, 10n ** 12n);
    for (let i = 0; i < 12; i++) {
      const [rT, rQ] = await reserves(p);
      const sellToken = next() % 2n === 0n;
      // A limit 0.3% … 3% worse than spot (selling: below it; buying: above it), as num/den.
      const worseBps = between(next, 30n, 300n);
      const num = rQ * (sellToken ? 10_000n - worseBps : 10_000n + worseBps);
      const den = rT * 10_000n;
      const amount = sellToken
        ? await pegMath.maxTokensInAtPrice(rT, rQ, num, den)
        : await pegMath.maxQuoteInAtPrice(rT, rQ, num, den);
      expect(amount, "keeper mirror parity").to.equal(
        sellToken ? mirror.maxTokensInAtPrice(rT, rQ, num, den) : mirror.maxQuoteInAtPrice(rT, rQ, num, den),
      );
      expect(amount).to.be.gt(0n);
      const out = sellToken ? mirror.amountOut(amount, rT, rQ) : mirror.amountOut(amount, rQ, rT);
      // Average price out/in (selling) ≥ limit, in/out (buying) ≤ limit, up to the pair's one-unit rounding of out.
      if (sellToken) expect((out + 1n) * den).to.be.gte(amount * num);
      else expect(amount * den).to.be.lte((out + 1n) * num);
      // One percent more would miss the limit: the clamp is the largest, not merely a safe one.
      const more = amount + amount / 100n + 1n;
      const outMore = sellToken ? mirror.amountOut(more, rT, rQ) : mirror.amountOut(more, rQ, rT);
      if (sellToken) expect(outMore * den).to.be.lt(more * num);
      else expect(more * den).to.be.gt(outMore * num);
      await swap(p, sellToken, amount / 4n, f.trader); // a new pool state for the next round
    }
  });

  it("sizes are zero when the pool already sits at or past the target [INV-5]", async function () {
    const pegMath = await pegMathHarness();
    const rT = 10n ** 24n;
    const rQ = 10n ** 12n;
    // At the target exactly, and past it on each side.
    expect(await pegMath.tokensToSellForPrice(rT, rQ, rQ, rT)).to.equal(0n);
    expect(await pegMath.quoteToSpendForPrice(rT, rQ, rQ, rT)).to.equal(0n);
    expect(await pegMath.tokensToSellForPrice(rT, rQ, rQ * 2n, rT)).to.equal(0n);
    expect(await pegMath.quoteToSpendForPrice(rT, rQ, rQ, rT * 2n)).to.equal(0n);
  });

  it("keeps the pair's own invariant: a sized trade never asks the pair for more than it pays (no UniswapV2: K revert) [INV-5]", async function () {
    const f = await loadFixture(deploySystemFixture);
    const pegMath = await pegMathHarness();
    const p = await deployPair(f, 18, 6, 10n ** 24n, 2n * 10n ** 12n); // price 2.0
    const [rT, rQ] = await reserves(p);
    const amount = await pegMath.tokensToSellForPrice(rT, rQ, 10n ** 12n, 10n ** 24n); // to 1.0
    await expect(swap(p, true, amount, f.trader)).to.not.be.reverted;
    const [tA, qA] = await reserves(p);
    expect(qA * 10n ** 24n).to.be.gte(tA * 10n ** 12n);
  });
});
