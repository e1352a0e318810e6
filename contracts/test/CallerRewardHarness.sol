// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CallerReward} from "../libraries/CallerReward.sol";

/// @notice Test-only: exposes the CallerReward library's pure functions. On chain an operation
/// always moves the spot toward the peg (the pair is synced first, then `_requireNotCrossed`), so the
/// library's "moved away or not at all" case is reached only here.
contract CallerRewardHarness {
    function rewardWad(uint256 profitWad, uint256 correctedBps, uint256 maxRewardWad) external pure returns (uint256) {
        return CallerReward.rewardWad(profitWad, correctedBps, maxRewardWad);
    }

    function deviationCorrectedBps(uint256 spotBeforeWad, uint256 spotAfterWad) external pure returns (uint256) {
        return CallerReward.deviationCorrectedBps(spotBeforeWad, spotAfterWad);
    }
}
