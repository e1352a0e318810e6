// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Ballast constants.
// Units: WAD (1e18) for prices, values and ratios; basis points (BPS) for fees and bands;
// seconds for time. Every setter in the protocol is bounded by one of the hard limits below, so
// governance cannot raise a cap or a fee past what the code allows (lesson: Terra raised caps
// mid-crisis). They bound parameters, not a captured admin (who can grant roles and swap feeds):
// the Timelock delay in front of the admin is that control (docs/security.md).

uint256 constant WAD = 1e18;
uint256 constant BPS = 10_000;

/// @dev The peg: one token is worth one US dollar (WAD USD).
uint256 constant PEG_WAD = 1e18;

/// @dev Uniswap V2 charges 0.3% on the input amount; the pair bytecode hard-codes 997/1000.
uint256 constant UNI_V2_FEE_NUMERATOR = 997;
uint256 constant UNI_V2_FEE_DENOMINATOR = 1000;

// ---------------------------------------------------------------- oracle
/// @dev A Chainlink heartbeat is at most 24 h; allow one missed beat plus margin, never more.
uint256 constant MAX_FEED_MAX_AGE_SEC = 2 days;
/// @dev Below one minute a healthy feed would be rejected between heartbeats.
uint256 constant MIN_FEED_MAX_AGE_SEC = 60;
/// @dev A TWAP shorter than a few blocks is cheap to manipulate; longer than a day is useless as a guard.
uint256 constant MIN_TWAP_WINDOW_SEC = 60;
uint256 constant MAX_TWAP_WINDOW_SEC = 1 days;
/// @dev Ring buffer length for pool observations; with one observation per quarter window it
/// always spans two windows.
uint256 constant OBSERVATION_SLOTS = 8;
uint256 constant OBSERVATIONS_PER_WINDOW = 4;
/// @dev The TWAP is stale when the observation it averages from is more than this many windows
/// old: observations stopped for longer than a window, so the "average" would span the quiet gap
/// (days, possibly) instead of its window. Two windows leave room for observations written a
/// little late (one per quarter window is the schedule) without ever doubling the average's span.
uint256 constant MAX_TWAP_SPAN_WINDOWS = 2;

// ---------------------------------------------------------------- reserve
/// @dev A haircut above 50% means the asset should not be collateral at all.
uint256 constant MAX_HAIRCUT_BPS = 5_000;
/// @dev User fees are bounded at 1%; the recovery redeem fee at 5% (a deterrent, not a gate).
uint256 constant MAX_MINT_FEE_BPS = 100;
uint256 constant MAX_REDEEM_FEE_BPS = 100;
uint256 constant MAX_RECOVERY_REDEEM_FEE_BPS = 500;
/// @dev The liquid buffer target, as a share of an asset's holdings, and the tolerance around it
/// before `rebalance` moves anything.
uint256 constant MAX_BUFFER_BPS = BPS;
uint256 constant MIN_BUFFER_TOLERANCE_BPS = 100;
uint256 constant MAX_BUFFER_TOLERANCE_BPS = 5_000;
/// @dev At most this many collateral assets, to bound the valuation loop's gas.
uint256 constant MAX_ASSETS = 8;
/// @dev Value maths scales by 10^decimals; above 18 decimals precision and overflow margins shrink.
uint256 constant MAX_ASSET_DECIMALS = 18;
/// @dev An asset's deposit ceiling (its units) is stored in 104 bits beside its fees, so a mint reads
/// one slot: about 2e31 units, 2e13 whole tokens of an 18-decimal asset, far beyond any real
/// ceiling. type(uint256).max (no ceiling) is also accepted.
uint256 constant MAX_ASSET_CEILING = type(uint104).max - 1;
/// @dev The most a value source (protocol-owned liquidity) may add to its asset's amount: no more
/// than any ceiling lets the reserve hold, so a faulty source can neither overflow the valuation
/// (which would stop every redemption) nor count for more than a full asset could.
uint256 constant MAX_VALUE_SOURCE_AMOUNT = MAX_ASSET_CEILING;

