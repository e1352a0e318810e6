// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FullMath} from "@uniswap/v4-core/src/libraries/FullMath.sol";
import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";
import {IUniswapV3PoolMinimal} from "../interfaces/IUniswapV3PoolMinimal.sol";
import {WAD} from "../libraries/Constants.sol";

/// @title UniswapV3Price: the token's price from a Uniswap V3 pool
/// @notice Spot from `slot0`, the TWAP from the pool's own oracle (`observe`): the arithmetic mean
/// tick over the window (a geometric-mean price), written by the pool on every block that trades,
/// so it needs no keeper. Prices come back as WAD quote units per whole token.
library UniswapV3Price {
    uint256 private constant _Q96 = 1 << 96;

    /// @notice The pool's current sqrt price (Q64.96, token1 per token0).
    function spotSqrtPriceX96(IUniswapV3PoolMinimal pool) internal view returns (uint160 sqrtPriceX96) {
        (sqrtPriceX96,,,,,,) = pool.slot0();
    }

    /// @notice The mean tick over the last `windowSec`, rounded toward −∞ as Uniswap's OracleLibrary
    /// does. `ok` is false when the pool's observations do not reach that far back.
    function meanTick(IUniswapV3PoolMinimal pool, uint32 windowSec) internal view returns (bool ok, int24 tick) {
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = windowSec;
        try pool.observe(secondsAgos) returns (int56[] memory cumulatives, uint160[] memory) {
            int56 delta = cumulatives[1] - cumulatives[0];
            int56 window = int56(uint56(windowSec));
            int56 mean = delta / window;
            if (delta < 0 && delta % window != 0) mean--;
            return (true, int24(mean));
        } catch {
            return (false, 0);
        }
    }

    /// @notice WAD quote per whole token at `sqrtPriceX96`, for a token that is token0 or token1 of
    /// the pool, with `tokenUnit`/`quoteUnit` = 10^decimals. Rounded down.
    function quotePerTokenWad(uint160 sqrtPriceX96, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit)
        internal
        pure
        returns (uint256)
    {
        uint256 sqrtP = sqrtPriceX96;
        if (tokenIsToken0) {
            // raw price = sqrtP² / 2^192 quote units per token unit
            return FullMath.mulDiv(FullMath.mulDiv(sqrtP, sqrtP, _Q96), WAD * tokenUnit, _Q96 * quoteUnit);
        }
        // raw price = 2^192 / sqrtP² quote units per token unit
        return FullMath.mulDiv(FullMath.mulDiv(_Q96, _Q96, sqrtP), WAD * tokenUnit, sqrtP * quoteUnit);
    }

    /// @notice The sqrt price (Q64.96) at which one whole token is worth `quotePerTokenWad_` quote:
    /// the inverse of {quotePerTokenWad}, rounded down.
    function sqrtPriceForQuotePerToken(uint256 quotePerTokenWad_, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit)
        internal
        pure
        returns (uint160)
    {
        // ratio = token1 raw units per token0 raw unit, as a Q192 fixed-point number.
        uint256 ratioX192 = tokenIsToken0
            ? FullMath.mulDiv(quotePerTokenWad_ * quoteUnit, 1 << 192, WAD * tokenUnit)
            : FullMath.mulDiv(WAD * tokenUnit, 1 << 192, quotePerTokenWad_ * quoteUnit);
        return uint160(Math.sqrt(ratioX192));
    }

    /// @notice {quotePerTokenWad} at a tick.
    function quotePerTokenWadAtTick(int24 tick, bool tokenIsToken0, uint256 tokenUnit, uint256 quoteUnit)
        internal
        pure
        returns (uint256)
    {
        return quotePerTokenWad(TickMath.getSqrtPriceAtTick(tick), tokenIsToken0, tokenUnit, quoteUnit);
    }
}
