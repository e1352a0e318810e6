/**
 * The TypeChain bindings the daemon uses, each from its own file: importing the generated index
 * would pull every contract's factory (test contracts included) into the built daemon.
 */
export { AggregatorV3Interface__factory } from "../../../typechain-types/factories/@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface__factory";
export { ERC4626__factory } from "../../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/ERC4626__factory";
export { IERC20Metadata__factory } from "../../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
export { BallastDollar__factory } from "../../../typechain-types/factories/contracts/BallastDollar__factory";
export { CollateralPolicy__factory } from "../../../typechain-types/factories/contracts/CollateralPolicy__factory";
export { MarketOperator__factory } from "../../../typechain-types/factories/contracts/MarketOperator__factory";
export { PriceOracle__factory } from "../../../typechain-types/factories/contracts/PriceOracle__factory";
export { Reserve__factory } from "../../../typechain-types/factories/contracts/Reserve__factory";
export { IUniswapV2PairMinimal__factory } from "../../../typechain-types/factories/contracts/interfaces/IUniswapV2PairMinimal__factory";
export { IUniswapV3PoolMinimal__factory } from "../../../typechain-types/factories/contracts/interfaces/IUniswapV3PoolMinimal__factory";
export { IMarketOperatorV3__factory } from "../../../typechain-types/factories/contracts/interfaces/IMarketOperatorV3__factory";
export { ILiquidityManager__factory } from "../../../typechain-types/factories/contracts/interfaces/ILiquidityManager__factory";
export type { BallastDollar } from "../../../typechain-types/contracts/BallastDollar";
export type { CollateralPolicy } from "../../../typechain-types/contracts/CollateralPolicy";
export type { MarketOperator } from "../../../typechain-types/contracts/MarketOperator";
export type { PriceOracle } from "../../../typechain-types/contracts/PriceOracle";
export type { Reserve } from "../../../typechain-types/contracts/Reserve";
export type { IUniswapV2PairMinimal } from "../../../typechain-types/contracts/interfaces/IUniswapV2PairMinimal";
export type { IUniswapV3PoolMinimal } from "../../../typechain-types/contracts/interfaces/IUniswapV3PoolMinimal";