// ---------------------------------------------------------------- collateral policy
/// @dev Partial backing failed in practice (IRON, Terra): the target never goes below 100%.
uint256 constant HARD_MIN_TARGET_RATIO_WAD = 1e18;
uint256 constant HARD_MAX_TARGET_RATIO_WAD = 2e18;
/// @dev At most 5 percentage points per refresh; Frax moved 0.25 points per hour.
uint256 constant MAX_RATIO_STEP_WAD = 0.05e18;
uint256 constant MIN_REFRESH_COOLDOWN_SEC = 10 minutes;
uint256 constant MAX_REFRESH_COOLDOWN_SEC = 7 days;
/// @dev The risk floor adds at most 2x the reserve's value-weighted haircut to the minimum ratio.
uint256 constant MAX_RISK_WEIGHT_BPS = 20_000;

// ---------------------------------------------------------------- market operator
/// @dev The band must exceed the pool fee to be worth trading and stay tight enough to matter.
uint256 constant MIN_BAND_BPS = 10;
uint256 constant MAX_BAND_BPS = 500;
/// @dev On a Uniswap V3 pool the stable tiers charge 1 or 5 bps and hold their depth at the peg,
/// so arbitrage alone holds the price within a few bps and a 10 bps band never acts there: the
/// V3 operator's band may go down to 2 bps, above the 0.01% tier's fee. A band below a wider
/// tier's fee costs at most gas and the loss budget (HARD_MAX_LOSS_BPS, its epoch cap).
uint256 constant MIN_BAND_BPS_V3 = 2;
/// @dev Spot and TWAP may disagree by at most this much before operations stop (manipulation guard).
uint256 constant MIN_SPOT_TWAP_DEVIATION_BPS = 10;
uint256 constant MAX_SPOT_TWAP_DEVIATION_BPS = 1_000;
/// @dev At least one block between operations; at most a day.
uint256 constant MIN_OPERATION_COOLDOWN_SEC = 1;
uint256 constant MAX_OPERATION_COOLDOWN_SEC = 1 days;
uint256 constant MIN_EPOCH_SEC = 1 hours;
uint256 constant MAX_EPOCH_SEC = 7 days;
/// @dev Absolute ceilings on what governance can allow per operation and per epoch (18-decimal
/// token units), so no parameter change can open the mint tap (a captured admin has other ways:
/// docs/security.md).
uint256 constant HARD_MAX_EXPANSION_PER_OP = 10_000_000e18;
uint256 constant HARD_MAX_EXPANSION_PER_EPOCH = 50_000_000e18;
/// @dev Contraction caps are quote-asset amounts normalised to 18 decimals (decimals-independent).
uint256 constant HARD_MAX_CONTRACTION_PER_OP = 10_000_000e18;
uint256 constant HARD_MAX_CONTRACTION_PER_EPOCH = 50_000_000e18;
/// @dev Minimum operation size, as a share of the full trade the peg and the caps allow at that
/// moment, for every caller: a dust trade cannot spend the cooldown. At least 1% (below it dust is
/// back), at most 50% (above it a front-run of half the trade, itself a trade toward the peg, would
/// block the operation instead of shrinking it).
uint256 constant MIN_OPERATION_SHARE_LOWER_BPS = 100;
uint256 constant MIN_OPERATION_SHARE_UPPER_BPS = 5_000;
uint256 constant DEFAULT_MIN_OPERATION_SHARE_BPS = 1_000;
/// @dev Per-operation loss budget, bps of the trade's value at the peg: what the protocol may pay
/// to land exactly on the peg when that trade is unprofitable. 0 keeps the strict rule (never lose).
/// At most the pool fee (30 bps): the dead zone a 0.3% pool leaves never costs more than its fee,
/// so a larger budget would only buy trades no peg needs.
uint256 constant HARD_MAX_LOSS_BPS = 30;
/// @dev Per-epoch cap on the total loss those trades may cost, WAD USD: 0.1% of the hard epoch
/// expansion cap, so even a captured admin cannot turn the budget into a drain.
uint256 constant HARD_MAX_LOSS_PER_EPOCH_WAD = 50_000e18;
/// @dev Upper bound on an operation's limit price (quote whole units per token, WAD): far above
/// any price a peg operation meets, and it keeps the limit-price maths free of overflow.
uint256 constant MAX_LIMIT_PRICE_WAD = 1e30;

