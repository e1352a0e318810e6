// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import "./Constants.sol" as C;

/// @title CallerReward: what a permissionless caller earns for a market operation
/// @notice reward = min( profit × CALLER_REWARD_PROFIT_SHARE_BPS / BPS,
///                       cap × min(corrected, CALLER_REWARD_FULL_DEVIATION_BPS) / CALLER_REWARD_FULL_DEVIATION_BPS )
/// with `cap = min(maxRewardWad, HARD_MAX_CALLER_REWARD_WAD)`, `profit` the protocol's equity gain
/// and `corrected` the deviation from the peg the operation removed, in bps of the peg.
/// So the reward is zero when the operation gained nothing or moved nothing, grows with both the
/// profit and the deviation corrected, never exceeds the hard cap, and always leaves the protocol
/// at least (1 − share) of the profit. Rounded down (in the protocol's favour).
library CallerReward {
    function rewardWad(uint256 profitWad, uint256 correctedBps, uint256 maxRewardWad)
        internal
        pure
        returns (uint256)
    {
        uint256 byProfit = Math.mulDiv(profitWad, C.CALLER_REWARD_PROFIT_SHARE_BPS, C.BPS);
        uint256 cap = Math.min(maxRewardWad, C.HARD_MAX_CALLER_REWARD_WAD);
        uint256 corrected = Math.min(correctedBps, C.CALLER_REWARD_FULL_DEVIATION_BPS);
        uint256 byDeviation = Math.mulDiv(cap, corrected, C.CALLER_REWARD_FULL_DEVIATION_BPS);
        return Math.min(byProfit, byDeviation);
    }

    /// @notice Deviation removed by a move from `spotBeforeWad` to `spotAfterWad` toward the peg,
    /// bps of the peg, rounded down; zero when the move went away from the peg.
    function deviationCorrectedBps(uint256 spotBeforeWad, uint256 spotAfterWad) internal pure returns (uint256) {
        uint256 before = _distance(spotBeforeWad);
        uint256 afterwards = _distance(spotAfterWad);
        return before <= afterwards ? 0 : Math.mulDiv(before - afterwards, C.BPS, C.PEG_WAD);
    }

    function _distance(uint256 priceWad) private pure returns (uint256) {
        return priceWad > C.PEG_WAD ? priceWad - C.PEG_WAD : C.PEG_WAD - priceWad;
    }
}
