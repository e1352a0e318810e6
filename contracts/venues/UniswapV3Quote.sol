// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FullMath} from "@uniswap/v4-core/src/libraries/FullMath.sol";
import {BitMath} from "@uniswap/v4-core/src/libraries/BitMath.sol";
import {LiquidityMath} from "@uniswap/v4-core/src/libraries/LiquidityMath.sol";
import {SwapMath} from "@uniswap/v4-core/src/libraries/SwapMath.sol";
import {TickBitmap} from "@uniswap/v4-core/src/libraries/TickBitmap.sol";
import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";
import {UniswapV3Price} from "./UniswapV3Price.sol";
import {PositionValue} from "./PositionValue.sol";
import {ILiquidityManager} from "../interfaces/ILiquidityManager.sol";

/// @title UniswapV3Quote: what a Uniswap V3 swap would do, read from the pool without trading
/// @notice Runs the pool's exact-input swap loop over the pool's own state (`slot0`, `liquidity`, the
/// tick bitmap and each crossed tick's `liquidityNet`) with the same steps the pool takes: one step
/// per initialized tick or bitmap word, the same rounding (`SwapMath.computeSwapStep`), the same
/// liquidity crossings. So within one transaction its result equals the pool's `swap` to the wei,
/// and a view (`preview()`, `checkUpkeep`) can size a trade that crosses any number of ticks.
/// The protocol fee, when on, takes a share of the fee only: it changes no amount.
/// @dev Public functions: the library is deployed once and linked, which keeps the tick maths out
/// of the operator's bytecode.
library UniswapV3Quote {
    uint256 private constant _Q192 = 1 << 192;

    /// @notice An exact-input swap on `pool` (a Uniswap V3 pool) of up to `amountIn` that stops at `sqrtPriceLimitX96`.
    /// @param zeroForOne Token0 in (the price falls) or token1 in (it rises).
    /// @return used Input the pool would take, fee included (≤ `amountIn`; less when the limit stops it).
    /// @return amountOut Output the pool would pay.
    /// @return sqrtPriceAfterX96 The pool's price after the swap.
    /// A limit on the wrong side of the price (or at it) quotes nothing: (0, 0, price).
    function exactInput(
        address pool,
        uint24 feePips,
        int24 tickSpacing,
        bool zeroForOne,
        uint256 amountIn,
        uint160 sqrtPriceLimitX96
    ) public view returns (uint256 used, uint256 amountOut, uint160 sqrtPriceAfterX96) {
        Walk memory w = Walk(IUniswapV3PoolMinimal(pool), feePips, tickSpacing, zeroForOne, sqrtPriceLimitX96, 0, 0, 0, -int256(amountIn), 0);
        (w.sqrtPriceX96, w.tick,,,,,) = w.pool.slot0();
        if (zeroForOne ? sqrtPriceLimitX96 >= w.sqrtPriceX96 : sqrtPriceLimitX96 <= w.sqrtPriceX96) {
            return (0, 0, w.sqrtPriceX96);
        }
        w.liquidity = w.pool.liquidity();
        while (w.remaining != 0 && w.sqrtPriceX96 != sqrtPriceLimitX96) {
            _step(w);
        }
        return (uint256(int256(amountIn) + w.remaining), w.amountOut, w.sqrtPriceX96);
    }

    /// @notice The sqrt price (Q64.96) at which the token trades at `num / den` quote units per token
    /// unit, for a token that is token0 or token1 of the pool, inside the pool's open price range
    /// (MIN_SQRT_PRICE, MAX_SQRT_PRICE). `roundUp`: round up (a limit for a trade that lowers the raw
    /// price, so it never passes the exact price), else down.
    function sqrtPriceAt(uint256 num, uint256 den, bool tokenIsToken0, bool roundUp) public pure returns (uint160) {
        (uint256 n, uint256 d) = tokenIsToken0 ? (num, den) : (den, num);
        // Raw prices of 2^64 and beyond are far outside any pool Ballast trades on: clamp.
        if (n >= d << 64) return TickMath.MAX_SQRT_PRICE - 1;
        uint256 ratioX192 = roundUp ? FullMath.mulDivRoundingUp(n, _Q192, d) : FullMath.mulDiv(n, _Q192, d);
        uint256 sqrtP = Math.sqrt(ratioX192, roundUp ? Math.Rounding.Ceil : Math.Rounding.Floor);
        if (sqrtP <= TickMath.MIN_SQRT_PRICE) return TickMath.MIN_SQRT_PRICE + 1;
        if (sqrtP >= TickMath.MAX_SQRT_PRICE) return TickMath.MAX_SQRT_PRICE - 1;
        return uint160(sqrtP);
    }

    /// @notice {PositionValue.quoteAmount} of `p` at two pool prices (before and after a swap), with
    /// the peg at the quote price `quoteUsdWad`: linked rather than inlined, for the operator's size.
    function positionQuotes(PositionValue.Position memory p, uint160 spotBeforeX96, uint160 spotAfterX96, uint256 quoteUsdWad)
        public
        pure
        returns (uint256 before, uint256 after_)
    {
        return PositionValue.quoteAmounts(p, spotBeforeX96, spotAfterX96, PositionValue.sqrtPegX96(p, quoteUsdWad));
    }

    /// @notice What a reserve's value source `source` (protocol-owned liquidity, {ILiquidityManager};
    /// zero: none) counts of `quoteAsset` before and after a swap on `pool` that moved its price from
    /// `sqrtBeforeX96` to `sqrtAfterX96`: its position valued at both prices ({positionQuotes}). A
    /// position in another pool did not move; one counted in another asset counts nothing here.
    function sourceQuotes(
        address source,
        address pool,
        address quoteAsset,
        uint160 sqrtBeforeX96,
        uint160 sqrtAfterX96,
        uint256 quoteUsdWad
    ) public view returns (uint256 before, uint256 after_) {
        if (source == address(0)) return (0, 0);
        PositionValue.Position memory p = ILiquidityManager(source).position();
        if (p.quoteAsset != quoteAsset) return (0, 0);
        if (p.pool != pool) sqrtBeforeX96 = sqrtAfterX96 = UniswapV3Price.spotSqrtPriceX96(IUniswapV3PoolMinimal(p.pool));
        return positionQuotes(p, sqrtBeforeX96, sqrtAfterX96, quoteUsdWad);
    }

    /// @notice {UniswapV3Price.quotePerTokenWad}, linked rather than inlined (an operator's bytecode
    /// is near the size limit).
    function quotePerTokenWad(uint160 sqrtPriceX96, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit)
        public
        pure
        returns (uint256)
    {
        return UniswapV3Price.quotePerTokenWad(sqrtPriceX96, tokenIsToken0, tokenUnit, quoteUnit);
    }

    /// @dev The swap's parameters and running state, as the pool keeps it. `remaining` follows
    /// SwapMath's sign convention: negative is exact input.
    struct Walk {
        IUniswapV3PoolMinimal pool;
        uint24 feePips;
        int24 tickSpacing;
        bool zeroForOne;
        uint160 sqrtPriceLimitX96;
        uint160 sqrtPriceX96;
        int24 tick;
        uint128 liquidity;
        int256 remaining;
        uint256 amountOut;
    }

    /// @dev One step of the pool's loop: to the next initialized tick, the word's end or the limit,
    /// then across the tick when the step reached it.
    function _step(Walk memory w) private view {
        uint160 start = w.sqrtPriceX96;
        (int24 next, bool initialized) = _nextInitializedTickWithinOneWord(w.pool, w.tick, w.tickSpacing, w.zeroForOne);
        if (next < TickMath.MIN_TICK) next = TickMath.MIN_TICK;
        else if (next > TickMath.MAX_TICK) next = TickMath.MAX_TICK;
        uint160 sqrtNext = TickMath.getSqrtPriceAtTick(next);
        (uint160 sqrtAfter, uint256 stepIn, uint256 stepOut, uint256 stepFee) = SwapMath.computeSwapStep(
            start, SwapMath.getSqrtPriceTarget(w.zeroForOne, sqrtNext, w.sqrtPriceLimitX96), w.liquidity, w.remaining, w.feePips
        );
        w.sqrtPriceX96 = sqrtAfter;
        w.remaining += int256(stepIn + stepFee);
        w.amountOut += stepOut;
        if (sqrtAfter == sqrtNext) {
            if (initialized) {
                (, int128 net,,,,,,) = w.pool.ticks(next);
                w.liquidity = LiquidityMath.addDelta(w.liquidity, w.zeroForOne ? -net : net);
            }
            w.tick = w.zeroForOne ? next - 1 : next;
        } else if (sqrtAfter != start) {
            w.tick = TickMath.getTickAtSqrtPrice(sqrtAfter);
        }
    }

    /// @dev The pool's `nextInitializedTickWithinOneWord`, on its bitmap read through `tickBitmap`.
    function _nextInitializedTickWithinOneWord(IUniswapV3PoolMinimal pool, int24 tick, int24 tickSpacing, bool lte)
        private
        view
        returns (int24 next, bool initialized)
    {
        int24 compressed = TickBitmap.compress(tick, tickSpacing);
        if (lte) {
            (int16 wordPos, uint8 bitPos) = TickBitmap.position(compressed);
            // every bit at or right of bitPos
            uint256 masked = pool.tickBitmap(wordPos) & (type(uint256).max >> (uint256(type(uint8).max) - bitPos));
            initialized = masked != 0;
            next = initialized
                ? (compressed - int24(uint24(bitPos - BitMath.mostSignificantBit(masked)))) * tickSpacing
                : (compressed - int24(uint24(bitPos))) * tickSpacing;
        } else {
            (int16 wordPos, uint8 bitPos) = TickBitmap.position(compressed + 1);
            // every bit at or left of bitPos
            uint256 masked = pool.tickBitmap(wordPos) & ~((uint256(1) << bitPos) - 1);
            initialized = masked != 0;
            next = initialized
                ? (compressed + 1 + int24(uint24(BitMath.leastSignificantBit(masked) - bitPos))) * tickSpacing
                : (compressed + 1 + int24(uint24(type(uint8).max - bitPos))) * tickSpacing;
        }
    }
}
