/**
 * What the status page shows beyond the keeper's decision snapshot: per-asset accounted amounts
 * and haircuts, and the reserve's two pause flags. Read at the snapshot's own block so amounts
 * sit beside the prices they were valued with.
 */
import type { Provider } from "ethers";
import { IERC20Metadata__factory, Reserve__factory, type Reserve } from "../../../typechain-types";
import type { ReserveDetail } from "./model";

export class ReserveReader {
  readonly #reserve: Reserve;
  readonly #decimals = new Map<string, number>();

  constructor(private readonly provider: Provider, reserveAddress: string) {
    this.#reserve = Reserve__factory.connect(reserveAddress, provider);
  }

  /** Reads `assets` (the snapshot's feed assets) at `blockNumber`. Throws on any failed call. */
  async read(blockNumber: number, assets: readonly string[]): Promise<ReserveDetail> {
    const at = { blockTag: blockNumber };
    const [mintingPaused, redemptionsPaused, perAsset] = await Promise.all([
      this.#reserve.paused(at),
      this.#reserve.redemptionsPaused(at),
      Promise.all(
        assets.map(async (asset) => {
          const [amount, config, decimals] = await Promise.all([
            this.#reserve.accountedAmount(asset, at),
            this.#reserve.assetConfig(asset, at),
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
    const d = Number(await IERC20Metadata__factory.connect(asset, this.provider).decimals());
    this.#decimals.set(key, d);
    return d;
  }
}
