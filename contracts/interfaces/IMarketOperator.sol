// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

/// @title MarketOperator: the AMO that trades the pool back to the peg
/// @notice When spot is above `peg + band` and the TWAP sits above the peg too (within the
/// spot-vs-TWAP guard) it mints tokens and sells them into the Uniswap V2 pool; the quote asset
/// received goes to the Reserve. When spot is below `peg − band` and the TWAP below the peg it
/// borrows quote from the Reserve's liquid buffer, buys tokens from the pool and burns them. The
/// band is tested on spot; the TWAP only guards (same side, close to spot, not stale).
/// Sizing: each trade is sized from the pair's reserves (fee included) to land the spot on the
/// peg; when that trade would lose more than the per-operation loss budget (`maxLossBps` of the
/// trade's value at the peg, 0 by default), it stops at `peg × (1 ± fee)` instead, where the last
/// unit still trades at the peg after the fee, so it never loses. Either way it never crosses the
/// peg. Every operation is bounded by a per-operation cap, a per-epoch cap (net mint for
/// expansion, quote spent for contraction), a cooldown, a minimum size (`minOperationShareBps` of
/// the full trade allowed at that moment, for every caller), the spot-vs-TWAP guard, a TWAP that is
/// not stale (`MAX_TWAP_SPAN_WINDOWS`) and, for expansion, the target collateral ratio.
/// After every operation and rebalance the contract asserts on chain (rule 7):
/// `ratioAfter ≥ min(ratioBefore, target)` and the protocol's own value
/// (gross reserve value − supply × peg) fell by at most the operation's loss allowance
/// (`min(maxLossBps × trade value, what is left of maxLossPerEpochWad)`; zero by default, so by
/// default it never falls); otherwise it reverts. A rebalance alone tolerates the ERC-4626
/// rounding of its vault calls, at most `MAX_STRATEGY_ROUNDING_UNITS` of each asset moved, so a
/// one-wei donation to a vault cannot block it.
/// Limits: `expandSupply`/`contractSupply` bound the output amount (`minQuoteOut`, `minTokenOut`),
/// which a front-run toward the peg (it shrinks the trade) turns into a revert; the price forms
/// `expandSupplyAtPrice`/`contractSupplyAtPrice` bound the average execution price instead and
/// clamp the amount to what the pool allows at that price now, so the same front-run shrinks the
/// operation. Keepers and `performUpkeep` use the price forms.
/// @dev Roles: DEFAULT_ADMIN_ROLE sets bounded parameters and unpauses; GUARDIAN_ROLE pauses;
/// KEEPER_ROLE calls the operations. A malicious keeper can only trade toward the peg at
/// better-than-peg prices (or within the bounded loss budget) within the caps. Entry points for
/// Chainlink Automation: `checkUpkeep` (off-chain simulation) and `performUpkeep` (re-validates
/// everything); Gelato's resolver `checker()` returns the same call. `performData` is
/// `abi.encode(action, amount, limitPriceWad)`; with `Action.None` it asks only for a pool
/// observation (`PriceOracle.update()`), so an upkeep keeps the TWAP on its clock while nothing
/// else is due. `performUpkeep` may also be called by a configured Automation forwarder
/// (Chainlink's per-upkeep sender), which needs no role.
/// Permissionless mode (admin flag): anyone may call the operations and `performUpkeep`, and the
/// caller (except the forwarder, which the Automation network pays) earns a bounded reward in the
/// quote asset, paid by the Reserve out of the operation's profit (see {CallerReward}); rule 7 is
/// asserted after the reward is paid. In this mode every expansion or contraction is the full
/// trade the peg and the caps allow (the requested amount is ignored; `minOut` and the limit price
/// still apply), so no one can spend the cooldown on a small trade to hold the price off the peg.
/// With the mode off, behaviour is exactly the permissioned one.
interface IMarketOperator is AutomationCompatibleInterface {
    enum Action {
        None,
        Expand,
        Contract,
        Rebalance
    }

    /// @notice Why `preview` chose `Action.None` (or capped the amount).
    enum Blocker {
        None,
        Paused,
        OracleInvalid,
        SpotTwapDivergence,
        InsideBand,
        Cooldown,
        CapReached,
        RatioLimit,
        NoLiquidity,
        Unprofitable,
        TwapStale
    }

