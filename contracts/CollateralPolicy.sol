// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICollateralPolicy} from "./interfaces/ICollateralPolicy.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IReserve} from "./interfaces/IReserve.sol";
import {
    WAD,
    BPS,
    PEG_WAD,
    HARD_MIN_TARGET_RATIO_WAD,
    HARD_MAX_TARGET_RATIO_WAD,
    MAX_RATIO_STEP_WAD,
    MIN_REFRESH_COOLDOWN_SEC,
    MAX_REFRESH_COOLDOWN_SEC,
    MAX_RISK_WEIGHT_BPS,
    MIN_BAND_BPS,
    MAX_BAND_BPS,
    MAX_TWAP_SPAN_WINDOWS
} from "./libraries/Constants.sol";

/// @title CollateralPolicy
/// @notice See {ICollateralPolicy}.
/// @dev Invariant (enforced in `_setParams` and `computeTargetRatio`): the stored target is always
/// within [HARD_MIN_TARGET_RATIO_WAD, HARD_MAX_TARGET_RATIO_WAD] and moves by at most one step per
/// cooldown, except when the risk floor lifts it.
contract CollateralPolicy is ICollateralPolicy, AccessControl {
    IPriceOracle public immutable oracle;
    IReserve public immutable reserve;

    /// @dev The parameters in one slot (each hard bound fits its field: ratios and step ≤ 2e18 <
    /// 2^64, bps ≤ 20,000 < 2^16, cooldown ≤ 7 days < 2^32): `refresh` reads them with one load.
    struct PackedParams {
        uint64 minRatioWad;
        uint64 maxRatioWad;
        uint64 stepWad;
        uint16 bandBps;
        uint16 riskWeightBps;
        uint32 refreshCooldownSec;
    }

    /// @dev The target and the last stepping refresh in one slot: `refresh` writes both at once.
    struct State {
        uint128 targetWad;
        uint64 lastRefreshAt;
    }

    PackedParams private _params;
    State private _state;

    constructor(address admin, IPriceOracle oracle_, IReserve reserve_, Params memory params_) {
        if (admin == address(0) || address(oracle_) == address(0) || address(reserve_) == address(0)) {
            revert ZeroAddress();
        }
        oracle = oracle_;
        reserve = reserve_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParams(params_);
        _state.targetWad = uint128(params_.minRatioWad);
    }

    /// @notice Sets the policy parameters, each within its hard bound. Only DEFAULT_ADMIN_ROLE.
    /// The current target is re-clamped into the new [min, max] at once.
    function setParams(Params calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParams(params_);
        uint256 targetWad = _state.targetWad;
        uint256 clamped = Math.max(Math.min(targetWad, params_.maxRatioWad), params_.minRatioWad);
        if (clamped != targetWad) {
            emit TargetRatioRefreshed(targetWad, clamped, 0, params_.minRatioWad);
            _state.targetWad = uint128(clamped);
        }
    }

    /// @inheritdoc ICollateralPolicy
    function targetRatio() external view override returns (uint256) {
        return _state.targetWad;
    }

    /// @inheritdoc ICollateralPolicy
    function params() external view override returns (Params memory) {
        PackedParams memory p = _params;
        return Params(p.minRatioWad, p.maxRatioWad, p.stepWad, p.bandBps, p.riskWeightBps, p.refreshCooldownSec);
    }

    /// @notice When the last stepping refresh ran (0: never), seconds.
    function lastRefreshAt() external view returns (uint256) {
        return _state.lastRefreshAt;
    }

    /// @inheritdoc ICollateralPolicy
    function nextRefreshAt() public view override returns (uint256) {
        return _nextRefreshAt(_state, _params);
    }

    /// @inheritdoc ICollateralPolicy
    function riskFloor() public view override returns (uint256) {
        return _riskFloor(reserve.weightedHaircutBps(), _params);
    }

    /// @inheritdoc ICollateralPolicy
    function refresh() external override returns (uint256 newTargetWad) {
        // Gate.
        State memory state = _state;
        PackedParams memory p = _params;
        uint256 readyAt = _nextRefreshAt(state, p);
        if (block.timestamp < readyAt) revert RefreshTooSoon(readyAt, block.timestamp);
        oracle.update();
        (, uint256 twapWad, uint256 spanSec, uint256 windowSec) = oracle.marketPriceAndSpan();
        // The reserve's cached risk figure (its last valuation, at most `valuationMaxAgeSec` old).
        uint256 floorWad = _riskFloor(reserve.riskHaircutBps(), p);
        uint256 oldTargetWad = state.targetWad;
        if (spanSec > MAX_TWAP_SPAN_WINDOWS * windowSec) {
            // A stale average says nothing about the last window: no step, the risk floor still binds.
            newTargetWad = computeTargetRatio(oldTargetWad, PEG_WAD, p.bandBps, p.stepWad, floorWad, p.maxRatioWad);
            _state.targetWad = uint128(newTargetWad);
            emit TargetRatioHeld(newTargetWad, spanSec, windowSec);
            return newTargetWad;
        }
        // Compute.
        newTargetWad = computeTargetRatio(oldTargetWad, twapWad, p.bandBps, p.stepWad, floorWad, p.maxRatioWad);
        // Actuate.
        _state = State(uint128(newTargetWad), uint64(block.timestamp));
        emit TargetRatioRefreshed(oldTargetWad, newTargetWad, twapWad, floorWad);
    }

    /// @inheritdoc ICollateralPolicy
    function computeTargetRatio(
        uint256 currentWad,
        uint256 twapWad,
        uint256 bandBps,
        uint256 stepWad,
        uint256 floorWad,
        uint256 maxWad
    ) public pure override returns (uint256 nextWad) {
        uint256 bandWad = Math.mulDiv(PEG_WAD, bandBps, BPS);
        nextWad = currentWad;
        if (twapWad + bandWad < PEG_WAD) nextWad = currentWad + stepWad;
        else if (twapWad > PEG_WAD + bandWad) nextWad = currentWad > stepWad ? currentWad - stepWad : 0;
        nextWad = Math.min(nextWad, maxWad);
        nextWad = Math.max(nextWad, floorWad);
    }

    function _nextRefreshAt(State memory state, PackedParams memory p) private pure returns (uint256) {
        return state.lastRefreshAt == 0 ? 0 : uint256(state.lastRefreshAt) + p.refreshCooldownSec;
    }

    /// @dev minRatio + haircut × riskWeight, each step rounded up, capped at the hard maximum.
    function _riskFloor(uint256 haircutBps, PackedParams memory p) private pure returns (uint256) {
        uint256 haircutWad = Math.mulDiv(haircutBps, WAD, BPS, Math.Rounding.Ceil);
        uint256 floorWad = p.minRatioWad + Math.mulDiv(haircutWad, p.riskWeightBps, BPS, Math.Rounding.Ceil);
        return Math.min(floorWad, HARD_MAX_TARGET_RATIO_WAD);
    }

    function _setParams(Params memory p) private {
        _requireWithin("minRatioWad", p.minRatioWad, HARD_MIN_TARGET_RATIO_WAD, HARD_MAX_TARGET_RATIO_WAD);
        _requireWithin("maxRatioWad", p.maxRatioWad, p.minRatioWad, HARD_MAX_TARGET_RATIO_WAD);
        _requireWithin("stepWad", p.stepWad, 0, MAX_RATIO_STEP_WAD);
        _requireWithin("bandBps", p.bandBps, MIN_BAND_BPS, MAX_BAND_BPS);
        _requireWithin("riskWeightBps", p.riskWeightBps, 0, MAX_RISK_WEIGHT_BPS);
        _requireWithin("refreshCooldownSec", p.refreshCooldownSec, MIN_REFRESH_COOLDOWN_SEC, MAX_REFRESH_COOLDOWN_SEC);
        _params = PackedParams(
            uint64(p.minRatioWad), uint64(p.maxRatioWad), uint64(p.stepWad), uint16(p.bandBps), uint16(p.riskWeightBps), uint32(p.refreshCooldownSec)
        );
        emit ParamsSet(p.minRatioWad, p.maxRatioWad, p.stepWad, p.bandBps, p.riskWeightBps, p.refreshCooldownSec);
    }

    function _requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(parameter, value, min, max);
    }
}
