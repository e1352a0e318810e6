// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IValueSource} from "../interfaces/IValueSource.sol";

/// @dev Test-only value source with a set answer, or one that reverts: the faulty sources the
/// reserve must survive (a broken pool, an absurd answer) and an unlisted asset.
contract TestValueSource is IValueSource {
    address public override quoteAsset;
    uint256 public amount;
    bool public failing;

    error SourceDown();

    constructor(address asset) {
        quoteAsset = asset;
    }

    function set(uint256 amount_, bool failing_) external {
        (amount, failing) = (amount_, failing_);
    }

    function quoteAmountAt(uint256) external view override returns (uint256) {
        if (failing) revert SourceDown();
        return amount;
    }
}
