// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";
import {UniswapV3Price} from "../venues/UniswapV3Price.sol";

/// @notice Exposes the on-chain tick maths and price conversions for parity tests with the keeper's mirror.
contract TickMathHarness {
    function getSqrtPriceAtTick(int24 tick) external pure returns (uint160) {
        return TickMath.getSqrtPriceAtTick(tick);
    }

    function getTickAtSqrtPrice(uint160 sqrtPriceX96) external pure returns (int24) {
        return TickMath.getTickAtSqrtPrice(sqrtPriceX96);
    }

    function quotePerTokenWad(uint160 sqrtPriceX96, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit) external pure returns (uint256) {
        return UniswapV3Price.quotePerTokenWad(sqrtPriceX96, tokenIsToken0, tokenUnit, quoteUnit);
    }

    function sqrtPriceForQuotePerToken(uint256 quotePerTokenWad, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit) external pure returns (uint160) {
        return UniswapV3Price.sqrtPriceForQuotePerToken(quotePerTokenWad, tokenIsToken0, tokenUnit, quoteUnit);
    }
}
