// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CheatCodes} from "./Vm.sol";
import {BallastDollar} from "../../../contracts/BallastDollar.sol";
import {PriceOracle} from "../../../contracts/PriceOracle.sol";
import {Reserve} from "../../../contracts/Reserve.sol";
import {CollateralPolicy} from "../../../contracts/CollateralPolicy.sol";
import {MarketOperator} from "../../../contracts/MarketOperator.sol";
import {TestERC20} from "../../../contracts/test/TestERC20.sol";
import {FaultyVault} from "../../../contracts/test/FaultyVault.sol";
import {MalformedAggregator} from "../../../contracts/test/MalformedAggregator.sol";
import {IReserve} from "../../../contracts/interfaces/IReserve.sol";
import {ICollateralPolicy} from "../../../contracts/interfaces/ICollateralPolicy.sol";
import {IMarketOperator} from "../../../contracts/interfaces/IMarketOperator.sol";
import {IUniswapV2PairMinimal} from "../../../contracts/interfaces/IUniswapV2PairMinimal.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

interface IUniswapV2FactoryMinimal {
    function createPair(address tokenA, address tokenB) external returns (address pair);
}

interface IUniswapV2PairFull is IUniswapV2PairMinimal {
    function mint(address to) external returns (uint256 liquidity);
    function sync() external;
    function skim(address to) external;
}

