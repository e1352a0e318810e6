// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The slice of the Uniswap V2 pair that Ballast uses
/// @notice The market pool is the real Uniswap V2 pair bytecode (token / quote asset). Ballast
/// reads its reserves and cumulative prices and swaps with it directly (no router, no callback).
interface IUniswapV2PairMinimal {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function price0CumulativeLast() external view returns (uint256);
    function price1CumulativeLast() external view returns (uint256);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
    function sync() external;
}
