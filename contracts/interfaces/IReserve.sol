// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Reserve: the collateral that backs the token
/// @notice Holds several ERC-20 collateral assets of any decimals, values them in WAD USD with a
/// per-asset haircut, and serves users who mint and redeem the token at the peg. Haircuts limit
/// risk (the target ratio, expansion, how much a deposit mints); they do not set redemption prices.
/// - `mint` pays at most the haircut value of what was received, minus the mint fee (rounded down).
///   A stable lane (the quote asset, while its feed is within the lane's band of $1) mints at
///   `min(feed, 1)` with no haircut, minus the lane fee, within a per-epoch volume and a share cap.
/// - `redeem` pays the oracle value of the tokens burned minus the redeem fee and, outside a stable
///   lane, minus the asset's spread (at least MIN_REDEEM_SPREAD_BPS, so redeeming against a lagging
///   feed does not pay); an open lane pays the larger of its quote and that ordinary one, so it
///   never pays a redeemer less than the ordinary path would at the same state. It pays only
///   `G*/S × peg` when the gross ratio `G*/S` is below 100%, so no one
///   gains by redeeming first. `G*` is the gross value with degraded assets at their last good
///   price under the degraded haircut and assets without a price at zero (`redemptionRatio`).
/// - Degraded mode (a held asset's price stale or invalid): minting against that asset is blocked
///   with the oracle's named error (`StalePrice`, …), redeeming it pays at its last good price marked
///   up by the degraded haircut, every other asset keeps working, and redemptions are capped per
///   epoch at `degradedRedeemCapBps` of the supply.
/// - Recovery mode (actual ratio below the CollateralPolicy target): the mint fee drops to its
///   floor and the redeem fee rises to the bounded recovery fee.
/// - The reserve caches its last whole valuation (`cachedValuation`): every mint, redemption and
///   operator move adds or takes its own value at its own price; a whole pass (`poke`, an ordinary
///   mint or redeem, a rebalance, a contribution, an admin change) renews the prices. A stable-lane
///   mint or redeem reads it, while no older than `valuationMaxAgeSec`, instead of pricing every
///   asset: for its recovery fee, share cap and degraded mode. A lane redemption pays from the
///   cache only while the cache saw no recovery mode, and only when the lane asset's own fresh value covers the whole supply (`G*/S ≥ 1` then,
///   whatever the rest is worth); otherwise, and on a stale cache, it prices the whole reserve.
/// - Each asset keeps a liquid buffer (a share of its holdings); the excess is parked in an
///   ERC-4626 strategy by the market operator's `rebalance()`.
/// @dev Roles: DEFAULT_ADMIN_ROLE lists and delists assets, sets bounded parameters, sets and
/// emergency-withdraws or writes off strategies, and unpauses;
/// GUARDIAN_ROLE can only pause (minting, and separately redemption); OPERATOR_ROLE (the
/// MarketOperator) moves quote collateral in and out for market operations and rebalances.
/// Trust: the reserve trusts the PriceOracle for prices and the listed assets and strategies to
/// behave as ERC-20 / ERC-4626 (fee-on-transfer assets are accounted by the amount received).
interface IReserve {
    /// @notice A listed asset's parameters. Fees, haircut and buffer in basis points; `ceiling`
    /// in the asset's own units (its decimals); `strategy` is an ERC-4626 vault or zero.
    struct AssetConfig {
        uint16 haircutBps;
        uint16 mintFeeBps;
        uint16 redeemFeeBps;
        uint16 bufferBps;
        uint256 ceiling;
    }

