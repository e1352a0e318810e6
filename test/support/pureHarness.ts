/**
 * Test-only harnesses for pure libraries (contracts/test/*Harness.sol). They hold no state and need
 * no constructor, so their runtime code is set at a fixed address instead of deployed: no block is
 * mined and no nonce moves, so a test's timing and addresses stay as they were.
 */
import { artifacts, ethers } from "hardhat";
import { setCode } from "@nomicfoundation/hardhat-network-helpers";
import {
  CallerRewardHarness__factory,
  PegMathHarness__factory,
  type CallerRewardHarness,
  type PegMathHarness,
} from "../../typechain-types";

async function place(name: string, bytecode: string): Promise<string> {
  const address = ethers.getAddress(ethers.id(`ballast.test.${name}`).slice(0, 42));
  if ((await ethers.provider.getCode(address)) === "0x") await setCode(address, bytecode);
  return address;
}

async function runtimeCode(name: string): Promise<string> {
  return (await artifacts.readArtifact(name)).deployedBytecode;
}

type SizeOf = (reserveToken: bigint, reserveQuote: bigint, priceNum: bigint, priceDen: bigint) => Promise<bigint>;

/** PegMath's trade sizes, as MarketOperator computes them, each by the library function's name. */
export interface PegMathSizes {
  tokensToSellForPrice: SizeOf;
  quoteToSpendForPrice: SizeOf;
  maxTokensInAtPrice: SizeOf;
  maxQuoteInAtPrice: SizeOf;
}

export async function pegMathHarness(): Promise<PegMathSizes> {
  const address = await place("PegMathHarness", await runtimeCode("PegMathHarness"));
  const harness: PegMathHarness = PegMathHarness__factory.connect(address, ethers.provider);
  const size =
    (
      pick: keyof PegMathHarness.SizesStructOutput & ("tokensToSell" | "quoteToSpend" | "maxTokensIn" | "maxQuoteIn"),
    ): SizeOf =>
    async (reserveToken, reserveQuote, priceNum, priceDen) =>
      (await harness.sizesForPrice(reserveToken, reserveQuote, priceNum, priceDen))[pick];
  return {
    tokensToSellForPrice: size("tokensToSell"),
    quoteToSpendForPrice: size("quoteToSpend"),
    maxTokensInAtPrice: size("maxTokensIn"),
    maxQuoteInAtPrice: size("maxQuoteIn"),
  };
}

/** CallerReward's formula, as MarketOperator pays it. */
export async function callerRewardHarness(): Promise<CallerRewardHarness> {
  const address = await place("CallerRewardHarness", await runtimeCode("CallerRewardHarness"));
  return CallerRewardHarness__factory.connect(address, ethers.provider);
}
