// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BallastHandler} from "../invariant/BallastHandler.sol";
import {PriceOracle} from "../../../contracts/PriceOracle.sol";
import {MarketOperator} from "../../../contracts/MarketOperator.sol";
import {LiquidityManager} from "../../../contracts/LiquidityManager.sol";
import {PriceOracleV3} from "../../../contracts/venues/PriceOracleV3.sol";
import {MarketOperatorV3} from "../../../contracts/venues/MarketOperatorV3.sol";
import {UniswapV3Price} from "../../../contracts/venues/UniswapV3Price.sol";
import {UniswapV3Trader} from "../../../contracts/test/UniswapV3Trader.sol";
import {IMarketOperator} from "../../../contracts/interfaces/IMarketOperator.sol";
import {IUniswapV3PoolMinimal} from "../../../contracts/interfaces/IUniswapV3PoolMinimal.sol";
import {SqrtPriceMath} from "@uniswap/v4-core/src/libraries/SqrtPriceMath.sol";
import {TickMath} from "@uniswap/v4-core/src/libraries/TickMath.sol";

interface IUniswapV3FactoryMinimal {
    function enableFeeAmount(uint24 fee, int24 tickSpacing) external;
    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address pool);
}

interface IUniswapV3PoolFull is IUniswapV3PoolMinimal {
    function initialize(uint160 sqrtPriceX96) external;
    function flash(address recipient, uint256 amount0, uint256 amount1, bytes calldata data) external;
}

