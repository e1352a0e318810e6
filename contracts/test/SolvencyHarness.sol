// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Solvency} from "../libraries/Solvency.sol";

/// @dev Exposes Solvency for its unit test.
contract SolvencyHarness {
    function ratioWad(uint256 valueWad, uint256 supply) external pure returns (uint256) {
        return Solvency.ratioWad(valueWad, supply);
    }

    function floorWad(uint256 ratioBeforeWad, uint256 targetWad) external pure returns (uint256) {
        return Solvency.floorWad(ratioBeforeWad, targetWad);
    }

    function expansionRoom(uint256 valueWad, uint256 supply, uint256 targetWad, uint256 worstValuePerTokenWad)
        external
        pure
        returns (uint256)
    {
        return Solvency.expansionRoom(valueWad, supply, Solvency.ratioWad(valueWad, supply), targetWad, worstValuePerTokenWad);
    }

    function headroomWad(uint256 floorRatioWad, uint256 valueAfterWad, uint256 supplyAfter, uint256 haircutBps)
        external
        pure
        returns (uint256)
    {
        return Solvency.headroomWad(floorRatioWad, valueAfterWad, supplyAfter, haircutBps);
    }
}