/// @dev Slippage allowed between an Automation simulation (`checkUpkeep`) and its execution.
uint256 constant UPKEEP_SLIPPAGE_BPS = 50;

// ---------------------------------------------------------------- permissionless caller reward
/// @dev A permissionless caller earns at most this share of an operation's profit (the protocol's
/// equity gain); the protocol keeps the rest, so paying the reward never lowers its value.
uint256 constant CALLER_REWARD_PROFIT_SHARE_BPS = 1_000;
/// @dev The reward cap applies in full once an operation corrects this much deviation (bps of
/// the peg) and scales linearly below it, so keepers earn most when the peg needs them most.
uint256 constant CALLER_REWARD_FULL_DEVIATION_BPS = 200;
/// @dev Hard ceiling on one caller reward, WAD USD: several times the gas of an operation at
/// congested mainnet prices, small next to the profits at the operation caps.
uint256 constant HARD_MAX_CALLER_REWARD_WAD = 1_000e18;

// ---------------------------------------------------------------- strategies
/// @dev ERC-4626 conversions round down by less than one share's worth; for a vault whose share is
/// worth less than two asset units (every vault with a sane share price) one deposit or withdrawal
/// loses at most two units. Rebalance tolerates that much per asset moved and no more.
uint256 constant MAX_STRATEGY_ROUNDING_UNITS = 2;

// ---------------------------------------------------------------- oracle: degraded mode and L2
/// @dev A stale feed's last answer (the last good price) stays usable this long past its max age,
/// under a haircut that grows with the staleness; beyond it the asset has no price at all.
uint256 constant MAX_DEGRADED_AGE_SEC = 1 days;
/// @dev The degraded haircut grows by this much per hour past the max age (1%/h: ETH moves
/// ~1-3% an hour in a stressed market), capped at MAX_DEGRADED_HAIRCUT_BPS.
uint256 constant DEGRADED_HAIRCUT_BPS_PER_HOUR = 100;
/// @dev At most a quarter off the last good price: beyond that the price is a guess.
uint256 constant MAX_DEGRADED_HAIRCUT_BPS = 2_500;
/// @dev The oracle keeps one last good price per priced asset (the reserve's collateral plus the
/// pool's quote asset) and refreshes them on the pool-observation clock: this bounds that loop's gas.
uint256 constant MAX_PRICED_ASSETS = MAX_ASSETS + 1;
/// @dev On the observation clock the feeds are read for newer last good prices at most once an
/// hour (ETH/USD's heartbeat): a broken feed's last good price is then about as old as a stale
/// feed's last answer, and the keeper pays the feed reads hourly, not at every observation.
uint256 constant LAST_GOOD_PRICE_INTERVAL_SEC = 1 hours;
/// @dev Chainlink advises an hour's grace after an L2 sequencer restarts (feeds catch up and
/// users get time to act); at least 5 minutes, at most a day.
uint256 constant MIN_SEQUENCER_GRACE_PERIOD_SEC = 5 minutes;
uint256 constant MAX_SEQUENCER_GRACE_PERIOD_SEC = 1 days;
/// @dev Chainlink feeds use 8 or 18 decimals; more than 36 is malformed data, not a feed.
uint256 constant MAX_FEED_DECIMALS = 36;
/// @dev `latestRoundData` returns five 32-byte words; anything shorter is malformed.
uint256 constant ROUND_DATA_BYTES = 160;