    /// @notice A stable lane (enabled while `bandBps != 0`): open while the asset's feed is within
    /// `bandBps` of $1. Lane fee (bps) = `baseFeeBps + ceil(deviationBps / 2)`, where
    /// `deviationBps = ceil(|feed − 1| / 1 × 10_000)`: it grows as the feed leaves $1 and stays
    /// below MAX_LANE_BASE_FEE_BPS + MAX_LANE_BAND_BPS / 2. `maxShareBps` caps the asset's share of
    /// the reserve's gross value after a lane mint; `volumePerEpoch` caps the lane's net flow per
    /// RESERVE_EPOCH_SEC (18-decimal tokens): lane mints minus lane redeems stay within
    /// ±volumePerEpoch, so round trips never use up the lane (a zero fee is safe). Beyond the band
    /// or either cap the lane is closed: the asset mints and redeems on the ordinary path (haircut;
    /// fee plus spread).
    struct StableLane {
        uint16 bandBps;
        uint16 baseFeeBps;
        uint16 maxShareBps;
        uint128 volumePerEpoch;
    }

    /// @notice What the reserve holds of an asset, in the asset's units.
    /// `strategyPrincipal` is what was parked and not yet taken back; the strategy's yield is
    /// counted only once realised by a full pull-back (so a donation to the vault never raises
    /// accounted value while the position is parked).
    struct Holdings {
        uint256 idle;
        uint256 strategyShares;
        uint256 strategyPrincipal;
    }

    error ZeroAddress();
    error ZeroAmount();
    error AssetNotListed(address asset);
    error AssetAlreadyListed(address asset);
    error StableNotCollateral(address asset);
    error TooManyAssets(uint256 max);
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    error SlippageExceeded(uint256 minOut, uint256 out);
    error ReserveCeilingExceeded(address asset, uint256 ceiling, uint256 wanted);
    error InsufficientLiquidity(address asset, uint256 available, uint256 wanted);
    error RedemptionsPaused();
    error StrategyAssetMismatch(address strategy, address expectedAsset, address actualAsset);
    error StrategyNotEmpty(address asset, uint256 shares);
    error CollateralPolicyNotSet();
    error NothingToRebalance(address asset);
    error AssetPriceUnavailable(address asset);
    error DegradedRedemptionLimitExceeded(uint256 cap, uint256 wanted);
    error AssetNotEmpty(address asset, uint256 idle, uint256 strategyShares);
    error NoStrategy(address asset);
    error StrategySharesTooFew(address asset, uint256 minShares, uint256 shares);

    event AssetListed(address indexed asset, uint8 decimals);
    event AssetConfigSet(address indexed asset, uint256 haircutBps, uint256 mintFeeBps, uint256 redeemFeeBps, uint256 bufferBps, uint256 ceiling);
    event StrategySet(address indexed asset, address indexed oldStrategy, address indexed newStrategy);
    event RecoveryFeesSet(uint256 recoveryMintFeeBps, uint256 recoveryRedeemFeeBps);
    event BufferToleranceSet(uint256 toleranceBps);
    event CollateralPolicySet(address indexed policy);
    event Minted(address indexed caller, address indexed receiver, address indexed asset, uint256 amountIn, uint256 tokensOut, uint256 feeBps);
    event Redeemed(address indexed caller, address indexed receiver, address indexed asset, uint256 tokensIn, uint256 amountOut, uint256 ratioWad, uint256 feeBps);
    event OperatorDeposited(address indexed operator, address indexed asset, uint256 amount);
    event OperatorReleased(address indexed operator, address indexed asset, uint256 amount, address to);
    event StrategyDeposited(address indexed asset, address indexed strategy, uint256 assets, uint256 shares);
    event StrategyWithdrawn(address indexed asset, address indexed strategy, uint256 assets, uint256 shares);
    event RedemptionsPausedSet(bool paused);
    event StableLaneSet(address indexed asset, uint256 bandBps, uint256 baseFeeBps, uint256 maxShareBps, uint256 volumePerEpoch);
    event RedeemSpreadSet(address indexed asset, uint256 spreadBps);
    event DegradedRedeemCapSet(uint256 capBps);
    event StrategyEmergencyWithdrawn(address indexed asset, address indexed strategy, uint256 received, uint256 sharesRedeemed, uint256 sharesWrittenOff);
    event StrategyWrittenOff(address indexed asset, address indexed strategy, uint256 shares, uint256 principal);
    event AssetDelisted(address indexed asset);
    event EquityContributed(address indexed contributor, address indexed asset, uint256 amount);
    /// @notice A whole pass priced every asset and renewed the cached valuation (WAD USD).
    event ValuationCached(uint256 grossWad, uint256 haircutWad, bool degraded);
    /// @notice A whole pass found the reserve entering (`inRecovery`) or leaving recovery mode;
    /// stable-lane calls on the cache read this flag (see {cachedRecoveryMode}).
    event RecoveryModeCached(bool inRecovery);
    event ValuationMaxAgeSet(uint256 maxAgeSec);
    event ValueSourceSet(address indexed source, address indexed asset);

