// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CollateralPolicy: the dynamic target collateral ratio
/// @notice The target ratio (WAD, reserve value after haircuts over supply) steps up by `stepWad`
/// when the pool TWAP is below `peg − band` (stress), steps down when above `peg + band` (calm,
/// confident market), and is clamped to `[riskFloor, maxRatioWad]`. The risk floor is
/// `minRatioWad + weightedHaircut × riskWeightBps / 1e4`: a riskier reserve needs more backing.
/// `refresh()` is permissionless and rate-limited by `refreshCooldownSec`. It first records a pool
/// observation (`PriceOracle.update()`), so every refresh also keeps the TWAP on its clock; when the
/// TWAP is stale anyway (its average spans more than `MAX_TWAP_SPAN_WINDOWS` windows: the ring went
/// quiet) it does not step on that average: it only applies the risk floor, emits `TargetRatioHeld`
/// and leaves the cooldown unspent, so the real step follows once the window has fresh observations.
/// @dev Gate (cooldown, oracle validity) → pure compute (`computeTargetRatio`) → single actuator
/// (`refresh`). The keeper mirrors `computeTargetRatio` exactly. Roles: DEFAULT_ADMIN_ROLE sets
/// the bounded parameters; every bound is a constant in `Constants.sol`.
interface ICollateralPolicy {
    /// @notice Policy parameters: ratios and step in WAD, band and weight in bps, cooldown in seconds.
    struct Params {
        uint256 minRatioWad;
        uint256 maxRatioWad;
        uint256 stepWad;
        uint256 bandBps;
        uint256 riskWeightBps;
        uint256 refreshCooldownSec;
    }

    error ZeroAddress();
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    error RefreshTooSoon(uint256 nextRefreshAt, uint256 nowSec);

    event ParamsSet(uint256 minRatioWad, uint256 maxRatioWad, uint256 stepWad, uint256 bandBps, uint256 riskWeightBps, uint256 refreshCooldownSec);
    event TargetRatioRefreshed(uint256 oldTargetWad, uint256 newTargetWad, uint256 twapWad, uint256 floorWad);
    /// @notice A refresh found the TWAP stale (spanning `twapSpanSec` > 2 × `windowSec`) and held the
    /// target (only the risk floor applied).
    event TargetRatioHeld(uint256 targetWad, uint256 twapSpanSec, uint256 windowSec);

    /// @notice The current target collateral ratio, WAD.
    function targetRatio() external view returns (uint256 ratioWad);

    /// @notice Recomputes the target from the pool TWAP and the reserve's risk. Reverts with
    /// `RefreshTooSoon` inside the cooldown and with the oracle's error when a price is invalid.
    function refresh() external returns (uint256 newTargetWad);

    /// @notice The floor implied by the reserve's current haircuts, WAD. Strict (reverts on a bad feed).
    /// `refresh` applies the same floor to the reserve's cached risk figure (`IReserve.riskHaircutBps`).
    function riskFloor() external view returns (uint256 floorWad);

    /// @notice Earliest timestamp at which `refresh()` succeeds.
    function nextRefreshAt() external view returns (uint256);

    function params() external view returns (Params memory);

    /// @notice The policy's maths, pure so the keeper and the simulator can mirror it.
    /// @param currentWad The current target ratio.
    /// @param twapWad The pool TWAP, WAD USD.
    /// @param floorWad The lower clamp (risk floor), WAD.
    /// @return nextWad currentWad ± stepWad when the TWAP is outside peg ± bandBps, clamped to
    /// [floorWad, maxWad] (the floor wins if it exceeds maxWad).
    function computeTargetRatio(
        uint256 currentWad,
        uint256 twapWad,
        uint256 bandBps,
        uint256 stepWad,
        uint256 floorWad,
        uint256 maxWad
    ) external pure returns (uint256 nextWad);
}
