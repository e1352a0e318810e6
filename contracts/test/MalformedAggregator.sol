// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only feed that answers `latestRoundData` (and `decimals`) with whatever bytes it is
/// told to: a well-formed round, a short or empty return, or words that do not fit the declared
/// types. Stands in for a broken or hostile aggregator behind a Chainlink-shaped address.
contract MalformedAggregator {
    bytes private _roundData;
    bytes private _decimalsData;

    /// @notice Sets the raw bytes `latestRoundData()` returns.
    function setRoundData(bytes calldata data) external {
        _roundData = data;
    }

    /// @notice Sets the raw bytes `decimals()` returns.
    function setDecimalsData(bytes calldata data) external {
        _decimalsData = data;
    }

    /// @notice A well-formed round: (roundId, answer, startedAt, updatedAt, answeredInRound).
    function setRound(int256 answer, uint256 updatedAt, uint8 decimals_) external {
        _roundData = abi.encode(uint80(1), answer, updatedAt, updatedAt, uint80(1));
        _decimalsData = abi.encode(decimals_);
    }

    /// @notice Answers with the raw bytes set by `setRoundData`, whatever their shape.
    function latestRoundData() external view {
        _returnRaw(_roundData);
    }

    /// @notice Answers with the raw bytes set by `setDecimalsData`.
    function decimals() external view {
        _returnRaw(_decimalsData);
    }

    /// @dev Only assembly can return bytes that are not ABI-encoded for the declared signature.
    function _returnRaw(bytes memory data) private pure {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(data, 32), mload(data))
        }
    }
}
