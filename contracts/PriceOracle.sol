// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IUniswapV2PairMinimal} from "./interfaces/IUniswapV2PairMinimal.sol";
import {
    WAD,
    MIN_FEED_MAX_AGE_SEC,
    MAX_FEED_MAX_AGE_SEC,
    MAX_FEED_DECIMALS,
    ROUND_DATA_BYTES,
    MAX_DEGRADED_AGE_SEC,
    DEGRADED_HAIRCUT_BPS_PER_HOUR,
    MAX_DEGRADED_HAIRCUT_BPS,
    MAX_PRICED_ASSETS,
    LAST_GOOD_PRICE_INTERVAL_SEC,
    MIN_SEQUENCER_GRACE_PERIOD_SEC,
    MAX_SEQUENCER_GRACE_PERIOD_SEC,
    MIN_TWAP_WINDOW_SEC,
    MAX_TWAP_WINDOW_SEC,
    OBSERVATION_SLOTS,
    OBSERVATIONS_PER_WINDOW
} from "./libraries/Constants.sol";

/// @title PriceOracle
/// @notice See {IPriceOracle}.
/// @dev TWAP: a ring buffer of pool observations (cumulative price of the token in quote units,
/// UQ112x112 · seconds), at most one per quarter window. Every observation's time sits in one
/// slot and the ring's index, count and window in another, so a read finds its anchor (and an
/// update learns it is not due) in two storage reads; only the anchor's cumulative is then read. The TWAP runs from the newest observation
/// that is at least one window old to now, using the pair's counterfactual cumulative price (as
/// UniswapV2OracleLibrary does), so it needs no transaction in the current block.
/// Feeds: every aggregator call is a low-level staticcall whose return data is length-checked, so
/// a feed that reverts or answers garbage makes `tryPrice`/`priceInfo` report it, never revert.
/// Last good prices are written only off the users' paths (on the pool-observation clock at most
/// hourly, by `recordPrices`, by `setFeed`) and only for a newer round; `priceInfo` reads them only
/// when no feed answers fresh, so pricing a healthy asset costs nothing more.
contract PriceOracle is IPriceOracle, AccessControl {
    /// @dev Newest observation's index, how many are stored, and the TWAP window (≤ 1 day): one slot.
    struct Ring {
        uint8 newest;
        uint8 count;
        uint32 windowSec;
    }

    address public immutable override pool;
    address public immutable override token;
    address public immutable override quoteAsset;
    bool private immutable _tokenIsToken0;
    /// @dev 10^tokenDecimals / 10^quoteDecimals as a fraction, to turn raw pool prices into WAD.
    uint256 private immutable _tokenUnit;
    uint256 private immutable _quoteUnit;

    /// @dev A feed as stored: what a price read needs in two slots. `sequencerChecked` mirrors
    /// `sequencerUptimeFeed != 0` for every priced asset (kept by `setFeed` and
    /// `setSequencerUptimeFeed`), so a read without an uptime feed loads no global slot.
    struct StoredFeed {
        address aggregator;
        uint32 maxAgeSec;
        bool sequencerChecked;
        uint128 minPriceWad;
        uint128 maxPriceWad;
    }

    Ring private _ring;
    mapping(address asset => StoredFeed) private _feeds;
    mapping(address asset => BackupFeed) private _backups;
    mapping(address asset => LastGoodPrice) private _lastGood;
    /// @dev Every asset that ever had a feed, in order: whose last good prices `recordPrices` keeps.
    address[] private _pricedAssets;
    uint256 public override pricesCheckedAtSec;
    address public override sequencerUptimeFeed;
    uint256 public override sequencerGracePeriodSec;
    /// @dev Each observation's time (packed: eight to a slot) and cumulative price, by ring index.
    uint32[OBSERVATION_SLOTS] private _observedAt;
    uint256[OBSERVATION_SLOTS] private _cumulatives;

    constructor(address admin, address pool_, address token_, address quoteAsset_, uint256 twapWindowSec_) {
        if (admin == address(0) || pool_ == address(0) || token_ == address(0) || quoteAsset_ == address(0)) {
            revert ZeroAddress();
        }
        address t0 = IUniswapV2PairMinimal(pool_).token0();
        address t1 = IUniswapV2PairMinimal(pool_).token1();
        if (!((t0 == token_ && t1 == quoteAsset_) || (t0 == quoteAsset_ && t1 == token_))) {
            revert PoolTokenMismatch(pool_, token_, quoteAsset_);
        }
        pool = pool_;
        token = token_;
        quoteAsset = quoteAsset_;
        _tokenIsToken0 = t0 == token_;
        _tokenUnit = 10 ** IERC20Metadata(token_).decimals();
        _quoteUnit = 10 ** IERC20Metadata(quoteAsset_).decimals();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setTwapWindow(twapWindowSec_);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets `asset`'s Chainlink feed. Only DEFAULT_ADMIN_ROLE. Its `decimals()` must answer.
    function setFeed(address asset, address aggregator, uint256 maxAgeSec, uint256 minPriceWad, uint256 maxPriceWad)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (asset == address(0) || aggregator == address(0)) revert ZeroAddress();
        if (
            maxAgeSec < MIN_FEED_MAX_AGE_SEC || maxAgeSec > MAX_FEED_MAX_AGE_SEC || minPriceWad == 0
                || minPriceWad >= maxPriceWad || maxPriceWad > type(uint128).max
        ) revert InvalidFeedConfig(asset, maxAgeSec, minPriceWad, maxPriceWad);
        _requireDecimals(asset, aggregator);
        if (_feeds[asset].aggregator == address(0)) {
            if (_pricedAssets.length >= MAX_PRICED_ASSETS) revert TooManyPricedAssets(MAX_PRICED_ASSETS);
            _pricedAssets.push(asset);
        }
        // Decimals are not stored: they are read at each price (a feed may be migrated).
        _feeds[asset] = StoredFeed({
            aggregator: aggregator,
            maxAgeSec: uint32(maxAgeSec),
            sequencerChecked: sequencerUptimeFeed != address(0),
            minPriceWad: uint128(minPriceWad),
            maxPriceWad: uint128(maxPriceWad)
        });
        emit FeedSet(asset, aggregator, maxAgeSec, minPriceWad, maxPriceWad);
        // The last good price belongs to the asset, not to a feed: a newer answer replaces it, and
        // `priceInfo` drops one outside the new bounds.
        _recordPrice(asset);
    }

    /// @notice Sets `asset`'s backup feed (zero aggregator removes it), used when the primary fails;
    /// the primary's price bounds apply. Only DEFAULT_ADMIN_ROLE; the primary must be set.
    function setBackupFeed(address asset, address aggregator, uint256 maxAgeSec) external onlyRole(DEFAULT_ADMIN_ROLE) {
        StoredFeed memory cfg = _feeds[asset];
        if (cfg.aggregator == address(0)) revert FeedNotSet(asset);
        if (aggregator != address(0)) {
            if (maxAgeSec < MIN_FEED_MAX_AGE_SEC || maxAgeSec > MAX_FEED_MAX_AGE_SEC) {
                revert InvalidFeedConfig(asset, maxAgeSec, cfg.minPriceWad, cfg.maxPriceWad);
            }
            _requireDecimals(asset, aggregator);
        } else {
            maxAgeSec = 0;
        }
        _backups[asset] = BackupFeed({aggregator: aggregator, maxAgeSec: uint32(maxAgeSec)});
        emit BackupFeedSet(asset, aggregator, maxAgeSec);
    }

    /// @notice Sets the L2 sequencer-uptime feed (Chainlink's shape: answer 0 = up, `startedAt` =
    /// when that status began) and the grace period after a restart; zero feed disables the check.
    /// While the sequencer is down, and for `gracePeriodSec` after it is back, no price is served.
    function setSequencerUptimeFeed(address uptimeFeed, uint256 gracePeriodSec) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (uptimeFeed == address(0)) {
            gracePeriodSec = 0;
        } else if (gracePeriodSec < MIN_SEQUENCER_GRACE_PERIOD_SEC || gracePeriodSec > MAX_SEQUENCER_GRACE_PERIOD_SEC) {
            revert InvalidSequencerGracePeriod(gracePeriodSec, MIN_SEQUENCER_GRACE_PERIOD_SEC, MAX_SEQUENCER_GRACE_PERIOD_SEC);
        }
        sequencerUptimeFeed = uptimeFeed;
        sequencerGracePeriodSec = gracePeriodSec;
        bool checked = uptimeFeed != address(0);
        uint256 n = _pricedAssets.length;
        for (uint256 i = 0; i < n; ++i) {
            _feeds[_pricedAssets[i]].sequencerChecked = checked;
        }
        emit SequencerUptimeFeedSet(uptimeFeed, gracePeriodSec);
    }

    /// @notice Sets the TWAP window in seconds, within [MIN_TWAP_WINDOW_SEC, MAX_TWAP_WINDOW_SEC].
    function setTwapWindow(uint256 windowSec) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTwapWindow(windowSec);
    }

    // ------------------------------------------------------------------ collateral prices

    /// @inheritdoc IPriceOracle
    function price(address asset) public view override returns (uint256 priceWad) {
        (uint8 code, uint256 value, uint256 detail) = _readFeed(asset);
        if (code == _OK) return value;
        StoredFeed memory cfg = _feeds[asset];
        if (code == _NOT_SET) revert FeedNotSet(asset);
        if (code == _SEQUENCER_DOWN) revert SequencerDown(sequencerUptimeFeed);
        if (code == _SEQUENCER_GRACE) revert SequencerGracePeriod(detail, sequencerGracePeriodSec, block.timestamp);
        if (code == _CALL_FAILED) revert FeedCallFailed(asset, cfg.aggregator);
        if (code == _STALE) revert StalePrice(asset, detail, cfg.maxAgeSec, block.timestamp);
        if (code == _NON_POSITIVE) revert NonPositivePrice(asset, int256(detail));
        revert PriceOutOfBounds(asset, value, cfg.minPriceWad, cfg.maxPriceWad);
    }

    /// @inheritdoc IPriceOracle
    function tryPrice(address asset) external view override returns (bool ok, uint256 priceWad) {
        (uint8 code, uint256 value,) = _readFeed(asset);
        return code == _OK ? (true, value) : (false, 0);
    }

    /// @inheritdoc IPriceOracle
    function priceInfo(address asset) external view override returns (PriceInfo memory info) {
        StoredFeed memory cfg = _feeds[asset];
        if (cfg.aggregator == address(0)) return _invalid();
        if (cfg.sequencerChecked) {
            (uint8 seqCode,) = _sequencerCode();
            if (seqCode != _OK) return _invalid();
        }
        (uint8 code, uint256 value, uint256 detail) = _readSource(cfg.aggregator, cfg.maxAgeSec, cfg);
        if (code == _OK) return PriceInfo(PriceStatus.Ok, value, 0, 0);
        // The last good price: the newest of either feed's stale-but-valid answer and the recorded one.
        bool outOfBounds = code == _OUT_OF_BOUNDS;
        uint256 staleAt;
        if (code == _STALE && value != 0) (info.priceWad, staleAt) = (value, detail + cfg.maxAgeSec);
        BackupFeed memory backup = _backups[asset];
        if (backup.aggregator != address(0)) {
            (code, value, detail) = _readSource(backup.aggregator, backup.maxAgeSec, cfg);
            if (code == _OK) return PriceInfo(PriceStatus.Ok, value, 0, 0);
            outOfBounds = outOfBounds || code == _OUT_OF_BOUNDS;
            if (code == _STALE && value != 0 && detail + backup.maxAgeSec > staleAt) {
                (info.priceWad, staleAt) = (value, detail + backup.maxAgeSec);
            }
        }
        LastGoodPrice memory last = _lastGood[asset];
        if (last.staleAtSec > staleAt && last.priceWad >= cfg.minPriceWad && last.priceWad <= cfg.maxPriceWad) {
            (info.priceWad, staleAt) = (last.priceWad, last.staleAtSec);
        }
        // A recorded price may still be within its max age: no haircut yet, but no fresh feed either.
        uint256 staleSec = block.timestamp > staleAt ? block.timestamp - staleAt : 0;
        if (outOfBounds || info.priceWad == 0 || staleSec > MAX_DEGRADED_AGE_SEC) return _invalid();
        info.status = PriceStatus.Degraded;
        info.staleSinceSec = staleAt;
        info.haircutBps = degradedHaircutBps(staleSec);
    }

    /// @inheritdoc IPriceOracle
    function recordPrices() external override returns (uint256 recorded) {
        return _recordPrices(false);
    }

    /// @inheritdoc IPriceOracle
    function lastGoodPrice(address asset) external view override returns (LastGoodPrice memory) {
        return _lastGood[asset];
    }

    /// @notice The degraded-mode haircut after `staleSec` seconds past the max age, bps:
    /// `min(MAX_DEGRADED_HAIRCUT_BPS, ceil(DEGRADED_HAIRCUT_BPS_PER_HOUR × staleSec / 1 h))`.
    function degradedHaircutBps(uint256 staleSec) public pure returns (uint256) {
        return Math.min(MAX_DEGRADED_HAIRCUT_BPS, Math.ceilDiv(DEGRADED_HAIRCUT_BPS_PER_HOUR * staleSec, 1 hours));
    }

    /// @inheritdoc IPriceOracle
    function feedConfig(address asset) external view override returns (FeedConfig memory cfg) {
        StoredFeed memory stored = _feeds[asset];
        cfg = FeedConfig(stored.aggregator, 0, stored.maxAgeSec, stored.minPriceWad, stored.maxPriceWad);
        if (cfg.aggregator == address(0)) return cfg;
        (bool ok, uint256 decimals) = _decimals(cfg.aggregator);
        if (ok) cfg.decimals = uint8(decimals);
    }

    /// @inheritdoc IPriceOracle
    function backupFeed(address asset) external view override returns (BackupFeed memory) {
        return _backups[asset];
    }

    // ------------------------------------------------------------------ market price

    /// @inheritdoc IPriceOracle
    function marketPrice() external view override returns (uint256 spotWad, uint256 twapWad) {
        (spotWad, twapWad,,) = _marketPrice();
    }

    /// @inheritdoc IPriceOracle
    function marketPriceAndSpan()
        external
        view
        override
        returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 windowSec)
    {
        (spotWad, twapWad, spanSec,) = _marketPrice();
        windowSec = twapWindowSec();
    }

    /// @inheritdoc IPriceOracle
    function marketState()
        external
        view
        override
        returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 windowSec, uint256 quoteUsdWad)
    {
        (spotWad, twapWad, spanSec, quoteUsdWad) = _marketPrice();
        windowSec = twapWindowSec();
    }

    /// @inheritdoc IPriceOracle
    function twapWindowSec() public view override returns (uint256) {
        return _ring.windowSec;
    }

    /// @dev (spot, twap, the TWAP's span, the quote's USD price they were converted with): one
    /// anchor search and one quote feed read for every public view.
    function _marketPrice() internal view virtual returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 quoteUsdWad) {
        quoteUsdWad = price(quoteAsset);
        (uint256 reserveToken, uint256 reserveQuote, uint256 cumulativeNow) = _poolState();
        if (reserveToken == 0 || reserveQuote == 0) revert EmptyPool();
        spotWad = Math.mulDiv(reserveQuote * _tokenUnit, quoteUsdWad, reserveToken * _quoteUnit);

        (bool found, uint256 anchorAt, uint256 anchorCumulative) = _anchor();
        if (!found) revert TwapUnavailable(_oldestAge(), twapWindowSec());
        spanSec = block.timestamp - anchorAt;
        uint256 averageUq112;
        unchecked {
            // Cumulative prices overflow by design; the difference is still exact.
            averageUq112 = (cumulativeNow - anchorCumulative) / spanSec;
        }
        // UQ112x112 raw price → WAD whole-unit quote price → WAD USD.
        uint256 twapQuoteWad = Math.mulDiv(averageUq112, WAD * _tokenUnit, _quoteUnit << 112);
        twapWad = Math.mulDiv(twapQuoteWad, quoteUsdWad, WAD);
    }

    /// @inheritdoc IPriceOracle
    function update() external virtual override returns (bool recorded) {
        Ring memory ring = _ring;
        if (!_due(ring)) return false;
        (,, uint256 cumulativeNow) = _poolState();
        uint256 index = ring.count == 0 ? 0 : (ring.newest + 1) % OBSERVATION_SLOTS;
        _observedAt[index] = uint32(block.timestamp);
        _cumulatives[index] = cumulativeNow;
        ring.newest = uint8(index);
        if (ring.count < OBSERVATION_SLOTS) ring.count++;
        _ring = ring;
        emit ObservationRecorded(index, block.timestamp, cumulativeNow);
        _recordPrices(true);
        return true;
    }

    /// @inheritdoc IPriceOracle
    function observationDue() public view virtual override returns (bool) {
        return _due(_ring);
    }

    /// @inheritdoc IPriceOracle
    function twapSpan() external view virtual override returns (uint256 spanSec, uint256 windowSec) {
        (bool found, uint256 anchorAt,) = _anchor();
        return (found ? block.timestamp - anchorAt : 0, twapWindowSec());
    }

    /// @notice The newest observation (timestamp, cumulative) and how many are stored.
    function latestObservation() external view returns (uint256 timestamp, uint256 priceCumulative, uint256 count) {
        Ring memory ring = _ring;
        return (_observedAt[ring.newest], _cumulatives[ring.newest], ring.count);
    }

    // ------------------------------------------------------------------ internals

    uint8 private constant _OK = 0;
    uint8 private constant _NOT_SET = 1;
    uint8 private constant _CALL_FAILED = 2;
    uint8 private constant _STALE = 3;
    uint8 private constant _NON_POSITIVE = 4;
    uint8 private constant _OUT_OF_BOUNDS = 5;
    uint8 private constant _SEQUENCER_DOWN = 6;
    uint8 private constant _SEQUENCER_GRACE = 7;

    /// @dev One validation path for `price`, `tryPrice` and the recording of last good prices: the
    /// sequencer, then the primary feed, then the backup; the primary's failure is the one
    /// reported. (code, priceWad, detail); an ok answer's detail is when it goes stale.
    function _readFeed(address asset) private view returns (uint8 code, uint256 priceWad, uint256 detail) {
        StoredFeed memory cfg = _feeds[asset];
        if (cfg.aggregator == address(0)) return (_NOT_SET, 0, 0);
        if (cfg.sequencerChecked) {
            (code, detail) = _sequencerCode();
            if (code != _OK) return (code, 0, detail);
        }
        (code, priceWad, detail) = _readSource(cfg.aggregator, cfg.maxAgeSec, cfg);
        if (code == _OK) return (code, priceWad, detail + cfg.maxAgeSec);
        BackupFeed memory backup = _backups[asset];
        if (backup.aggregator == address(0)) return (code, code == _STALE ? 0 : priceWad, detail);
        (uint8 backupCode, uint256 backupPrice, uint256 backupUpdatedAt) = _readSource(backup.aggregator, backup.maxAgeSec, cfg);
        if (backupCode == _OK) return (_OK, backupPrice, backupUpdatedAt + backup.maxAgeSec);
        return (code, code == _STALE ? 0 : priceWad, detail);
    }

    /// @dev Records `asset`'s fresh valid answer as its last good price if it goes stale later than
    /// the recorded one (a newer round); otherwise nothing is written.
    function _recordPrice(address asset) private returns (bool recorded) {
        (uint8 code, uint256 priceWad, uint256 staleAtSec) = _readFeed(asset);
        if (code != _OK || staleAtSec <= _lastGood[asset].staleAtSec) return false;
        // Fits: priceWad ≤ maxPriceWad ≤ uint128 max; staleAtSec ≤ now + MAX_FEED_MAX_AGE_SEC.
        _lastGood[asset] = LastGoodPrice({priceWad: uint128(priceWad), staleAtSec: uint64(staleAtSec)});
        emit LastGoodPriceRecorded(asset, priceWad, staleAtSec);
        return true;
    }

    /// @dev Every priced asset's feed; on the observation clock at most once an hour.
    function _recordPrices(bool onClock) private returns (uint256 recorded) {
        if (onClock && block.timestamp < pricesCheckedAtSec + LAST_GOOD_PRICE_INTERVAL_SEC) return 0;
        pricesCheckedAtSec = block.timestamp;
        uint256 n = _pricedAssets.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_recordPrice(_pricedAssets[i])) ++recorded;
        }
    }

    function _invalid() private pure returns (PriceInfo memory) {
        return PriceInfo(PriceStatus.Invalid, 0, 0, 0);
    }

    /// @dev One aggregator against the asset's bounds: (code, priceWad, detail). A fresh or stale
    /// answer that is positive and in bounds comes back with its price (a stale one's is the last
    /// good price) and `updatedAt` as detail; a non-positive one with the answer as detail.
    function _readSource(address aggregator, uint256 maxAgeSec, StoredFeed memory cfg)
        private
        view
        returns (uint8 code, uint256 priceWad, uint256 detail)
    {
        (bool ok, int256 answer,, uint256 updatedAt) = _roundData(aggregator);
        if (!ok) return (_CALL_FAILED, 0, 0);
        (bool decimalsOk, uint256 decimals) = _decimals(aggregator);
        if (!decimalsOk) return (_CALL_FAILED, 0, 0);
        if (answer <= 0) return (_NON_POSITIVE, 0, uint256(answer));
        if (updatedAt > block.timestamp) return (_STALE, 0, updatedAt);
        priceWad = Math.mulDiv(uint256(answer), WAD, 10 ** decimals);
        if (priceWad < cfg.minPriceWad || priceWad > cfg.maxPriceWad) return (_OUT_OF_BOUNDS, priceWad, 0);
        if (block.timestamp - updatedAt > maxAgeSec) return (_STALE, priceWad, updatedAt);
        return (_OK, priceWad, updatedAt);
    }

    /// @dev Chainlink's L2 sequencer-uptime feed: answer 0 = up since `startedAt`. A feed that
    /// fails, answers anything else or has no start time counts as down (fail closed).
    function _sequencerCode() private view returns (uint8 code, uint256 upSinceSec) {
        address uptimeFeed = sequencerUptimeFeed;
        if (uptimeFeed == address(0)) return (_OK, 0);
        (bool ok, int256 answer, uint256 startedAt,) = _roundData(uptimeFeed);
        if (!ok || answer != 0 || startedAt == 0) return (_SEQUENCER_DOWN, 0);
        if (block.timestamp < startedAt + sequencerGracePeriodSec) return (_SEQUENCER_GRACE, startedAt);
        return (_OK, 0);
    }

    /// @dev `latestRoundData()` by staticcall: a revert, or return data shorter than five words,
    /// is reported as not ok instead of reverting. Words are decoded as full-width integers, so
    /// dirty high bits in the uint80 fields cannot make the decoding revert.
    function _roundData(address aggregator)
        private
        view
        returns (bool ok, int256 answer, uint256 startedAt, uint256 updatedAt)
    {
        bytes memory data;
        (ok, data) = aggregator.staticcall(abi.encodeCall(AggregatorV3Interface.latestRoundData, ()));
        if (!ok || data.length < ROUND_DATA_BYTES) return (false, 0, 0, 0);
        (, answer, startedAt, updatedAt) = abi.decode(data, (uint256, int256, uint256, uint256));
    }

    /// @dev `decimals()` by staticcall, read at each price; more than MAX_FEED_DECIMALS is malformed.
    function _decimals(address aggregator) private view returns (bool ok, uint256 decimals) {
        bytes memory data;
        (ok, data) = aggregator.staticcall(abi.encodeCall(AggregatorV3Interface.decimals, ()));
        if (!ok || data.length < 32) return (false, 0);
        decimals = abi.decode(data, (uint256));
        if (decimals > MAX_FEED_DECIMALS) return (false, 0);
    }

    function _requireDecimals(address asset, address aggregator) private view {
        (bool ok,) = _decimals(aggregator);
        if (!ok) revert FeedCallFailed(asset, aggregator);
    }

    /// @dev Reserves oriented (token, quote) and the token's counterfactual cumulative price now.
    function _poolState() private view returns (uint256 reserveToken, uint256 reserveQuote, uint256 cumulative) {
        IUniswapV2PairMinimal pair = IUniswapV2PairMinimal(pool);
        (uint112 r0, uint112 r1, uint32 last) = pair.getReserves();
        (reserveToken, reserveQuote) = _tokenIsToken0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        cumulative = _tokenIsToken0 ? pair.price0CumulativeLast() : pair.price1CumulativeLast();
        unchecked {
            uint32 elapsed = uint32(block.timestamp) - last;
            if (elapsed != 0 && reserveToken != 0) {
                // Same accumulation the pair performs on its next update: UQ112x112 price × seconds.
                cumulative += ((reserveQuote << 112) / reserveToken) * elapsed;
            }
        }
    }

    /// @dev A quarter window has passed since the newest observation (or there is none).
    function _due(Ring memory ring) private view returns (bool) {
        return ring.count == 0 || block.timestamp >= uint256(_observedAt[ring.newest]) + ring.windowSec / OBSERVATIONS_PER_WINDOW;
    }

    /// @dev Newest observation at least one window old: its time and cumulative price.
    function _anchor() private view returns (bool found, uint256 anchorAt, uint256 anchorCumulative) {
        Ring memory ring = _ring;
        for (uint256 i = 0; i < ring.count; ++i) {
            uint256 index = (ring.newest + OBSERVATION_SLOTS - i) % OBSERVATION_SLOTS;
            uint256 at = _observedAt[index];
            if (block.timestamp - at >= ring.windowSec) return (true, at, _cumulatives[index]);
        }
    }

    function _oldestAge() private view returns (uint256) {
        Ring memory ring = _ring;
        if (ring.count == 0) return 0;
        uint256 oldest = ring.count < OBSERVATION_SLOTS ? 0 : (ring.newest + 1) % OBSERVATION_SLOTS;
        return block.timestamp - _observedAt[oldest];
    }

    function _setTwapWindow(uint256 windowSec) private {
        if (windowSec < MIN_TWAP_WINDOW_SEC || windowSec > MAX_TWAP_WINDOW_SEC) {
            revert TwapWindowOutOfBounds(windowSec, MIN_TWAP_WINDOW_SEC, MAX_TWAP_WINDOW_SEC);
        }
        emit TwapWindowSet(_ring.windowSec, windowSec);
        // Fits: at most MAX_TWAP_WINDOW_SEC (one day).
        _ring.windowSec = uint32(windowSec);
    }
}
