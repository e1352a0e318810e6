// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title RevertingAggregator: a Chainlink feed whose answer call fails (attack/outage harness)
/// @notice Tests only. `decimals()` answers, so the oracle accepts it as a feed; `latestRoundData()`
/// reverts once `broken` is set, as a paused or deprecated aggregator would.
contract RevertingAggregator is AggregatorV3Interface {
    error FeedDown();

    bool public broken;
    int256 private _answer;

    constructor(int256 answer_) {
        _answer = answer_;
    }

    function setBroken(bool broken_) external {
        broken = broken_;
    }

    function decimals() external pure override returns (uint8) {
        return 8;
    }

    function description() external pure override returns (string memory) {
        return "reverting test feed";
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80) external view override returns (uint80, int256, uint256, uint256, uint80) {
        return _round();
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return _round();
    }

    function _round() private view returns (uint80, int256, uint256, uint256, uint80) {
        if (broken) revert FeedDown();
        return (1, _answer, block.timestamp, block.timestamp, 1);
    }
}
