/**
 * `ballast:mint` and `ballast:redeem`: deposit collateral for tokens at the peg, or burn tokens
 * for collateral, through the Reserve, with a minimum output from the preview less `--slippage-bps`.
 */
import { formatUnits, type ContractTransactionResponse, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { parseAmount, parseBps } from "./lib/args";
import { UserError, expectedFailure, out, runTask } from "./lib/cli";
import { loadSystem, resolveAsset, resolveSigner, type AssetRef, type SystemContext } from "./lib/context";
import { describeFailure } from "../keeper/src/chain/revert";
import { simulateThenSend } from "./lib/tx";
import { quoteWarning, usdValueWad } from "./lib/quoteCheck";

export interface TradeArgs {
  asset: string;
  amount: string;
  slippageBps: string;
  from?: string;
}

const BPS = 10_000n;

async function preview(label: string, read: () => Promise<bigint>): Promise<bigint> {
  try {
    return await read();
  } catch (error) {
    throw new UserError(`${label} ${describeFailure(error)}; no transaction sent`, { cause: error });
  }
}

/** A token the Reserve takes from its owner: the ERC-20 allowance and approve. */
interface Approvable {
  allowance(owner: string, spender: string): Promise<bigint>;
  approve(spender: string, amount: bigint): Promise<ContractTransactionResponse>;
}

/**
 * Lets the Reserve take `amount` of `token` from `owner`: approves exactly that when the allowance
 * is short (never an unlimited approval); returns the approval's hash, if one was sent.
 */
async function approveReserve(
  ctx: SystemContext,
  token: Approvable,
  owner: string,
  amount: bigint,
  symbol: string,
): Promise<string[]> {
  const spender = await ctx.reserve.getAddress();
  if ((await token.allowance(owner, spender)) >= amount) return [];
  const sent = (await (await token.approve(spender, amount)).wait())!;
  out(`approved the Reserve to take ${symbol}: tx ${sent.hash}`);
  return [`approval ${sent.hash}`];
}

async function setup(
  hre: HardhatRuntimeEnvironment,
  args: TradeArgs,
): Promise<{ ctx: SystemContext; asset: AssetRef; signer: Signer; who: string; slippageBps: number }> {
  const slippageBps = parseBps("--slippage-bps", args.slippageBps);
  const ctx = await loadSystem(hre);
  const asset = await resolveAsset(ctx, args.asset);
  const signer = await resolveSigner(hre, args.from);
  return { ctx, asset, signer, who: await signer.getAddress(), slippageBps };
}

export async function mintTask(hre: HardhatRuntimeEnvironment, args: TradeArgs): Promise<void> {
  await runTask(async () => {
    const { ctx, asset, signer, who, slippageBps } = await setup(hre, args);
    const amountIn = parseAmount("--amount", args.amount, asset.decimals);
    const balance = await asset.token.balanceOf(who);
    if (amountIn > balance) {
      throw new UserError(
        `--amount ${args.amount} ${asset.symbol} is more than the balance of ${who} (${formatUnits(
          balance,
          asset.decimals,
        )} ${asset.symbol})`,
      );
    }
    const expected = await preview("mint preview", () => ctx.reserve.previewMint(asset.address, amountIn));
    const minOut = (expected * (BPS - BigInt(slippageBps))) / BPS;
    const [priced, priceWad] = await ctx.oracle.tryPrice(asset.address);
    const warning = priced ? quoteWarning("mint", usdValueWad(amountIn, asset.decimals, priceWad), expected) : null;
    if (warning) out(warning);
    const approvals = await approveReserve(ctx, asset.token.connect(signer), who, amountIn, asset.symbol);
    const reserve = ctx.reserve.connect(signer);
    const sent = await simulateThenSend("mint", approvals, reserve.mint, asset.address, amountIn, minOut, who);
    out(
      `minted ${formatUnits(sent.result, 18)} BLD for ${formatUnits(amountIn, asset.decimals)} ${
        asset.symbol
      } (minimum ${formatUnits(minOut, 18)}) to ${who}`,
    );
    out(`tx ${sent.hash}`);
  }, expectedFailure);
}

export async function redeemTask(hre: HardhatRuntimeEnvironment, args: TradeArgs): Promise<void> {
  await runTask(async () => {
    const { ctx, asset, signer, who, slippageBps } = await setup(hre, args);
    const amountIn = parseAmount("--amount", args.amount, 18);
    const balance = await ctx.stable.balanceOf(who);
    if (amountIn > balance) {
      throw new UserError(
        `--amount ${args.amount} BLD is more than the balance of ${who} (${formatUnits(balance, 18)} BLD)`,
      );
    }
    const expected = await preview("redeem preview", () => ctx.reserve.previewRedeem(asset.address, amountIn));
    const minOut = (expected * (BPS - BigInt(slippageBps))) / BPS;
    const [priced, priceWad] = await ctx.oracle.tryPrice(asset.address);
    // Without a fresh price (degraded mode) the quote is already priced conservatively: say so.
    const warning = priced
      ? quoteWarning("redeem", amountIn, usdValueWad(expected, asset.decimals, priceWad))
      : `warning: ${asset.symbol} has no fresh price; this redemption pays at its last good price raised by the degraded haircut`;
    if (warning) out(warning);
    const approvals = await approveReserve(ctx, ctx.stable.connect(signer), who, amountIn, "BLD");
    const reserve = ctx.reserve.connect(signer);
    const sent = await simulateThenSend("redeem", approvals, reserve.redeem, asset.address, amountIn, minOut, who);
    out(
      `redeemed ${formatUnits(amountIn, 18)} BLD for ${formatUnits(sent.result, asset.decimals)} ${
        asset.symbol
      } (minimum ${formatUnits(minOut, asset.decimals)}) to ${who}`,
    );
    out(`tx ${sent.hash}`);
  }, expectedFailure);
}
