// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";
import {IBallastDollar} from "./interfaces/IBallastDollar.sol";
import {ICollateralPolicy} from "./interfaces/ICollateralPolicy.sol";
import {ILiquidityManager} from "./interfaces/ILiquidityManager.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IReserve} from "./interfaces/IReserve.sol";
import {IUniswapV3PoolMinimal} from "./interfaces/IUniswapV3PoolMinimal.sol";
import {IValueSource} from "./interfaces/IValueSource.sol";
import {UniswapV3Price} from "./venues/UniswapV3Price.sol";
import {PositionValue} from "./venues/PositionValue.sol";
import {
    WAD,
    MIN_POL_RANGE_BPS,
    MAX_POL_RANGE_BPS,
    HARD_MAX_POL_QUOTE_WAD,
    MAX_POL_ROUNDING_UNITS
} from "./libraries/Constants.sol";

/// @dev The Reserve's public getter for its collateral policy (not part of IReserve).
interface IReservePolicy {
    function collateralPolicy() external view returns (ICollateralPolicy);
}

/// @title LiquidityManager
/// @notice See {ILiquidityManager}.
/// @dev Accounting: `quoteDeployedWad` is the quote paid into the pool by adds minus the principal
/// returned by removes (floored at zero), normalised to 18 decimals; the cap bounds it. Fees are
/// not principal: they never count against the cap.
contract LiquidityManager is ILiquidityManager, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    address public immutable override pool;
    IBallastDollar public immutable stable;
    IPriceOracle public immutable oracle;
    IReserve public immutable reserve;
    address public immutable override quoteAsset;
    bool private immutable _tokenIsToken0;
    int24 private immutable _tickSpacing;
    uint256 private immutable _tokenUnit;
    uint256 private immutable _quoteUnit;

    uint256 public override rangeBps;
    uint256 public override maxQuoteDeployedWad;
    uint256 public override quoteDeployedWad;
    uint128 public override positionLiquidity;
    int24 public override tickLower;
    int24 public override tickUpper;
    /// @dev Set only around this contract's own `pool.mint`, so the callback cannot be replayed.
    bool private transient _minting;

    /// @dev The reserve's gross and haircut value (WAD USD) and the token supply, for rule 7.
    struct Backing {
        uint256 grossWad;
        uint256 haircutWad;
        uint256 supply;
    }

    constructor(address admin, IBallastDollar stable_, IPriceOracle oracle_, IReserve reserve_, uint256 rangeBps_, uint256 maxQuoteDeployedWad_) {
        if (admin == address(0) || address(stable_) == address(0) || address(oracle_) == address(0) || address(reserve_) == address(0)) {
            revert ZeroAddress();
        }
        stable = stable_;
        oracle = oracle_;
        reserve = reserve_;
        pool = oracle_.pool();
        quoteAsset = oracle_.quoteAsset();
        IUniswapV3PoolMinimal v3 = IUniswapV3PoolMinimal(pool);
        address t0 = v3.token0();
        if (oracle_.token() != address(stable_) || (t0 != address(stable_) && v3.token1() != address(stable_))) {
            revert PoolTokenMismatch(pool, address(stable_), quoteAsset);
        }
        _tokenIsToken0 = t0 == address(stable_);
        _tickSpacing = v3.tickSpacing();
        _tokenUnit = 10 ** IERC20Metadata(address(stable_)).decimals();
        _quoteUnit = 10 ** IERC20Metadata(quoteAsset).decimals();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRange(rangeBps_);
        _setCap(maxQuoteDeployedWad_);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the range half-width, bps, for the next position (an open one keeps its range).
    function setRangeBps(uint256 rangeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRange(rangeBps_);
    }

    /// @notice Sets the cap on quote held in the pool, WAD (quote normalised to 18 decimals).
    function setMaxQuoteDeployedWad(uint256 capWad) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCap(capWad);
    }

    // ------------------------------------------------------------------ operator

    /// @inheritdoc ILiquidityManager
    function addLiquidity(uint128 liquidity, uint256 maxTokenIn, uint256 maxQuoteIn)
        external
        override
        onlyRole(OPERATOR_ROLE)
        nonReentrant
        returns (uint256 tokensMinted, uint256 quoteSpent)
    {
        if (liquidity == 0) revert ZeroAmount();
        // Fresh and valid, or the oracle's named error: under a broken feed the reserve counts the
        // quote at its last good price or at zero on both sides, so rule 7 could not see the add.
        uint256 quoteUsdWad = oracle.price(quoteAsset);
        Backing memory before = _backing();
        bool topUp = positionLiquidity != 0;
        (int24 lower, int24 upper) = topUp ? (tickLower, tickUpper) : _rangeAt(quoteUsdWad);
        (tokensMinted, quoteSpent) = _mint(lower, upper, liquidity);
        if (tokensMinted > maxTokenIn) revert OwedAboveMax(address(stable), tokensMinted, maxTokenIn);
        if (quoteSpent > maxQuoteIn) revert OwedAboveMax(quoteAsset, quoteSpent, maxQuoteIn);

        uint256 deployedWad = quoteDeployedWad + _normaliseQuote(quoteSpent);
        if (deployedWad > maxQuoteDeployedWad) revert CapExceeded(maxQuoteDeployedWad, deployedWad);
        quoteDeployedWad = deployedWad;
        positionLiquidity += liquidity;
        (tickLower, tickUpper) = (lower, upper);
        // A top-up's mint credits the fees earned so far to the position: collect them now, so
        // nothing is owed between calls (the reserve's cache then follows every fee collection).
        if (topUp) {
            (uint256 feeTokensBurned, uint256 feeQuoteToReserve) = _collectAll();
            emit FeesCollected(msg.sender, feeTokensBurned, feeQuoteToReserve);
        }
        _requireRule7(before, quoteUsdWad);
        emit LiquidityAdded(msg.sender, lower, upper, liquidity, tokensMinted, quoteSpent);
    }

    /// @inheritdoc ILiquidityManager
    function removeLiquidity(uint128 liquidity, uint256 minTokenOut, uint256 minQuoteOut)
        external
        override
        onlyRole(OPERATOR_ROLE)
        nonReentrant
        returns (uint256 tokensBurned, uint256 quoteReturned)
    {
        if (liquidity == 0) revert ZeroAmount();
        if (liquidity > positionLiquidity) revert InsufficientLiquidity(positionLiquidity, liquidity);
        // No fresh price needed: a removal trades nothing against the pool (the quote it returns is
        // what the position holds, bounded by `minQuoteOut`) and it is the way out while the feed is down.
        Backing memory before = _backing();
        (uint256 amount0, uint256 amount1) = IUniswapV3PoolMinimal(pool).burn(tickLower, tickUpper, liquidity);
        (uint256 tokenPrincipal, uint256 quotePrincipal) = _tokenIsToken0 ? (amount0, amount1) : (amount1, amount0);
        if (tokenPrincipal < minTokenOut) revert OutBelowMin(address(stable), tokenPrincipal, minTokenOut);
        if (quotePrincipal < minQuoteOut) revert OutBelowMin(quoteAsset, quotePrincipal, minQuoteOut);
        positionLiquidity -= liquidity;
        uint256 principalWad = _normaliseQuote(quotePrincipal);
        quoteDeployedWad = principalWad >= quoteDeployedWad ? 0 : quoteDeployedWad - principalWad;
        (tokensBurned, quoteReturned) = _collectAll();
        _requireRule7(before, oracle.priceInfo(quoteAsset).priceWad);
        emit LiquidityRemoved(msg.sender, liquidity, tokensBurned, quoteReturned);
    }

    /// @inheritdoc ILiquidityManager
    function collectFees() external override nonReentrant returns (uint256 tokensBurned, uint256 quoteToReserve) {
        if (positionLiquidity != 0) IUniswapV3PoolMinimal(pool).burn(tickLower, tickUpper, 0); // accrue fees
        (tokensBurned, quoteToReserve) = _collectAll();
        emit FeesCollected(msg.sender, tokensBurned, quoteToReserve);
    }

    /// @notice Pays what this contract's own `mint` owes: tokens minted to the pool, quote released
    /// by the Reserve to the pool. Only the pool, only during that mint.
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != pool) revert NotPool(msg.sender);
        if (!_minting) revert UnexpectedCallback();
        (uint256 tokenOwed, uint256 quoteOwed) = _tokenIsToken0 ? (amount0Owed, amount1Owed) : (amount1Owed, amount0Owed);
        if (tokenOwed != 0) stable.mint(pool, tokenOwed);
        if (quoteOwed != 0) reserve.releaseToOperator(quoteAsset, quoteOwed, pool);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILiquidityManager
    function positionValueWad() external view override returns (uint256 valueWad) {
        uint256 quoteUsdWad = oracle.price(quoteAsset);
        valueWad = Math.mulDiv(quoteAmountAt(quoteUsdWad), quoteUsdWad, _quoteUnit);
    }

    /// @inheritdoc IValueSource
    function quoteAmountAt(uint256 quoteUsdWad) public view override returns (uint256 amount) {
        PositionValue.Position memory p = position();
        return PositionValue.quoteAmount(p, UniswapV3Price.spotSqrtPriceX96(IUniswapV3PoolMinimal(pool)), PositionValue.sqrtPegX96(p, quoteUsdWad));
    }

    /// @inheritdoc ILiquidityManager
    function position() public view override returns (PositionValue.Position memory p) {
        p = _shape();
        (p.liquidity, p.tickLower, p.tickUpper) = (positionLiquidity, tickLower, tickUpper);
    }

    /// @inheritdoc ILiquidityManager
    function rangeAtPeg() external view override returns (int24 lower, int24 upper) {
        return _rangeAt(oracle.price(quoteAsset));
    }

    // ------------------------------------------------------------------ internals

    /// @dev ±rangeBps ticks around the peg's tick at the quote price `quoteUsdWad`.
    function _rangeAt(uint256 quoteUsdWad) private view returns (int24 lower, int24 upper) {
        int24 pegTick = TickMath.getTickAtSqrtPrice(PositionValue.sqrtPegX96(_shape(), quoteUsdWad));
        int24 half = int24(uint24(rangeBps));
        lower = _floorToSpacing(pegTick - half);
        // Ceiling: upper >= pegTick + half > pegTick, as half >= one spacing >= 1 (`_setRange`).
        upper = -_floorToSpacing(-(pegTick + half));
    }

    /// @dev Mints through the pool's callback; returns what was paid, oriented (token, quote).
    function _mint(int24 lower, int24 upper, uint128 liquidity) private returns (uint256 tokenPaid, uint256 quotePaid) {
        _minting = true;
        (uint256 amount0, uint256 amount1) = IUniswapV3PoolMinimal(pool).mint(address(this), lower, upper, liquidity, "");
        _minting = false;
        (tokenPaid, quotePaid) = _tokenIsToken0 ? (amount0, amount1) : (amount1, amount0);
    }

    /// @dev The reserve's gross and haircut value (a whole pass, which also renews its cache) and the supply.
    function _backing() private returns (Backing memory b) {
        (b.grossWad, b.haircutWad,) = reserve.poke();
        b.supply = IERC20(address(stable)).totalSupply();
    }

    /// @dev Rule 7, now that the position counts in the reserve: an add moves idle quote into the
    /// position (value-neutral but for the pool's rounding, at most MAX_POL_ROUNDING_UNITS of quote,
    /// more if the pool sits above the peg, where quote counts only at the peg) and mints tokens into
    /// the pool, which the supply counts; a remove brings the quote back and burns the tokens.
    /// Either way the haircut ratio after ≥ min(before, target) and the gross value falls by at most
    /// the rounding. The closing whole pass also renews the reserve's cache, which the moves
    /// themselves (releases and deposits) would leave counting the position's quote twice or not at all.
    /// `quoteUsdWad` prices the rounding allowance (zero under an invalid feed: no allowance).
    function _requireRule7(Backing memory before, uint256 quoteUsdWad) private {
        Backing memory a = _backing();
        uint256 targetWad = IReservePolicy(address(reserve)).collateralPolicy().targetRatio();
        uint256 ratioBefore = _ratioOf(before.haircutWad, before.supply);
        uint256 ratioAfter = _ratioOf(a.haircutWad, a.supply);
        if (ratioAfter < Math.min(ratioBefore, targetWad)) revert RatioBelowBound(ratioBefore, ratioAfter, targetWad);
        uint256 roundingWad = Math.mulDiv(MAX_POL_ROUNDING_UNITS, quoteUsdWad, _quoteUnit, Math.Rounding.Ceil);
        if (a.grossWad + roundingWad < before.grossWad) revert ReserveValueDecreased(before.grossWad, a.grossWad, roundingWad);
    }

    function _ratioOf(uint256 valueWad, uint256 supply) private pure returns (uint256) {
        return supply == 0 ? type(uint256).max : Math.mulDiv(valueWad, WAD, supply);
    }

    /// @dev Collects everything owed (principal and fees): quote to the Reserve, tokens burned.
    function _collectAll() private returns (uint256 tokensBurned, uint256 quoteOut) {
        (uint128 c0, uint128 c1) =
            IUniswapV3PoolMinimal(pool).collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
        (tokensBurned, quoteOut) = _tokenIsToken0 ? (uint256(c0), uint256(c1)) : (uint256(c1), uint256(c0));
        if (tokensBurned != 0) stable.burn(tokensBurned);
        if (quoteOut != 0) {
            IERC20(quoteAsset).forceApprove(address(reserve), quoteOut);
            reserve.depositFromOperator(quoteAsset, quoteOut);
        }
    }


    /// @dev The pool and the tokens' order and units: what the peg's sqrt price needs.
    function _shape() private view returns (PositionValue.Position memory p) {
        (p.pool, p.quoteAsset, p.tokenIsToken0, p.tokenUnit, p.quoteUnit) = (pool, quoteAsset, _tokenIsToken0, _tokenUnit, _quoteUnit);
    }

    function _floorToSpacing(int24 tick) private view returns (int24) {
        int24 compressed = tick / _tickSpacing;
        if (tick < 0 && tick % _tickSpacing != 0) compressed--;
        return compressed * _tickSpacing;
    }

    function _normaliseQuote(uint256 amount) private view returns (uint256) {
        return Math.mulDiv(amount, WAD, _quoteUnit);
    }

    function _setRange(uint256 rangeBps_) private {
        if (rangeBps_ < MIN_POL_RANGE_BPS || rangeBps_ > MAX_POL_RANGE_BPS) {
            revert ParameterOutOfBounds("rangeBps", rangeBps_, MIN_POL_RANGE_BPS, MAX_POL_RANGE_BPS);
        }
        // One tick ≈ one bps: a half-width under one spacing could not hold the peg strictly inside.
        if (rangeBps_ < uint256(uint24(_tickSpacing))) revert RangeNarrowerThanSpacing(rangeBps_, _tickSpacing);
        emit RangeSet(rangeBps, rangeBps_);
        rangeBps = rangeBps_;
    }

    function _setCap(uint256 capWad) private {
        if (capWad > HARD_MAX_POL_QUOTE_WAD) revert ParameterOutOfBounds("maxQuoteDeployedWad", capWad, 0, HARD_MAX_POL_QUOTE_WAD);
        emit CapSet(maxQuoteDeployedWad, capWad);
        maxQuoteDeployedWad = capWad;
    }
}
