// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PegMath} from "../libraries/PegMath.sol";

/// @notice Test-only: exposes the PegMath library's pure sizing functions, so tests can check them
/// against real Uniswap V2 swaps and the keeper's bigint mirror. MarketOperator uses them internally
/// and does not publish them.
contract PegMathHarness {
    function tokensToSellForPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        external
        pure
        returns (uint256)
    {
        return PegMath.tokensToSellForPrice(reserveToken, reserveQuote, priceNum, priceDen);
    }

    function quoteToSpendForPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        external
        pure
        returns (uint256)
    {
        return PegMath.quoteToSpendForPrice(reserveToken, reserveQuote, priceNum, priceDen);
    }

    function maxTokensInAtPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        external
        pure
        returns (uint256)
    {
        return PegMath.maxTokensInAtPrice(reserveToken, reserveQuote, priceNum, priceDen);
    }

    function maxQuoteInAtPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        external
        pure
        returns (uint256)
    {
        return PegMath.maxQuoteInAtPrice(reserveToken, reserveQuote, priceNum, priceDen);
    }
}
