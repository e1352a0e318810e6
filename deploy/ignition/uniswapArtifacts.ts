/**
 * The real Uniswap V2 factory and pair (@uniswap/v2-core's compiled build) and V3 factory and pool
 * (@uniswap/v3-core's artifacts), in the artifact shape Hardhat Ignition deploys from.
 */
import type { Artifact } from "@nomicfoundation/ignition-core";
import UniswapV2FactoryBuild from "@uniswap/v2-core/build/UniswapV2Factory.json";
import UniswapV2PairBuild from "@uniswap/v2-core/build/UniswapV2Pair.json";
import UniswapV3FactoryBuild from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import UniswapV3PoolBuild from "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json";

function toArtifact(contractName: string, build: { abi: unknown[]; bytecode: string }, pkg = "v2-core"): Artifact {
  return {
    contractName,
    sourceName: `@uniswap/${pkg}/contracts/${contractName}.sol`,
    abi: build.abi as Artifact["abi"],
    bytecode: build.bytecode.startsWith("0x") ? build.bytecode : `0x${build.bytecode}`,
    linkReferences: {},
  };
}

export const UNISWAP_V2_FACTORY_ARTIFACT = toArtifact("UniswapV2Factory", UniswapV2FactoryBuild);
export const UNISWAP_V2_PAIR_ARTIFACT = toArtifact("UniswapV2Pair", UniswapV2PairBuild);
export const UNISWAP_V3_FACTORY_ARTIFACT = toArtifact("UniswapV3Factory", UniswapV3FactoryBuild, "v3-core");
export const UNISWAP_V3_POOL_ARTIFACT = toArtifact("UniswapV3Pool", UniswapV3PoolBuild, "v3-core");
