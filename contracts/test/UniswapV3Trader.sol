// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";

/// @notice A market participant on a real Uniswap V3 pool for tests and local scripts: swaps and
/// mints positions, paying the pool's callbacks from the caller's approved balances (the role a
/// router plays on mainnet). Holds nothing between calls.
contract UniswapV3Trader {
    using SafeERC20 for IERC20;

    error NotPool(address caller, address pool);

    address private transient _pool;
    address private transient _payer;

    /// @notice Swaps on `pool` for the caller (recipient of the output), stopping at the price limit.
    function swap(IUniswapV3PoolMinimal pool, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96)
        external
        returns (int256 amount0, int256 amount1)
    {
        _pool = address(pool);
        _payer = msg.sender;
        (amount0, amount1) = pool.swap(msg.sender, zeroForOne, amountSpecified, sqrtPriceLimitX96, "");
        _pool = address(0);
    }

    /// @notice Mints a position owned by this contract (an LP that never withdraws), paid by the caller.
    function mint(IUniswapV3PoolMinimal pool, int24 tickLower, int24 tickUpper, uint128 liquidity)
        external
        returns (uint256 amount0, uint256 amount1)
    {
        _pool = address(pool);
        _payer = msg.sender;
        (amount0, amount1) = pool.mint(address(this), tickLower, tickUpper, liquidity, "");
        _pool = address(0);
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        _requirePool();
        IUniswapV3PoolMinimal pool = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).safeTransferFrom(_payer, msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).safeTransferFrom(_payer, msg.sender, uint256(amount1Delta));
    }

    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        _requirePool();
        IUniswapV3PoolMinimal pool = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Owed > 0) IERC20(pool.token0()).safeTransferFrom(_payer, msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).safeTransferFrom(_payer, msg.sender, amount1Owed);
    }

    function _requirePool() private view {
        if (msg.sender != _pool || _pool == address(0)) revert NotPool(msg.sender, _pool);
    }
}