/// @title BallastSystem: the whole protocol on forge's EVM, wired as the deploy's Ignition module wires it
/// @notice Same contracts, same roles, the parameters of deploy/parameters.ts (LOCAL_PARAMS) with
/// a shallower pool so random trades move the price, and the real Uniswap V2 factory and pair
/// deployed from the v2-core npm artifact of Uniswap (no stand-in AMM).
abstract contract BallastSystem is CheatCodes {
    address internal constant ADMIN = address(0xA11CE);
    address internal constant GUARDIAN = address(0x6A4D);

    uint256 internal constant POOL_DEPTH = 200_000; // whole units per side
    uint256 internal constant SEED_EQUITY = 20_000; // whole USDC contributed as protocol equity
    uint256 internal constant TWAP_WINDOW_SEC = 1_800;
    /// @dev Caps small next to the pool, so the campaign reaches them (LOCAL_PARAMS never bind here).
    uint256 internal constant CAP_PER_OP = 3_000e18;
    uint256 internal constant CAP_PER_EPOCH = 8_000e18;
    /// @dev Feed limits, as configured below; the handler checks feed validity itself against them.
    uint256 internal constant USDC_MAX_AGE_SEC = 86_400 + 3_600;
    uint256 internal constant WETH_MAX_AGE_SEC = 3_600 + 600;
    /// @dev USDC's stable lane as deployed outside the local fixture (FRONTIER_STABLE_LANE: no base
    /// fee), its net-flow cap small next to the handler's trades (≤ 150k each) so the campaign reaches it.
    uint16 internal constant LANE_BAND_BPS = 50;
    uint16 internal constant LANE_BASE_FEE_BPS = 0;
    uint256 internal constant LANE_VOLUME_PER_EPOCH = 300_000e18;
    /// @dev The operator's peg band and spot/TWAP guard, as LOCAL_PARAMS configures them.
    uint256 internal constant BAND_BPS = 50;
    uint256 internal constant MAX_SPOT_TWAP_DEVIATION_BPS = 300;

    BallastDollar internal stable;
    PriceOracle internal oracle;
    Reserve internal reserve;
    CollateralPolicy internal policy;
    MarketOperator internal operator;
    IUniswapV2PairFull internal pair;
    TestERC20 internal usdc;
    TestERC20 internal weth;
    /// @dev An OpenZeppelin ERC-4626 vault the campaign can pause (ERC-4626 lets previews revert).
    FaultyVault internal vault;
    /// @dev One malformed feed per asset, swapped in by the handler to break the oracle's decoding.
    MalformedAggregator internal usdcBadFeed;
    MalformedAggregator internal wethBadFeed;
    MockV3Aggregator internal usdcFeed;
    MockV3Aggregator internal wethFeed;

    /// @param keeper The account given KEEPER_ROLE (in campaigns: the hostile handler itself).
    function _deploySystem(address keeper) internal {
        vm.warp(1_700_000_000);
        vm.startPrank(ADMIN);
        usdc = new TestERC20("USD Coin (test)", "USDC", 6);
        weth = new TestERC20("WETH (test)", "WETH", 18);
        usdcFeed = new MockV3Aggregator(8, 1e8);
        wethFeed = new MockV3Aggregator(8, 3_000e8);
        vault = new FaultyVault(usdc);
        usdcBadFeed = new MalformedAggregator();
        wethBadFeed = new MalformedAggregator();
        stable = new BallastDollar(ADMIN);

        oracle = _deployMarket();
        oracle.setFeed(address(usdc), address(usdcFeed), USDC_MAX_AGE_SEC, 0.5e18, 2e18);
        oracle.setFeed(address(weth), address(wethFeed), WETH_MAX_AGE_SEC, 10e18, 100_000e18);

        reserve = new Reserve(ADMIN, stable, oracle);
        reserve.listAsset(address(usdc), IReserve.AssetConfig(100, 5, 5, 5_000, 100_000_000e6));
        reserve.listAsset(address(weth), IReserve.AssetConfig(2_000, 30, 30, 10_000, 50_000e18));
        reserve.setStrategy(address(usdc), vault);
        reserve.setStableLane(address(usdc), IReserve.StableLane(LANE_BAND_BPS, LANE_BASE_FEE_BPS, 10_000, uint128(LANE_VOLUME_PER_EPOCH)));
        reserve.setRedeemSpread(address(weth), 50);
        reserve.setRecoveryFees(0, 50);
        reserve.setBufferTolerance(1_000);

        policy = new CollateralPolicy(
            ADMIN, oracle, reserve, ICollateralPolicy.Params(1e18, 1.5e18, 0.0025e18, 50, 5_000, 3_600)
        );
        reserve.setCollateralPolicy(policy);

        operator = _newOperator(IMarketOperator.Limits(CAP_PER_OP, CAP_PER_EPOCH, CAP_PER_OP, CAP_PER_EPOCH, 60, 86_400));
        stable.grantRole(stable.MINTER_ROLE(), address(reserve));
        stable.grantRole(stable.MINTER_ROLE(), address(operator));
        reserve.grantRole(reserve.OPERATOR_ROLE(), address(operator));
        reserve.grantRole(reserve.GUARDIAN_ROLE(), GUARDIAN);
        operator.grantRole(operator.GUARDIAN_ROLE(), GUARDIAN);
        operator.grantRole(operator.KEEPER_ROLE(), keeper);
        _wireVenue(keeper);
        vm.stopPrank();

        _seedPoolAtPeg();
        _warmTwap();
    }

    // ------------------------------------------------------------------ the venue (V2 here; BallastSystemV3 overrides)

    /// @dev Creates the market (the real V2 factory and pair) and returns the oracle reading it. Runs as ADMIN.
    function _deployMarket() internal virtual returns (PriceOracle) {
        IUniswapV2FactoryMinimal factory = IUniswapV2FactoryMinimal(_deployUniswapFactory(ADMIN));
        pair = IUniswapV2PairFull(factory.createPair(address(stable), address(usdc)));
        return new PriceOracle(ADMIN, address(pair), address(stable), address(usdc), TWAP_WINDOW_SEC);
    }

    function _newOperator(IMarketOperator.Limits memory limits) internal virtual returns (MarketOperator) {
        return new MarketOperator(ADMIN, stable, oracle, reserve, policy, limits, BAND_BPS, MAX_SPOT_TWAP_DEVIATION_BPS);
    }

    /// @dev Venue contracts and roles beyond the common wiring (none on V2). Runs as ADMIN.
    function _wireVenue(address keeper) internal virtual {}

    /// @dev The market's pool: where the stable token trades.
    function _poolAddress() internal view virtual returns (address) {
        return address(pair);
    }

    /// @dev Adds `tokenSide` stable tokens and `quoteSide` USDC, both held by ADMIN, to the market at the peg.
    function _addMarketLiquidity(uint256 tokenSide, uint256 quoteSide) internal virtual {
        vm.startPrank(ADMIN);
        stable.transfer(address(pair), tokenSide);
        usdc.transfer(address(pair), quoteSide);
        pair.mint(ADMIN);
        vm.stopPrank();
    }

    /// @dev Admin mints the pool's token side through the reserve, adds both sides, contributes equity.
    function _seedPoolAtPeg() internal virtual {
        uint256 quoteSide = POOL_DEPTH * 1e6;
        uint256 tokenSide = POOL_DEPTH * 1e18;
        // tokens = deposit × (1 − 1% haircut) × (1 − 0.05% fee) at most (the stable lane gives more),
        // so deposit = side / (0.99 × 0.9995) + 1 always covers the token side.
        uint256 deposit = (quoteSide * 1e8) / (9_900 * 9_995) + 1;
        usdc.mint(ADMIN, deposit + quoteSide + SEED_EQUITY * 1e6);
        vm.startPrank(ADMIN);
        usdc.approve(address(reserve), type(uint256).max);
        reserve.mint(address(usdc), deposit, tokenSide, ADMIN);
        vm.stopPrank();
        _addMarketLiquidity(tokenSide, quoteSide);
        vm.prank(ADMIN);
        reserve.contribute(address(usdc), SEED_EQUITY * 1e6);
    }

    function _warmTwap() private {
        for (uint256 i = 0; i <= 4; ++i) {
            oracle.update();
            vm.warp(block.timestamp + TWAP_WINDOW_SEC / 4);
            vm.roll(block.number + 1);
            _refreshFeeds();
        }
        oracle.update();
    }

    /// @dev Re-posts each feed's latest answer so it is fresh after a time warp.
    function _refreshFeeds() internal {
        (, int256 usdcAnswer,,,) = usdcFeed.latestRoundData();
        (, int256 wethAnswer,,,) = wethFeed.latestRoundData();
        usdcFeed.updateAnswer(usdcAnswer);
        wethFeed.updateAnswer(wethAnswer);
    }

    /// @dev Deploys the factory from the compiled Uniswap V2 artifact that ships in node_modules.
    function _deployUniswapFactory(address feeToSetter) private returns (address factory) {
        string memory json = vm.readFile("node_modules/@uniswap/v2-core/build/UniswapV2Factory.json");
        bytes memory code = vm.parseBytes(string.concat("0x", vm.parseJsonString(json, ".bytecode")));
        bytes memory init = abi.encodePacked(code, abi.encode(feeToSetter));
        assembly ("memory-safe") {
            factory := create(0, add(init, 0x20), mload(init))
        }
        require(factory != address(0), "uniswap factory deploy failed");
    }
}