/// @title BallastSystemV3: the campaign's system on the Uniswap V3 venue
/// @notice The same protocol and handler as on V2, on the real Uniswap V3 factory and pool deployed
/// from the v3-core 1.0.1 npm artifact: the 0.01% tier enabled (as a local deploy does), the pool
/// initialised at the peg with its observation cardinality raised to cover the TWAP window,
/// PriceOracleV3, MarketOperatorV3 (forge links its UniswapV3Quote library) and the
/// LiquidityManager holding a protocol-owned position around the peg. A market maker (through
/// UniswapV3Trader) holds a narrow position beside it and a wide one under it, so trades cross
/// initialised ticks and the price never runs off into an empty range.
abstract contract BallastSystemV3 is BallastHandler {
    uint24 internal constant FEE_PIPS = 100;
    int24 internal constant TICK_SPACING = 1;
    /// @dev One observation a block, one block a second at most: the window plus the current one.
    uint16 internal constant OBSERVATION_CARDINALITY = uint16(TWAP_WINDOW_SEC + 1);
    /// @dev The market maker's narrow (±0.5%) and wide (±20%) half-widths, ticks (one tick ≈ one bps).
    int24 internal constant MM_NARROW_TICKS = 50;
    int24 internal constant MM_WIDE_TICKS = 2_000;
    uint256 internal constant MM_NARROW_SHARE = 8;
    /// @dev The protocol-owned range (±20 bps, as DEFAULT_V3_VENUE), its seed and a cap the campaign reaches.
    uint256 internal constant POL_RANGE_BPS = 20;
    uint256 internal constant POL_SEED_QUOTE = 10_000e6;
    uint256 internal constant POL_CAP_WAD = 60_000e18;
    /// @dev Equity contributed for the protocol-owned position, so rule 7 admits the seed and later adds.
    uint256 internal constant POL_EQUITY = 40_000e6;

    IUniswapV3PoolFull internal pool;
    LiquidityManager internal lm;
    UniswapV3Trader internal trader;
    bool internal tokenIsToken0;
    address internal polKeeper;

    function _deployMarket() internal override returns (PriceOracle) {
        IUniswapV3FactoryMinimal factory = IUniswapV3FactoryMinimal(_deployV3Factory());
        factory.enableFeeAmount(FEE_PIPS, TICK_SPACING);
        pool = IUniswapV3PoolFull(factory.createPool(address(stable), address(usdc), FEE_PIPS));
        tokenIsToken0 = pool.token0() == address(stable);
        pool.initialize(_sqrtPegX96());
        pool.increaseObservationCardinalityNext(OBSERVATION_CARDINALITY);
        return new PriceOracleV3(ADMIN, address(pool), address(stable), address(usdc), TWAP_WINDOW_SEC);
    }

    function _newOperator(IMarketOperator.Limits memory limits) internal override returns (MarketOperator) {
        return new MarketOperatorV3(ADMIN, stable, oracle, reserve, policy, limits, BAND_BPS, MAX_SPOT_TWAP_DEVIATION_BPS);
    }

    /// @dev The LiquidityManager, wired as the deploy wires it: it mints tokens and draws on the
    /// Reserve; the keeper (the hostile handler) holds its OPERATOR_ROLE.
    function _wireVenue(address keeper) internal override {
        lm = new LiquidityManager(ADMIN, stable, oracle, reserve, POL_RANGE_BPS, POL_CAP_WAD);
        stable.grantRole(stable.MINTER_ROLE(), address(lm));
        reserve.grantRole(reserve.OPERATOR_ROLE(), address(lm));
        lm.grantRole(lm.OPERATOR_ROLE(), keeper);
        trader = new UniswapV3Trader();
        polKeeper = keeper;
    }

    function _poolAddress() internal view override returns (address) {
        return address(pool);
    }

    /// @dev The market maker's two positions: an eighth of each side in ±0.5%, the rest in ±20%
    /// (deep enough near the peg that small trades stay in the band, shallow enough that pressure leaves it).
    function _addMarketLiquidity(uint256 tokenSide, uint256 quoteSide) internal override {
        vm.startPrank(ADMIN);
        stable.approve(address(trader), type(uint256).max);
        usdc.approve(address(trader), type(uint256).max);
        int24 pegTick = TickMath.getTickAtSqrtPrice(_sqrtPegX96());
        (uint256 tokenNear, uint256 quoteNear) = (tokenSide / MM_NARROW_SHARE, quoteSide / MM_NARROW_SHARE);
        _mintAround(pegTick, MM_NARROW_TICKS, tokenNear, quoteNear);
        _mintAround(pegTick, MM_WIDE_TICKS, tokenSide - tokenNear, quoteSide - quoteNear);
        vm.stopPrank();
    }

    /// @dev Then the protocol's own position: equity for it, and its seed added by the keeper.
    function _seedPoolAtPeg() internal override {
        super._seedPoolAtPeg();
        usdc.mint(ADMIN, POL_EQUITY);
        vm.prank(ADMIN);
        reserve.contribute(address(usdc), POL_EQUITY);
        (int24 lower, int24 upper) = lm.rangeAtPeg();
        uint128 liquidity = _liquidityFor(lower, upper, POL_SEED_QUOTE * 1e12, POL_SEED_QUOTE);
        vm.prank(polKeeper);
        lm.addLiquidity(liquidity, type(uint256).max, type(uint256).max);
    }

    function _mintAround(int24 centre, int24 halfWidth, uint256 tokenAmount, uint256 quoteAmount) private {
        int24 lower = centre - halfWidth;
        int24 upper = centre + halfWidth;
        trader.mint(pool, lower, upper, _liquidityFor(lower, upper, tokenAmount, quoteAmount));
    }

    /// @dev The most liquidity in [lower, upper) at the pool's price that costs at most these amounts
    /// (a side the range does not hold at this price does not limit it).
    function _liquidityFor(int24 lower, int24 upper, uint256 tokenAmount, uint256 quoteAmount) internal view returns (uint128) {
        (uint160 sqrtP,,,,,,) = pool.slot0();
        uint160 sqrtLower = TickMath.getSqrtPriceAtTick(lower);
        uint160 sqrtUpper = TickMath.getSqrtPriceAtTick(upper);
        uint160 p = sqrtP < sqrtLower ? sqrtLower : (sqrtP > sqrtUpper ? sqrtUpper : sqrtP);
        uint128 unit = 1e18;
        uint256 amount0 = SqrtPriceMath.getAmount0Delta(p, sqrtUpper, unit, true);
        uint256 amount1 = SqrtPriceMath.getAmount1Delta(sqrtLower, p, unit, true);
        (uint256 tokenPerUnit, uint256 quotePerUnit) = tokenIsToken0 ? (amount0, amount1) : (amount1, amount0);
        uint256 byToken = tokenPerUnit == 0 ? type(uint128).max : (tokenAmount * unit) / tokenPerUnit;
        uint256 byQuote = quotePerUnit == 0 ? type(uint128).max : (quoteAmount * unit) / quotePerUnit;
        return uint128(_min(_min(byToken, byQuote), type(uint128).max));
    }

    /// @dev $1 a token at a $1 quote feed, as the pool's sqrt price for its token order.
    function _sqrtPegX96() internal view returns (uint160) {
        return UniswapV3Price.sqrtPriceForQuotePerToken(PEG_WAD, tokenIsToken0, 1e18, 1e6);
    }

    /// @dev Deploys the factory from the compiled Uniswap V3 artifact that ships in node_modules
    /// (the caller, ADMIN, becomes its owner).
    function _deployV3Factory() private returns (address factory) {
        string memory json = vm.readFile("node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json");
        bytes memory init = vm.parseBytes(vm.parseJsonString(json, ".bytecode"));
        assembly ("memory-safe") {
            factory := create(0, add(init, 0x20), mload(init))
        }
        require(factory != address(0), "uniswap v3 factory deploy failed");
    }
}
