/**
 * Typed handles on the system's contracts for the deploy and the scripts, built from the compiled
 * artifacts' ABIs (read as JSON) and typed with TypeChain's type-only declarations. Importing the
 * TypeChain factories instead would make every `hardhat ballast:*` run transpile their bytecode-
 * laden sources, seconds per call.
 */
import fs from "node:fs";
import path from "node:path";
import { Contract, type ContractRunner, type InterfaceAbi } from "ethers";
import type { BallastDollar } from "../typechain-types/contracts/BallastDollar";
import type { CollateralPolicy } from "../typechain-types/contracts/CollateralPolicy";
import type { LiquidityManager } from "../typechain-types/contracts/LiquidityManager.sol/LiquidityManager";
import type { MarketOperator } from "../typechain-types/contracts/MarketOperator";
import type { PriceOracle } from "../typechain-types/contracts/PriceOracle";
import type { Reserve } from "../typechain-types/contracts/Reserve";
import type { TestERC20 } from "../typechain-types/contracts/test/TestERC20";
import type { TestVault } from "../typechain-types/contracts/test/TestVault";
import type { UniswapV3Trader } from "../typechain-types/contracts/test/UniswapV3Trader";
import type { MockV3Aggregator } from "../typechain-types/@chainlink/contracts/src/v0.8/tests/MockV3Aggregator";

export type {
  BallastDollar,
  CollateralPolicy,
  LiquidityManager,
  MarketOperator,
  PriceOracle,
  Reserve,
  TestERC20,
  TestVault,
  UniswapV3Trader,
  MockV3Aggregator,
};

export interface ContractTypes {
  BallastDollar: BallastDollar;
  CollateralPolicy: CollateralPolicy;
  LiquidityManager: LiquidityManager;
  MarketOperator: MarketOperator;
  PriceOracle: PriceOracle;
  Reserve: Reserve;
  TestERC20: TestERC20;
  TestVault: TestVault;
  UniswapV3Trader: UniswapV3Trader;
  MockV3Aggregator: MockV3Aggregator;
}

export type ContractName = keyof ContractTypes;

const SOURCES: Record<ContractName, string> = {
  BallastDollar: "contracts/BallastDollar.sol",
  CollateralPolicy: "contracts/CollateralPolicy.sol",
  LiquidityManager: "contracts/LiquidityManager.sol",
  MarketOperator: "contracts/MarketOperator.sol",
  PriceOracle: "contracts/PriceOracle.sol",
  Reserve: "contracts/Reserve.sol",
  TestERC20: "contracts/test/TestERC20.sol",
  TestVault: "contracts/test/TestVault.sol",
  UniswapV3Trader: "contracts/test/UniswapV3Trader.sol",
  MockV3Aggregator: "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol",
};

const abis = new Map<ContractName, InterfaceAbi>();

/** The ABI of a compiled contract; fails naming the artifact when the project is not compiled. */
export function abiOf(name: ContractName): InterfaceAbi {
  const known = abis.get(name);
  if (known) return known;
  const file = path.join(__dirname, "..", "artifacts", SOURCES[name], `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`no compiled artifact for ${name} (${file}): run \`npx hardhat compile\``);
  const abi = (JSON.parse(fs.readFileSync(file, "utf8")) as { abi: InterfaceAbi }).abi;
  abis.set(name, abi);
  return abi;
}

/** A typed contract at `address`. */
export function connectContract<K extends ContractName>(
  name: K,
  address: string,
  runner?: ContractRunner | null,
): ContractTypes[K] {
  return new Contract(address, abiOf(name), runner) as unknown as ContractTypes[K];
}
