/**
 * The real Uniswap V2 factory and pair, from @uniswap/v2-core's compiled build, in the artifact
 * shape Hardhat Ignition deploys from.
 */
import type { Artifact } from "@nomicfoundation/ignition-core";
import UniswapV2FactoryBuild from "@uniswap/v2-core/build/UniswapV2Factory.json";
import UniswapV2PairBuild from "@uniswap/v2-core/build/UniswapV2Pair.json";

function toArtifact(contractName: string, build: { abi: unknown[]; bytecode: string }): Artifact {
  return {
    contractName,
    sourceName: `@uniswap/v2-core/contracts/${contractName}.sol`,
    abi: build.abi as Artifact["abi"],
    bytecode: build.bytecode.startsWith("0x") ? build.bytecode : `0x${build.bytecode}`,
    linkReferences: {},
  };
}

export const UNISWAP_V2_FACTORY_ARTIFACT = toArtifact("UniswapV2Factory", UniswapV2FactoryBuild);
export const UNISWAP_V2_PAIR_ARTIFACT = toArtifact("UniswapV2Pair", UniswapV2PairBuild);