    /// @notice Amount caps: expansion in tokens (18 decimals), contraction in quote asset
    /// normalised to 18 decimals; cooldown and epoch in seconds.
    struct Limits {
        uint256 maxExpansionPerOp;
        uint256 maxExpansionPerEpoch;
        uint256 maxContractionPerOp;
        uint256 maxContractionPerEpoch;
        uint256 cooldownSec;
        uint256 epochSec;
    }

    /// @notice What the operator would do now. `amount` is tokens to sell (Expand) or quote to
    /// spend (Contract, quote asset units); `expectedOut` the pool output for it; prices WAD USD.
    struct Preview {
        Action action;
        Blocker blocker;
        uint256 amount;
        uint256 expectedOut;
        uint256 spotWad;
        uint256 twapWad;
        int256 deviationBps;
    }

    /// @notice Epoch accounting: net tokens minted by expansion minus burned by contraction, quote
    /// spent by contraction (normalised to 18 decimals), and the protocol value the epoch's
    /// operations lost within their loss budget (WAD USD).
    struct EpochState {
        uint256 startedAt;
        int256 netMinted;
        uint256 contracted;
        uint256 lossWad;
    }

    error ZeroAddress();
    error ZeroAmount();
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    error NotKeeper(address caller);
    error PriceInsideBand(uint256 spotWad, uint256 twapWad, uint256 bandBps);
    error SpotTwapDivergence(uint256 spotWad, uint256 twapWad, uint256 maxDeviationBps);
    error CooldownActive(uint256 readyAt, uint256 nowSec);
    error CapReached(Action action);
    error SlippageExceeded(uint256 minOut, uint256 out);
    error PegCrossed(uint256 spotAfterWad);
    error RatioBelowBound(uint256 ratioBeforeWad, uint256 ratioAfterWad, uint256 targetWad);
    error ProtocolValueDecreased(int256 equityBeforeWad, int256 equityAfterWad);
    error NothingToRebalance();
    error UpkeepNotNeeded(Action wanted, Action current, Blocker blocker);
    error PoolTokenMismatch(address pool, address token, address quoteAsset);
    /// @notice The TWAP averages over `spanSec` > `MAX_TWAP_SPAN_WINDOWS` × `windowSec`: the ring went quiet.
    error TwapStale(uint256 spanSec, uint256 windowSec);
    /// @notice The operation would trade `amount`, less than `minimum` (the minimum share of the full trade).
    error OperationTooSmall(uint256 amount, uint256 minimum);
    /// @notice Nothing can trade at `limitPriceWad`: the pool's best price now is `bestPriceWad`
    /// (quote whole units per token, WAD, fee included).
    error PriceLimitExceeded(uint256 limitPriceWad, uint256 bestPriceWad);
    /// @notice No trade toward the peg is within the loss budget (spot inside `peg × (1 ± fee)`).
    error TradeUnprofitable(Action action);

    event LimitsSet(uint256 maxExpansionPerOp, uint256 maxExpansionPerEpoch, uint256 maxContractionPerOp, uint256 maxContractionPerEpoch, uint256 cooldownSec, uint256 epochSec);
    event BandSet(uint256 bandBps, uint256 maxSpotTwapDeviationBps);
    event SupplyExpanded(address indexed caller, uint256 tokensSold, uint256 quoteReceived, uint256 spotBeforeWad, uint256 spotAfterWad);
    event SupplyContracted(address indexed caller, uint256 quoteSpent, uint256 tokensBurned, uint256 spotBeforeWad, uint256 spotAfterWad);
    event Rebalanced(address indexed caller, address indexed asset, int256 delta);
    event EpochStarted(uint256 startedAt);
    event AutomationForwarderSet(address indexed previousForwarder, address indexed forwarder);
    event PermissionlessSet(bool enabled, uint256 maxCallerRewardWad);
    /// @notice A permissionless caller was paid `quoteAmount` of the quote asset, worth `valueWad` USD.
    event CallerRewarded(address indexed caller, uint256 quoteAmount, uint256 valueWad);
    event SizingSet(uint256 minOperationShareBps, uint256 maxLossBps, uint256 maxLossPerEpochWad);

