// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IReserve} from "../interfaces/IReserve.sol";
import {
    BPS,
    MAX_HAIRCUT_BPS,
    MAX_MINT_FEE_BPS,
    MAX_REDEEM_FEE_BPS,
    MAX_BUFFER_BPS,
    MAX_ASSET_CEILING,
    MAX_STRATEGY_ROUNDING_UNITS,
    MAX_LANE_BAND_BPS,
    MAX_LANE_BASE_FEE_BPS,
    HARD_MAX_LANE_VOLUME_PER_EPOCH,
    MIN_LANE_MAX_SHARE_BPS
} from "./Constants.sol";

/// @dev An asset's parameters in one slot, read once by a mint or redemption: its fees,
/// haircut, buffer, spread, 10^decimals (`unit`, zero for an asset not listed; ≤ 1e18 < 2^64),
/// whether its strategy holds shares (`parked`, so an asset without a position skips that
/// slot) and its ceiling (≤ MAX_ASSET_CEILING, or UNLIMITED_CEILING for type(uint256).max).
struct StoredConfig {
    uint16 haircutBps;
    uint16 mintFeeBps;
    uint16 redeemFeeBps;
    uint16 bufferBps;
    uint16 spreadBps;
    uint64 unit;
    bool parked;
    uint104 ceiling;
}

/// @dev A stable lane's parameters and this epoch's net flow in one slot (a lane call reads and
/// writes it once): `net` is lane mints minus lane redeems this epoch, kept within
/// ±volumePerEpoch, so it fits 88 signed bits (HARD_MAX_LANE_VOLUME_PER_EPOCH < 2^87);
/// day-long epochs 32 bits.
struct Lane {
    uint16 bandBps;
    uint16 baseFeeBps;
    uint16 maxShareBps;
    uint88 volumePerEpoch;
    uint32 epoch;
    int88 net;
}

