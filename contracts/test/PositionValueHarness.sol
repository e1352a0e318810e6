// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PositionValue} from "../venues/PositionValue.sol";
import {UniswapV3Quote} from "../venues/UniswapV3Quote.sol";

/// @dev Test-only: the linked {UniswapV3Quote.positionQuotes} that MarketOperatorV3's rule-7
/// after-state calls (a library's struct-taking function is reached through a linking contract).
contract PositionValueHarness {
    function positionQuotes(PositionValue.Position memory p, uint160 spotBeforeX96, uint160 spotAfterX96, uint256 quoteUsdWad)
        external
        pure
        returns (uint256 before, uint256 after_)
    {
        return UniswapV3Quote.positionQuotes(p, spotBeforeX96, spotAfterX96, quoteUsdWad);
    }
}
