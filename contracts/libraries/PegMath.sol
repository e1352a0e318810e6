// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {UNI_V2_FEE_NUMERATOR as FEE_N, UNI_V2_FEE_DENOMINATOR as FEE_D} from "./Constants.sol";

/// @title PegMath: trade sizing against a Uniswap V2 pair
/// @notice Pure maths mirrored by the keeper (`keeper/src/policy/pegMath.ts`); a parity test keeps
/// them equal. Prices are raw pool prices (quote units per token unit) given as a fraction
/// `priceNum / priceDen` to keep full precision across decimals.
/// @dev Derivation. Uniswap V2 keeps the fee in the pool: selling `dx` tokens leaves reserves
/// `(rT + dx, rQ − out)` with `(rT + f·dx)(rQ − out) = rT·rQ`, f = 997/1000. The post-trade price
/// is `rT·rQ / ((rT + f·dx)(rT + dx))`; setting it to P gives
/// `997·dx² + 1997·rT·dx + 1000·(rT² − K) = 0` with `K = rT·rQ / P`. The buy side is symmetric in
/// the quote reserve with `K = rT·rQ·P`. Every step rounds down, so the trade is never larger than
/// exact, and the post-trade price never crosses P.
library PegMath {
    /// @notice Tokens to sell so the pair's price falls to priceNum/priceDen (0 if already there).
    function tokensToSellForPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        internal
        pure
        returns (uint256)
    {
        uint256 k = Math.mulDiv(reserveToken * reserveQuote, priceDen, priceNum);
        return _solve(reserveToken, k);
    }

    /// @notice Quote to spend so the pair's price rises to priceNum/priceDen (0 if already there).
    function quoteToSpendForPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        internal
        pure
        returns (uint256)
    {
        uint256 k = Math.mulDiv(reserveToken * reserveQuote, priceNum, priceDen);
        return _solve(reserveQuote, k);
    }

    /// @notice Largest token input whose average execution price (quote out per token in, fee
    /// included) is at least priceNum/priceDen; 0 when even the first unit sells below it.
    /// @dev avg(dx) = 997·rQ / (1000·rT + 997·dx) ≥ P  ⇔  dx ≤ (997·rQ / P − 1000·rT) / 997.
    /// Both steps round down, so the exact average of the returned input is never below P.
    function maxTokensInAtPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        internal
        pure
        returns (uint256)
    {
        uint256 scaled = Math.mulDiv(FEE_N * reserveQuote, priceDen, priceNum);
        uint256 base = FEE_D * reserveToken;
        return scaled <= base ? 0 : (scaled - base) / FEE_N;
    }

    /// @notice Largest quote input whose average price paid (quote in per token out, fee included)
    /// is at most priceNum/priceDen; 0 when even the first unit costs more.
    /// @dev avg(dq) = (1000·rQ + 997·dq) / (997·rT) ≤ P  ⇔  dq ≤ (997·rT·P − 1000·rQ) / 997,
    /// rounded down, so the exact average of the returned input is never above P.
    function maxQuoteInAtPrice(uint256 reserveToken, uint256 reserveQuote, uint256 priceNum, uint256 priceDen)
        internal
        pure
        returns (uint256)
    {
        uint256 scaled = Math.mulDiv(FEE_N * reserveToken, priceNum, priceDen);
        uint256 base = FEE_D * reserveQuote;
        return scaled <= base ? 0 : (scaled - base) / FEE_N;
    }

    /// @notice Uniswap V2's own output formula (UniswapV2Library.getAmountOut), rounded down.
    function amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 amountInWithFee = amountIn * FEE_N;
        return (amountInWithFee * reserveOut) / (reserveIn * FEE_D + amountInWithFee);
    }

    /// @dev Positive root of 997·x² + 1997·r·x + 1000·(r² − k) = 0, rounded down; 0 when k ≤ r².
    function _solve(uint256 r, uint256 k) private pure returns (uint256) {
        uint256 rSquared = r * r;
        if (k <= rSquared) return 0;
        uint256 b = (FEE_D + FEE_N) * r;
        uint256 disc = b * b + 4 * FEE_N * FEE_D * (k - rSquared);
        return (Math.sqrt(disc) - b) / (2 * FEE_N);
    }
}