    // ------------------------------------------------------------------ users
    /// @notice Deposits `amountIn` of `asset` and mints tokens to `receiver` at the peg.
    /// @return tokensOut Tokens minted (18 decimals); reverts below `minOut`.
    function mint(address asset, uint256 amountIn, uint256 minOut, address receiver) external returns (uint256 tokensOut);

    /// @notice Burns `amountIn` tokens from the caller (needs allowance) and pays `asset` to `receiver`.
    /// Stays available when minting is paused, unless the guardian paused redemptions.
    /// @return amountOut Asset paid (its decimals); reverts below `minOut`.
    function redeem(address asset, uint256 amountIn, uint256 minOut, address receiver) external returns (uint256 amountOut);

    /// @notice Adds `amount` of `asset` to the reserve as protocol equity: accounted, nothing minted.
    /// How a treasury capitalises the protocol above 100%; unlike a plain transfer (a donation,
    /// never counted) it is explicit and evented. The contributor gets nothing back.
    function contribute(address asset, uint256 amount) external;

    /// @notice Prices every asset now (degraded mode, as `redemptionRatio` and `conservativeRatio`
    /// do) and renews the cached valuation the stable lane reads. Permissionless: a keeper calls it
    /// when the cache is about to pass `valuationMaxAgeSec`, so lane users do not pay for the pass.
    function poke() external returns (uint256 grossWad, uint256 haircutWad, bool degraded);

    /// @notice What `mint` would mint now for `amountIn` of `asset` (before the ceiling check).
    function previewMint(address asset, uint256 amountIn) external view returns (uint256 tokensOut);

    /// @notice What `redeem` would pay now for `amountIn` tokens.
    function previewRedeem(address asset, uint256 amountIn) external view returns (uint256 amountOut);

    // ------------------------------------------------------------------ valuation
    /// @notice Sum over assets of amount × price × (1 − haircut), WAD USD, rounded down. Strict:
    /// reverts when any feed is invalid.
    function reserveValue() external view returns (uint256 valueWad);

    /// @notice Sum over assets of amount × price without haircuts, WAD USD. Strict.
    function grossValue() external view returns (uint256 valueWad);

    /// @notice Gross and haircut value in one pass (`grossValue`, `reserveValue`), WAD USD. Strict.
    function valuation() external view returns (uint256 grossWad, uint256 haircutWad);

    /// @notice The cached valuation (degraded mode, WAD USD) with flows since counted, when a whole
    /// pass last priced it, and whether a held asset lacked a fresh price then.
    function cachedValuation() external view returns (uint256 grossWad, uint256 haircutWad, uint256 valuedAtSec, bool degraded);

    /// @notice Recovery mode as the last whole pass found it (haircut ratio under the policy's
    /// target, false without a policy) and when that pass ran. A stable-lane call on a fresh cache
    /// (age ≤ valuationMaxAgeSec) takes its recovery fee from this flag instead of reading the
    /// policy and the supply; the flag moves the fee only, never what backs a token (see
    /// docs/invariants.md, INV-4). `poke()` renews it; so do rebalances, admin changes and every
    /// mint or redemption quoted on a whole valuation.
    function cachedRecoveryMode() external view returns (bool inRecovery, uint256 valuedAtSec);

