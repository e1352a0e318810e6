// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

interface IBenchMintable {
    function mint(address to, uint256 amount) external;
    function burn(uint256 amount) external;
}

/// @title What every market operation floor shares, whatever the venue: the token and quote, the
/// pool's token order, and one Chainlink read per collateral asset
/// @notice Benchmark only. Each venue's floor (BenchMarketOperationFloor on a V2 pair,
/// BenchV3OperationFloor on a V3 pool) adds its swap.
abstract contract BenchOperationFloor {
    error BadPrice(int256 answer);
    error TransferFailed();

    IERC20 public immutable token;
    IERC20 public immutable quote;
    bool internal immutable _tokenIsToken0;
    AggregatorV3Interface[] private _feeds;

    constructor(IERC20 token_, IERC20 quote_, address poolToken0, AggregatorV3Interface[] memory feeds_) {
        token = token_;
        quote = quote_;
        _tokenIsToken0 = poolToken0 == address(token_);
        _feeds = feeds_;
    }

    /// @dev Every collateral price the operation relies on, rejected when not positive.
    function _readFeeds() internal view {
        for (uint256 i = 0; i < _feeds.length; ++i) {
            (, int256 answer,,,) = _feeds[i].latestRoundData();
            if (answer <= 0) revert BadPrice(answer);
        }
    }
}
