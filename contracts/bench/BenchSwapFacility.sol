// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title Gas floor for user mint/redeem: the LitePSM shape plus one oracle read
/// @notice Benchmark only. A pre-funded pocket of stable tokens swapped 1:1 (decimals-scaled)
/// against the collateral with two plain transfers, after one Chainlink read that a safe facility
/// needs (a price sanity check). No fees, no accounting beyond the two balances.
contract BenchSwapFacility {
    error BadPrice(int256 answer);
    error TransferFailed();

    IERC20 public immutable stable;
    IERC20 public immutable collateral;
    AggregatorV3Interface public immutable feed;
    uint256 private immutable _scale;

    constructor(IERC20 stable_, IERC20 collateral_, AggregatorV3Interface feed_, uint256 scale_) {
        stable = stable_;
        collateral = collateral_;
        feed = feed_;
        _scale = scale_;
    }

    /// @notice Collateral in, stable out.
    function sellGem(uint256 collateralIn) external returns (uint256 stableOut) {
        _checkPrice();
        stableOut = collateralIn * _scale;
        if (!collateral.transferFrom(msg.sender, address(this), collateralIn)) revert TransferFailed();
        if (!stable.transfer(msg.sender, stableOut)) revert TransferFailed();
    }

    /// @notice Stable in, collateral out.
    function buyGem(uint256 collateralOut) external returns (uint256 stableIn) {
        _checkPrice();
        stableIn = collateralOut * _scale;
        if (!stable.transferFrom(msg.sender, address(this), stableIn)) revert TransferFailed();
        if (!collateral.transfer(msg.sender, collateralOut)) revert TransferFailed();
    }

    function _checkPrice() private view {
        (, int256 answer,,,) = feed.latestRoundData();
        if (answer <= 0) revert BadPrice(answer);
    }
}
