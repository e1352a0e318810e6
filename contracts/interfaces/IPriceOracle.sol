// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PriceOracle: collateral prices and the token's market price
/// @notice Collateral prices come from Chainlink AggregatorV3 feeds and are normalised to WAD USD
/// per whole unit of the asset. An answer is rejected (the call reverts with a named error) when
/// it is older than the feed's `maxAgeSec`, not positive, outside the feed's bounds, or when the
/// aggregator call itself fails: the oracle fails closed.
/// The token's market price comes from the Uniswap V2 pool: `spot` from the current reserves and
/// `twap` from the pair's cumulative prices over `twapWindowSec`, both in WAD USD (the pool's
/// quote-asset price times the quote asset's USD price).
/// @dev Roles: DEFAULT_ADMIN_ROLE sets feeds and the TWAP window, each bounded by hard limits.
/// `update()` is permissionless: it only records the pool's cumulative price, which a same-block
/// manipulation cannot move (Uniswap V2 accumulates the previous block's price).
interface IPriceOracle {
    /// @notice A feed's configuration. `minPriceWad`/`maxPriceWad` bound the normalised answer.
    struct FeedConfig {
        address aggregator;
        uint8 decimals;
        uint32 maxAgeSec;
        uint128 minPriceWad;
        uint128 maxPriceWad;
    }

    error ZeroAddress();
    error FeedNotSet(address asset);
    error FeedCallFailed(address asset, address aggregator);
    error StalePrice(address asset, uint256 updatedAt, uint256 maxAgeSec, uint256 nowSec);
    error NonPositivePrice(address asset, int256 answer);
    error PriceOutOfBounds(address asset, uint256 priceWad, uint256 minPriceWad, uint256 maxPriceWad);
    error InvalidFeedConfig(address asset, uint256 maxAgeSec, uint256 minPriceWad, uint256 maxPriceWad);
    error TwapWindowOutOfBounds(uint256 windowSec, uint256 minSec, uint256 maxSec);
    error TwapUnavailable(uint256 oldestObservationAgeSec, uint256 windowSec);
    error EmptyPool();
    error PoolTokenMismatch(address pool, address token, address quoteAsset);

    event FeedSet(address indexed asset, address indexed aggregator, uint256 maxAgeSec, uint256 minPriceWad, uint256 maxPriceWad);
    event TwapWindowSet(uint256 oldWindowSec, uint256 newWindowSec);
    event ObservationRecorded(uint256 indexed index, uint256 timestamp, uint256 priceCumulative);

    /// @notice WAD USD price of one whole unit of `asset`. Reverts with a named error when invalid.
    function price(address asset) external view returns (uint256 priceWad);

    /// @notice Like `price` but never reverts: `ok` is false when the answer would be rejected.
    function tryPrice(address asset) external view returns (bool ok, uint256 priceWad);

    /// @notice The token's pool price in WAD USD: `spot` now and `twap` over the configured window.
    /// Reverts when the quote asset's feed is invalid, the pool is empty, or no observation is
    /// old enough for the window (`TwapUnavailable`).
    function marketPrice() external view returns (uint256 spotWad, uint256 twapWad);

    /// @notice Records a pool observation if at least a quarter window passed since the last one.
    /// Permissionless and cheap: whoever watches the pool (the keeper each cycle, an Automation
    /// upkeep, `CollateralPolicy.refresh()`, an operation) keeps the ring on its clock.
    /// @return recorded Whether a new observation was written.
    function update() external returns (bool recorded);

    /// @notice True when `update()` would record an observation now.
    function observationDue() external view returns (bool);

    /// @notice How long the TWAP returned by `marketPrice()` now averages over, seconds (the age of
    /// its anchor observation; 0 when no observation is old enough), and the configured window.
    /// With observations on their schedule `spanSec` stays within 1.25 windows; a span beyond
    /// `MAX_TWAP_SPAN_WINDOWS` windows means the ring went quiet and the average covers the gap:
    /// consumers treat that TWAP as stale rather than as a window's average.
    function twapSpan() external view returns (uint256 spanSec, uint256 windowSec);

    /// @notice The pool, the token and its quote asset this oracle prices.
    function pool() external view returns (address);
    function token() external view returns (address);
    function quoteAsset() external view returns (address);
    function twapWindowSec() external view returns (uint256);
    function feedConfig(address asset) external view returns (FeedConfig memory);
}
