/**
 * The reads a status view needs beyond the keeper's decision snapshot: per-asset accounted
 * amounts, haircuts and the oracle's degraded-mode state, the reserve's two pause flags, the
 * policy's next refresh, for each view the snapshot could not read, why it reverted, and on a
 * Uniswap V3 venue the protocol-owned position (the address book's LiquidityManager). Read at
 * the snapshot's own block so amounts sit beside the prices they were valued with.
 */
import type { Provider } from "ethers";
import { IERC20Metadata__factory, ILiquidityManager__factory } from "./contracts";
import { protocolHandles, SymbolCache, type Protocol } from "./protocol";
import { readSnapshot, type ReaderOptions } from "./reader";
import { describeFailure } from "./revert";
import type { AddressBook } from "../config/addressBook";
import type { Snapshot } from "../policy";
import {
  protocolStatus,
  type PositionDetail,
  type ProtocolStatus,
  type StatusDetail,
  type StatusSource,
} from "../status/model";

/** The status shows no fee market: the snapshot's fee read is kept to the smallest history. */
const STATUS_FEE_READ: Pick<ReaderOptions, "feeHistoryBlocks" | "rewardPercentile"> = {
  feeHistoryBlocks: 1,
  rewardPercentile: 50,
};

/** One status read (the `status` command, `ballast:status`): the decision snapshot, its detail at the same block, as the one model. */
export async function readProtocolStatus(
  provider: Parameters<typeof readSnapshot>[0],
  protocol: Protocol,
  book: AddressBook,
  source: StatusSource,
  keeper: string | null = null,
): Promise<ProtocolStatus> {
  const snap = await readSnapshot(provider, protocol, new SymbolCache(provider), { ...STATUS_FEE_READ, keeper });
  return protocolStatus(snap, await new StatusReader(provider, book).read(snap), source);
}

export class StatusReader {
  readonly #decimals = new Map<string, number>();
  readonly #provider: () => Provider;

  /** `provider` may be a function returning the endpoint in use, so reads follow the keeper's failover. */
  constructor(provider: Provider | (() => Provider), private readonly book: AddressBook) {
    this.#provider = typeof provider === "function" ? provider : () => provider;
  }

  /** Reads the detail for `snap`'s assets at its block. Throws on any failed call. */
  async read(snap: Snapshot): Promise<StatusDetail> {
    const at = { blockTag: snap.blockNumber };
    const { reserve, oracle, policy } = protocolHandles(this.book, this.#provider());
    const [mintingPaused, redemptionsPaused, policyRefreshAt, position, assets, failures] = await Promise.all([
      reserve.paused(at),
      reserve.redemptionsPaused(at),
      policy.nextRefreshAt(at),
      snap.operator.v3 ? this.#positionAt(snap.blockNumber) : null,
      Promise.all(
        snap.feeds.map(async ({ asset }) => {
          const [amount, config, decimals, info] = await Promise.all([
            reserve.accountedAmount(asset, at),
            reserve.assetConfig(asset, at),
            this.#decimalsOf(asset),
            oracle.priceInfo(asset, at),
          ]);
          return {
            asset,
            amount,
            decimals,
            haircutBps: BigInt(config.haircutBps),
            priceStatus: Number(info.status),
            staleSinceSec: info.staleSinceSec,
            degradedHaircutBps: BigInt(info.haircutBps),
          };
        }),
      ),
      // Only the views the snapshot saw revert are called again, for their reason.
      Promise.all([
        snap.operator.spotWad === 0n ? reason("pool price", () => oracle.marketPrice(at)) : null,
        snap.operator.backingOk ? null : reason("reserveValue", () => reserve.reserveValue(at)),
        snap.collateralRatioWad === null ? reason("collateralRatio", () => reserve.collateralRatio(at)) : null,
      ]),
    ]);
    return {
      blockNumber: snap.blockNumber,
      assets,
      mintingPaused,
      redemptionsPaused,
      policyRefreshAt,
      failures: failures.filter((f) => f !== null),
      position,
    };
  }

  /** The LiquidityManager's position at `blockTag`; null when the address book names none. */
  async #positionAt(blockTag: number): Promise<PositionDetail | null> {
    const manager = this.book.contracts.LiquidityManager;
    if (manager === undefined) return null;
    const lm = ILiquidityManager__factory.connect(manager, this.#provider());
    const { reserve } = protocolHandles(this.book, this.#provider());
    const [tickLower, tickUpper, liquidity, source, valueWad] = await Promise.all([
      lm.tickLower({ blockTag }),
      lm.tickUpper({ blockTag }),
      lm.positionLiquidity({ blockTag }),
      reserve.valueSource({ blockTag }),
      // It prices through the quote feed, which may be stale: then the value is unknown, not an error.
      lm.positionValueWad({ blockTag }).catch(() => null),
    ]);
    const counted = source.toLowerCase() === manager.toLowerCase();
    return { manager, tickLower: Number(tickLower), tickUpper: Number(tickUpper), liquidity, counted, valueWad };
  }

  async #decimalsOf(asset: string): Promise<number> {
    const key = asset.toLowerCase();
    const hit = this.#decimals.get(key);
    if (hit !== undefined) return hit;
    const d = Number(await IERC20Metadata__factory.connect(asset, this.#provider()).decimals());
    this.#decimals.set(key, d);
    return d;
  }
}

/** The decoded reason a view call fails; "reads again" when it no longer fails at that block. */
async function reason(what: string, call: () => Promise<unknown>): Promise<{ what: string; reason: string }> {
  try {
    await call();
    return { what, reason: "reverted in the snapshot but reads at the same block now" };
  } catch (err) {
    return { what, reason: describeFailure(err) };
  }
}
