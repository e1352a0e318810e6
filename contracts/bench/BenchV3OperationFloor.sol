// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";
import {BenchOperationFloor, IBenchMintable} from "./BenchOperationFloor.sol";

/// @title Gas floor for MarketOperatorV3's expandSupply/contractSupply: a raw Uniswap V3 swap to a
/// price limit, a mint or burn, and one Chainlink read per collateral asset
/// @notice Benchmark only. The least any market operation on a V3 pool must do: read every
/// collateral price it relies on, swap with a price limit, mint the tokens the pool is owed in its
/// callback (expansion) or pay the quote from its own balance (contraction) and burn what it
/// bought. No caps, no TWAP, no sizing, no solvency check. Must hold the token's minter right.
contract BenchV3OperationFloor is BenchOperationFloor {
    error NotPool(address caller);

    IUniswapV3PoolMinimal public immutable pool;

    constructor(IERC20 token_, IERC20 quote_, IUniswapV3PoolMinimal pool_, AggregatorV3Interface[] memory feeds_)
        BenchOperationFloor(token_, quote_, pool_.token0(), feeds_)
    {
        pool = pool_;
    }

    /// @notice Sell `tokensIn` newly minted tokens into the pool, stopping at `sqrtPriceLimitX96`.
    function expand(uint256 tokensIn, uint160 sqrtPriceLimitX96) external {
        _readFeeds();
        pool.swap(address(this), _tokenIsToken0, int256(tokensIn), sqrtPriceLimitX96, "");
    }

    /// @notice Buy tokens with `quoteIn` of this contract's quote, stopping at `sqrtPriceLimitX96`, and burn them.
    function contract_(uint256 quoteIn, uint160 sqrtPriceLimitX96) external {
        _readFeeds();
        (int256 amount0, int256 amount1) = pool.swap(address(this), !_tokenIsToken0, int256(quoteIn), sqrtPriceLimitX96, "");
        IBenchMintable(address(token)).burn(uint256(-(_tokenIsToken0 ? amount0 : amount1)));
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != address(pool)) revert NotPool(msg.sender);
        (int256 tokenOwed, int256 quoteOwed) = _tokenIsToken0 ? (amount0Delta, amount1Delta) : (amount1Delta, amount0Delta);
        if (tokenOwed > 0) IBenchMintable(address(token)).mint(msg.sender, uint256(tokenOwed));
        if (quoteOwed > 0 && !quote.transfer(msg.sender, uint256(quoteOwed))) revert TransferFailed();
    }
}
