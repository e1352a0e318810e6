// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MarketOperatorV3: the market operator on a Uniswap V3 pool
/// @notice The same operator as {IMarketOperator} (same entry points, caps, cooldown, loss budget,
/// rule 7), trading on a Uniswap V3 pool instead of the V2 pair:
/// - Every swap is exact input with `sqrtPriceLimitX96` at the peg (rounded toward the price the
///   trade starts from), so the pool itself stops the trade on the peg across any number of ticks.
/// - Sizes come from {UniswapV3Quote}: the pool's own swap loop run over its state, so `preview()`
///   and `checkUpkeep` state the exact trade an operation would make now.
/// - The price forms (`expandSupplyAtPrice`, `contractSupplyAtPrice`) bound every unit's price, fee
///   included (the pool's marginal price, so the average too): the amount is clamped to the input
///   that moves the pool to the limit, which a front-run toward the peg shrinks. An upkeep's limit is
///   the last unit's price of the previewed trade, less (expansion) or plus (contraction)
///   `UPKEEP_SLIPPAGE_BPS`.
/// - The pool is paid in `uniswapV3SwapCallback`: tokens minted to it (expansion) or quote released
///   by the Reserve to it (contraction). Only the configured pool may call it, and only inside this
///   contract's own swap, once.
interface IMarketOperatorV3 {
    /// @notice The callback came from an address other than the configured pool.
    error NotPool(address caller);
    /// @notice The pool called back outside an operation's swap, twice, or asked for the wrong asset.
    error UnexpectedCallback();

    /// @notice The Uniswap V3 pool the operator trades on (token / quote asset).
    function pool() external view returns (address);

    /// @notice Pays the pool for this contract's own swap. Only the pool, only during that swap.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external;
}
