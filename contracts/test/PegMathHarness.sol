// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PegMath} from "../libraries/PegMath.sol";

/// @notice Test-only: exposes the PegMath library's pure sizing functions, so tests can check them
/// against real Uniswap V2 swaps and the keeper's bigint mirror. MarketOperator uses them internally
/// and does not publish them. One call answers all four sizes for one pool state and price.
contract PegMathHarness {
    struct Sizes {
        /// @dev PegMath.tokensToSellForPrice: tokens to sell so the price falls to the target.
        uint256 tokensToSell;
        /// @dev PegMath.quoteToSpendForPrice: quote to spend so the price rises to the target.
        uint256 quoteToSpend;
        /// @dev PegMath.maxTokensInAtPrice: largest token input averaging at least the price.
        uint256 maxTokensIn;
        /// @dev PegMath.maxQuoteInAtPrice: largest quote input averaging at most the price.
        uint256 maxQuoteIn;
    }

    function sizesForPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        external
        pure
        returns (Sizes memory s)
    {
        s.tokensToSell = PegMath.tokensToSellForPrice(reserveToken, reserveQuote, priceNum, priceDen);
        s.quoteToSpend = PegMath.quoteToSpendForPrice(reserveToken, reserveQuote, priceNum, priceDen);
        s.maxTokensIn = PegMath.maxTokensInAtPrice(reserveToken, reserveQuote, priceNum, priceDen);
        s.maxQuoteIn = PegMath.maxQuoteInAtPrice(reserveToken, reserveQuote, priceNum, priceDen);
    }
}
