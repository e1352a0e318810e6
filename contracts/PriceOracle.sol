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
    MIN_TWAP_WINDOW_SEC,
    MAX_TWAP_WINDOW_SEC,
    OBSERVATION_SLOTS,
    OBSERVATIONS_PER_WINDOW
} from "./libraries/Constants.sol";

/// @title PriceOracle
/// @notice See {IPriceOracle}.
/// @dev TWAP: a ring buffer of pool observations (cumulative price of the token in quote units,
/// UQ112x112 · seconds), at most one per quarter window. The TWAP runs from the newest observation
/// that is at least one window old to now, using the pair's counterfactual cumulative price (as
/// UniswapV2OracleLibrary does), so it needs no transaction in the current block.
contract PriceOracle is IPriceOracle, AccessControl {
    struct Observation {
        uint32 timestamp;
        uint256 priceCumulative;
    }

    address public immutable override pool;
    address public immutable override token;
    address public immutable override quoteAsset;
    bool private immutable _tokenIsToken0;
    /// @dev 10^tokenDecimals / 10^quoteDecimals as a fraction, to turn raw pool prices into WAD.
    uint256 private immutable _tokenUnit;
    uint256 private immutable _quoteUnit;

    uint256 public override twapWindowSec;
    mapping(address asset => FeedConfig) private _feeds;
    Observation[OBSERVATION_SLOTS] private _observations;
    uint256 private _newest;
    uint256 private _count;

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

    /// @notice Sets `asset`'s Chainlink feed. Only DEFAULT_ADMIN_ROLE.
    function setFeed(address asset, address aggregator, uint256 maxAgeSec, uint256 minPriceWad, uint256 maxPriceWad)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (asset == address(0) || aggregator == address(0)) revert ZeroAddress();
        if (
            maxAgeSec < MIN_FEED_MAX_AGE_SEC || maxAgeSec > MAX_FEED_MAX_AGE_SEC || minPriceWad == 0
                || minPriceWad >= maxPriceWad || maxPriceWad > type(uint128).max
        ) revert InvalidFeedConfig(asset, maxAgeSec, minPriceWad, maxPriceWad);
        _feeds[asset] = FeedConfig({
            aggregator: aggregator,
            decimals: AggregatorV3Interface(aggregator).decimals(),
            maxAgeSec: uint32(maxAgeSec),
            minPriceWad: uint128(minPriceWad),
            maxPriceWad: uint128(maxPriceWad)
        });
        emit FeedSet(asset, aggregator, maxAgeSec, minPriceWad, maxPriceWad);
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
        FeedConfig memory cfg = _feeds[asset];
        if (code == _NOT_SET) revert FeedNotSet(asset);
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
    function feedConfig(address asset) external view override returns (FeedConfig memory) {
        return _feeds[asset];
    }

    // ------------------------------------------------------------------ market price

    /// @inheritdoc IPriceOracle
    function marketPrice() external view override returns (uint256 spotWad, uint256 twapWad) {
        uint256 quoteUsdWad = price(quoteAsset);
        (uint256 reserveToken, uint256 reserveQuote, uint256 cumulativeNow) = _poolState();
        if (reserveToken == 0 || reserveQuote == 0) revert EmptyPool();
        spotWad = Math.mulDiv(reserveQuote * _tokenUnit, quoteUsdWad, reserveToken * _quoteUnit);

        (bool found, Observation memory anchor) = _anchor();
        if (!found) revert TwapUnavailable(_oldestAge(), twapWindowSec);
        uint256 elapsed = block.timestamp - anchor.timestamp;
        uint256 averageUq112;
        unchecked {
            // Cumulative prices overflow by design; the difference is still exact.
            averageUq112 = (cumulativeNow - anchor.priceCumulative) / elapsed;
        }
        // UQ112x112 raw price → WAD whole-unit quote price → WAD USD.
        uint256 twapQuoteWad = Math.mulDiv(averageUq112, WAD * _tokenUnit, _quoteUnit << 112);
        twapWad = Math.mulDiv(twapQuoteWad, quoteUsdWad, WAD);
    }

    /// @inheritdoc IPriceOracle
    function update() external override returns (bool recorded) {
        if (!observationDue()) return false;
        (,, uint256 cumulativeNow) = _poolState();
        uint256 index = _count == 0 ? 0 : (_newest + 1) % OBSERVATION_SLOTS;
        _observations[index] = Observation({timestamp: uint32(block.timestamp), priceCumulative: cumulativeNow});
        _newest = index;
        if (_count < OBSERVATION_SLOTS) _count++;
        emit ObservationRecorded(index, block.timestamp, cumulativeNow);
        return true;
    }

    /// @inheritdoc IPriceOracle
    function observationDue() public view override returns (bool) {
        return _count == 0 || block.timestamp >= _observations[_newest].timestamp + twapWindowSec / OBSERVATIONS_PER_WINDOW;
    }

    /// @inheritdoc IPriceOracle
    function twapSpan() external view override returns (uint256 spanSec, uint256 windowSec) {
        (bool found, Observation memory anchor) = _anchor();
        return (found ? block.timestamp - anchor.timestamp : 0, twapWindowSec);
    }

    /// @notice The newest observation (timestamp, cumulative) and how many are stored.
    function latestObservation() external view returns (uint256 timestamp, uint256 priceCumulative, uint256 count) {
        Observation memory o = _observations[_newest];
        return (o.timestamp, o.priceCumulative, _count);
    }

    // ------------------------------------------------------------------ internals

    uint8 private constant _OK = 0;
    uint8 private constant _NOT_SET = 1;
    uint8 private constant _CALL_FAILED = 2;
    uint8 private constant _STALE = 3;
    uint8 private constant _NON_POSITIVE = 4;
    uint8 private constant _OUT_OF_BOUNDS = 5;

    /// @dev One validation path for both `price` and `tryPrice`: (code, priceWad, detail).
    function _readFeed(address asset) private view returns (uint8 code, uint256 priceWad, uint256 detail) {
        FeedConfig memory cfg = _feeds[asset];
        if (cfg.aggregator == address(0)) return (_NOT_SET, 0, 0);
        try AggregatorV3Interface(cfg.aggregator).latestRoundData() returns (
            uint80, int256 answer, uint256, uint256 updatedAt, uint80
        ) {
            if (answer <= 0) return (_NON_POSITIVE, 0, uint256(answer));
            if (updatedAt > block.timestamp || block.timestamp - updatedAt > cfg.maxAgeSec) {
                return (_STALE, 0, updatedAt);
            }
            priceWad = Math.mulDiv(uint256(answer), WAD, 10 ** cfg.decimals);
            if (priceWad < cfg.minPriceWad || priceWad > cfg.maxPriceWad) return (_OUT_OF_BOUNDS, priceWad, 0);
            return (_OK, priceWad, 0);
        } catch {
            return (_CALL_FAILED, 0, 0);
        }
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

    /// @dev Newest observation at least one window old.
    function _anchor() private view returns (bool found, Observation memory anchor) {
        for (uint256 i = 0; i < _count; ++i) {
            Observation memory o = _observations[(_newest + OBSERVATION_SLOTS - i) % OBSERVATION_SLOTS];
            if (block.timestamp - o.timestamp >= twapWindowSec) return (true, o);
        }
        return (false, anchor);
    }

    function _oldestAge() private view returns (uint256) {
        if (_count == 0) return 0;
        uint256 oldest = _count < OBSERVATION_SLOTS ? 0 : (_newest + 1) % OBSERVATION_SLOTS;
        return block.timestamp - _observations[oldest].timestamp;
    }

    function _setTwapWindow(uint256 windowSec) private {
        if (windowSec < MIN_TWAP_WINDOW_SEC || windowSec > MAX_TWAP_WINDOW_SEC) {
            revert TwapWindowOutOfBounds(windowSec, MIN_TWAP_WINDOW_SEC, MAX_TWAP_WINDOW_SEC);
        }
        emit TwapWindowSet(twapWindowSec, windowSec);
        twapWindowSec = windowSec;
    }
}
