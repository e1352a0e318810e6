// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IReserve} from "./interfaces/IReserve.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IBallastDollar} from "./interfaces/IBallastDollar.sol";
import {ICollateralPolicy} from "./interfaces/ICollateralPolicy.sol";
import {
    WAD,
    BPS,
    PEG_WAD,
    MAX_HAIRCUT_BPS,
    MAX_MINT_FEE_BPS,
    MAX_REDEEM_FEE_BPS,
    MAX_RECOVERY_REDEEM_FEE_BPS,
    MAX_BUFFER_BPS,
    MIN_BUFFER_TOLERANCE_BPS,
    MAX_BUFFER_TOLERANCE_BPS,
    MAX_ASSETS,
    MAX_ASSET_DECIMALS
} from "./libraries/Constants.sol";

/// @title Reserve
/// @notice See {IReserve}.
/// @dev Accounting rules (what the reserve guarantees):
/// 1. Accounted amounts change only through `mint`, `redeem`, the operator's deposit/release and
///    rebalancing; tokens sent to the reserve directly (donations) are never counted.
/// 2. A strategy position counts at `min(previewRedeem(shares), principal)`: losses at once,
///    yield (and anything sent to the vault) only once realised, when the reserve takes its whole
///    position back by redeeming every share.
/// 3. Every division rounds in the reserve's favour: values and user outputs round down.
/// 4. User mint and redeem never lower the value behind each remaining token below
///    `min(ratio, 1)`: mints add at least what they create, redemptions pay at most `min(ratio, 1)`.
/// Not guaranteed: the solvency of a strategy or the honesty of a listed asset.
contract Reserve is IReserve, AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May pause minting and redemption; cannot unpause.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice The MarketOperator: moves quote collateral for market operations and rebalances.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    IBallastDollar public immutable stable;
    IPriceOracle public immutable oracle;
    ICollateralPolicy public collateralPolicy;

    address[] private _assets;
    mapping(address asset => bool) private _listed;
    mapping(address asset => uint256) private _unit;
    mapping(address asset => AssetConfig) private _configs;
    mapping(address asset => Holdings) private _holdings;
    mapping(address asset => IERC4626) private _strategies;

    uint256 public recoveryMintFeeBps;
    uint256 public recoveryRedeemFeeBps;
    uint256 public bufferToleranceBps = 1_000;
    bool public override redemptionsPaused;

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
        if (_listed[asset]) revert AssetAlreadyListed(asset);
        if (_assets.length >= MAX_ASSETS) revert TooManyAssets(MAX_ASSETS);
        uint8 decimals = IERC20Metadata(asset).decimals();
        if (decimals > MAX_ASSET_DECIMALS) revert ParameterOutOfBounds("decimals", decimals, 0, MAX_ASSET_DECIMALS);
        _listed[asset] = true;
        _unit[asset] = 10 ** decimals;
        _assets.push(asset);
        emit AssetListed(asset, decimals);
        _setAssetConfig(asset, config);
    }

    /// @notice Updates a listed asset's parameters, each within its hard bound.
    function setAssetConfig(address asset, AssetConfig calldata config) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireListed(asset);
        _setAssetConfig(asset, config);
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

    /// @notice Recovery-mode fees: the mint fee floor and the raised redeem fee, bps.
    function setRecoveryFees(uint256 mintFeeBps, uint256 redeemFeeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireWithin("recoveryMintFeeBps", mintFeeBps, 0, MAX_MINT_FEE_BPS);
        _requireWithin("recoveryRedeemFeeBps", redeemFeeBps, 0, MAX_RECOVERY_REDEEM_FEE_BPS);
        recoveryMintFeeBps = mintFeeBps;
        recoveryRedeemFeeBps = redeemFeeBps;
        emit RecoveryFeesSet(mintFeeBps, redeemFeeBps);
    }

    /// @notice How far (bps of the target) the buffer may drift before `rebalance` moves funds.
    function setBufferTolerance(uint256 toleranceBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireWithin("bufferToleranceBps", toleranceBps, MIN_BUFFER_TOLERANCE_BPS, MAX_BUFFER_TOLERANCE_BPS);
        bufferToleranceBps = toleranceBps;
        emit BufferToleranceSet(toleranceBps);
    }

    function setCollateralPolicy(ICollateralPolicy policy) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(policy) == address(0)) revert ZeroAddress();
        collateralPolicy = policy;
        emit CollateralPolicySet(address(policy));
    }

    /// @notice Stops minting (GUARDIAN_ROLE). Redemption stays live.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @notice Stops redemption too; an explicit, separate guardian decision.
    function pauseRedemptions() external onlyRole(GUARDIAN_ROLE) {
        redemptionsPaused = true;
        emit RedemptionsPausedSet(true);
    }

    function unpauseRedemptions() external onlyRole(DEFAULT_ADMIN_ROLE) {
        redemptionsPaused = false;
        emit RedemptionsPausedSet(false);
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
        uint256 ceiling = _configs[asset].ceiling;
        // Saturating: an absurd amountIn must hit the named ceiling error, not an overflow panic.
        uint256 wanted = Math.saturatingAdd(accountedAmount(asset), amountIn);
        if (wanted > ceiling) revert ReserveCeilingExceeded(asset, ceiling, wanted);

        uint256 received = _pull(asset, amountIn);
        uint256 feeBps;
        (tokensOut, feeBps) = _quoteMint(asset, received);
        if (tokensOut == 0) revert ZeroAmount();
        if (tokensOut < minOut) revert SlippageExceeded(minOut, tokensOut);

        _holdings[asset].idle += received;
        stable.mint(receiver, tokensOut);
        emit Minted(msg.sender, receiver, asset, received, tokensOut, feeBps);
    }

    /// @inheritdoc IReserve
    function redeem(address asset, uint256 amountIn, uint256 minOut, address receiver)
        external
        override
        nonReentrant
        returns (uint256 amountOut)
    {
        if (redemptionsPaused) revert RedemptionsPaused();
        _requireListed(asset);
        if (amountIn == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        uint256 ratioWad;
        uint256 feeBps;
        (amountOut, ratioWad, feeBps) = _quoteRedeem(asset, amountIn);
        if (amountOut == 0) revert ZeroAmount();
        if (amountOut < minOut) revert SlippageExceeded(minOut, amountOut);

        _ensureIdle(asset, amountOut);
        _holdings[asset].idle -= amountOut;
        stable.burnFrom(msg.sender, amountIn);
        IERC20(asset).safeTransfer(receiver, amountOut);
        emit Redeemed(msg.sender, receiver, asset, amountIn, amountOut, ratioWad, feeBps);
    }

    /// @inheritdoc IReserve
    function contribute(address asset, uint256 amount) external override nonReentrant {
        _requireListed(asset);
        if (amount == 0) revert ZeroAmount();
        uint256 received = _pull(asset, amount);
        _holdings[asset].idle += received;
        emit EquityContributed(msg.sender, asset, received);
    }

    /// @inheritdoc IReserve
    function previewMint(address asset, uint256 amountIn) external view override returns (uint256 tokensOut) {
        _requireListed(asset);
        (tokensOut,) = _quoteMint(asset, amountIn);
    }

    /// @inheritdoc IReserve
    function previewRedeem(address asset, uint256 amountIn) external view override returns (uint256 amountOut) {
        _requireListed(asset);
        (amountOut,,) = _quoteRedeem(asset, amountIn);
    }

    // ================================================================== valuation

    /// @inheritdoc IReserve
    function reserveValue() public view override returns (uint256 valueWad) {
        for (uint256 i = 0; i < _assets.length; ++i) {
            address asset = _assets[i];
            valueWad += _haircut(_value(asset, accountedAmount(asset), oracle.price(asset)), asset);
        }
    }

    /// @inheritdoc IReserve
    function grossValue() external view override returns (uint256 valueWad) {
        for (uint256 i = 0; i < _assets.length; ++i) {
            address asset = _assets[i];
            valueWad += _value(asset, accountedAmount(asset), oracle.price(asset));
        }
    }

    /// @inheritdoc IReserve
    function collateralRatio() public view override returns (uint256 ratioWad) {
        return _ratio(reserveValue());
    }

    /// @inheritdoc IReserve
    function conservativeRatio() public view override returns (uint256 ratioWad) {
        uint256 valueWad;
        for (uint256 i = 0; i < _assets.length; ++i) {
            address asset = _assets[i];
            (bool ok, uint256 priceWad) = oracle.tryPrice(asset);
            if (ok) valueWad += _haircut(_value(asset, accountedAmount(asset), priceWad), asset);
        }
        return _ratio(valueWad);
    }

    /// @inheritdoc IReserve
    function weightedHaircutBps() external view override returns (uint256 haircutBps) {
        uint256 gross;
        uint256 haircutWeighted;
        for (uint256 i = 0; i < _assets.length; ++i) {
            address asset = _assets[i];
            uint256 v = _value(asset, accountedAmount(asset), oracle.price(asset));
            gross += v;
            haircutWeighted += v * _configs[asset].haircutBps;
        }
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
        uint256 inStrategy = _strategyValue(asset, h);
        uint256 targetIdle = Math.mulDiv(h.idle + inStrategy, _configs[asset].bufferBps, BPS);
        uint256 slack = Math.mulDiv(targetIdle, bufferToleranceBps, BPS);
        if (h.idle > targetIdle + slack) {
            uint256 excess = h.idle - targetIdle;
            uint256 room = strategy.maxDeposit(address(this));
            return int256(Math.min(excess, room));
        }
        if (h.idle + slack < targetIdle) {
            uint256 shortfall = targetIdle - h.idle;
            uint256 available = Math.min(inStrategy, strategy.maxWithdraw(address(this)));
            return -int256(Math.min(shortfall, available));
        }
        return 0;
    }

    function assets() external view override returns (address[] memory) {
        return _assets;
    }

    function assetConfig(address asset) external view override returns (AssetConfig memory) {
        return _configs[asset];
    }

    function holdings(address asset) external view override returns (Holdings memory) {
        return _holdings[asset];
    }

    function strategyOf(address asset) external view override returns (address) {
        return address(_strategies[asset]);
    }

    /// @notice Whether the reserve is in recovery mode (actual ratio below the target). Strict.
    function inRecoveryMode() public view returns (bool) {
        ICollateralPolicy policy = collateralPolicy;
        if (address(policy) == address(0)) revert CollateralPolicyNotSet();
        return collateralRatio() < policy.targetRatio();
    }

    // ================================================================== operator

    /// @inheritdoc IReserve
    function depositFromOperator(address asset, uint256 amount) external override onlyRole(OPERATOR_ROLE) nonReentrant {
        _requireListed(asset);
        if (amount == 0) revert ZeroAmount();
        uint256 received = _pull(asset, amount);
        _holdings[asset].idle += received;
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
    }

    // ================================================================== internals

    /// @dev Transfers in from the caller and returns what arrived (fee-on-transfer safe).
    function _pull(address asset, uint256 amount) private returns (uint256 received) {
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
    }

    /// @dev tokensOut = value × (1 − haircut) × (1 − fee) / peg, each step rounded down.
    function _quoteMint(address asset, uint256 amountIn) private view returns (uint256 tokensOut, uint256 feeBps) {
        feeBps = inRecoveryMode() ? Math.min(recoveryMintFeeBps, _configs[asset].mintFeeBps) : _configs[asset].mintFeeBps;
        uint256 haircutValue = _haircut(_value(asset, amountIn, oracle.price(asset)), asset);
        uint256 afterFee = Math.mulDiv(haircutValue, BPS - feeBps, BPS);
        tokensOut = Math.mulDiv(afterFee, WAD, PEG_WAD);
    }

    /// @dev amountOut = tokens × peg × min(ratio, 1) × (1 − fee) / price, each step rounded down.
    /// The ratio counts assets with an invalid feed at zero, so redemptions stay live and never
    /// overpay; the redeemed asset's own price must be valid.
    function _quoteRedeem(address asset, uint256 tokensIn)
        private
        view
        returns (uint256 amountOut, uint256 ratioWad, uint256 feeBps)
    {
        uint256 priceWad = oracle.price(asset);
        ratioWad = conservativeRatio();
        feeBps = _configs[asset].redeemFeeBps;
        ICollateralPolicy policy = collateralPolicy;
        if (address(policy) != address(0) && ratioWad < policy.targetRatio()) {
            feeBps = Math.max(feeBps, recoveryRedeemFeeBps);
        }
        uint256 valueWad = Math.mulDiv(tokensIn, PEG_WAD, WAD);
        if (ratioWad < WAD) valueWad = Math.mulDiv(valueWad, ratioWad, WAD);
        valueWad = Math.mulDiv(valueWad, BPS - feeBps, BPS);
        amountOut = Math.mulDiv(valueWad, _unit[asset], priceWad);
    }

    /// @dev Value in WAD USD of `amount` of `asset` at `priceWad`, rounded down.
    function _value(address asset, uint256 amount, uint256 priceWad) private view returns (uint256) {
        return Math.mulDiv(amount, priceWad, _unit[asset]);
    }

    function _haircut(uint256 valueWad, address asset) private view returns (uint256) {
        return Math.mulDiv(valueWad, BPS - _configs[asset].haircutBps, BPS);
    }

    function _ratio(uint256 valueWad) private view returns (uint256) {
        uint256 supply = stable.totalSupply();
        return supply == 0 ? type(uint256).max : Math.mulDiv(valueWad, WAD, supply);
    }

    function _strategyValue(address asset, Holdings storage h) private view returns (uint256) {
        if (h.strategyShares == 0) return 0;
        return Math.min(_strategies[asset].previewRedeem(h.strategyShares), h.strategyPrincipal);
    }

    /// @dev Pulls from the strategy so that at least `amount` is idle; reverts when it cannot.
    function _ensureIdle(address asset, uint256 amount) private {
        uint256 idle = _holdings[asset].idle;
        if (idle >= amount) return;
        IERC4626 strategy = _strategies[asset];
        uint256 available = address(strategy) == address(0) ? 0 : strategy.maxWithdraw(address(this));
        available = Math.min(available, _strategyValue(asset, _holdings[asset]));
        if (idle + available < amount) revert InsufficientLiquidity(asset, idle + available, amount);
        _withdrawFromStrategy(asset, amount - idle);
        idle = _holdings[asset].idle;
        if (idle < amount) revert InsufficientLiquidity(asset, idle, amount);
    }

    function _depositToStrategy(address asset, uint256 amount) private {
        IERC4626 strategy = _strategies[asset];
        Holdings storage h = _holdings[asset];
        h.idle -= amount;
        IERC20(asset).forceApprove(address(strategy), amount);
        uint256 shares = strategy.deposit(amount, address(this));
        h.strategyShares += shares;
        h.strategyPrincipal += amount;
        emit StrategyDeposited(asset, address(strategy), amount, shares);
    }

    function _withdrawFromStrategy(address asset, uint256 amount) private {
        IERC4626 strategy = _strategies[asset];
        Holdings storage h = _holdings[asset];
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        uint256 shares;
        if (amount >= _strategyValue(asset, h) && strategy.maxRedeem(address(this)) >= h.strategyShares) {
            // Taking back all that is accounted: redeem every share. Yield is realised into the
            // buffer (accounting rule 2) and the position is emptied, so the strategy can be
            // replaced; a partial `withdraw` would leave the yield's shares behind, never counted.
            shares = h.strategyShares;
            strategy.redeem(shares, address(this), address(this));
        } else {
            shares = strategy.withdraw(amount, address(this), address(this));
        }
        uint256 received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
        h.strategyShares -= shares;
        // An emptied position has no principal left: a stale one would let later yield or
        // donations count up to it.
        h.strategyPrincipal = h.strategyShares == 0 ? 0 : h.strategyPrincipal - Math.min(h.strategyPrincipal, received);
        h.idle += received;
        emit StrategyWithdrawn(asset, address(strategy), received, shares);
    }

    function _setAssetConfig(address asset, AssetConfig calldata c) private {
        _requireWithin("haircutBps", c.haircutBps, 0, MAX_HAIRCUT_BPS);
        _requireWithin("mintFeeBps", c.mintFeeBps, 0, MAX_MINT_FEE_BPS);
        _requireWithin("redeemFeeBps", c.redeemFeeBps, 0, MAX_REDEEM_FEE_BPS);
        _requireWithin("bufferBps", c.bufferBps, 0, MAX_BUFFER_BPS);
        _configs[asset] = c;
        emit AssetConfigSet(asset, c.haircutBps, c.mintFeeBps, c.redeemFeeBps, c.bufferBps, c.ceiling);
    }

    function _requireListed(address asset) private view {
        if (!_listed[asset]) revert AssetNotListed(asset);
    }

    function _requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(parameter, value, min, max);
    }
}
