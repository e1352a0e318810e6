/** `ballast:set-price`: posts a new answer to a local MockV3Aggregator feed (local networks only). */
import { formatUnits, getAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectContract } from "../deploy/contracts";
import { parsePriceUsd } from "./lib/args";
import { expectedFailure, out, runTask } from "./lib/cli";
import { loadSystem, requireLocalNetwork, resolveAsset, resolveSigner } from "./lib/context";
import { simulateThenSend } from "./lib/tx";

export interface SetPriceArgs {
  asset: string;
  price: string;
  from?: string;
}

export async function setPriceTask(hre: HardhatRuntimeEnvironment, args: SetPriceArgs): Promise<void> {
  await runTask(async () => {
    requireLocalNetwork(hre, "ballast:set-price");
    const ctx = await loadSystem(hre);
    const asset = await resolveAsset(ctx, args.asset);
    const signer = await resolveSigner(hre, args.from);
    const feedAddress = getAddress((await ctx.oracle.feedConfig(asset.address)).aggregator);
    const feed = connectContract("MockV3Aggregator", feedAddress, signer);
    const decimals = Number(await feed.decimals());
    const answer = parsePriceUsd("--price", args.price, decimals);
    const [, previous] = await feed.latestRoundData();
    const sent = await simulateThenSend("set-price", [], feed.updateAnswer, answer);
    out(
      `${asset.symbol} feed ${feedAddress}: $${formatUnits(previous, decimals)} -> $${formatUnits(answer, decimals)}`,
    );
    out(`tx ${sent.hash}`);
  }, expectedFailure);
}