// ---------------------------------------------------------------- reserve v2
/// @dev Per-epoch limits of the reserve (the stable lane's volume, degraded-mode redemptions)
/// run on one fixed day-long clock: long enough to bound a run, short enough to recover.
uint256 constant RESERVE_EPOCH_SEC = 1 days;
/// @dev Redemptions outside a stable lane pay a spread on top of the fee, at least the ETH/USD
/// feed's 0.5% deviation threshold, so redeeming against a lagging feed does not pay; at most 5%.
uint256 constant MIN_REDEEM_SPREAD_BPS = 50;
uint256 constant MAX_REDEEM_SPREAD_BPS = 500;
/// @dev Stable lane: open while the asset's feed is within `bandBps` of $1 (at most 1%: beyond
/// that the asset is depegging); base fee at most 0.1%, plus half the feed's deviation, so the
/// lane fee never exceeds MAX_LANE_BASE_FEE_BPS + MAX_LANE_BAND_BPS / 2. A base fee of 0 is safe:
/// the lane mints at min(feed, 1) and pays at max(feed, 1), so a round trip never gains, and its
/// cap counts net flow, so round trips cannot use it up either.
uint256 constant MAX_LANE_BAND_BPS = 100;
uint256 constant MAX_LANE_BASE_FEE_BPS = 10;
/// @dev The lane's per-epoch cap on its net flow (18-decimal tokens, mints minus redeems, held
/// within ±cap: the most the lane can move the reserve's holdings of the asset in an epoch) is
/// bounded like the market operator's epoch expansion cap, so no parameter change opens an
/// unbounded lane; below 2^87, so the signed net fits the lane's slot.
uint256 constant HARD_MAX_LANE_VOLUME_PER_EPOCH = 50_000_000e18;
/// @dev The lane asset's share of the reserve's gross value after a lane mint: at least 10%
/// (below it the lane is useless), at most all of it.
uint256 constant MIN_LANE_MAX_SHARE_BPS = 1_000;
/// @dev In degraded mode (an asset's price stale or invalid) redemptions per epoch are capped at
/// this share of the supply: at least 0.1% (redemptions never freeze), at most 20% (a run is slowed).
uint256 constant MIN_DEGRADED_REDEEM_CAP_BPS = 10;
uint256 constant MAX_DEGRADED_REDEEM_CAP_BPS = 2_000;
/// @dev A stable-lane mint or redeem decides its soft limits (the recovery fee, the lane's share
/// cap, degraded mode) from the reserve's last whole valuation instead of pricing every asset:
/// flows keep that valuation's amounts current, only other assets' prices age. It may be at most
/// this old, else the lane call prices the whole reserve itself. At least a minute (below it the
/// cache would almost never be used); at most an hour, the heartbeat of the most volatile feed the
/// reserve lists (ETH/USD), so the cached prices are never more than one answer behind.
uint256 constant MIN_VALUATION_MAX_AGE_SEC = 60;
uint256 constant MAX_VALUATION_MAX_AGE_SEC = 1 hours;
uint256 constant DEFAULT_VALUATION_MAX_AGE_SEC = 15 minutes;

// ---------------------------------------------------------------- Uniswap V3 venue
/// @dev Protocol-owned liquidity sits within ±rangeBps of the peg (one tick ≈ one bps of price).
/// Below one bps it would be narrower than a tick of the tightest tier; above 2% it is no longer
/// concentrated at the peg and mostly earns nothing while the price is held within the band.
uint256 constant MIN_POL_RANGE_BPS = 1;
uint256 constant MAX_POL_RANGE_BPS = 200;
/// @dev Ceiling on the quote asset the liquidity manager may hold in the pool (normalised to 18
/// decimals), the same order as the contraction caps: a captured admin cannot move the reserve
/// into the pool.
uint256 constant HARD_MAX_POL_QUOTE_WAD = 10_000_000e18;
/// @dev What adding or removing protocol-owned liquidity may cost the reserve's counted value, in
/// quote units: the pool rounds what a mint owes up and what a position holds down (one unit each).
uint256 constant MAX_POL_ROUNDING_UNITS = 2;
