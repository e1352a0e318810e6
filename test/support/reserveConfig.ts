import type { Fixture } from "./system";

/** Sets `asset`'s buffer (the share kept idle, bps) as the admin, keeping the rest of its config as it is. */
export async function setBufferBps(f: Fixture, asset: string, bufferBps: number): Promise<void> {
  const cfg = await f.reserve.assetConfig(asset);
  await f.reserve.connect(f.admin).setAssetConfig(asset, {
    haircutBps: cfg.haircutBps,
    mintFeeBps: cfg.mintFeeBps,
    redeemFeeBps: cfg.redeemFeeBps,
    bufferBps,
    ceiling: cfg.ceiling,
  });
}
