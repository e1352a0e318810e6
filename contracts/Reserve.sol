// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IReserve} from "./interfaces/IReserve.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IBallastDollar} from "./interfaces/IBallastDollar.sol";
import {ICollateralPolicy} from "./interfaces/ICollateralPolicy.sol";
import {IValueSource} from "./interfaces/IValueSource.sol";
import {ReserveAdmin, StoredConfig, Lane} from "./libraries/ReserveAdmin.sol";
import {
    WAD,
    BPS,
    PEG_WAD,
    MAX_MINT_FEE_BPS,
    MAX_RECOVERY_REDEEM_FEE_BPS,
    MIN_BUFFER_TOLERANCE_BPS,
    MAX_BUFFER_TOLERANCE_BPS,
    MAX_ASSETS,
    MAX_ASSET_DECIMALS,
    MAX_VALUE_SOURCE_AMOUNT,
    RESERVE_EPOCH_SEC,
    MIN_REDEEM_SPREAD_BPS,
    MAX_REDEEM_SPREAD_BPS,
    MIN_DEGRADED_REDEEM_CAP_BPS,
    MAX_DEGRADED_REDEEM_CAP_BPS,
    MIN_VALUATION_MAX_AGE_SEC,
    MAX_VALUATION_MAX_AGE_SEC,
    DEFAULT_VALUATION_MAX_AGE_SEC
} from "./libraries/Constants.sol";

