/**
 * The keeper daemon on a Uniswap V3 venue: connectProtocol finds the venue from the operator
 * (MarketOperatorV3's `pool()`), readSnapshot reads the V3 pool's swap state at the snapshot's
 * block, the pure policy mirrors MarketOperatorV3.preview() exactly, and one real keeper cycle
 * (reader, decide(), ManagedTxSender) brings the pool back inside the band with the previewed
 * trade, to the wei, because the limit it sends is the V3 (last-unit) form.
 */
import { expect } from "chai";
import { network, ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { BrowserProvider, type TransactionReceipt } from "ethers";
import { connectProtocol, readV3Venue, SymbolCache, type Protocol } from "../../../keeper/src/chain/protocol";
import { readSnapshot } from "../../../keeper/src/chain/reader";
import { ConfigError } from "../../../keeper/src/errors";
import { KeeperLoop } from "../../../keeper/src/loop";
import { createLogger } from "../../../keeper/src/logger";
import { fanOut, type CycleObserver } from "../../../keeper/src/observe";
import {
  Action,
  executeOperation,
  limitPriceWad,
  operationLimitPriceWad,
  previewOperation,
  type ActDecision,
  type OperatorState,
} from "../../../keeper/src/policy";
import { addressBookOf, deploySystemFixture, refreshFeeds } from "../../support/system";
import { inProcessSender, type InProcessSender } from "../../support/inProcessSender";
import { PARAMS } from "../../support/policyFixtures";
import { StatusModel } from "../../../keeper/src/statusPage";
import { StatusReader } from "../../../keeper/src/chain/statusReader";
import { WAD, deployV3SystemFixture, pushV3PriceTo, v3Spot, type V3Fixture } from "../../support/systemV3";

const BPS = 10_000n;
/** Well beyond the band plus the policy's hysteresis, so the keeper engages. */
const EXCURSION_BPS = 150n;
/**
 * A slippage tolerance fit for a 0.01% pool. The trade's average price then sits more than the
 * tolerance beyond its last unit's, so the V2 average-price limit would clamp the V3 trade short
 * of the peg (MarketOperatorV3 bounds every unit); the V3 form passes it whole.
 */
const V3_PARAMS = { ...PARAMS, slippageBps: 10n };
const M = 10n ** 6n * WAD;

/** The V3 system with per-operation caps that let one trade reach the peg from the excursion. */
async function v3Fixture(): Promise<V3Fixture> {
  const f = await deployV3SystemFixture();
  await f.operator.connect(f.admin).setLimits({
    maxExpansionPerOp: 5n * M,
    maxExpansionPerEpoch: 20n * M,
    maxContractionPerOp: 5n * M,
    maxContractionPerEpoch: 20n * M,
    cooldownSec: 60,
    epochSec: 86_400,
  });
  return f;
}

/** Moves the pool to peg ± `bps` and lets the pool's own TWAP window pass there. */
async function settleV3At(f: V3Fixture, bps: bigint): Promise<void> {
  await pushV3PriceTo(f, (WAD * (BPS + bps)) / BPS);
  await time.increase(f.params.oracle.twapWindowSec);
  await mine();
  await refreshFeeds(f);
}

/** The operation's event: (amount in, amount out) of the trade the operator executed. */
function executedTrade(f: V3Fixture, receipt: TransactionReceipt): { amountIn: bigint; amountOut: bigint } {
  for (const log of receipt.logs) {
    const parsed = f.operator.interface.parseLog(log);
    if (parsed?.name === "SupplyExpanded")
      return { amountIn: parsed.args.tokensSold, amountOut: parsed.args.quoteReceived };
    if (parsed?.name === "SupplyContracted")
      return { amountIn: parsed.args.quoteSpent, amountOut: parsed.args.tokensBurned };
  }
  throw new Error(`no SupplyExpanded or SupplyContracted in ${receipt.hash}`);
}

describe("keeper on the V3 venue: reader, mirror and one cycle against MarketOperatorV3", function () {
  let tx: InProcessSender | undefined;
  afterEach(() => {
    tx?.close();
    tx = undefined;
  });

  async function connect(f: V3Fixture): Promise<{ provider: BrowserProvider; protocol: Protocol }> {
    const provider = new BrowserProvider(network.provider, undefined, { cacheTimeout: -1 });
    return { provider, protocol: await connectProtocol(await addressBookOf(f), provider) };
  }

  it("connectProtocol finds the V3 pool from MarketOperatorV3 and none on the V2 operator", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const { protocol } = await connect(f);
    expect(await protocol.v3Pool?.getAddress()).to.equal(await f.v3.pool.getAddress());

    const v2 = await loadFixture(deploySystemFixture);
    const provider = new BrowserProvider(network.provider, undefined, { cacheTimeout: -1 });
    const v2Protocol = await connectProtocol(await addressBookOf(v2), provider);
    expect(v2Protocol.v3Pool).to.equal(null);
  });

  it("an address book whose Pool is not MarketOperatorV3's pool is a ConfigError naming the field", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const book = await addressBookOf(f);
    const provider = new BrowserProvider(network.provider, undefined, { cacheTimeout: -1 });
    const wrong = { ...book, contracts: { ...book.contracts, Pool: book.contracts.USDC } };
    const err = await readV3Venue(wrong, provider).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).issues[0].field).to.equal("addressBook.contracts.Pool");
  });

  it("the status page's model shows no V2 reserves for the V3 pool (it keeps none) but the V3 venue section", async function () {
    const f = await loadFixture(deployV3SystemFixture);
    const { provider, protocol } = await connect(f);
    const snapshot = await readSnapshot(provider, protocol, new SymbolCache(provider), {
      feeHistoryBlocks: 4,
      rewardPercentile: 50,
      keeper: f.keeper.address,
    });
    const detail = await new StatusReader(provider, await addressBookOf(f)).read(snapshot);
    const model = new StatusModel({
      network: "hardhat",
      chainId: 31337,
      tokenSymbol: "BLD",
      quoteSymbol: "USDC",
      quoteDecimals: 6,
      dryRun: false,
    });
    model.observeCycle({ snapshot, detail, decision: null, atMs: Date.now() });
    const v = model.view(1_000);
    expect(v.ready).to.equal(true);
    expect(v.pool).to.equal(null);
    const venue = v.venue!;
    if (venue.venue !== "v3") throw new Error(`expected the V3 section, got ${venue.venue}`);
    expect(venue.tick).to.equal(Number((await f.v3.pool.slot0()).tick));
    expect(venue.position?.liquidity).to.equal((await f.v3.liquidityManager.positionLiquidity()).toString());
    expect(venue.position?.inRange).to.equal(true);
  });

  for (const [side, bps, action] of [
    ["above", EXCURSION_BPS, Action.Expand],
    ["below", -EXCURSION_BPS, Action.Contract],
  ] as const) {
    it(`${side} the band: the snapshot's mirror equals preview(), and one cycle trades exactly the preview back inside the band`, async function () {
      const f = await loadFixture(v3Fixture);
      await settleV3At(f, bps);
      const { provider, protocol } = await connect(f);
      const symbols = new SymbolCache(provider);
      const clock = { nowMs: 0 };
      const read = () =>
        readSnapshot(provider, protocol, symbols, {
          feeHistoryBlocks: 5,
          rewardPercentile: 50,
          keeper: f.keeper.address,
          now: () => clock.nowMs,
        });

      // The snapshot reads the V3 pool at its block, and the pure mirror agrees with the contract.
      const snap = await read();
      const s: OperatorState = snap.operator;
      expect(s.v3?.pool.sqrtPriceX96).to.equal((await f.v3.pool.slot0()).sqrtPriceX96);
      expect(s.v3?.tokenIsToken0).to.equal(f.v3.tokenIsToken0);
      const preview = previewOperation(s);
      expect(preview).to.deep.equal(snap.onchainPreview);
      expect(preview.action).to.equal(action);

      // Why the V3 form: the V2 average-price limit is better than the trade's last unit, so
      // MarketOperatorV3 (which bounds every unit) would clamp the trade short of the peg.
      const op = action === Action.Expand ? Action.Expand : Action.Contract;
      const v2Limit = limitPriceWad(op, preview.amount, preview.expectedOut, V3_PARAMS.slippageBps, s);
      const v3Limit = operationLimitPriceWad(s, op, preview.amount, preview.expectedOut, V3_PARAMS.slippageBps);
      const clamped = executeOperation(s, op, preview.amount, v2Limit);
      expect(
        clamped.ok && clamped.amountIn < preview.amount,
        JSON.stringify(clamped, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
      ).to.equal(true);
      expect(executeOperation(s, op, preview.amount, v3Limit)).to.deep.include({
        ok: true,
        amountIn: preview.amount,
        amountOut: preview.expectedOut,
      });

      tx = inProcessSender(network.provider, 31337n, 2, await f.operator.getAddress());
      clock.nowMs = ((await provider.getBlock("latest"))!.timestamp + 1) * 1000;
      let acted: ActDecision | undefined;
      let hash = "";
      const recorder: CycleObserver = {
        onAct: (e) => (acted = e.decision),
        onConfirmed: (e) => (hash = e.outcome.hash),
      };
      const loop = new KeeperLoop({
        read,
        blockNumber: () => provider.getBlockNumber(),
        endpoint: () => "in-process",
        sender: tx.sender,
        params: V3_PARAMS,
        dryRun: false,
        logger: createLogger("silent"),
        observer: fanOut([recorder], (hook, err) => {
          throw new Error(`${hook}: ${String(err)}`);
        }),
        pollIntervalMs: 1_000,
        idleCycleSec: 60,
        now: () => clock.nowMs,
      });

      const outcome = await loop.cycle();
      expect(outcome.kind).to.equal("sent");
      expect(acted?.action).to.equal(action);
      expect(acted?.limitPriceWad).to.equal(v3Limit);
      const receipt = await ethers.provider.getTransactionReceipt(hash);
      expect(receipt?.status).to.equal(1);
      expect(executedTrade(f, receipt!)).to.deep.equal({ amountIn: acted!.amount, amountOut: acted!.expectedOut });
      expect(acted!.amount).to.equal(preview.amount);

      const band = await f.operator.bandBps();
      const deviation = (((await v3Spot(f)) - WAD) * BPS) / WAD;
      expect(
        deviation < 0n ? -deviation : deviation,
        `deviation after the cycle ${deviation} bps`,
      ).to.be.lessThanOrEqual(band);
    });
  }
});
