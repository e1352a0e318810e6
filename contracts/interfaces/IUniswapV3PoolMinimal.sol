// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The slice of the Uniswap V3 pool that Ballast uses
/// @notice The stable venue is the real Uniswap V3 pool bytecode (token / quote asset, 0.01% or
/// 0.05% tier). Ballast reads its price (`slot0`), its oracle (`observe`, time-weighted by the
/// pool itself on every block that trades) and in-range liquidity, holds a position through
/// `mint`/`burn`/`collect`, and swaps with a price limit after quoting the swap from the tick
/// bitmap and the crossed ticks. The pool pays and is paid through callbacks on the caller (`uniswapV3MintCallback`, `uniswapV3SwapCallback`).
interface IUniswapV3PoolMinimal {
    function token0() external view returns (address);
    function token1() external view returns (address);
    /// @notice Fee in pips (1e-6): 100 is the 0.01% tier.
    function fee() external view returns (uint24);
    function tickSpacing() external view returns (int24);
    /// @notice In-range liquidity now.
    function liquidity() external view returns (uint128);
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );
    /// @notice Tick cumulatives (tick × seconds) at each `secondsAgos` before now.
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
    /// @notice One 256-bit word of the initialized-tick bitmap (bit i of word w: tick (256w + i) × spacing).
    function tickBitmap(int16 wordPosition) external view returns (uint256);
    /// @notice An initialized tick: `liquidityNet` is added to in-range liquidity when the price
    /// crosses it upward (subtracted downward).
    function ticks(int24 tick)
        external
        view
        returns (
            uint128 liquidityGross,
            int128 liquidityNet,
            uint256 feeGrowthOutside0X128,
            uint256 feeGrowthOutside1X128,
            int56 tickCumulativeOutside,
            uint160 secondsPerLiquidityOutsideX128,
            uint32 secondsOutside,
            bool initialized
        );
    /// @notice A position: liquidity, fee growth inside at its last update, and tokens owed.
    function positions(bytes32 key)
        external
        view
        returns (
            uint128 liquidity,
            uint256 feeGrowthInside0LastX128,
            uint256 feeGrowthInside1LastX128,
            uint128 tokensOwed0,
            uint128 tokensOwed1
        );

    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external
        returns (uint256 amount0, uint256 amount1);
    function burn(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256 amount0, uint256 amount1);
    function collect(address recipient, int24 tickLower, int24 tickUpper, uint128 amount0Requested, uint128 amount1Requested)
        external
        returns (uint128 amount0, uint128 amount1);
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes calldata data)
        external
        returns (int256 amount0, int256 amount1);
    function increaseObservationCardinalityNext(uint16 observationCardinalityNext) external;
}
