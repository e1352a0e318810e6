// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ValuationMath} from "../libraries/ValuationMath.sol";

/// @dev Exposes ValuationMath for the test that compares it with a whole re-valuation.
contract ValuationMathHarness {
    function replaceAmount(
        uint256 grossWad,
        uint256 haircutWad,
        uint256 amountBefore,
        uint256 amountAfter,
        uint256 priceWad,
        uint256 unit,
        uint256 haircutBps
    ) external pure returns (uint256, uint256) {
        return ValuationMath.replaceAmount(grossWad, haircutWad, amountBefore, amountAfter, priceWad, unit, haircutBps);
    }
}
