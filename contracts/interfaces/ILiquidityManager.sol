// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IValueSource} from "./IValueSource.sol";
import {PositionValue} from "../venues/PositionValue.sol";

/// @title LiquidityManager: protocol-owned liquidity on the Uniswap V3 venue
/// @notice Holds one position of the token / quote pool in a narrow range around the peg
/// (±`rangeBps`, one tick ≈ one bps of price, rounded outward to the pool's tick spacing). Adding
/// liquidity mints the token side (the tokens are the protocol's own: counted at zero, never as
/// backing) and takes the quote side from the Reserve's idle balance; removing it burns the tokens
/// and returns the quote to the Reserve. Fees are collected into the Reserve (quote) or burned
/// (token) by anyone. The quote in the pool is capped (`maxQuoteDeployedWad`, hard-bounded), and an
/// add must keep rule 7: the Reserve's collateral ratio after ≥ min(before, target).
/// @dev Roles: DEFAULT_ADMIN_ROLE sets the range and the cap (bounded, evented); OPERATOR_ROLE adds
/// and removes liquidity. Needs MINTER_ROLE on the token and OPERATOR_ROLE on the Reserve. Only
/// the pool may call `uniswapV3MintCallback`, and only inside this contract's own `mint`.
/// Valuation: the position counts for the quote it holds at the lower of spot and the peg (a pool
/// price pushed up in the same block cannot inflate it), at the quote feed's price; the token side
/// counts zero ({PositionValue}). Every call that makes the pool owe the position something (a
/// top-up's mint, a burn) collects it in the same transaction: nothing is owed between them. The
/// Reserve counts it through {IValueSource-quoteAmountAt} once its admin registers this contract
/// (`setValueSource`).
/// Rule 7 with the position counted: an add or remove keeps the reserve's haircut ratio at least
/// min(before, target) and its gross value within MAX_POL_ROUNDING_UNITS of quote of before (an add
/// above the peg, where the extra quote counts only at the peg, reverts); both renew the reserve's
/// cached valuation.
interface ILiquidityManager is IValueSource {
    error ZeroAddress();
    error ZeroAmount();
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    error RangeNarrowerThanSpacing(uint256 rangeTicks, int24 tickSpacing);
    error PoolTokenMismatch(address pool, address token, address quoteAsset);
    error NotPool(address caller);
    error UnexpectedCallback();
    error OwedAboveMax(address asset, uint256 owed, uint256 max);
    error OutBelowMin(address asset, uint256 out, uint256 min);
    error CapExceeded(uint256 capWad, uint256 wantedWad);
    error InsufficientLiquidity(uint128 held, uint128 wanted);
    error RatioBelowBound(uint256 ratioBeforeWad, uint256 ratioAfterWad, uint256 targetWad);
    error ReserveValueDecreased(uint256 grossBeforeWad, uint256 grossAfterWad, uint256 allowanceWad);

    event RangeSet(uint256 oldRangeBps, uint256 newRangeBps);
    event CapSet(uint256 oldMaxQuoteDeployedWad, uint256 newMaxQuoteDeployedWad);
    event LiquidityAdded(address indexed caller, int24 tickLower, int24 tickUpper, uint128 liquidity, uint256 tokensMinted, uint256 quoteSpent);
    event LiquidityRemoved(address indexed caller, uint128 liquidity, uint256 tokensBurned, uint256 quoteReturned);
    event FeesCollected(address indexed caller, uint256 tokensBurned, uint256 quoteToReserve);

    /// @notice Mints `liquidity` in the position's range, paying at most `maxTokenIn` tokens (minted)
    /// and `maxQuoteIn` quote (from the Reserve). Only OPERATOR_ROLE. Needs the quote's fresh, valid
    /// price: otherwise the oracle's named error (`StalePrice`, `FeedCallFailed`, ...).
    function addLiquidity(uint128 liquidity, uint256 maxTokenIn, uint256 maxQuoteIn)
        external
        returns (uint256 tokensMinted, uint256 quoteSpent);

    /// @notice Burns `liquidity` of the position; the tokens it returns are burned, the quote (with
    /// any fees owed) goes to the Reserve. Only OPERATOR_ROLE. Works with the quote's feed broken:
    /// it trades nothing against the pool, so it stays the way out.
    function removeLiquidity(uint128 liquidity, uint256 minTokenOut, uint256 minQuoteOut)
        external
        returns (uint256 tokensBurned, uint256 quoteReturned);

    /// @notice Collects the position's fees: quote into the Reserve, tokens burned. Anyone.
    function collectFees() external returns (uint256 tokensBurned, uint256 quoteToReserve);

    /// @notice The position's value for reserve accounting, WAD USD (see the contract notice).
    function positionValueWad() external view returns (uint256 valueWad);

    /// @notice The position as the valuation reads it: pool, token order and units, liquidity and
    /// range (the V3 operator values it at its own swap's price).
    function position() external view returns (PositionValue.Position memory);

    /// @notice The range a new position would take now: ±rangeBps around the peg's tick.
    function rangeAtPeg() external view returns (int24 lower, int24 upper);

    function pool() external view returns (address);
    function rangeBps() external view returns (uint256);
    function maxQuoteDeployedWad() external view returns (uint256);
    function quoteDeployedWad() external view returns (uint256);
    function positionLiquidity() external view returns (uint128);
    function tickLower() external view returns (int24);
    function tickUpper() external view returns (int24);
}