    /// @notice How old the cached valuation may be before a stable-lane call prices the whole reserve, seconds.
    function valuationMaxAgeSec() external view returns (uint256);

    /// @notice The reserve's weighted haircut for the policy's risk floor, bps: from the cached
    /// valuation while it is within `valuationMaxAgeSec` (`ceil((G − H) / G)`, never below the
    /// value-weighted haircut of the assets it priced), else `weightedHaircutBps()` (strict).
    function riskHaircutBps() external view returns (uint256 haircutBps);

    /// @notice reserveValue / supply in WAD; `type(uint256).max` when the supply is zero. Strict.
    function collateralRatio() external view returns (uint256 ratioWad);

    /// @notice The haircut collateral ratio in degraded mode: an asset with only a stale feed is
    /// valued at its last good price under the degraded haircut, one without a price at zero.
    /// Never reverts on a feed; decides the recovery fees of mint and redeem.
    function conservativeRatio() external view returns (uint256 ratioWad);

    /// @notice The gross ratio `G*/S` redemptions pay by (no asset haircuts; degraded assets under
    /// their degraded haircut, assets without a price at zero); `type(uint256).max` at zero supply.
    function redemptionRatio() external view returns (uint256 ratioWad);

    /// @notice Whether `asset`'s stable lane is open now, and its fee in bps if so.
    function laneFee(address asset) external view returns (bool open, uint256 feeBps);

    /// @notice What `asset`'s stable lane can still mint, and still redeem, this epoch (18-decimal
    /// tokens): the lane caps its net flow (mints minus redeems) within ±volumePerEpoch.
    function laneVolumeLeft(address asset) external view returns (uint256 mintRoom, uint256 redeemRoom);

    /// @notice The spread (bps) a redemption of `asset` outside a stable lane pays on top of its fee.
    function redeemSpreadBps(address asset) external view returns (uint256 spreadBps);

    function stableLane(address asset) external view returns (StableLane memory);

    /// @notice Degraded-mode redemption cap per epoch, bps of the supply.
    function degradedRedeemCapBps() external view returns (uint256);

    /// @notice Value-weighted average haircut of the reserve, in basis points (0 when empty). Strict.
    function weightedHaircutBps() external view returns (uint256 haircutBps);

    /// @notice Accounted amount of `asset`: idle plus strategy principal (not yield), asset units.
    function accountedAmount(address asset) external view returns (uint256 amount);

    /// @notice How much `rebalance(asset)` would move: positive parks into the strategy, negative pulls back.
    function rebalanceDelta(address asset) external view returns (int256 delta);

    function assets() external view returns (address[] memory);
    function assetConfig(address asset) external view returns (AssetConfig memory);
    function holdings(address asset) external view returns (Holdings memory);
    /// @notice `holdings(asset).idle` alone (the asset's units): one storage read for a caller
    /// that needs only what is payable now (the operator's balance checks).
    function idleOf(address asset) external view returns (uint256);
    function strategyOf(address asset) external view returns (address);
    function redemptionsPaused() external view returns (bool);

    /// @notice The value source counted in the valuation (protocol-owned liquidity), or zero.
    function valueSource() external view returns (address);

    // ------------------------------------------------------------------ operator
    /// @notice Pulls `amount` of `asset` from the operator into the reserve's idle balance.
    function depositFromOperator(address asset, uint256 amount) external;

    /// @notice Sends `amount` of idle `asset` to `to` for a market operation.
    function releaseToOperator(address asset, uint256 amount, address to) external;

    /// @notice Moves `asset` between the liquid buffer and its strategy toward the buffer target.
    /// A vault that would give back more than MAX_STRATEGY_ROUNDING_UNITS less than a deposit (an
    /// empty vault someone donated to) is skipped: `rebalanceDelta` reports 0 for it.
    /// @return delta Positive when parked into the strategy, negative when pulled back.
    function rebalance(address asset) external returns (int256 delta);
}
