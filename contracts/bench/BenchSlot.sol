// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Gas floor for CollateralPolicy.refresh: a single storage-slot update
/// @notice Benchmark only: one warm, non-zero to non-zero SSTORE in its own transaction.
contract BenchSlot {
    uint256 public value = 1;

    function set(uint256 newValue) external {
        value = newValue;
    }
}
