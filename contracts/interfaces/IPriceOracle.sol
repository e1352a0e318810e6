// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PriceOracle: collateral prices and the token's market price
/// @notice Collateral prices come from Chainlink AggregatorV3 feeds and are normalised to WAD USD
/// per whole unit of the asset (the feed's `decimals()` is read at each price, never cached). An
/// answer is rejected (`price` reverts with a named error) when it is older than the feed's
/// `maxAgeSec`, not positive, outside the feed's bounds, when the aggregator call fails or returns
/// malformed data, or while an L2 sequencer is down or in its grace period: the oracle fails closed.
/// An asset may have a backup feed (a second Chainlink feed, same bounds), used when the primary
/// fails. `priceInfo` adds a bounded degraded mode: without a fresh valid answer, the asset's last
/// good price with a haircut that grows with its staleness, for at most `MAX_DEGRADED_AGE_SEC`.
/// The last good price is the newest of a stale feed's last answer and the price recorded by
/// `recordPrices` (also run on each pool observation `update()` writes), so a feed that starts
/// reverting, answering garbage, a non-positive or a future-dated round still has one. An answer
/// in shape but outside the asset's bounds has none: it may be a real move the last price would hide.
/// The token's market price comes from the Uniswap V2 pool: `spot` from the current reserves and
/// `twap` from the pair's cumulative prices over `twapWindowSec`, both in WAD USD (the pool's
/// quote-asset price times the quote asset's USD price).
/// @dev Roles: DEFAULT_ADMIN_ROLE sets feeds, backup feeds, the sequencer-uptime feed and the TWAP
/// window, each bounded by hard limits. The admin can point an asset at any feed: the Timelock
/// delay in front of the admin is the control, not these bounds.
/// `update()` is permissionless: it only records the pool's cumulative price, which a same-block
/// manipulation cannot move (Uniswap V2 accumulates the previous block's price).
interface IPriceOracle {
    /// @notice A feed's configuration. `minPriceWad`/`maxPriceWad` bound the normalised answer (the
    /// backup feed's too). `decimals` is the aggregator's `decimals()` read live by `feedConfig`
    /// (0 when the call fails); pricing reads it again at each price.
    struct FeedConfig {
        address aggregator;
        uint8 decimals;
        uint32 maxAgeSec;
        uint128 minPriceWad;
        uint128 maxPriceWad;
    }

    /// @notice How usable an asset's price is: `Ok` (a fresh, valid answer from the primary or
    /// the backup feed), `Degraded` (only a stale feed's last good answer, within
    /// `MAX_DEGRADED_AGE_SEC` of going stale), `Invalid` (no usable price).
    enum PriceStatus {
        Ok,
        Degraded,
        Invalid
    }

    /// @notice An asset's price with its status. `priceWad` is the fresh price (`Ok`), the last good
    /// price (`Degraded`) or 0 (`Invalid`). `staleSinceSec` is when the degraded answer went stale
    /// (updatedAt + maxAgeSec), else 0. `haircutBps` is the degraded haircut: 0 when `Ok`, else
    /// `min(MAX_DEGRADED_HAIRCUT_BPS, ceil(DEGRADED_HAIRCUT_BPS_PER_HOUR × staleSeconds / 1 h))`.
    struct PriceInfo {
        PriceStatus status;
        uint256 priceWad;
        uint256 staleSinceSec;
        uint256 haircutBps;
    }

    /// @notice A recorded last good price: a fresh valid answer (WAD USD) and when it goes stale
    /// (its `updatedAt` plus its feed's max age): its degraded haircut counts from there.
    struct LastGoodPrice {
        uint128 priceWad;
        uint64 staleAtSec;
    }

    /// @notice A backup feed: its aggregator and max age (bounds are the primary's).
    struct BackupFeed {
        address aggregator;
        uint32 maxAgeSec;
    }

    error ZeroAddress();
    error SequencerDown(address uptimeFeed);
    error SequencerGracePeriod(uint256 upSinceSec, uint256 gracePeriodSec, uint256 nowSec);
    error InvalidSequencerGracePeriod(uint256 gracePeriodSec, uint256 minSec, uint256 maxSec);
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
    error TooManyPricedAssets(uint256 max);

    event FeedSet(address indexed asset, address indexed aggregator, uint256 maxAgeSec, uint256 minPriceWad, uint256 maxPriceWad);
    event BackupFeedSet(address indexed asset, address indexed aggregator, uint256 maxAgeSec);
    event SequencerUptimeFeedSet(address indexed uptimeFeed, uint256 gracePeriodSec);
    event TwapWindowSet(uint256 oldWindowSec, uint256 newWindowSec);
    event ObservationRecorded(uint256 indexed index, uint256 timestamp, uint256 priceCumulative);
    event LastGoodPriceRecorded(address indexed asset, uint256 priceWad, uint256 staleAtSec);

    /// @notice WAD USD price of one whole unit of `asset`. Reverts with a named error when invalid.
    function price(address asset) external view returns (uint256 priceWad);

    /// @notice Like `price` but never reverts: `ok` is false when the answer would be rejected,
    /// including a feed that reverts or returns short, empty or malformed data.
    function tryPrice(address asset) external view returns (bool ok, uint256 priceWad);

    /// @notice The asset's price and how usable it is (degraded mode); never reverts.
    function priceInfo(address asset) external view returns (PriceInfo memory info);

    /// @notice Records each priced asset's fresh valid answer as its last good price when it is
    /// newer than the one recorded (only then is it written); permissionless. Also run by `update()`
    /// when it writes an observation, at most every `LAST_GOOD_PRICE_INTERVAL_SEC`, and by `setFeed`
    /// for the new feed's asset.
    /// @return recorded How many assets got a newer last good price.
    function recordPrices() external returns (uint256 recorded);

    /// @notice `asset`'s recorded last good price (zeros when none).
    function lastGoodPrice(address asset) external view returns (LastGoodPrice memory);

    /// @notice When the feeds were last read for last good prices (`recordPrices`), seconds.
    function pricesCheckedAtSec() external view returns (uint256);

    /// @notice The token's pool price in WAD USD: `spot` now and `twap` over the configured window.
    /// Reverts when the quote asset's feed is invalid, the pool is empty, or no observation is
    /// old enough for the window (`TwapUnavailable`).
    function marketPrice() external view returns (uint256 spotWad, uint256 twapWad);

    /// @notice `marketPrice()` and `twapSpan()` in one call (one anchor search): what an operation reads.
    function marketPriceAndSpan() external view returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 windowSec);

    /// @notice `marketPriceAndSpan()` and the quote asset's USD price (WAD, `price(quoteAsset)`) both
    /// prices were converted with: an operation's whole market read, one feed read.
    function marketState()
        external
        view
        returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 windowSec, uint256 quoteUsdWad);

    /// @notice Records a pool observation if at least a quarter window passed since the last one,
    /// and with it, at most hourly, the assets' newer last good prices (`recordPrices`).
    /// Permissionless: whoever watches the pool (the keeper each cycle, an Automation
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
    function backupFeed(address asset) external view returns (BackupFeed memory);
    /// @notice The L2 sequencer-uptime feed (zero when none) and the grace period after a restart.
    function sequencerUptimeFeed() external view returns (address);
    function sequencerGracePeriodSec() external view returns (uint256);
}
