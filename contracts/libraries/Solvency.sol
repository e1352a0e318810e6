// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {WAD, BPS} from "./Constants.sol";

/// @title Solvency: rule 7's maths, once
/// @notice Rule 7: an operation leaves `ratioAfter ≥ min(ratioBefore, target)`, where a ratio is
/// haircut reserve value over supply (WAD). This library holds every form the operator needs of
/// it: the ratio, that floor, the largest expansion that keeps it and the value that may still
/// leave. Each rounds against the protocol: ratios down, what must stay up, what may go down.
library Solvency {
    /// @notice Haircut value over supply, WAD, rounded down; an empty supply is infinitely backed.
    function ratioWad(uint256 valueWad, uint256 supply) internal pure returns (uint256) {
        return supply == 0 ? type(uint256).max : Math.mulDiv(valueWad, WAD, supply);
    }

    /// @notice The ratio an operation must keep: `min(ratioBefore, target)` (below the target, it
    /// must not fall further; at or above it, it must stay at or above the target).
    function floorWad(uint256 ratioBeforeWad, uint256 targetWad) internal pure returns (uint256) {
        return Math.min(ratioBeforeWad, targetWad);
    }

    /// @notice The most tokens an expansion may sell when each token brings at least
    /// `worstValuePerTokenWad` of haircut value: `(value − ⌈supply × target⌉) / (target − worst)`
    /// at or above the target; below it, unlimited if each token raises the ratio, else none.
    /// `ratioBefore` is `ratioWad(valueWad, supply)`, computed once by the caller.
    function expansionRoom(
        uint256 valueWad,
        uint256 supply,
        uint256 ratioBefore,
        uint256 targetWad,
        uint256 worstValuePerTokenWad
    ) internal pure returns (uint256) {
        if (supply == 0) return type(uint256).max;
        if (ratioBefore < targetWad) return worstValuePerTokenWad >= ratioBefore ? type(uint256).max : 0;
        if (worstValuePerTokenWad >= targetWad) return type(uint256).max;
        uint256 required = Math.mulDiv(supply, targetWad, WAD, Math.Rounding.Ceil);
        if (valueWad <= required) return 0;
        return Math.mulDiv(valueWad - required, WAD, targetWad - worstValuePerTokenWad);
    }

    /// @notice Gross USD of an asset with `haircutBps` that may leave while `valueAfterWad` (haircut)
    /// over `supplyAfter` keeps `floorRatioWad`. Keeps two wei for the reserve's two roundings of a
    /// payout's value (price, then haircut).
    function headroomWad(uint256 floorRatioWad, uint256 valueAfterWad, uint256 supplyAfter, uint256 haircutBps)
        internal
        pure
        returns (uint256)
    {
        uint256 keptWad = Math.mulDiv(supplyAfter, floorRatioWad, WAD, Math.Rounding.Ceil) + 2;
        if (valueAfterWad <= keptWad) return 0;
        return Math.mulDiv(valueAfterWad - keptWad, BPS, BPS - haircutBps);
    }
}
