// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {BPS} from "./Constants.sol";

/// @title ValuationMath: the reserve's valuation after one asset's amount changed, without a re-pass
/// @notice `Reserve.valuation()` sums, per asset, `g = ⌊amount × price / unit⌋` (gross) and
/// `⌊g × (BPS − haircut) / BPS⌋` (haircut value). When a call moves only one asset's amount (an
/// operation moves only the quote asset) and no price changes (same block, same oracle), the new
/// totals follow exactly from the old ones: take that asset's old terms out, put its new terms in.
/// Exact to the wei, because each term is the very expression the reserve rounds.
library ValuationMath {
    /// @param grossWad The gross total before (WAD USD).
    /// @param haircutWad The haircut total before (WAD USD).
    /// @param amountBefore The asset's accounted amount before (its units).
    /// @param amountAfter The asset's accounted amount after (its units).
    /// @param priceWad The asset's oracle price (WAD USD per whole unit).
    /// @param unit 10^decimals of the asset.
    /// @param haircutBps The asset's haircut.
    /// @return grossAfterWad The gross total after.
    /// @return haircutAfterWad The haircut total after.
    function replaceAmount(
        uint256 grossWad,
        uint256 haircutWad,
        uint256 amountBefore,
        uint256 amountAfter,
        uint256 priceWad,
        uint256 unit,
        uint256 haircutBps
    ) internal pure returns (uint256 grossAfterWad, uint256 haircutAfterWad) {
        uint256 oldWad = Math.mulDiv(amountBefore, priceWad, unit);
        uint256 newWad = Math.mulDiv(amountAfter, priceWad, unit);
        grossAfterWad = grossWad - oldWad + newWad;
        haircutAfterWad = haircutWad - Math.mulDiv(oldWad, BPS - haircutBps, BPS) + Math.mulDiv(newWad, BPS - haircutBps, BPS);
    }
}