/// @title Reserve
/// @notice See {IReserve}.
/// @dev Accounting rules (what the reserve guarantees):
/// 1. Accounted amounts change only through `mint`, `redeem`, the operator's deposit/release and
///    rebalancing; tokens sent to the reserve directly (donations) are never counted.
/// 2. A strategy position counts at `min(previewRedeem(shares), principal)`: losses at once,
///    yield (and anything sent to the vault) only once realised, when the reserve takes its whole
///    position back by redeeming every share. A vault whose `previewRedeem` fails counts as 0.
/// 3. Every division rounds in the reserve's favour: values and user outputs round down, prices
///    the reserve pays at round up.
/// 4. User mint and redeem never lower the gross value behind each remaining token below
///    `min(G*/S, 1)`: mints add at least the value they create at the deposit's own price,
///    redemptions pay at most `min(G*/S, 1)` per token at the redeemed asset's price (see
///    {IReserve}). The haircut ratio may move either way by at most the haircut of what moved.
/// 5. The reserve keeps its last whole valuation (`cachedValuation`): every flow adds or takes its
///    own value at its own price (rounded against the reserve), only a whole pass (`poke`, an
///    ordinary mint or redeem, a rebalance, a stale lane call) renews its prices and its recovery
///    flag (haircut ratio under the policy's target, then). A stable-lane call on a fresh cache
///    (≤ valuationMaxAgeSec) reads it for soft limits only (the recovery fee, the share cap,
///    degraded mode) and calls neither the policy nor, for a mint, the token's supply; a lane
///    redemption pays from the cache only outside recovery mode and only when the lane asset's own
///    fresh value covers the whole supply, so a stale cache never lets a redeemer take more than
///    `min(G*/S, 1)` (docs/invariants.md, INV-4). A lane redemption pays the larger of the lane's
///    and the ordinary path's quote: each is within `min(G*/S, 1)` per token at the fresh price.
///    Why a stale flag cannot move value: it only picks the fee (lane fee or recovery fee, both
///    bounded); a lane mint never creates more tokens than `amount × min(feed, 1)` whatever the
///    fee, and a cached 1:1 redemption needs `G* ≥ S` proven live. What the flag can miss is
///    bounded: operations keep the haircut ratio ≥ min(before, target) (rule 7), so they never
///    push the reserve into recovery; a new target (`refresh`) or a price move reaches the flag
///    at the next whole pass, within valuationMaxAgeSec at the latest (`poke` renews it at once).
/// Not guaranteed: the solvency of a strategy or the honesty of a listed asset; a position that
/// is written off (`emergencyWithdraw`, `writeOffStrategy`) stops counting, whatever it is worth.
contract Reserve is IReserve, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May pause minting and redemption; cannot unpause.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice The MarketOperator: moves quote collateral for market operations and rebalances.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    IBallastDollar public immutable stable;
    IPriceOracle public immutable oracle;
    /// @dev The policy, the cache's age bound and both pause flags share a slot: every mint and
    /// redemption reads them together (Pausable's own flag is unused: `paused` reads this one).
    PolicyLink private _policy = PolicyLink(ICollateralPolicy(address(0)), uint32(DEFAULT_VALUATION_MAX_AGE_SEC), false, false);

    address[] private _assets;
    mapping(address asset => StoredConfig) private _configs;
    mapping(address asset => Holdings) private _holdings;
    mapping(address asset => IERC4626) private _strategies;
    mapping(address asset => Lane) private _lanes;
    EpochUsage private _degradedUsage;

    /// @dev Volume used in the epoch `epoch` (18-decimal tokens).
    struct EpochUsage {
        uint64 epoch;
        uint192 used;
    }

    struct PolicyLink {
        ICollateralPolicy policy;
        uint32 valuationMaxAgeSec;
        bool mintingPaused;
        bool redemptionsPaused;
    }

    /// @dev The last whole valuation (`_valuation`, degraded mode) in one slot: gross and haircut
    /// value (WAD USD, saturating at 2^104 − 1, about $2e13), when a whole pass last priced every
    /// asset (seconds, 32 bits: until 2106), whether a held asset lacked a fresh price then, and
    /// whether the reserve was in recovery mode then (haircut ratio under the policy's target; see
    /// {_belowTarget}). Flows since (`_cacheFlow`) add or take their own value at their own price,
    /// rounded against the reserve; only a whole pass moves `valuedAt` and `recovery`.
    struct ValuationCache {
        uint104 grossWad;
        uint104 haircutWad;
        uint32 valuedAt;
        bool degraded;
        bool recovery;
    }

    /// @dev What a mint or redemption decided on: the quote, and the valuation it read (the
    /// cache, or a whole pass made now when `whole`).
    struct Quote {
        uint256 amountOut;
        uint256 ratioWad;
        uint256 feeBps;
        bool lane;
        bool whole;
        bool recovery;
        Valuation v;
        ValuationCache cache;
    }

    /// @dev One pass over the assets in degraded mode: gross and haircut value (WAD USD), whether
    /// a held asset lacks a fresh price, the target asset's price and gross value, and
    /// Σ gross × haircutBps (the value-weighted haircut's numerator).
    struct Valuation {
        uint256 grossWad;
        uint256 haircutWad;
        bool degraded;
        uint256 assetGrossWad;
        IPriceOracle.PriceInfo info;
        uint256 weightedWad;
    }

    uint256 public override degradedRedeemCapBps = 500;
    uint256 public recoveryMintFeeBps;
    uint256 public recoveryRedeemFeeBps;
    uint256 public bufferToleranceBps = 1_000;
    ValuationCache private _cache;
    /// @dev Protocol-owned liquidity counted in `_valueSourceAsset`'s amount (zero: none).
    IValueSource private _valueSource;
    address private _valueSourceAsset;

    constructor(address admin, IBallastDollar stable_, IPriceOracle oracle_) {
        if (admin == address(0) || address(stable_) == address(0) || address(oracle_) == address(0)) {
            revert ZeroAddress();
        }
        stable = stable_;
        oracle = oracle_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================== admin

    /// @notice Lists `asset` as collateral with its parameters. Only DEFAULT_ADMIN_ROLE.
    function listAsset(address asset, AssetConfig calldata config) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (asset == address(0)) revert ZeroAddress();
        if (asset == address(stable)) revert StableNotCollateral(asset);
        if (_configs[asset].unit != 0) revert AssetAlreadyListed(asset);
        if (_assets.length >= MAX_ASSETS) revert TooManyAssets(MAX_ASSETS);
        uint8 decimals = IERC20Metadata(asset).decimals();
        if (decimals > MAX_ASSET_DECIMALS) revert ParameterOutOfBounds("decimals", decimals, 0, MAX_ASSET_DECIMALS);
        _configs[asset].unit = uint64(10 ** decimals);
        _assets.push(asset);
        emit AssetListed(asset, decimals);
        ReserveAdmin.setAssetConfig(_configs[asset], asset, config);
    }

    /// @notice Updates a listed asset's parameters, each within its hard bound.
    function setAssetConfig(address asset, AssetConfig calldata config) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        ReserveAdmin.setAssetConfig(_configs[asset], asset, config);
        _cacheWholeValuation();
    }

    /// @notice Sets the ERC-4626 strategy of `asset` (zero to remove). The old one must be empty.
    function setStrategy(address asset, IERC4626 strategy) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        uint256 shares = _holdings[asset].strategyShares;
        if (shares != 0) revert StrategyNotEmpty(asset, shares);
        if (address(strategy) != address(0) && strategy.asset() != asset) {
            revert StrategyAssetMismatch(address(strategy), asset, strategy.asset());
        }
        emit StrategySet(asset, address(_strategies[asset]), address(strategy));
        _strategies[asset] = strategy;
    }

    /// @notice Redeems what `asset`'s strategy gives back now (at most `maxRedeem`, a failing vault
    /// gives nothing) into the buffer, and detaches the strategy; shares it would not redeem are
    /// written off. The exit for a paused or failing vault. Only DEFAULT_ADMIN_ROLE.
    function emergencyWithdraw(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        IERC4626 strategy = _requireStrategy(asset);
        ReserveAdmin.emergencyWithdraw(strategy, _holdings[asset], asset);
        _detachStrategy(asset, strategy);
        _cacheWholeValuation();
    }

    /// @notice Stops counting `asset`'s strategy position and detaches the vault without calling
    /// it: for a vault that cannot be called safely at all. Only DEFAULT_ADMIN_ROLE.
    function writeOffStrategy(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        IERC4626 strategy = _requireStrategy(asset);
        Holdings storage h = _holdings[asset];
        emit StrategyWrittenOff(asset, address(strategy), h.strategyShares, h.strategyPrincipal);
        _detachStrategy(asset, strategy);
        _cacheWholeValuation();
    }

    /// @notice Removes `asset` from the collateral list once the reserve holds none of it (set its
    /// ceiling to 0 first and let redemptions drain it). Only DEFAULT_ADMIN_ROLE.
    function delistAsset(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        Holdings storage h = _holdings[asset];
        if (h.idle != 0 || h.strategyShares != 0) revert AssetNotEmpty(asset, h.idle, h.strategyShares);
        uint256 last = _assets.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (_assets[i] != asset) continue;
            _assets[i] = _assets[last];
            _assets.pop();
            break;
        }
        delete _configs[asset];
        delete _strategies[asset];
        delete _lanes[asset];
        delete _holdings[asset];
        emit AssetDelisted(asset);
    }

    /// @notice Sets `asset`'s stable lane (see {IReserve-StableLane}); `bandBps = 0` closes it.
    function setStableLane(address asset, StableLane calldata lane) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        ReserveAdmin.setStableLane(_lanes[asset], asset, lane);
    }

    /// @notice Sets the spread `asset`'s redemptions pay outside a stable lane, bps: at least the
    /// feed's deviation threshold, within [MIN_REDEEM_SPREAD_BPS, MAX_REDEEM_SPREAD_BPS].
    function setRedeemSpread(address asset, uint256 spreadBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        ReserveAdmin.requireWithin("redeemSpreadBps", spreadBps, MIN_REDEEM_SPREAD_BPS, MAX_REDEEM_SPREAD_BPS);
        _configs[asset].spreadBps = uint16(spreadBps);
        emit RedeemSpreadSet(asset, spreadBps);
    }

    /// @notice Sets the degraded-mode redemption cap per epoch, bps of the supply.
    function setDegradedRedeemCap(uint256 capBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ReserveAdmin.requireWithin("degradedRedeemCapBps", capBps, MIN_DEGRADED_REDEEM_CAP_BPS, MAX_DEGRADED_REDEEM_CAP_BPS);
        degradedRedeemCapBps = capBps;
        emit DegradedRedeemCapSet(capBps);
    }

    /// @notice Recovery-mode fees: the mint fee floor and the raised redeem fee, bps.
    function setRecoveryFees(uint256 mintFeeBps, uint256 redeemFeeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ReserveAdmin.requireWithin("recoveryMintFeeBps", mintFeeBps, 0, MAX_MINT_FEE_BPS);
        ReserveAdmin.requireWithin("recoveryRedeemFeeBps", redeemFeeBps, 0, MAX_RECOVERY_REDEEM_FEE_BPS);
        recoveryMintFeeBps = mintFeeBps;
        recoveryRedeemFeeBps = redeemFeeBps;
        emit RecoveryFeesSet(mintFeeBps, redeemFeeBps);
    }

    /// @notice How far (bps of the target) the buffer may drift before `rebalance` moves funds.
    function setBufferTolerance(uint256 toleranceBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ReserveAdmin.requireWithin("bufferToleranceBps", toleranceBps, MIN_BUFFER_TOLERANCE_BPS, MAX_BUFFER_TOLERANCE_BPS);
        bufferToleranceBps = toleranceBps;
        emit BufferToleranceSet(toleranceBps);
    }

    /// @notice How old the cached valuation may be before a stable-lane call prices the whole
    /// reserve itself, seconds, within [MIN_VALUATION_MAX_AGE_SEC, MAX_VALUATION_MAX_AGE_SEC].
    function setValuationMaxAge(uint256 maxAgeSec) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ReserveAdmin.requireWithin("valuationMaxAgeSec", maxAgeSec, MIN_VALUATION_MAX_AGE_SEC, MAX_VALUATION_MAX_AGE_SEC);
        _policy.valuationMaxAgeSec = uint32(maxAgeSec);
        emit ValuationMaxAgeSet(maxAgeSec);
    }

    /// @notice Counts `source`'s holdings of its listed `quoteAsset()` in every valuation (zero:
    /// none); never payable to a redeemer. Only DEFAULT_ADMIN_ROLE.
    function setValueSource(IValueSource source) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address asset;
        if (address(source) != address(0)) _requireListed(asset = source.quoteAsset());
        (_valueSource, _valueSourceAsset) = (source, asset);
        emit ValueSourceSet(address(source), asset);
        _cacheWholeValuation();
    }

    /// @inheritdoc IReserve
    function valueSource() external view override returns (address) {
        return address(_valueSource);
    }

    /// @notice The CollateralPolicy whose target decides recovery mode.
    function collateralPolicy() external view returns (ICollateralPolicy) {
        return _policy.policy;
    }

    function setCollateralPolicy(ICollateralPolicy policy) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(policy) == address(0)) revert ZeroAddress();
        _policy.policy = policy;
        emit CollateralPolicySet(address(policy));
        // A new target: renew the recovery flag the stable lane reads.
        _cacheWholeValuation();
    }

    /// @notice Stops minting (GUARDIAN_ROLE). Redemption stays live.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _requireNotPaused();
        _policy.mintingPaused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requirePaused();
        _policy.mintingPaused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Whether minting is paused.
    function paused() public view override returns (bool) {
        return _policy.mintingPaused;
    }

    /// @notice Stops redemption too; an explicit, separate guardian decision.
    function pauseRedemptions() external onlyRole(GUARDIAN_ROLE) {
        _policy.redemptionsPaused = true;
        emit RedemptionsPausedSet(true);
    }

    function unpauseRedemptions() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _policy.redemptionsPaused = false;
        emit RedemptionsPausedSet(false);
    }

    /// @inheritdoc IReserve
    function redemptionsPaused() external view override returns (bool) {
        return _policy.redemptionsPaused;
    }

    // ================================================================== users

    /// @inheritdoc IReserve
    function mint(address asset, uint256 amountIn, uint256 minOut, address receiver)
        external
        override
        nonReentrant
        whenNotPaused
        returns (uint256 tokensOut)
    {
        _requireListed(asset);
        if (amountIn == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        uint256 ceiling = _ceiling(_configs[asset]);
        // Saturating: an absurd amountIn must hit the named ceiling error, not an overflow panic.
        uint256 wanted = Math.saturatingAdd(accountedAmount(asset), amountIn);
        if (wanted > ceiling) revert ReserveCeilingExceeded(asset, ceiling, wanted);

        uint256 received = _pull(asset, amountIn);
        Quote memory q = _quoteMint(asset, received, true);
        tokensOut = q.amountOut;
        if (tokensOut == 0) revert ZeroAmount();
        if (tokensOut < minOut) revert SlippageExceeded(minOut, tokensOut);
        if (q.lane) _useLaneVolume(asset, tokensOut, true);

        _holdings[asset].idle += received;
        // A mint needs a fresh price: its value is gross, with no degraded haircut.
        uint256 flowWad = _value(asset, received, q.v.info.priceWad);
        _cacheFlow(q, flowWad, _haircut(flowWad, asset), true);
        stable.mint(receiver, tokensOut);
        emit Minted(msg.sender, receiver, asset, received, tokensOut, q.feeBps);
    }

    /// @inheritdoc IReserve
    function redeem(address asset, uint256 amountIn, uint256 minOut, address receiver)
        external
        override
        nonReentrant
        returns (uint256 amountOut)
    {
        if (_policy.redemptionsPaused) revert RedemptionsPaused();
        _requireListed(asset);
        if (amountIn == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        Quote memory q = _quoteRedeem(asset, amountIn, true);
        amountOut = q.amountOut;
        if (amountOut == 0) revert ZeroAmount();
        if (amountOut < minOut) revert SlippageExceeded(minOut, amountOut);
        if (q.lane) _useLaneVolume(asset, amountIn, false);
        if (q.v.degraded) _useDegradedAllowance(amountIn);

        _ensureIdle(asset, amountOut);
        _holdings[asset].idle -= amountOut;
        // What left, as the valuation counts it (a degraded asset under its degraded haircut), rounded up.
        uint256 flowWad = Math.mulDiv(
            Math.mulDiv(amountOut, q.v.info.priceWad, _configs[asset].unit, Math.Rounding.Ceil),
            BPS - q.v.info.haircutBps, BPS, Math.Rounding.Ceil
        );
        _cacheFlow(q, flowWad, Math.mulDiv(flowWad, BPS - _configs[asset].haircutBps, BPS, Math.Rounding.Ceil), false);
        stable.burnFrom(msg.sender, amountIn);
        IERC20(asset).safeTransfer(receiver, amountOut);
        emit Redeemed(msg.sender, receiver, asset, amountIn, amountOut, q.ratioWad, q.feeBps);
    }

    /// @inheritdoc IReserve
    function contribute(address asset, uint256 amount) external override nonReentrant {
        _requireListed(asset);
        if (amount == 0) revert ZeroAmount();
        uint256 received = _pull(asset, amount);
        _holdings[asset].idle += received;
        emit EquityContributed(msg.sender, asset, received);
        _cacheWholeValuation();
    }

    /// @inheritdoc IReserve
    function poke() external override nonReentrant returns (uint256 grossWad, uint256 haircutWad, bool degraded) {
        return _cacheWholeValuation();
    }

    /// @inheritdoc IReserve
    function previewMint(address asset, uint256 amountIn) external view override returns (uint256 tokensOut) {
        _requireListed(asset);
        tokensOut = _quoteMint(asset, amountIn, true).amountOut;
    }

    /// @inheritdoc IReserve
    function previewRedeem(address asset, uint256 amountIn) external view override returns (uint256 amountOut) {
        _requireListed(asset);
        amountOut = _quoteRedeem(asset, amountIn, true).amountOut;
    }

    // ================================================================== valuation

    /// @inheritdoc IReserve
    function reserveValue() public view override returns (uint256 valueWad) {
        (, valueWad) = valuation();
    }

    /// @inheritdoc IReserve
    function grossValue() external view override returns (uint256 valueWad) {
        (valueWad,) = valuation();
    }

    /// @inheritdoc IReserve
    function valuation() public view override returns (uint256 grossWad, uint256 haircutWad) {
        Valuation memory v = _valuation(address(0), true);
        return (v.grossWad, v.haircutWad);
    }

    /// @inheritdoc IReserve
    function cachedValuation()
        external
        view
        override
        returns (uint256 grossWad, uint256 haircutWad, uint256 valuedAtSec, bool degraded)
    {
        ValuationCache memory c = _cache;
        return (c.grossWad, c.haircutWad, c.valuedAt, c.degraded);
    }

    /// @inheritdoc IReserve
    function cachedRecoveryMode() external view override returns (bool inRecovery, uint256 valuedAtSec) {
        ValuationCache memory c = _cache;
        return (c.recovery, c.valuedAt);
    }

    /// @inheritdoc IReserve
    function valuationMaxAgeSec() external view override returns (uint256) {
        return _policy.valuationMaxAgeSec;
    }

    /// @inheritdoc IReserve
    function riskHaircutBps() external view override returns (uint256 haircutBps) {
        ValuationCache memory c = _cache;
        if (!_fresh(c)) return weightedHaircutBps();
        // (G − H) / G ≥ the value-weighted haircut: each asset's haircut value rounds down.
        return c.grossWad > c.haircutWad ? Math.mulDiv(c.grossWad - c.haircutWad, BPS, c.grossWad, Math.Rounding.Ceil) : 0;
    }

    /// @inheritdoc IReserve
    function collateralRatio() public view override returns (uint256 ratioWad) {
        return _ratio(reserveValue());
    }

    /// @inheritdoc IReserve
    function conservativeRatio() public view override returns (uint256 ratioWad) {
        return _ratio(_valuation(address(0), false).haircutWad);
    }

    /// @inheritdoc IReserve
    function redemptionRatio() external view override returns (uint256 ratioWad) {
        return _ratio(_valuation(address(0), false).grossWad);
    }

    /// @inheritdoc IReserve
    function laneFee(address asset) external view override returns (bool open, uint256 feeBps) {
        IPriceOracle.PriceInfo memory info = oracle.priceInfo(asset);
        return _laneFee(_lanes[asset], info);
    }

    /// @inheritdoc IReserve
    function redeemSpreadBps(address asset) public view override returns (uint256) {
        return Math.max(_configs[asset].spreadBps, MIN_REDEEM_SPREAD_BPS);
    }

    function stableLane(address asset) public view override returns (StableLane memory) {
        Lane memory laneCfg = _lanes[asset];
        return StableLane(laneCfg.bandBps, laneCfg.baseFeeBps, laneCfg.maxShareBps, laneCfg.volumePerEpoch);
    }

    /// @inheritdoc IReserve
    function weightedHaircutBps() public view override returns (uint256 haircutBps) {
        Valuation memory v = _valuation(address(0), true);
        (uint256 gross, uint256 haircutWeighted) = (v.grossWad, v.weightedWad);
        // Round up: the risk floor must not be understated.
        return gross == 0 ? 0 : Math.ceilDiv(haircutWeighted, gross);
    }

    /// @inheritdoc IReserve
    function accountedAmount(address asset) public view override returns (uint256) {
        Holdings storage h = _holdings[asset];
        return h.idle + _strategyValue(asset, h);
    }

    /// @inheritdoc IReserve
    function rebalanceDelta(address asset) public view override returns (int256) {
        IERC4626 strategy = _strategies[asset];
        if (address(strategy) == address(0)) return 0;
        Holdings storage h = _holdings[asset];
        return ReserveAdmin.rebalanceDelta(address(strategy), h.idle, _strategyValue(asset, h), _configs[asset].bufferBps, bufferToleranceBps);
    }

    function assets() external view override returns (address[] memory) {
        return _assets;
    }

    function assetConfig(address asset) external view override returns (AssetConfig memory) {
        StoredConfig memory c = _configs[asset];
        return AssetConfig(c.haircutBps, c.mintFeeBps, c.redeemFeeBps, c.bufferBps, _ceiling(c));
    }

    function holdings(address asset) external view override returns (Holdings memory) {
        return _holdings[asset];
    }

    /// @inheritdoc IReserve
    function idleOf(address asset) external view override returns (uint256) {
        return _holdings[asset].idle;
    }

    function strategyOf(address asset) external view override returns (address) {
        return address(_strategies[asset]);
    }

    /// @notice Whether the reserve is in recovery mode (actual ratio below the target). Strict.
    function inRecoveryMode() public view returns (bool) {
        if (address(_policy.policy) == address(0)) revert CollateralPolicyNotSet();
        return _belowTarget(reserveValue(), true);
    }

    // ================================================================== operator

    /// @inheritdoc IReserve
    function depositFromOperator(address asset, uint256 amount) external override onlyRole(OPERATOR_ROLE) nonReentrant {
        _requireListed(asset);
        if (amount == 0) revert ZeroAmount();
        uint256 received = _pull(asset, amount);
        _holdings[asset].idle += received;
        _cacheOperatorFlow(asset, received, true);
        emit OperatorDeposited(msg.sender, asset, received);
    }

    /// @inheritdoc IReserve
    function releaseToOperator(address asset, uint256 amount, address to)
        external
        override
        onlyRole(OPERATOR_ROLE)
        nonReentrant
    {
        _requireListed(asset);
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        uint256 idle = _holdings[asset].idle;
        if (idle < amount) revert InsufficientLiquidity(asset, idle, amount);
        _holdings[asset].idle = idle - amount;
        _cacheOperatorFlow(asset, amount, false);
        IERC20(asset).safeTransfer(to, amount);
        emit OperatorReleased(msg.sender, asset, amount, to);
    }

    /// @inheritdoc IReserve
    function rebalance(address asset) external override onlyRole(OPERATOR_ROLE) nonReentrant returns (int256 delta) {
        _requireListed(asset);
        delta = rebalanceDelta(asset);
        if (delta > 0) _depositToStrategy(asset, uint256(delta));
        else if (delta < 0) _withdrawFromStrategy(asset, uint256(-delta));
        else revert NothingToRebalance(asset);
        // A pull-back may realise yield, a vault may round: price the reserve again.
        _cacheWholeValuation();
    }

    // ================================================================== internals

    /// @dev Transfers in from the caller and returns what arrived (fee-on-transfer safe).
    function _pull(address asset, uint256 amount) private returns (uint256 received) {
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
    }

    /// @dev Stable lane: tokensOut = value at min(feed, 1) × (1 − lane fee) / peg, while the lane is
    /// open, the asset's share of gross value after the deposit stays within the lane's cap and
    /// the epoch's volume has room. Otherwise: tokensOut = value × (1 − haircut) × (1 − fee) / peg.
    /// Either fee drops to its recovery floor while the conservative ratio is below the target.
    /// Each step rounded down. Needs a fresh price (else the oracle's error: stale, invalid…).
    /// With `useCache` and a fresh cache, a lane asset reads the cached valuation instead of
    /// pricing every asset: the share cap then bounds the asset's value from above (idle plus
    /// strategy principal); a deposit the lane does not take is quoted again on a whole valuation.
    function _quoteMint(address asset, uint256 amountIn, bool useCache) private view returns (Quote memory q) {
        Lane memory laneCfg = _lanes[asset];
        q.cache = _cache;
        bool cached = useCache && laneCfg.bandBps != 0 && _fresh(q.cache);
        q.whole = !cached;
        q.v = cached ? _fromCache(q.cache, asset) : _valuation(asset, false);
        _requireFreshPrice(asset, q.v.info);
        uint256 priceWad = q.v.info.priceWad;
        (q.lane, q.feeBps) = _laneFee(laneCfg, q.v.info);
        uint256 valueWad;
        if (q.lane) {
            valueWad = _value(asset, amountIn, Math.min(priceWad, PEG_WAD));
            q.lane = _laneRoom(laneCfg, true) >= valueWad;
            // A cap of 100% holds whatever the shares are.
            if (q.lane && laneCfg.maxShareBps < BPS) {
                uint256 addedWad = _value(asset, amountIn, priceWad);
                uint256 assetWad = q.v.assetGrossWad;
                if (cached) {
                    Holdings storage h = _holdings[asset];
                    assetWad = _value(asset, h.idle + h.strategyPrincipal, priceWad);
                }
                uint256 shareBps = Math.mulDiv(assetWad + addedWad, BPS, q.v.grossWad + addedWad, Math.Rounding.Ceil);
                q.lane = shareBps <= laneCfg.maxShareBps;
            }
        }
        if (!q.lane) {
            if (cached) return _quoteMint(asset, amountIn, false);
            q.feeBps = _configs[asset].mintFeeBps;
            valueWad = _haircut(_value(asset, amountIn, priceWad), asset);
        }
        // On the cache, the recovery flag its last whole pass kept (no policy or supply read).
        if (cached && address(_policy.policy) == address(0)) revert CollateralPolicyNotSet();
        q.recovery = cached ? q.cache.recovery : _belowTarget(q.v.haircutWad, true);
        if (q.recovery) q.feeBps = Math.min(recoveryMintFeeBps, q.feeBps);
        uint256 afterFee = Math.mulDiv(valueWad, BPS - q.feeBps, BPS);
        q.amountOut = Math.mulDiv(afterFee, WAD, PEG_WAD);
    }

    /// @dev amountOut = tokens × peg × min(G*/S, 1) × (1 − fee − spread) / payPrice, rounded down.
    /// The ordinary path: the asset's fee (the recovery fee while the conservative ratio is below
    /// the target) plus its spread, payPrice = the price, raised by the degraded haircut when only a
    /// stale price exists (rounded up). An open stable lane: the lane fee (or the recovery fee), no
    /// spread, payPrice = max(feed, 1); the redeemer gets the better of the two (`_settleRedeem`).
    /// The redeemed asset needs a price; every other one may be degraded or missing.
    /// With `useCache`, a fresh cache that saw no degraded asset and no recovery, and the lane open:
    /// when the lane asset's own fresh value covers the supply, `G*/S ≥ 1` whatever else the reserve
    /// holds is worth, so both quotes are made at ratio 1 without pricing the reserve (INV-4). A
    /// cached recovery flag is not used here: the live flag may have cleared, and the ordinary
    /// path would then charge less than the recovery fee. Anything else is quoted on a whole valuation.
    function _quoteRedeem(address asset, uint256 tokensIn, bool useCache) private view returns (Quote memory q) {
        Lane memory laneCfg = _lanes[asset];
        q.cache = _cache;
        if (useCache && laneCfg.bandBps != 0 && !q.cache.degraded && !q.cache.recovery && _fresh(q.cache)) {
            q.v = _fromCache(q.cache, asset);
            (q.lane, q.feeBps) = _laneFee(laneCfg, q.v.info);
            uint256 supply = stable.totalSupply();
            if (q.lane && _laneRoom(laneCfg, false) >= tokensIn && _coversSupply(asset, q.v.info.priceWad, supply)) {
                q.ratioWad = Math.max(_ratioOf(q.cache.grossWad, supply), WAD);
                _settleRedeem(q, asset, tokensIn);
                return q;
            }
        }
        q.whole = true;
        q.v = _valuation(asset, false);
        if (q.v.info.status == IPriceOracle.PriceStatus.Invalid) _revertNoPrice(asset);
        q.ratioWad = _ratio(q.v.grossWad);
        (q.lane, q.feeBps) = _laneFee(laneCfg, q.v.info);
        q.lane = q.lane && _laneRoom(laneCfg, false) >= tokensIn;
        q.recovery = _belowTarget(q.v.haircutWad, false);
        _settleRedeem(q, asset, tokensIn);
    }

    /// @dev Prices a redemption of `tokensIn` on `q`'s ratio, recovery flag and price: the ordinary
    /// quote, and, when `q.lane` (its lane fee in `q.feeBps`), the lane's quote; the redeemer gets
    /// the larger (the lane on a tie), so a lane redemption never pays less than the ordinary path
    /// at the same state (it would, with the feed ~37 bps under $1 or in recovery mode). `q.lane`
    /// and `q.feeBps` end as the chosen path's: the lane's volume is used only when the lane pays.
    /// Why the larger cannot pay more than backing: each quote alone pays at most
    /// `tokens × peg × min(G*/S, 1)` valued at the asset's fresh price (the lane at max(feed, 1) ≥
    /// feed, the ordinary path at the price or above), each after a fee ≥ 0, all rounded down; the
    /// larger of two amounts under that bound is under it (rule 4).
    function _settleRedeem(Quote memory q, address asset, uint256 tokensIn) private view {
        (uint256 unit, uint256 redeemFeeBps) = (_configs[asset].unit, _configs[asset].redeemFeeBps);
        uint256 priceWad = q.v.info.priceWad;
        uint256 valueWad = Math.mulDiv(tokensIn, PEG_WAD, WAD);
        if (q.ratioWad < WAD) valueWad = Math.mulDiv(valueWad, q.ratioWad, WAD);
        if (q.lane) {
            if (q.recovery) q.feeBps = Math.max(q.feeBps, recoveryRedeemFeeBps);
            q.amountOut = Math.mulDiv(Math.mulDiv(valueWad, BPS - q.feeBps, BPS), unit, Math.max(priceWad, PEG_WAD));
            // The ordinary fee is at least fee + MIN_REDEEM_SPREAD_BPS (recovery only raises it).
            if (_lanePaysMore(valueWad, priceWad, q.feeBps, redeemFeeBps + MIN_REDEEM_SPREAD_BPS)) return;
        }
        uint256 feeBps = redeemFeeBps + redeemSpreadBps(asset);
        if (q.recovery) feeBps = Math.max(feeBps, recoveryRedeemFeeBps);
        uint256 payPriceWad = q.v.info.haircutBps == 0
            ? priceWad
            : Math.mulDiv(priceWad, BPS, BPS - q.v.info.haircutBps, Math.Rounding.Ceil);
        uint256 ordinaryOut = Math.mulDiv(Math.mulDiv(valueWad, BPS - feeBps, BPS), unit, payPriceWad);
        if (q.lane && q.amountOut >= ordinaryOut) return;
        (q.amountOut, q.feeBps, q.lane) = (ordinaryOut, feeBps, false);
    }

    /// @dev Whether the lane's quote (`laneFeeBps`, paid at max(price, 1)) is at least the ordinary
    /// one (any fee ≥ `feeBps`, paid at the price: an open lane's price is fresh, with no degraded
    /// haircut) for `valueWad`, rounding included, so the ordinary quote need not be computed (~700 gas).
    /// At or above $1 both divide by the price: a fee no higher pays at least as much, step by
    /// step. Below $1, with D = (1 − laneFee)·price − (1 − fee)·$1 > 0 (bps × WAD): the fee steps
    /// round down by < 1 (A_lane > value·(1 − laneFee) − 1, A_ord ≤ value·(1 − fee)), so
    /// value·D ≥ BPS·price gives A_ord·$1 ≤ A_lane·price, and A_ord / price ≤ A_lane / $1.
    /// False says only "not proven": the caller then computes both.
    function _lanePaysMore(uint256 valueWad, uint256 priceWad, uint256 laneFeeBps, uint256 feeBps) private pure returns (bool) {
        if (priceWad >= PEG_WAD) return laneFeeBps <= feeBps;
        // Unchecked: both fees are hard-bounded below BPS and the price is under PEG_WAD here.
        unchecked {
            uint256 laneRate = (BPS - laneFeeBps) * priceWad;
            uint256 ordinaryRate = (BPS - feeBps) * PEG_WAD;
            // value > floor(x / D) gives value·D ≥ x.
            return laneRate > ordinaryRate && valueWad > (BPS * priceWad) / (laneRate - ordinaryRate);
        }
    }

    /// @dev Whether `asset` alone, at its fresh `priceWad`, is worth at least `supply` (WAD USD at
    /// the peg): then `G* ≥ S`, since every other asset counts at zero or more. Idle first; the
    /// strategy is asked only when idle is not enough.
    function _coversSupply(address asset, uint256 priceWad, uint256 supply) private view returns (bool) {
        Holdings storage h = _holdings[asset];
        uint256 idle = h.idle;
        if (_value(asset, idle, priceWad) >= supply) return true;
        return _value(asset, idle + _strategyValue(asset, h), priceWad) >= supply;
    }

    /// @dev One pass over the assets with the oracle's degraded mode: a stale asset at its last
    /// good price under the degraded haircut, an asset without a price at zero. `target`'s price
    /// info and gross value are kept (zero address: none). `strict`: every asset needs a fresh
    /// price (else the oracle's named error), as `valuation()` promises.
    function _valuation(address target, bool strict) private view returns (Valuation memory v) {
        for (uint256 i = 0; i < _assets.length; ++i) {
            address asset = _assets[i];
            IPriceOracle.PriceInfo memory info = oracle.priceInfo(asset);
            if (strict) _requireFreshPrice(asset, info);
            uint256 amount = _amountOf(asset, info.priceWad);
            if (asset == target) v.info = info;
            if (amount == 0) continue;
            if (info.status != IPriceOracle.PriceStatus.Ok) v.degraded = true;
            if (info.status == IPriceOracle.PriceStatus.Invalid) continue;
            uint256 grossWad = Math.mulDiv(_value(asset, amount, info.priceWad), BPS - info.haircutBps, BPS);
            v.grossWad += grossWad;
            v.haircutWad += _haircut(grossWad, asset);
            v.weightedWad += grossWad * _configs[asset].haircutBps;
            if (asset == target) v.assetGrossWad = grossWad;
        }
    }

    /// @dev The cached valuation with `asset`'s price read now (its gross value left at zero).
    function _fromCache(ValuationCache memory c, address asset) private view returns (Valuation memory v) {
        v.grossWad = c.grossWad;
        v.haircutWad = c.haircutWad;
        v.degraded = c.degraded;
        v.info = oracle.priceInfo(asset);
    }

    function _fresh(ValuationCache memory c) private view returns (bool) {
        return block.timestamp - c.valuedAt <= _policy.valuationMaxAgeSec;
    }

    /// @dev Prices every asset now and caches the result.
    function _cacheWholeValuation() private returns (uint256 grossWad, uint256 haircutWad, bool degraded) {
        Valuation memory v = _valuation(address(0), false);
        bool recovery = _belowTarget(v.haircutWad, false);
        if (recovery != _cache.recovery) emit RecoveryModeCached(recovery);
        _storeCache(v.grossWad, v.haircutWad, ValuationCache(0, 0, uint32(block.timestamp), v.degraded, recovery));
        emit ValuationCached(v.grossWad, v.haircutWad, v.degraded);
        return (v.grossWad, v.haircutWad, v.degraded);
    }

    /// @dev After a mint or redemption: the valuation the quote read plus (`inflow`) or minus the
    /// flow's own gross and haircut value. A quote made on a whole valuation renews the cache's
    /// prices (`valuedAt` = now); one made on the cache keeps its age.
    function _cacheFlow(Quote memory q, uint256 flowWad, uint256 flowHaircutWad, bool inflow) private {
        ValuationCache memory c = q.cache;
        if (q.whole) {
            if (q.recovery != c.recovery) emit RecoveryModeCached(q.recovery);
            (c.valuedAt, c.degraded, c.recovery) = (uint32(block.timestamp), q.v.degraded, q.recovery);
        }
        (uint256 grossWad, uint256 haircutWad) = q.whole ? (q.v.grossWad, q.v.haircutWad) : (uint256(c.grossWad), uint256(c.haircutWad));
        (grossWad, haircutWad) = _storeFlow(grossWad, haircutWad, flowWad, flowHaircutWad, inflow, c);
        if (q.whole) emit ValuationCached(grossWad, haircutWad, c.degraded);
    }

    /// @dev An operator move of `amount` of `asset`, at the asset's price now; without a fresh
    /// price the cache is marked stale instead (the next lane call prices the whole reserve).
    function _cacheOperatorFlow(address asset, uint256 amount, bool inflow) private {
        ValuationCache memory c = _cache;
        IPriceOracle.PriceInfo memory info = oracle.priceInfo(asset);
        if (info.status != IPriceOracle.PriceStatus.Ok) {
            c.valuedAt = 0;
            _storeCache(c.grossWad, c.haircutWad, c);
            return;
        }
        Math.Rounding rounding = inflow ? Math.Rounding.Floor : Math.Rounding.Ceil;
        uint256 flowWad = Math.mulDiv(amount, info.priceWad, _configs[asset].unit, rounding);
        uint256 flowHaircutWad = Math.mulDiv(flowWad, BPS - _configs[asset].haircutBps, BPS, rounding);
        _storeFlow(c.grossWad, c.haircutWad, flowWad, flowHaircutWad, inflow, c);
    }

    /// @dev Stores (gross, haircut) plus (`inflow`) or minus (floored at zero) a flow, with `c`'s
    /// time and degraded flag; returns what was added up.
    function _storeFlow(
        uint256 grossWad,
        uint256 haircutWad,
        uint256 flowWad,
        uint256 flowHaircutWad,
        bool inflow,
        ValuationCache memory c
    ) private returns (uint256, uint256) {
        if (inflow) {
            grossWad += flowWad;
            haircutWad += flowHaircutWad;
        } else {
            grossWad = grossWad > flowWad ? grossWad - flowWad : 0;
            haircutWad = haircutWad > flowHaircutWad ? haircutWad - flowHaircutWad : 0;
        }
        _storeCache(grossWad, haircutWad, c);
        return (grossWad, haircutWad);
    }

    /// @dev Writes the cache slot: (gross, haircut) with `c`'s time and flags; values saturate at
    /// the field's maximum (rounding against the reserve).
    function _storeCache(uint256 grossWad, uint256 haircutWad, ValuationCache memory c) private {
        uint256 cap = type(uint104).max;
        _cache = ValuationCache(uint104(Math.min(grossWad, cap)), uint104(Math.min(haircutWad, cap)), c.valuedAt, c.degraded, c.recovery);
    }

    /// @dev Whether `lane` is open at `info` (configured, a fresh price within the band of $1) and
    /// its fee: base + ceil(deviationBps / 2), deviationBps rounded up.
    function _laneFee(Lane memory lane, IPriceOracle.PriceInfo memory info) private pure returns (bool open, uint256 feeBps) {
        if (lane.bandBps == 0 || info.status != IPriceOracle.PriceStatus.Ok) return (false, 0);
        uint256 gap = info.priceWad > PEG_WAD ? info.priceWad - PEG_WAD : PEG_WAD - info.priceWad;
        uint256 deviationBps = Math.mulDiv(gap, BPS, PEG_WAD, Math.Rounding.Ceil);
        if (deviationBps > lane.bandBps) return (false, 0);
        return (true, lane.baseFeeBps + Math.ceilDiv(deviationBps, 2));
    }

    /// @inheritdoc IReserve
    function laneVolumeLeft(address asset) external view override returns (uint256 mintRoom, uint256 redeemRoom) {
        Lane memory lane = _lanes[asset];
        return (_laneRoom(lane, true), _laneRoom(lane, false));
    }

    /// @dev What the lane can still take this epoch in one direction (18-decimal tokens): mints may
    /// raise the net flow to +volumePerEpoch, redeems lower it to −volumePerEpoch, so a round trip
    /// gives back the room it used. A new epoch starts from zero; a cap lowered below the net leaves none.
    function _laneRoom(Lane memory lane, bool isMint) private view returns (uint256) {
        int256 net = lane.epoch == block.timestamp / RESERVE_EPOCH_SEC ? int256(lane.net) : int256(0);
        int256 room = int256(uint256(lane.volumePerEpoch)) + (isMint ? -net : net);
        return room > 0 ? uint256(room) : 0;
    }

    /// @dev Moves the lane's net flow this epoch by `tokens` (up for a mint, down for a redeem; a
    /// new epoch starts from zero); the quote checked the room, so it stays within ±volumePerEpoch.
    function _useLaneVolume(address asset, uint256 tokens, bool isMint) private {
        Lane storage lane = _lanes[asset];
        uint32 epoch = uint32(block.timestamp / RESERVE_EPOCH_SEC);
        // tokens ≤ the room checked (< 2^89): the casts cannot wrap.
        int256 net = (lane.epoch == epoch ? int256(lane.net) : int256(0)) + (isMint ? int256(tokens) : -int256(tokens));
        (lane.epoch, lane.net) = (epoch, SafeCast.toInt88(net));
    }

    /// @dev Degraded mode: redemptions this epoch stay within `degradedRedeemCapBps` of the supply
    /// the epoch started with (the current supply plus what was redeemed since).
    function _useDegradedAllowance(uint256 tokens) private {
        uint256 wanted = _use(_degradedUsage, tokens);
        uint256 cap = Math.mulDiv(stable.totalSupply() + wanted, degradedRedeemCapBps, BPS);
        if (wanted > cap) revert DegradedRedemptionLimitExceeded(cap, wanted);
    }

    /// @dev Adds `amount` to this epoch's usage (a new epoch starts from zero); returns the total.
    function _use(EpochUsage storage usage, uint256 amount) private returns (uint256 used) {
        uint64 epoch = uint64(block.timestamp / RESERVE_EPOCH_SEC);
        used = (usage.epoch == epoch ? usage.used : 0) + amount;
        usage.epoch = epoch;
        usage.used = uint192(used);
    }

    function _requireFreshPrice(address asset, IPriceOracle.PriceInfo memory info) private view {
        if (info.status != IPriceOracle.PriceStatus.Ok) _revertNoPrice(asset);
    }

    /// @dev Raises the oracle's own named error for `asset` (stale, out of bounds, sequencer…).
    function _revertNoPrice(address asset) private view {
        oracle.price(asset);
        revert AssetPriceUnavailable(asset);
    }

    /// @dev Recovery mode: the haircut ratio `haircutWad / supply` under the policy's target
    /// (strict). Without a policy: CollateralPolicyNotSet when `requirePolicy` (minting needs one),
    /// else false (redemptions must not depend on one being set).
    function _belowTarget(uint256 haircutWad, bool requirePolicy) private view returns (bool) {
        ICollateralPolicy policy = _policy.policy;
        if (address(policy) == address(0)) {
            if (requirePolicy) revert CollateralPolicyNotSet();
            return false;
        }
        return _ratio(haircutWad) < policy.targetRatio();
    }

    /// @dev Value in WAD USD of `amount` of `asset` at `priceWad`, rounded down.
    function _value(address asset, uint256 amount, uint256 priceWad) private view returns (uint256) {
        return Math.mulDiv(amount, priceWad, _configs[asset].unit);
    }

    function _haircut(uint256 valueWad, address asset) private view returns (uint256) {
        return Math.mulDiv(valueWad, BPS - _configs[asset].haircutBps, BPS);
    }

    function _ratio(uint256 valueWad) private view returns (uint256) {
        return _ratioOf(valueWad, stable.totalSupply());
    }

    function _ratioOf(uint256 valueWad, uint256 supply) private pure returns (uint256) {
        return supply == 0 ? type(uint256).max : Math.mulDiv(valueWad, WAD, supply);
    }

    /// @dev What the valuation counts of `asset` at `priceWad`: its accounted amount plus, for the
    /// value source's asset, the source's holdings at that price (a failing source counts 0; an
    /// answer above MAX_VALUE_SOURCE_AMOUNT counts that much).
    function _amountOf(address asset, uint256 priceWad) private view returns (uint256 amount) {
        amount = accountedAmount(asset);
        if (asset != _valueSourceAsset) return amount;
        (, uint256 held) = ReserveAdmin.tryUint(address(_valueSource), abi.encodeCall(IValueSource.quoteAmountAt, (priceWad)));
        amount += Math.min(held, MAX_VALUE_SOURCE_AMOUNT);
    }

    /// @dev A vault whose `previewRedeem` reverts (paused, as ERC-4626 allows) or answers garbage
    /// counts as 0: ratios stay readable and redemptions paid from idle go on.
    function _strategyValue(address asset, Holdings storage h) private view returns (uint256) {
        if (!_configs[asset].parked) return 0;
        (bool ok, uint256 assetsOut) =
            ReserveAdmin.tryUint(address(_strategies[asset]), abi.encodeCall(IERC4626.previewRedeem, (h.strategyShares)));
        return ok ? Math.min(assetsOut, h.strategyPrincipal) : 0;
    }

    function _requireStrategy(address asset) private view returns (IERC4626 strategy) {
        _requireListed(asset);
        strategy = _strategies[asset];
        if (address(strategy) == address(0)) revert NoStrategy(asset);
    }

    function _detachStrategy(address asset, IERC4626 strategy) private {
        Holdings storage h = _holdings[asset];
        h.strategyShares = 0;
        h.strategyPrincipal = 0;
        _configs[asset].parked = false;
        _strategies[asset] = IERC4626(address(0));
        emit StrategySet(asset, address(strategy), address(0));
    }

    /// @dev Pulls from the strategy so that at least `amount` is idle; reverts when it cannot.
    function _ensureIdle(address asset, uint256 amount) private {
        uint256 idle = _holdings[asset].idle;
        if (idle >= amount) return;
        IERC4626 strategy = _strategies[asset];
        uint256 available;
        if (address(strategy) != address(0)) {
            (, available) = ReserveAdmin.tryUint(address(strategy), abi.encodeCall(IERC4626.maxWithdraw, (address(this))));
        }
        available = Math.min(available, _strategyValue(asset, _holdings[asset]));
        if (idle + available < amount) revert InsufficientLiquidity(asset, idle + available, amount);
        _withdrawFromStrategy(asset, amount - idle);
        idle = _holdings[asset].idle;
        if (idle < amount) revert InsufficientLiquidity(asset, idle, amount);
    }

    function _depositToStrategy(address asset, uint256 amount) private {
        ReserveAdmin.depositToStrategy(_strategies[asset], _holdings[asset], _configs[asset], asset, amount);
    }

    function _withdrawFromStrategy(address asset, uint256 amount) private {
        Holdings storage h = _holdings[asset];
        ReserveAdmin.withdrawFromStrategy(_strategies[asset], h, _configs[asset], asset, amount, _strategyValue(asset, h));
    }

    function _ceiling(StoredConfig memory c) private pure returns (uint256) {
        return c.ceiling == ReserveAdmin.UNLIMITED_CEILING ? type(uint256).max : c.ceiling;
    }

    function _requireListed(address asset) private view {
        if (_configs[asset].unit == 0) revert AssetNotListed(asset);
    }
}
