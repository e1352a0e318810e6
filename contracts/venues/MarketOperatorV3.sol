// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MarketOperator} from "../MarketOperator.sol";
import {IMarketOperatorV3} from "../interfaces/IMarketOperatorV3.sol";
import {IBallastDollar} from "../interfaces/IBallastDollar.sol";
import {IPriceOracle} from "../interfaces/IPriceOracle.sol";
import {IReserve} from "../interfaces/IReserve.sol";
import {ICollateralPolicy} from "../interfaces/ICollateralPolicy.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";
import {UniswapV3Price} from "./UniswapV3Price.sol";
import {UniswapV3Quote} from "./UniswapV3Quote.sol";
import "../libraries/Constants.sol" as C;

/// @title MarketOperatorV3
/// @notice See {IMarketOperatorV3} and {IMarketOperator}.
/// @dev Overrides only the venue hooks of {MarketOperator}; every rule stays in the base. Pool
/// prices are raw (quote units per token unit) fractions `num / den`, turned into sqrt prices
/// rounded toward the trade's starting price, so a limit at the peg never lets the pool past it.
contract MarketOperatorV3 is MarketOperator, IMarketOperatorV3 {
    /// @dev Which side `uniswapV3SwapCallback` may pay: none outside an operation's swap.
    uint8 private constant _PAY_NONE = 0;
    uint8 private constant _PAY_TOKENS = 1;
    uint8 private constant _PAY_QUOTE = 2;
    /// @dev "No amount bound" for a quote: the largest input SwapMath accepts (it negates it).
    uint256 private constant _UNBOUNDED_IN = uint256(type(int256).max);

    IUniswapV3PoolMinimal private immutable _pool;
    uint24 private immutable _feePips;
    int24 private immutable _tickSpacing;
    uint8 private transient _paying;

    constructor(
        address admin,
        IBallastDollar stable_,
        IPriceOracle oracle_,
        IReserve reserve_,
        ICollateralPolicy policy_,
        Limits memory limits_,
        uint256 bandBps_,
        uint256 maxSpotTwapDeviationBps_
    ) MarketOperator(admin, stable_, oracle_, reserve_, policy_, limits_, bandBps_, maxSpotTwapDeviationBps_) {
        _pool = IUniswapV3PoolMinimal(oracle_.pool());
        _feePips = _pool.fee();
        _tickSpacing = _pool.tickSpacing();
    }

    /// @dev A V3 stable tier holds the price within a few bps by arbitrage alone (Constants.sol MIN_BAND_BPS_V3).
    function _minBandBps() internal pure override returns (uint256) {
        return C.MIN_BAND_BPS_V3;
    }

    /// @inheritdoc IMarketOperatorV3
    function pool() external view override returns (address) {
        return address(_pool);
    }

    /// @inheritdoc IMarketOperatorV3
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external override {
        if (msg.sender != address(_pool)) revert NotPool(msg.sender);
        uint8 paying = _paying;
        _paying = _PAY_NONE; // one payment per swap
        (int256 tokenOwed, int256 quoteOwed) = _tokenIsToken0 ? (amount0Delta, amount1Delta) : (amount1Delta, amount0Delta);
        if (paying == _PAY_TOKENS && tokenOwed > 0) stable.mint(address(_pool), uint256(tokenOwed));
        else if (paying == _PAY_QUOTE && quoteOwed > 0) reserve.releaseToOperator(quoteAsset, uint256(quoteOwed), address(_pool));
        else revert UnexpectedCallback();
    }

    // ================================================================== venue hooks

    /// @dev Nothing to read ahead: every hook quotes the pool's current state itself.
    function _readPool(Market memory) internal view override {}

    /// @dev The pool's oracle writes itself and a donation never joins a V3 swap: nothing to sync.
    function _syncPool(Market memory) internal override {}

    function _poolFee() internal view override returns (uint256 keepNum, uint256 feeDen) {
        return (1e6 - uint256(_feePips), 1e6);
    }

    /// @dev One walk of at most `cap`: it stops at the price or when the cap runs out, whichever comes first.
    function _inToPrice(Market memory m, bool sellToken, uint256 num, uint256 den, uint256 cap) internal view override returns (uint256 used) {
        (uint256 pegNum, uint256 pegDen) = _pegPoolPrice(m.quoteUsdWad);
        // To the peg: the limit every other quote of this operation uses, already computed once.
        uint160 limit = num == pegNum && den == pegDen ? _sqrtPeg(m, sellToken) : _sqrtLimit(sellToken, num, den);
        (used,,) = _quote(m, sellToken, Math.min(cap, _UNBOUNDED_IN), limit);
    }

    /// @dev Quoted with the swap's own limit (the peg): the last step of a trade that reaches a limit
    /// rounds differently from one that runs out of input, so only the same limit gives the same output.
    function _amountOut(Market memory m, bool sellToken, uint256 amountIn) internal view override returns (uint256 out) {
        if (amountIn == 0) return 0;
        (, out,) = _quote(m, sellToken, amountIn, _sqrtPeg(m, sellToken));
    }

    /// @dev Every unit at the limit or better: the input that moves the pool to where its last unit,
    /// fee included, trades at `num / den`.
    function _maxInAtPrice(Market memory m, bool sellToken, uint256 num, uint256 den) internal view override returns (uint256) {
        (uint256 keepNum, uint256 feeDen) = _poolFee();
        return sellToken
            ? _inToPrice(m, true, num * feeDen, den * keepNum, _UNBOUNDED_IN)
            : _inToPrice(m, false, num * keepNum, den * feeDen, _UNBOUNDED_IN);
    }

    function _poolSpotWad(Market memory) internal view override returns (uint256) {
        return _quotePerTokenWad(UniswapV3Price.spotSqrtPriceX96(_pool));
    }

    function _spotAfterWad(Market memory m, bool sellToken, uint256 tokens, uint256 quote) internal view override returns (uint256) {
        (,, uint160 sqrtAfter) = _quote(m, sellToken, sellToken ? tokens : quote, _sqrtPeg(m, sellToken));
        return Math.mulDiv(_quotePerTokenWad(sqrtAfter), m.quoteUsdWad, C.WAD);
    }

    /// @dev The last unit's price of the previewed trade (where the pool ends, fee included), less
    /// (expansion) or plus (contraction) the upkeep slippage.
    function _upkeepLimitPriceWad(Preview memory p) internal view override returns (uint256) {
        bool sellToken = p.action == Action.Expand;
        Market memory m;
        m.quoteUsdWad = oracle.price(quoteAsset);
        (,, uint160 sqrtAfter) = _quote(m, sellToken, p.amount, _sqrtPeg(m, sellToken));
        uint256 endWad = _quotePerTokenWad(sqrtAfter);
        (uint256 keepNum, uint256 feeDen) = _poolFee();
        if (sellToken) return Math.mulDiv(endWad * keepNum, C.BPS - C.UPKEEP_SLIPPAGE_BPS, feeDen * C.BPS);
        return Math.mulDiv(endWad * feeDen, C.BPS + C.UPKEEP_SLIPPAGE_BPS, keepNum * C.BPS, Math.Rounding.Ceil);
    }

    function _requireNotCrossed(Market memory before, Action action) internal view override returns (uint256 spotAfterWad) {
        uint160 sqrtAfter = before.memo.swapAfterX96;
        spotAfterWad = Math.mulDiv(_quotePerTokenWad(sqrtAfter), before.quoteUsdWad, C.WAD);
        bool sellToken = action == Action.Expand;
        uint160 sqrtPeg = _sqrtPeg(before, sellToken);
        if (_zeroForOne(sellToken) ? sqrtAfter < sqrtPeg : sqrtAfter > sqrtPeg) revert PegCrossed(spotAfterWad);
    }

    function _swapTokensForQuote(Market memory m, uint256 tokensIn, uint256) internal override returns (uint256, uint256) {
        (uint256 paid, uint256 received) = _swap(m, true, tokensIn, _PAY_TOKENS);
        return (paid, received);
    }

    function _swapQuoteForTokens(Market memory m, uint256 quoteIn, uint256) internal override returns (uint256, uint256) {
        (uint256 paid, uint256 received) = _swap(m, false, quoteIn, _PAY_QUOTE);
        return (paid, received);
    }

    /// @dev The registered value source is protocol-owned liquidity ({ILiquidityManager}): its quote
    /// at the pool's price before this swap (what the reserve's valuation counted) and after it (both
    /// recorded by `_swap`),
    /// with the same maths the liquidity manager uses ({PositionValue}, through the linked
    /// `UniswapV3Quote.sourceQuotes`), so rule 7's incremental after-state equals a whole
    /// re-valuation to the wei. A position in another pool did not move. Read once per operation:
    /// a caller reward, paid between its after-state and rule 7's, moves only the reserve's idle quote.
    function _sourceQuote(Market memory m) internal view override returns (uint256, uint256) {
        VenueMemo memory memo = m.memo;
        if (!memo.sourceRead) {
            (memo.sourceBefore, memo.sourceAfter) = UniswapV3Quote.sourceQuotes(
                reserve.valueSource(), address(_pool), quoteAsset, memo.swapBeforeX96, memo.swapAfterX96, m.quoteUsdWad
            );
            memo.sourceRead = true;
        }
        return (memo.sourceBefore, memo.sourceAfter);
    }

    // ================================================================== internals

    /// @dev An exact-input swap of `amountIn` with its price limit at the peg; returns (paid, received).
    /// Records the pool's price before and after it in `m`'s memo, read once each.
    function _swap(Market memory m, bool sellToken, uint256 amountIn, uint8 paying) private returns (uint256, uint256) {
        uint160 sqrtPeg = _sqrtPeg(m, sellToken);
        bool zeroForOne = _zeroForOne(sellToken);
        VenueMemo memory memo = m.memo;
        memo.swapBeforeX96 = UniswapV3Price.spotSqrtPriceX96(_pool);
        _paying = paying;
        (int256 amount0, int256 amount1) = _pool.swap(address(this), zeroForOne, int256(amountIn), sqrtPeg, "");
        if (_paying != _PAY_NONE) revert UnexpectedCallback(); // the pool must have been paid
        memo.swapAfterX96 = UniswapV3Price.spotSqrtPriceX96(_pool);
        memo.quotedLimitX96 = 0; // the pool moved: no quote of the old state stands
        return zeroForOne ? (uint256(amount0), uint256(-amount1)) : (uint256(amount1), uint256(-amount0));
    }

    /// @dev The peg (at `m`'s quote price) as a sqrt price limit for a trade in this direction,
    /// computed once per market read.
    function _sqrtPeg(Market memory m, bool sellToken) private view returns (uint160 sqrtPeg) {
        VenueMemo memory memo = m.memo;
        if (memo.sqrtPegX96 != 0 && memo.pegSellToken == sellToken) return memo.sqrtPegX96;
        (uint256 num, uint256 den) = _pegPoolPrice(m.quoteUsdWad);
        sqrtPeg = _sqrtLimit(sellToken, num, den);
        (memo.pegSellToken, memo.sqrtPegX96) = (sellToken, sqrtPeg);
    }

    /// @dev An exact-input quote on the pool as it is now; the last one is kept (until the swap) and
    /// answers the same quote again. A walk that reached its limit with input `used` also answers a
    /// quote of exactly `used` to that limit: that walk takes the same steps (a step that reaches
    /// its target costs the same whatever input remains, and `used` covers the last one with its
    /// fee), so the amounts are the same to the wei.
    function _quote(Market memory m, bool sellToken, uint256 amountIn, uint160 limitX96)
        private
        view
        returns (uint256 used, uint256 out, uint160 sqrtAfter)
    {
        VenueMemo memory memo = m.memo;
        if (
            memo.quotedLimitX96 == limitX96 && memo.quotedSellToken == sellToken
                && (memo.quotedIn == amountIn || (memo.quotedAfterX96 == limitX96 && memo.quotedUsed == amountIn))
        ) return (memo.quotedUsed, memo.quotedOut, memo.quotedAfterX96);
        (used, out, sqrtAfter) =
            UniswapV3Quote.exactInput(address(_pool), _feePips, _tickSpacing, _zeroForOne(sellToken), amountIn, limitX96);
        (memo.quotedSellToken, memo.quotedLimitX96, memo.quotedIn) = (sellToken, limitX96, amountIn);
        (memo.quotedUsed, memo.quotedOut, memo.quotedAfterX96) = (used, out, sqrtAfter);
    }

    /// @dev Selling token0 (or buying token1 with it) lowers the pool's raw price.
    function _zeroForOne(bool sellToken) private view returns (bool) {
        return sellToken == _tokenIsToken0;
    }

    /// @dev The sqrt price where the token trades at `num / den` quote units per token unit, rounded
    /// toward the price a trade in that direction starts from (up when the raw price falls).
    function _sqrtLimit(bool sellToken, uint256 num, uint256 den) private view returns (uint160) {
        return UniswapV3Quote.sqrtPriceAt(num, den, _tokenIsToken0, _zeroForOne(sellToken));
    }

    function _quotePerTokenWad(uint160 sqrtPriceX96) private view returns (uint256) {
        return UniswapV3Quote.quotePerTokenWad(sqrtPriceX96, _tokenIsToken0, _tokenUnit, _quoteUnit);
    }
}