/// @title ReserveAdmin: the Reserve's cold code (admin setters' checks, strategy moves)
/// @notice Public functions run by DELEGATECALL in the Reserve's own storage and address (events
/// and errors are the Reserve's, declared in {IReserve}); the Reserve checks roles before calling.
/// Linked at deployment, it keeps the Reserve's runtime code under EIP-170 while leaving the user
/// paths (mint, redeem, the lane) inline. Never call it directly: it holds nothing and its
/// functions only write the storage they are handed.
library ReserveAdmin {
    using SafeERC20 for IERC20;

    /// @dev The stored ceiling that stands for type(uint256).max (no ceiling).
    uint104 internal constant UNLIMITED_CEILING = type(uint104).max;

    /// @notice Validates and stores an asset's parameters, each within its hard bound.
    function setAssetConfig(StoredConfig storage stored, address asset, IReserve.AssetConfig calldata c) public {
        requireWithin("haircutBps", c.haircutBps, 0, MAX_HAIRCUT_BPS);
        requireWithin("mintFeeBps", c.mintFeeBps, 0, MAX_MINT_FEE_BPS);
        requireWithin("redeemFeeBps", c.redeemFeeBps, 0, MAX_REDEEM_FEE_BPS);
        requireWithin("bufferBps", c.bufferBps, 0, MAX_BUFFER_BPS);
        if (c.ceiling != type(uint256).max) requireWithin("ceiling", c.ceiling, 0, MAX_ASSET_CEILING);
        (stored.haircutBps, stored.mintFeeBps, stored.redeemFeeBps, stored.bufferBps) = (c.haircutBps, c.mintFeeBps, c.redeemFeeBps, c.bufferBps);
        stored.ceiling = c.ceiling == type(uint256).max ? UNLIMITED_CEILING : uint104(c.ceiling);
        emit IReserve.AssetConfigSet(asset, c.haircutBps, c.mintFeeBps, c.redeemFeeBps, c.bufferBps, c.ceiling);
    }

    /// @notice Validates and stores a stable lane (`bandBps = 0` closes it; the epoch's net flow stays).
    function setStableLane(Lane storage stored, address asset, IReserve.StableLane calldata lane) public {
        if (lane.bandBps != 0) {
            requireWithin("laneBandBps", lane.bandBps, 1, MAX_LANE_BAND_BPS);
            requireWithin("laneBaseFeeBps", lane.baseFeeBps, 0, MAX_LANE_BASE_FEE_BPS);
            requireWithin("laneMaxShareBps", lane.maxShareBps, MIN_LANE_MAX_SHARE_BPS, BPS);
            requireWithin("laneVolumePerEpoch", lane.volumePerEpoch, 1, HARD_MAX_LANE_VOLUME_PER_EPOCH);
            (stored.bandBps, stored.baseFeeBps, stored.maxShareBps) = (lane.bandBps, lane.baseFeeBps, lane.maxShareBps);
            stored.volumePerEpoch = uint88(lane.volumePerEpoch);
        } else {
            (stored.bandBps, stored.baseFeeBps, stored.maxShareBps, stored.volumePerEpoch) = (0, 0, 0, 0);
        }
        emit IReserve.StableLaneSet(asset, stored.bandBps, stored.baseFeeBps, stored.maxShareBps, stored.volumePerEpoch);
    }

    /// @notice Redeems what `strategy` gives back now (at most `maxRedeem`; a failing vault gives
    /// nothing) into `h.idle`; returns the shares redeemed. The caller detaches the strategy.
    function emergencyWithdraw(IERC4626 strategy, IReserve.Holdings storage h, address asset) public {
        uint256 shares = h.strategyShares;
        (bool ok, uint256 redeemable) = tryUint(address(strategy), abi.encodeCall(IERC4626.maxRedeem, (address(this))));
        redeemable = ok ? Math.min(redeemable, shares) : shares;
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        uint256 redeemed;
        if (redeemable != 0) {
            try strategy.redeem(redeemable, address(this), address(this)) {
                redeemed = redeemable;
            } catch {}
        }
        uint256 received = IERC20(asset).balanceOf(address(this)) - balanceBefore;
        h.idle += received;
        emit IReserve.StrategyEmergencyWithdrawn(asset, address(strategy), received, redeemed, shares - redeemed);
    }

    /// @notice The move `rebalance` would make now (see {IReserve-rebalanceDelta}): deposit the idle
    /// excess over the buffer target (within the vault's room and only if it comes back whole), or
    /// pull back the shortfall (within what the vault lets go); zero inside the tolerance.
    /// `inStrategyAmount` is the position as the reserve counts it.
    function rebalanceDelta(
        address strategy,
        uint256 idle,
        uint256 inStrategyAmount,
        uint256 bufferBps,
        uint256 toleranceBps
    ) public view returns (int256) {
        uint256 targetIdle = Math.mulDiv(idle + inStrategyAmount, bufferBps, BPS);
        uint256 slack = Math.mulDiv(targetIdle, toleranceBps, BPS);
        if (idle > targetIdle + slack) {
            uint256 excess = idle - targetIdle;
            (, uint256 room) = tryUint(strategy, abi.encodeCall(IERC4626.maxDeposit, (address(this))));
            uint256 amount = Math.min(excess, room);
            return _depositKeepsValue(strategy, amount) ? int256(amount) : int256(0);
        }
        if (idle + slack < targetIdle) {
            uint256 shortfall = targetIdle - idle;
            (, uint256 withdrawable) = tryUint(strategy, abi.encodeCall(IERC4626.maxWithdraw, (address(this))));
            uint256 available = Math.min(inStrategyAmount, withdrawable);
            return -int256(Math.min(shortfall, available));
        }
        return 0;
    }

    /// @notice Parks `amount` of idle `asset` in `strategy`, with the vault's own preview as the
    /// minimum shares (ERC-4626: deposit gives at least it).
    function depositToStrategy(
        IERC4626 strategy,
        IReserve.Holdings storage h,
        StoredConfig storage config,
        address asset,
        uint256 amount
    ) public {
        h.idle -= amount;
        IERC20(asset).forceApprove(address(strategy), amount);
        uint256 minShares = strategy.previewDeposit(amount);
        uint256 shares = strategy.deposit(amount, address(this));
        if (shares < minShares || shares == 0) revert IReserve.StrategySharesTooFew(asset, minShares, shares);
        h.strategyShares += shares;
        config.parked = true;
        h.strategyPrincipal += amount;
        emit IReserve.StrategyDeposited(asset, address(strategy), amount, shares);
    }

    /// @notice Takes `amount` of `asset` back from `strategy` into idle; `countedAmount` is the
    /// position as the reserve counts it.
    function withdrawFromStrategy(
        IERC4626 strategy,
        IReserve.Holdings storage h,
        StoredConfig storage config,
        address asset,
        uint256 amount,
        uint256 countedAmount
    ) public {
        uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
        uint256 shares;
        if (amount >= countedAmount && strategy.maxRedeem(address(this)) >= h.strategyShares) {
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
        if (h.strategyShares == 0) config.parked = false;
        // An emptied position has no principal left: a stale one would let later yield or
        // donations count up to it.
        h.strategyPrincipal = h.strategyShares == 0 ? 0 : h.strategyPrincipal - Math.min(h.strategyPrincipal, received);
        h.idle += received;
        emit IReserve.StrategyWithdrawn(asset, address(strategy), received, shares);
    }

    /// @dev Whether parking `amount` comes back within MAX_STRATEGY_ROUNDING_UNITS by the vault's
    /// own previews. An empty vault someone donated to would swallow the deposit into its first
    /// share's price; rebalance skips it instead of reverting for every asset.
    function _depositKeepsValue(address strategy, uint256 amount) private view returns (bool) {
        if (amount == 0) return false;
        (bool ok, uint256 shares) = tryUint(strategy, abi.encodeCall(IERC4626.previewDeposit, (amount)));
        if (!ok || shares == 0) return false;
        (bool ok2, uint256 back) = tryUint(strategy, abi.encodeCall(IERC4626.previewRedeem, (shares)));
        return ok2 && back + MAX_STRATEGY_ROUNDING_UNITS >= amount;
    }

    /// @dev A view call returning one word, by staticcall: (false, 0) on revert or short data.
    function tryUint(address target, bytes memory data) internal view returns (bool ok, uint256 value) {
        bytes memory ret;
        (ok, ret) = target.staticcall(data);
        if (!ok || ret.length < 32) return (false, 0);
        value = abi.decode(ret, (uint256));
    }

    function requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IReserve.ParameterOutOfBounds(parameter, value, min, max);
    }
}