    /// @notice Sells up to `amount` newly minted tokens into the pool (clamped to what the peg,
    /// the caps and the target ratio allow); reverts if the quote received is below `minQuoteOut`
    /// (an amount bound: a front-run that shrinks the trade makes it revert), or if the amount is
    /// below the minimum operation size (`OperationTooSmall`).
    function expandSupply(uint256 amount, uint256 minQuoteOut) external returns (uint256 tokensSold, uint256 quoteReceived);

    /// @notice Spends up to `quoteAmount` of the reserve's quote asset buying tokens from the pool
    /// and burns them (clamped to peg, caps and the liquid buffer); reverts below `minTokenOut`
    /// or below the minimum operation size.
    function contractSupply(uint256 quoteAmount, uint256 minTokenOut) external returns (uint256 quoteSpent, uint256 tokensBurned);

    /// @notice `expandSupply` bounded by price: sells up to `amount` (clamped as there, and further
    /// to the largest amount whose average execution price is at least `minPriceWad`), so a
    /// front-run toward the peg shrinks the operation instead of reverting it. `minPriceWad` is quote
    /// whole units received per whole token sold, fee included, WAD (0: no price bound; at most
    /// `MAX_LIMIT_PRICE_WAD`). The pair rounds its output down, so the realised average may sit below
    /// the limit by at most one quote unit over the whole trade. Reverts `PriceLimitExceeded` when
    /// not even the first unit reaches the limit, `OperationTooSmall` when the clamp leaves less than
    /// the minimum size.
    function expandSupplyAtPrice(uint256 amount, uint256 minPriceWad) external returns (uint256 tokensSold, uint256 quoteReceived);

    /// @notice `contractSupply` bounded by price: spends up to `quoteAmount` (clamped as there, and
    /// further to the largest amount whose average price paid is at most `maxPriceWad`, quote whole
    /// units per whole token bought, fee included, WAD, in [1, `MAX_LIMIT_PRICE_WAD`]). The pair's
    /// rounding may raise the realised average by at most one token unit's worth over the trade.
    function contractSupplyAtPrice(uint256 quoteAmount, uint256 maxPriceWad) external returns (uint256 quoteSpent, uint256 tokensBurned);

    /// @notice Moves every asset's excess over its liquid buffer into its strategy, or pulls back
    /// when the buffer runs low. Reverts with `NothingToRebalance` when nothing needs moving.
    function rebalance() external;

    /// @notice What an operation would do now; never reverts.
    function preview() external view returns (Preview memory);

    function limits() external view returns (Limits memory);
    function epoch() external view returns (EpochState memory);
    function bandBps() external view returns (uint256);
    function maxSpotTwapDeviationBps() external view returns (uint256);
    function lastOperationAt() external view returns (uint256);
    /// @notice Minimum operation size, bps of the full trade allowed at that moment.
    function minOperationShareBps() external view returns (uint256);
    /// @notice Per-operation loss budget, bps of the trade's value at the peg (0: never lose).
    function maxLossBps() external view returns (uint256);
    /// @notice Cap on the loss all operations of one epoch may cost together, WAD USD.
    function maxLossPerEpochWad() external view returns (uint256);

    /// @notice The Automation forwarder allowed to call `performUpkeep` besides KEEPER_ROLE; zero when none.
    function automationForwarder() external view returns (address);

    /// @notice True when anyone may call the operations and earns the caller reward.
    function permissionless() external view returns (bool);

    /// @notice The configured reward cap, WAD USD (never above `HARD_MAX_CALLER_REWARD_WAD`).
    function maxCallerRewardWad() external view returns (uint256);

    /// @notice Gelato resolver: `execPayload` is the `performUpkeep` calldata when `canExec`.
    function checker() external view returns (bool canExec, bytes memory execPayload);

    /// @notice What a permissionless caller would earn by executing `preview()` now, in quote-asset
    /// units and in WAD USD; zero when the mode is off or there is no expansion or contraction to do.
    /// Estimated from the preview's amounts; the paid reward is computed from the measured profit.
    function estimateCallerReward() external view returns (uint256 quoteAmount, uint256 valueWad);
}
