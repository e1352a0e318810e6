// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IUniswapV2PairMinimal} from "../interfaces/IUniswapV2PairMinimal.sol";
import {BenchOperationFloor, IBenchMintable} from "./BenchOperationFloor.sol";

/// @title Gas floor for expandSupply/contractSupply: a raw Uniswap V2 swap, a mint or burn, and
/// one Chainlink read per collateral asset
/// @notice Benchmark only. The least any market operation on a V2 pool must do: read every
/// collateral price it relies on, mint into (or buy from) the pair, swap, and burn what it bought.
/// No caps, no TWAP, no solvency check.
contract BenchMarketOperationFloor is BenchOperationFloor {
    IUniswapV2PairMinimal public immutable pair;

    constructor(IERC20 token_, IERC20 quote_, IUniswapV2PairMinimal pair_, AggregatorV3Interface[] memory feeds_)
        BenchOperationFloor(token_, quote_, pair_.token0(), feeds_)
    {
        pair = pair_;
    }

    /// @notice Mint `amount` tokens into the pair and take `quoteOut` of quote out.
    function expand(uint256 amount, uint256 quoteOut) external {
        _readFeeds();
        IBenchMintable(address(token)).mint(address(pair), amount);
        (uint256 out0, uint256 out1) = _tokenIsToken0 ? (uint256(0), quoteOut) : (quoteOut, uint256(0));
        pair.swap(out0, out1, address(this), "");
    }

    /// @notice Pay `quoteIn` into the pair, take `tokensOut` and burn them.
    function contract_(uint256 quoteIn, uint256 tokensOut) external {
        _readFeeds();
        if (!quote.transfer(address(pair), quoteIn)) revert TransferFailed();
        (uint256 out0, uint256 out1) = _tokenIsToken0 ? (tokensOut, uint256(0)) : (uint256(0), tokensOut);
        pair.swap(out0, out1, address(this), "");
        IBenchMintable(address(token)).burn(tokensOut);
    }
}
