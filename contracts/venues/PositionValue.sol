// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SqrtPriceMath} from "@uniswap/v4-core/src/libraries/SqrtPriceMath.sol";
import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";
import {UniswapV3Price} from "./UniswapV3Price.sol";
import {WAD, PEG_WAD} from "../libraries/Constants.sol";

/// @title PositionValue: what a Uniswap V3 position of the protocol counts for in the reserve
/// @notice The quote the position holds at the lower of the pool's price and the peg (for the
/// token: a price pushed above the peg cannot inflate it); the token side counts zero. Nothing the
/// pool owes the position is counted: the liquidity manager collects whatever a mint or burn
/// credits in the same transaction, so nothing is owed between transactions. One copy of the maths: the liquidity manager values its position with
/// it (what the reserve counts) and the V3 market operator values the same position at the
/// price its own swap leaves (rule 7's after-state), so the two agree to the wei.
library PositionValue {
    /// @notice A position as the valuation needs it.
    struct Position {
        address pool;
        address quoteAsset;
        bool tokenIsToken0;
        uint256 tokenUnit;
        uint256 quoteUnit;
        uint128 liquidity;
        int24 tickLower;
        int24 tickUpper;
    }

    /// @notice The peg as the pool's sqrt price: one token worth PEG_WAD USD at the quote price
    /// `quoteUsdWad` (rounded down).
    function sqrtPegX96(Position memory p, uint256 quoteUsdWad) internal pure returns (uint160) {
        uint256 quotePerTokenWad = Math.mulDiv(PEG_WAD, WAD, quoteUsdWad);
        return UniswapV3Price.sqrtPriceForQuotePerToken(quotePerTokenWad, p.tokenIsToken0, p.tokenUnit, p.quoteUnit);
    }

    /// @notice The quote amount (its units) the position counts for with the pool at `spotX96`
    /// and the peg at `pegX96`, rounded down as the pool rounds what a burn pays.
    function quoteAmount(Position memory p, uint160 spotX96, uint160 pegX96) internal pure returns (uint256) {
        if (p.liquidity == 0) return 0;
        return _quoteAt(p, TickMath.getSqrtPriceAtTick(p.tickLower), TickMath.getSqrtPriceAtTick(p.tickUpper), spotX96, pegX96);
    }

    /// @notice {quoteAmount} at two pool prices (before and after a swap), the range's sqrt prices
    /// computed once for both.
    function quoteAmounts(Position memory p, uint160 spotAX96, uint160 spotBX96, uint160 pegX96)
        internal
        pure
        returns (uint256 atA, uint256 atB)
    {
        if (p.liquidity == 0) return (0, 0);
        uint160 sqrtLower = TickMath.getSqrtPriceAtTick(p.tickLower);
        uint160 sqrtUpper = TickMath.getSqrtPriceAtTick(p.tickUpper);
        return (_quoteAt(p, sqrtLower, sqrtUpper, spotAX96, pegX96), _quoteAt(p, sqrtLower, sqrtUpper, spotBX96, pegX96));
    }

    function _quoteAt(Position memory p, uint160 sqrtLower, uint160 sqrtUpper, uint160 spotX96, uint160 pegX96)
        private
        pure
        returns (uint256 amount)
    {
        if (p.tokenIsToken0) {
            // Quote is token1; it grows with the raw price: count it at min(spot, peg), within range.
            uint160 price = spotX96 < pegX96 ? spotX96 : pegX96;
            if (price > sqrtLower) {
                amount = SqrtPriceMath.getAmount1Delta(sqrtLower, price < sqrtUpper ? price : sqrtUpper, p.liquidity, false);
            }
        } else {
            // Quote is token0; the token's price falls as the raw price rises: use max(spot, peg).
            uint160 price = spotX96 > pegX96 ? spotX96 : pegX96;
            if (price < sqrtUpper) {
                amount = SqrtPriceMath.getAmount0Delta(price > sqrtLower ? price : sqrtLower, sqrtUpper, p.liquidity, false);
            }
        }
    }
}
