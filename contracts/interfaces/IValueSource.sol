// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IValueSource: collateral the reserve owns but does not hold (protocol-owned liquidity)
/// @notice The reserve adds `quoteAmountAt(price)` of `quoteAsset()` to that asset's accounted
/// amount when it values itself (gross and haircut value, the cache's whole passes, ratios), at the
/// price it read for that asset. It never pays a redemption from it: only idle and strategy
/// holdings are payable (see {IReserve}).
interface IValueSource {
    /// @notice The listed asset whose amount the source adds to.
    function quoteAsset() external view returns (address);

    /// @notice The asset amount (its units) the source holds, counted at the asset's oracle price
    /// `quoteUsdWad` (WAD USD per whole unit), rounded down.
    function quoteAmountAt(uint256 quoteUsdWad) external view returns (uint256 amount);
}
