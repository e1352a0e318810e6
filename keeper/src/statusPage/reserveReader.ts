/**
 * What the status page shows beyond the keeper's decision snapshot: per-asset accounted amounts,
 * haircuts and degraded-mode price status, and the reserve's two pause flags. Read at the snapshot's own block so amounts
 * sit beside the prices they were valued with.
 */
import type { Provider } from "ethers";
import { IERC20Metadata__factory, PriceOracle__factory, Reserve__factory, type Reserve } from "../chain/contracts";
import type { ReserveDetail } from "./model";

export class ReserveReader {
  readonly #decimals = new Map<string, number>();
  #oracleAddress: string | undefined;
  readonly #provider: () => Provider;

  /** `provider` may be a function returning the endpoint in use, so reads follow the keeper's failover. */
  constructor(provider: Provider | (() => Provider), private readonly reserveAddress: string) {
    this.#provider = typeof provider === "function" ? provider : () => provider;
  }

  get #reserve(): Reserve {
    return Reserve__factory.connect(this.reserveAddress, this.#provider());
  }

  /** Reads `assets` (the snapshot's feed assets) at `blockNumber`. Throws on any failed call. */
  async read(blockNumber: number, assets: readonly string[]): Promise<ReserveDetail> {
    const at = { blockTag: blockNumber };
    const reserve = this.#reserve;
    const [mintingPaused, redemptionsPaused, perAsset] = await Promise.all([
      reserve.paused(at),
      reserve.redemptionsPaused(at),
      Promise.all(
        assets.map(async (asset) => {
          const [amount, config, decimals, info] = await Promise.all([
            reserve.accountedAmount(asset, at),
            reserve.assetConfig(asset, at),
            this.#decimalsOf(asset),
            this.#oracle().then((oracle) => oracle.priceInfo(asset, at)),
          ]);
          return { asset, amount, decimals, haircutBps: BigInt(config.haircutBps), priceStatus: Number(info.status), staleSinceSec: info.staleSinceSec };
        }),
      ),
    ]);
    return { blockNumber, assets: perAsset, mintingPaused, redemptionsPaused };
  }

  /** The reserve's oracle (immutable), for its degraded-mode view of each asset's price. */
  async #oracle() {
    this.#oracleAddress ??= await this.#reserve.oracle();
    return PriceOracle__factory.connect(this.#oracleAddress, this.#provider());
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
