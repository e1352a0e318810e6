/**
 * What the status page shows beyond the keeper's decision snapshot: per-asset accounted amounts
 * and haircuts, and the reserve's two pause flags. Read at the snapshot's own block so amounts
 * sit beside the prices they were valued with.
 */
import type { Provider } from "ethers";
import { IERC20Metadata__factory, Reserve__factory, type Reserve } from "../chain/contracts";
import type { ReserveDetail } from "./model";

export class ReserveReader {
  readonly #decimals = new Map<string, number>();
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
          const [amount, config, decimals] = await Promise.all([
            reserve.accountedAmount(asset, at),
            reserve.assetConfig(asset, at),
            this.#decimalsOf(asset),
          ]);
          return { asset, amount, decimals, haircutBps: BigInt(config.haircutBps) };
        }),
      ),
    ]);
    return { blockNumber, assets: perAsset, mintingPaused, redemptionsPaused };
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
