// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketOperator} from "./interfaces/IMarketOperator.sol";
import {IBallastDollar} from "./interfaces/IBallastDollar.sol";
import {IPriceOracle} from "./interfaces/IPriceOracle.sol";
import {IReserve} from "./interfaces/IReserve.sol";
import {ICollateralPolicy} from "./interfaces/ICollateralPolicy.sol";
import {IUniswapV2PairMinimal} from "./interfaces/IUniswapV2PairMinimal.sol";
import {PegMath} from "./libraries/PegMath.sol";
import {CallerReward} from "./libraries/CallerReward.sol";
import {ValuationMath} from "./libraries/ValuationMath.sol";
import {Solvency} from "./libraries/Solvency.sol";
import "./libraries/Constants.sol" as C;

/// @title MarketOperator
/// @notice See {IMarketOperator}.
/// @dev Each trade (`_trade`, one path for both directions) is gate → compute → actuate → assert:
/// gate (`_readMarket`, `_requireReady`: cooldown, stale TWAP, guard, band), compute
/// (`_sizeExpansion`, `_sizeContraction`, then the caller's amount, limit price and the minimum
/// size, PegMath), actuate (one swap), assert (`_requireNotCrossed`, `_requireSolvent`).
/// `preview()` runs the same gate and compute without reverting.
contract MarketOperator is IMarketOperator, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May pause operations; cannot unpause.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice May call expandSupply, contractSupply, rebalance and performUpkeep.
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");

    IBallastDollar public immutable stable;
    IPriceOracle public immutable oracle;
    IReserve public immutable reserve;
    ICollateralPolicy public immutable policy;
    IUniswapV2PairMinimal public immutable pair;
    address public immutable quoteAsset;
    bool internal immutable _tokenIsToken0;
    uint256 internal immutable _tokenUnit;
    uint256 internal immutable _quoteUnit;

    // Storage is packed by what one operation reads together, each slot one cold read: the gate
    // (forwarder, mode, band, guard; Pausable's flag, declared first, shares it), the sizing (loss
    // budget, minimum share, cooldown, epoch length), one direction's caps, the clock (epoch
    // start, last operation, net minted) and the epoch's totals. Every narrowed field holds a
    // value its setter has bounded by Constants.sol first (`_setLimits`, `_setBand`,
    // `_setSizing`), or a sum the caps bound, added with checked arithmetic (`_recordOperation`,
    // `_requireSolvent`).
    address public override automationForwarder;
    bool public override permissionless;
    uint16 private _bandBps;
    uint16 private _maxSpotTwapDeviationBps;
    uint256 public override maxCallerRewardWad;
    Sizing private _sizing;
    Caps private _expansionCaps;
    Caps private _contractionCaps;
    Clock private _clock;
    Totals private _totals;

    /// @dev The market as the operator sees it: reserves oriented (token, quote), prices WAD USD.
    struct Market {
        uint256 reserveToken;
        uint256 reserveQuote;
        uint256 spotWad;
        uint256 twapWad;
        uint256 quoteUsdWad;
        uint256 twapSpanSec;
        uint256 twapWindowSec;
        VenueMemo memo;
    }

    /// @dev A venue's scratch for one operation, so its steps share work instead of redoing it
    /// (V3: the peg as a sqrt price limit for the trade's direction, the last quote, which sizing,
    /// the budget check and the output would each walk again, and the pool's price just before and
    /// after the swap, which the peg check and rule 7's after-state both read, and the value source's
    /// quote at those prices, which the caller reward's after-state and rule 7's both count). V2
    /// leaves it empty.
    struct VenueMemo {
        bool pegSellToken;
        uint160 sqrtPegX96;
        bool quotedSellToken;
        uint160 quotedLimitX96;
        uint160 quotedAfterX96;
        uint256 quotedIn;
        uint256 quotedUsed;
        uint256 quotedOut;
        uint160 swapBeforeX96;
        uint160 swapAfterX96;
        bool sourceRead;
        uint256 sourceBefore;
        uint256 sourceAfter;
    }

    /// @dev setSizing's parameters with the cooldown and the epoch length, one slot (every
    /// operation reads them all). Hard bounds 5,000 bps, 30 bps, 50,000e18, 1 day and 7 days.
    struct Sizing {
        uint16 minOperationShareBps;
        uint16 maxLossBps;
        uint128 maxLossPerEpochWad;
        uint32 cooldownSec;
        uint32 epochSec;
    }

    /// @dev One direction's caps (18-decimal amounts, hard bounds at most 50,000,000e18).
    struct Caps {
        uint128 perOp;
        uint128 perEpoch;
    }

    /// @dev The times every operation reads and writes, with the epoch's net minted tokens (which
    /// the expansion caps bound above; below, burns are bounded by the supply, far inside 2^127).
    struct Clock {
        uint48 epochStartedAt;
        uint48 lastOperationAt;
        int128 netMinted;
    }

    /// @dev The epoch's contracted quote (WAD, at most the epoch's contraction cap) and the loss
    /// its operations cost (WAD USD, at most the epoch's loss cap).
    struct Totals {
        uint128 contracted;
        uint128 lossWad;
    }

    /// @dev The reserve's position: haircut value (WAD USD), supply, target ratio and the ratio
    /// itself (WAD, `Solvency.ratioWad`, computed once where the position is read).
    struct Backing {
        uint256 valueWad;
        uint256 supply;
        uint256 targetWad;
        uint256 ratioWad;
        /// @dev Gross value, and the quote asset's accounted amount, idle part and haircut: what
        /// rule 7's after-state is computed from (`_backingAfter`).
        uint256 grossWad;
        uint256 quoteAmount;
        uint256 quoteIdle;
        uint256 quoteHaircutBps;
    }

    /// @dev The reserve after an operation: haircut and gross value (WAD USD) and the supply.
    struct BackingAfter {
        uint256 valueWad;
        uint256 grossWad;
        uint256 supply;
    }

    constructor(
        address admin,
        IBallastDollar stable_,
        IPriceOracle oracle_,
        IReserve reserve_,
        ICollateralPolicy policy_,
        Limits memory limits_,
        uint256 bandBps_,
        uint256 maxSpotTwapDeviationBps_
    ) {
        if (
            admin == address(0) || address(stable_) == address(0) || address(oracle_) == address(0)
                || address(reserve_) == address(0) || address(policy_) == address(0)
        ) revert ZeroAddress();
        stable = stable_;
        oracle = oracle_;
        reserve = reserve_;
        policy = policy_;
        pair = IUniswapV2PairMinimal(oracle_.pool());
        quoteAsset = oracle_.quoteAsset();
        if (oracle_.token() != address(stable_)) revert PoolTokenMismatch(address(pair), address(stable_), quoteAsset);
        _tokenIsToken0 = pair.token0() == address(stable_);
        _tokenUnit = 10 ** IERC20Metadata(address(stable_)).decimals();
        _quoteUnit = 10 ** IERC20Metadata(quoteAsset).decimals();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setLimits(limits_);
        _setBand(bandBps_, maxSpotTwapDeviationBps_);
        _setSizing(C.DEFAULT_MIN_OPERATION_SHARE_BPS, 0, 0);
        _clock.epochStartedAt = uint48(block.timestamp);
        // The reserve pulls every expansion's proceeds (`depositFromOperator`): one unlimited
        // allowance here instead of a fresh one per operation. The reserve is immutable and this
        // contract holds quote only between a swap and that deposit.
        IERC20(quoteAsset).forceApprove(address(reserve_), type(uint256).max);
    }

    // ================================================================== admin

    /// @notice Sets the caps, cooldown and epoch length, each within its hard bound.
    function setLimits(Limits calldata limits_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLimits(limits_);
    }

    /// @notice Sets the action band and the spot-vs-TWAP guard, bps.
    function setBand(uint256 bandBps_, uint256 maxSpotTwapDeviationBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBand(bandBps_, maxSpotTwapDeviationBps_);
    }

    /// @notice Sets the minimum operation size (bps of the full trade), the per-operation loss budget
    /// (bps of the trade's value at the peg) and the per-epoch loss cap (WAD USD), each within its
    /// hard bound.
    function setSizing(uint256 minOperationShareBps_, uint256 maxLossBps_, uint256 maxLossPerEpochWad_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setSizing(minOperationShareBps_, maxLossBps_, maxLossPerEpochWad_);
    }

    /// @notice Lets `forwarder` (a Chainlink upkeep's forwarder) call `performUpkeep`; zero disables.
    function setAutomationForwarder(address forwarder) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit AutomationForwarderSet(automationForwarder, forwarder);
        automationForwarder = forwarder;
    }

    /// @notice Turns permissionless mode on or off and sets the caller reward cap, WAD USD, at most
    /// `HARD_MAX_CALLER_REWARD_WAD`.
    function setPermissionless(bool enabled, uint256 maxCallerRewardWad_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireWithin("maxCallerRewardWad", maxCallerRewardWad_, 0, C.HARD_MAX_CALLER_REWARD_WAD);
        permissionless = enabled;
        maxCallerRewardWad = maxCallerRewardWad_;
        emit PermissionlessSet(enabled, maxCallerRewardWad_);
    }

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ================================================================== operations

    /// @inheritdoc IMarketOperator
    function expandSupply(uint256 amount, uint256 minQuoteOut)
        external
        override
        nonReentrant
        whenNotPaused
        returns (uint256 tokensSold, uint256 quoteReceived)
    {
        _requireKeeper();
        return _trade(true, amount, minQuoteOut, 0);
    }

    /// @inheritdoc IMarketOperator
    function expandSupplyAtPrice(uint256 amount, uint256 minPriceWad)
        external
        override
        nonReentrant
        whenNotPaused
        returns (uint256 tokensSold, uint256 quoteReceived)
    {
        _requireKeeper();
        _requireWithin("minPriceWad", minPriceWad, 0, C.MAX_LIMIT_PRICE_WAD);
        return _trade(true, amount, 0, minPriceWad);
    }

    /// @inheritdoc IMarketOperator
    function contractSupply(uint256 quoteAmount, uint256 minTokenOut)
        external
        override
        nonReentrant
        whenNotPaused
        returns (uint256 quoteSpent, uint256 tokensBurned)
    {
        _requireKeeper();
        return _trade(false, quoteAmount, minTokenOut, 0);
    }

    /// @inheritdoc IMarketOperator
    function contractSupplyAtPrice(uint256 quoteAmount, uint256 maxPriceWad)
        external
        override
        nonReentrant
        whenNotPaused
        returns (uint256 quoteSpent, uint256 tokensBurned)
    {
        _requireKeeper();
        _requireWithin("maxPriceWad", maxPriceWad, 1, C.MAX_LIMIT_PRICE_WAD);
        return _trade(false, quoteAmount, 0, maxPriceWad);
    }

    /// @inheritdoc IMarketOperator
    function rebalance() external override nonReentrant whenNotPaused {
        _requireKeeper();
        _rebalance();
    }

    // ================================================================== automation

    /// @notice Chainlink Automation simulation: `performData = abi.encode(action, amount, limitPriceWad)`;
    /// `Action.None` asks only for a pool observation.
    function checkUpkeep(bytes calldata)
        external
        view
        override
        returns (bool upkeepNeeded, bytes memory performData)
    {
        return _upkeep();
    }

    /// @inheritdoc IMarketOperator
    function checker() external view override returns (bool canExec, bytes memory execPayload) {
        bytes memory performData;
        (canExec, performData) = _upkeep();
        execPayload = canExec ? abi.encodeCall(this.performUpkeep, (performData)) : bytes("Ballast: nothing to do");
    }

    /// @notice Chainlink Automation execution. `performData` is only a request: the action must
    /// still be what `preview()` says now, the amount is clamped to what the pool allows at the
    /// request's limit price, and every check re-run. `Action.None` records a pool observation and
    /// reverts `UpkeepNotNeeded` when none is due.
    function performUpkeep(bytes calldata performData) external override nonReentrant whenNotPaused {
        if (msg.sender != automationForwarder) _requireKeeper();
        (Action action, uint256 amount, uint256 limitPriceWad) = abi.decode(performData, (Action, uint256, uint256));
        if (action == Action.None) {
            if (oracle.update()) return;
            Preview memory now_ = _preview();
            revert UpkeepNotNeeded(action, now_.action, now_.blocker);
        }
        Preview memory p = _preview();
        if (p.action != action) revert UpkeepNotNeeded(action, p.action, p.blocker);
        if (action != Action.Rebalance) {
            _requireWithin("limitPriceWad", limitPriceWad, action == Action.Contract ? 1 : 0, C.MAX_LIMIT_PRICE_WAD);
        }
        if (action == Action.Rebalance) _rebalance();
        else _trade(action == Action.Expand, amount, 0, limitPriceWad);
    }

    // ================================================================== views

    /// @inheritdoc IMarketOperator
    function preview() external view override returns (Preview memory) {
        return _preview();
    }

    /// @inheritdoc IMarketOperator
    function minOperationShareBps() external view override returns (uint256) {
        return _sizing.minOperationShareBps;
    }

    /// @inheritdoc IMarketOperator
    function maxLossBps() external view override returns (uint256) {
        return _sizing.maxLossBps;
    }

    /// @inheritdoc IMarketOperator
    function maxLossPerEpochWad() external view override returns (uint256) {
        return _sizing.maxLossPerEpochWad;
    }

    /// @inheritdoc IMarketOperator
    function limits() external view override returns (Limits memory) {
        return Limits(
            _expansionCaps.perOp,
            _expansionCaps.perEpoch,
            _contractionCaps.perOp,
            _contractionCaps.perEpoch,
            _sizing.cooldownSec,
            _sizing.epochSec
        );
    }

    /// @inheritdoc IMarketOperator
    function epoch() external view override returns (EpochState memory) {
        if (_epochExpired()) return EpochState(block.timestamp, 0, 0, 0);
        return EpochState(_clock.epochStartedAt, _clock.netMinted, _totals.contracted, _totals.lossWad);
    }

    /// @inheritdoc IMarketOperator
    function bandBps() external view override returns (uint256) {
        return _bandBps;
    }

    /// @inheritdoc IMarketOperator
    function maxSpotTwapDeviationBps() external view override returns (uint256) {
        return _maxSpotTwapDeviationBps;
    }

    /// @inheritdoc IMarketOperator
    function lastOperationAt() external view override returns (uint256) {
        return _clock.lastOperationAt;
    }

    /// @inheritdoc IMarketOperator
    function estimateCallerReward() external view override returns (uint256 quoteAmount, uint256 valueWad) {
        if (!permissionless) return (0, 0);
        Preview memory p = _preview();
        if (p.action != Action.Expand && p.action != Action.Contract) return (0, 0);
        // preview() just read both without failing, so the strict reads cannot revert here.
        Market memory m = _readMarket();
        Outcome memory o = _estimateOutcome(p, m, _readBacking());
        return _rewardFor(o.profitWad, CallerReward.deviationCorrectedBps(m.spotWad, o.spotAfterWad), o.headroomWad, o.idleAfter, m.quoteUsdWad);
    }

    // ================================================================== actuators

    /// @dev Both trades, one path. `expand`: sells `amount` tokens (minted) for quote, which the
    /// reserve takes in; else spends `amount` quote (released by the reserve) on tokens, which are
    /// burned. `minOut` bounds the output; `limitPriceWad` (0: none) the price, quote whole units per
    /// token, WAD: the least a sale gets, or the most a purchase pays. Returns (input, output).
    function _trade(bool expand, uint256 amount, uint256 minOut, uint256 limitPriceWad)
        private
        returns (uint256 amountIn, uint256 amountOut)
    {
        if (amount == 0) revert ZeroAmount();
        // Permissionless: always the full allowed trade, so no one can spend the cooldown on a small one.
        if (permissionless) amount = type(uint256).max;
        Action action = expand ? Action.Expand : Action.Contract;
        Market memory m;
        _syncPool(m);
        _readPrices(m);
        _requireReady(m, action);
        Backing memory b = _readBacking();
        (uint256 full, Blocker blocker) = expand ? _sizeExpansion(m, b) : _sizeContraction(m, b);
        if (full == 0) _revertNoTrade(action, blocker);
        amountIn = _clampToLimit(m, expand, Math.min(amount, full), limitPriceWad);
        _requireMinimumSize(amountIn, full);
        amountOut = _amountOut(m, expand, amountIn);
        if (amountOut < minOut) revert SlippageExceeded(minOut, amountOut);
        int256 equityBefore = _equityOf(b.grossWad, b.supply);

        // The trade's value at the peg (tokens sold) or at the quote's price (quote spent): what its
        // loss allowance is a share of.
        uint256 tradeValueWad;
        if (expand) {
            (amountIn, amountOut) = _swapTokensForQuote(m, amountIn, amountOut);
            reserve.depositFromOperator(quoteAsset, amountOut);
            _recordOperation(int256(amountIn), 0);
            tradeValueWad = Math.mulDiv(amountIn, C.PEG_WAD, _tokenUnit);
        } else {
            (amountIn, amountOut) = _swapQuoteForTokens(m, amountIn, amountOut);
            stable.burn(amountOut);
            _recordOperation(-int256(amountOut), _normaliseQuote(amountIn));
            tradeValueWad = Math.mulDiv(amountIn, m.quoteUsdWad, _quoteUnit);
        }
        uint256 spotAfter = _requireNotCrossed(m, action);
        _payCallerReward(b, equityBefore, m, spotAfter);
        _requireSolvent(b, equityBefore, _lossAllowanceWad(tradeValueWad), true, _backingAfter(b, m));
        if (expand) emit SupplyExpanded(msg.sender, amountIn, amountOut, m.spotWad, spotAfter);
        else emit SupplyContracted(msg.sender, amountIn, amountOut, m.spotWad, spotAfter);
    }

    /// @dev `amountIn`, at most what trades within the limit price (0: no limit).
    function _clampToLimit(Market memory m, bool expand, uint256 amountIn, uint256 limitPriceWad) private view returns (uint256) {
        if (limitPriceWad == 0) return amountIn;
        (uint256 num, uint256 den) = _limitPoolPrice(limitPriceWad);
        uint256 atLimit = _maxInAtPrice(m, expand, num, den);
        if (atLimit == 0) revert PriceLimitExceeded(limitPriceWad, _firstUnitPriceWad(m, expand));
        return Math.min(amountIn, atLimit);
    }

    /// @dev The reason a full trade is zero, as the revert a caller sees.
    function _revertNoTrade(Action action, Blocker blocker) private pure {
        if (blocker == Blocker.Unprofitable) revert TradeUnprofitable(action);
        revert CapReached(action);
    }

    /// @dev Every caller trades at least `minOperationShareBps` of the full trade (rounded up), so
    /// dust cannot spend the cooldown.
    function _requireMinimumSize(uint256 amount, uint256 full) private view {
        uint256 minimum = Math.mulDiv(full, _sizing.minOperationShareBps, C.BPS, Math.Rounding.Ceil);
        if (amount < minimum) revert OperationTooSmall(amount, minimum);
    }

    /// @dev A limit price (quote whole units per token, WAD) as the raw pool price num/den.
    function _limitPoolPrice(uint256 limitPriceWad) private view returns (uint256 num, uint256 den) {
        return (limitPriceWad * _quoteUnit, _tokenUnit * C.WAD);
    }

    /// @dev The price the first unit of a sale (`sellToken`) or purchase trades at, fee included,
    /// quote whole units per token, WAD (for the PriceLimitExceeded context).
    function _firstUnitPriceWad(Market memory m, bool sellToken) private view returns (uint256) {
        uint256 spotWad = _poolSpotWad(m);
        (uint256 keepNum, uint256 feeDen) = _poolFee();
        return sellToken ? Math.mulDiv(spotWad, keepNum, feeDen) : Math.mulDiv(spotWad, feeDen, keepNum);
    }

    /// @dev Tokens sent to the pair without a `sync()` would join this operation's swap as extra input
    /// and carry the price past the peg (`PegCrossed`): anyone could block operations for the cost of
    /// gas and skim the tokens back afterwards. Syncing first prices them in, so the trade is sized on
    /// the pool as it really is (a donation toward the peg only leaves less to do). When the balances
    /// already equal the reserves a sync would change nothing but the cumulative prices, which the
    /// swap itself accrues the same: it is skipped. The pair's lock still refuses an operation inside
    /// a flash swap (its sync or its swap). Then the oracle records the synced price. Fills the pool's
    /// part of `m` as `_readPool` would, from the reserves read here (again after a sync).
    function _syncPool(Market memory m) internal virtual {
        (uint256 reserveToken, uint256 reserveQuote) = _reserves();
        if (
            IERC20(address(stable)).balanceOf(address(pair)) != reserveToken
                || IERC20(quoteAsset).balanceOf(address(pair)) != reserveQuote
        ) {
            pair.sync();
            (reserveToken, reserveQuote) = _reserves();
        }
        (m.reserveToken, m.reserveQuote) = (reserveToken, reserveQuote);
        oracle.update();
    }

    function _rebalance() private {
        Backing memory b = _readBacking();
        int256 equityBefore = _equityOf(b.grossWad, b.supply);
        address[] memory assets = reserve.assets();
        bool moved;
        uint256 roundingWad;
        for (uint256 i = 0; i < assets.length; ++i) {
            if (reserve.rebalanceDelta(assets[i]) == 0) continue;
            int256 delta = reserve.rebalance(assets[i]);
            moved = true;
            roundingWad += _strategyRoundingWad(assets[i]);
            emit Rebalanced(msg.sender, assets[i], delta);
        }
        if (!moved) revert NothingToRebalance();
        // Strategy moves change values the trade formula cannot know: price the reserve again.
        BackingAfter memory a;
        (a.grossWad, a.valueWad) = reserve.valuation();
        a.supply = stable.totalSupply();
        _requireSolvent(b, equityBefore, roundingWad, false, a);
    }

    /// @dev ERC-4626 rounds every conversion down, so parking `x` can come back as `x − 1` even in
    /// an honest vault whose share is worth more than one asset unit (any vault with yield, or one a
    /// stranger donated a wei to). Rule 7 tolerates that dust — at most
    /// `MAX_STRATEGY_ROUNDING_UNITS` of the asset per move, valued at its price and rounded up —
    /// and nothing more: a vault whose rounding costs more (an inflated share price) still reverts.
    function _strategyRoundingWad(address asset) private view returns (uint256) {
        uint256 unit = 10 ** IERC20Metadata(asset).decimals();
        return Math.mulDiv(C.MAX_STRATEGY_ROUNDING_UNITS, oracle.price(asset), unit, Math.Rounding.Ceil);
    }

    // ================================================================== caller reward

    /// @dev What an expansion or contraction would leave behind, estimated from a preview.
    struct Outcome {
        uint256 profitWad;
        uint256 spotAfterWad;
        uint256 headroomWad;
        uint256 idleAfter;
    }

    /// @dev Permissionless mode: pays the caller (not the forwarder, which the Automation network
    /// pays) its reward out of the profit just measured. `_requireSolvent` runs after this, so rule 7
    /// is asserted with the reward paid; `_rewardFor` clamps the reward so that it holds.
    function _payCallerReward(Backing memory before, int256 equityBefore, Market memory m, uint256 spotAfterWad) private {
        if (!permissionless || msg.sender == automationForwarder) return;
        BackingAfter memory a = _backingAfter(before, m);
        int256 profitWad = _equityOf(a.grossWad, a.supply) - equityBefore;
        if (profitWad <= 0) return;
        uint256 headroomWad = _rewardHeadroomWad(before, a.valueWad, a.supply);
        (uint256 quoteAmount, uint256 valueWad) = _rewardFor(
            uint256(profitWad),
            CallerReward.deviationCorrectedBps(m.spotWad, spotAfterWad),
            headroomWad,
            reserve.idleOf(quoteAsset),
            m.quoteUsdWad
        );
        if (quoteAmount == 0) return;
        reserve.releaseToOperator(quoteAsset, quoteAmount, msg.sender);
        emit CallerRewarded(msg.sender, quoteAmount, valueWad);
    }

    /// @dev The formula, then the rule-7 headroom, then the reserve's idle quote; converted to quote
    /// units rounding down. Equity cannot fall: the reward is at most a tenth of the profit, and the
    /// reserve's gross valuation rounds a payout by at most one wei.
    function _rewardFor(uint256 profitWad, uint256 correctedBps, uint256 headroomWad, uint256 idle, uint256 quoteUsdWad)
        private
        view
        returns (uint256 quoteAmount, uint256 valueWad)
    {
        valueWad = Math.min(CallerReward.rewardWad(profitWad, correctedBps, maxCallerRewardWad), headroomWad);
        quoteAmount = Math.min(Math.mulDiv(valueWad, _quoteUnit, quoteUsdWad), idle);
        valueWad = Math.mulDiv(quoteAmount, quoteUsdWad, _quoteUnit);
    }

    /// @dev Gross USD of quote that may leave the reserve while rule 7 still holds at
    /// `valueAfterWad` (haircut) over `supplyAfter`.
    function _rewardHeadroomWad(Backing memory before, uint256 valueAfterWad, uint256 supplyAfter) private pure returns (uint256) {
        return Solvency.headroomWad(Solvency.floorWad(before.ratioWad, before.targetWad), valueAfterWad, supplyAfter, before.quoteHaircutBps);
    }

    /// @dev The state after executing preview `p`: the same quantities `_payCallerReward` measures,
    /// computed from the preview's amounts instead of the executed trade.
    function _estimateOutcome(Preview memory p, Market memory m, Backing memory b) private view returns (Outcome memory o) {
        bool expand = p.action == Action.Expand;
        (uint256 tokens, uint256 quote) = expand ? (p.amount, p.expectedOut) : (p.expectedOut, p.amount);
        uint256 quoteWad = Math.mulDiv(quote, m.quoteUsdWad, _quoteUnit);
        uint256 tokensWad = Math.mulDiv(tokens, C.PEG_WAD, _tokenUnit);
        uint256 quoteHaircutWad = Math.mulDiv(quoteWad, C.BPS - b.quoteHaircutBps, C.BPS);
        uint256 idle = b.quoteIdle;
        // A trade within the loss budget may lose: it earns no reward. preview() blocks contractions
        // beyond the idle quote or the backing.
        o.profitWad = _gainWad(expand, quoteWad, tokensWad);
        o.idleAfter = expand ? idle + quote : idle - quote;
        o.spotAfterWad = _spotAfterWad(m, expand, tokens, quote);
        o.headroomWad = expand
            ? _rewardHeadroomWad(b, b.valueWad + quoteHaircutWad, b.supply + tokens)
            : _rewardHeadroomWad(b, b.valueWad - quoteHaircutWad, b.supply - tokens);
    }

    /// @dev Protocol gain of a trade at the peg, zero when it loses.
    function _gainWad(bool expand, uint256 quoteWad, uint256 tokensWad) private pure returns (uint256) {
        (uint256 gainWad, uint256 costWad) = expand ? (quoteWad, tokensWad) : (tokensWad, quoteWad);
        return gainWad > costWad ? gainWad - costWad : 0;
    }

    // ================================================================== gates and maths

    /// @dev Automation simulation: `performData = abi.encode(action, amount, limitPriceWad)`. The
    /// limit is the preview's average price less (expansion) or plus (contraction)
    /// `UPKEEP_SLIPPAGE_BPS`. With nothing to do it still asks for an observation when one is due,
    /// so an upkeep is the TWAP's clock whenever the keeper is away.
    function _upkeep() private view returns (bool upkeepNeeded, bytes memory performData) {
        Preview memory p = _preview();
        if (p.action == Action.None) {
            if (oracle.observationDue()) return (true, abi.encode(Action.None, uint256(0), uint256(0)));
            return (false, "");
        }
        uint256 limitPriceWad;
        if (p.action == Action.Expand || p.action == Action.Contract) limitPriceWad = _upkeepLimitPriceWad(p);
        return (true, abi.encode(p.action, p.amount, limitPriceWad));
    }

    /// @dev The limit an upkeep sends with a trade: its average price (fee included) less
    /// (expansion) or plus (contraction) `UPKEEP_SLIPPAGE_BPS`, as the V2 price forms bound.
    function _upkeepLimitPriceWad(Preview memory p) internal view virtual returns (uint256) {
        if (p.action == Action.Expand) {
            uint256 saleWad = Math.mulDiv(p.expectedOut * _tokenUnit, C.WAD, p.amount * _quoteUnit);
            return Math.mulDiv(saleWad, C.BPS - C.UPKEEP_SLIPPAGE_BPS, C.BPS);
        }
        uint256 purchaseWad = Math.mulDiv(p.amount * _tokenUnit, C.WAD, p.expectedOut * _quoteUnit, Math.Rounding.Ceil);
        return Math.mulDiv(purchaseWad, C.BPS + C.UPKEEP_SLIPPAGE_BPS, C.BPS, Math.Rounding.Ceil);
    }

    function _preview() private view returns (Preview memory p) {
        if (paused()) return _blocked(p, Blocker.Paused);
        Market memory m;
        bool ok;
        (ok, m) = _tryReadMarket();
        if (!ok) return _blocked(p, Blocker.OracleInvalid);
        p.spotWad = m.spotWad;
        p.twapWad = m.twapWad;
        p.deviationBps = (int256(m.spotWad) - int256(C.PEG_WAD)) * int256(C.BPS) / int256(C.PEG_WAD);

        if (_twapStale(m)) return _blocked(p, Blocker.TwapStale);
        Action wanted = _wantedAction(m);
        if (!_agree(m)) return _blocked(p, Blocker.SpotTwapDivergence);
        if (wanted == Action.None || block.timestamp < _readyAt()) {
            if (_needsRebalance()) {
                p.action = Action.Rebalance;
                return p;
            }
            return _blocked(p, wanted == Action.None ? Blocker.InsideBand : Blocker.Cooldown);
        }
        Backing memory b;
        (ok, b) = _tryReadBacking();
        if (!ok) return _blocked(p, Blocker.OracleInvalid);

        Blocker blocker;
        if (wanted == Action.Expand) {
            (p.amount, blocker) = _sizeExpansion(m, b);
            if (p.amount == 0) return _blocked(p, blocker);
            p.expectedOut = _amountOut(m, true, p.amount);
        } else {
            (p.amount, blocker) = _sizeContraction(m, b);
            if (p.amount == 0) {
                // The buffer is empty but the strategy holds quote: pulling it back unblocks the contraction.
                if (blocker == Blocker.NoLiquidity && _needsRebalance()) {
                    p.action = Action.Rebalance;
                    return p;
                }
                return _blocked(p, blocker);
            }
            p.expectedOut = _amountOut(m, false, p.amount);
            if (!_contractionKeepsRatio(m, b, p.amount, p.expectedOut)) return _blocked(p, Blocker.RatioLimit);
        }
        p.action = wanted;
    }

    function _blocked(Preview memory p, Blocker blocker) private pure returns (Preview memory) {
        p.action = Action.None;
        p.blocker = blocker;
        p.amount = 0;
        p.expectedOut = 0;
        return p;
    }

    /// @dev The band is tested on spot; the TWAP must only sit on the same side of the peg (the
    /// guard `_agree` bounds how far it is from spot).
    function _wantedAction(Market memory m) private view returns (Action) {
        uint256 bandWad = Math.mulDiv(C.PEG_WAD, _bandBps, C.BPS);
        if (m.spotWad > C.PEG_WAD + bandWad && m.twapWad > C.PEG_WAD) return Action.Expand;
        if (m.spotWad + bandWad < C.PEG_WAD && m.twapWad < C.PEG_WAD) return Action.Contract;
        return Action.None;
    }

    /// @dev The TWAP averages over more than `MAX_TWAP_SPAN_WINDOWS` windows: observations stopped
    /// for longer than a window, so it is history, not a guard.
    function _twapStale(Market memory m) private pure returns (bool) {
        return m.twapSpanSec > C.MAX_TWAP_SPAN_WINDOWS * m.twapWindowSec;
    }

    function _agree(Market memory m) private view returns (bool) {
        uint256 gap = m.spotWad > m.twapWad ? m.spotWad - m.twapWad : m.twapWad - m.spotWad;
        return gap * C.BPS <= _maxSpotTwapDeviationBps * m.twapWad;
    }

    /// @dev Reverts unless the action is due: cooldown over, the TWAP fresh and agreeing with spot,
    /// spot outside the band and the TWAP on the same side of the peg.
    function _requireReady(Market memory m, Action action) private view {
        uint256 readyAt = _readyAt();
        if (block.timestamp < readyAt) revert CooldownActive(readyAt, block.timestamp);
        if (_twapStale(m)) revert TwapStale(m.twapSpanSec, m.twapWindowSec);
        if (!_agree(m)) revert SpotTwapDivergence(m.spotWad, m.twapWad, _maxSpotTwapDeviationBps);
        if (_wantedAction(m) != action) revert PriceInsideBand(m.spotWad, m.twapWad, _bandBps);
    }

    /// @dev When the cooldown after the last operation ends.
    function _readyAt() private view returns (uint256) {
        return uint256(_clock.lastOperationAt) + _sizing.cooldownSec;
    }

    /// @dev The full expansion allowed now (tokens) or why there is none. The caps and the target
    /// ratio bound it; within them it lands the pool on the peg when that trade stays within the
    /// loss budget, else it stops at `peg / 0.997`, where the last token still sells at the peg after
    /// the fee (the whole trade then gains: the average price beats the last one).
    function _sizeExpansion(Market memory m, Backing memory b) private view returns (uint256 amount, Blocker blocker) {
        uint256 cap = Math.min(_expansionCaps.perOp, _expansionRoom());
        if (cap == 0) return (0, Blocker.CapReached);
        cap = Math.min(cap, _ratioRoom(b));
        if (cap == 0) return (0, Blocker.RatioLimit);
        (uint256 num, uint256 den) = _pegPoolPrice(m.quoteUsdWad);
        amount = _inToPrice(m, true, num, den, cap);
        if (!_expansionWithinBudget(m, amount)) {
            (uint256 keepNum, uint256 feeDen) = _poolFee();
            amount = _inToPrice(m, true, num * feeDen, den * keepNum, cap);
            if (!_expansionWithinBudget(m, amount)) amount = 0;
        }
        if (amount == 0) return (0, Blocker.Unprofitable);
    }

    /// @dev The full contraction allowed now (quote) or why there is none: the caps and the idle
    /// quote bound it; to the peg within the loss budget, else to `peg × 0.997`.
    function _sizeContraction(Market memory m, Backing memory b) private view returns (uint256 amount, Blocker blocker) {
        uint256 idle = b.quoteIdle;
        if (idle == 0) return (0, Blocker.NoLiquidity);
        Caps memory caps = _contractionCaps;
        uint256 usedWad = _epochExpired() ? 0 : _totals.contracted;
        uint256 roomWad = usedWad >= caps.perEpoch ? 0 : caps.perEpoch - usedWad;
        uint256 cap = Math.min(Math.mulDiv(Math.min(caps.perOp, roomWad), _quoteUnit, C.WAD), idle);
        if (cap == 0) return (0, Blocker.CapReached);
        (uint256 num, uint256 den) = _pegPoolPrice(m.quoteUsdWad);
        amount = _inToPrice(m, false, num, den, cap);
        if (!_contractionWithinBudget(m, amount)) {
            (uint256 keepNum, uint256 feeDen) = _poolFee();
            amount = _inToPrice(m, false, num * keepNum, den * feeDen, cap);
            if (!_contractionWithinBudget(m, amount)) amount = 0;
        }
        if (amount == 0) return (0, Blocker.Unprofitable);
    }

    /// @dev Selling `tokens`: the value lost at the peg (tokens created − quote received) is within
    /// the operation's loss allowance.
    function _expansionWithinBudget(Market memory m, uint256 tokens) private view returns (bool) {
        uint256 tokensWad = Math.mulDiv(tokens, C.PEG_WAD, _tokenUnit);
        uint256 quoteWad = Math.mulDiv(_amountOut(m, true, tokens), m.quoteUsdWad, _quoteUnit);
        return quoteWad + _lossAllowanceWad(tokensWad) >= tokensWad;
    }

    /// @dev Spending `quote`: the value lost at the peg (quote spent − tokens burned) is within the allowance.
    function _contractionWithinBudget(Market memory m, uint256 quote) private view returns (bool) {
        uint256 quoteWad = Math.mulDiv(quote, m.quoteUsdWad, _quoteUnit);
        uint256 tokensWad = Math.mulDiv(_amountOut(m, false, quote), C.PEG_WAD, _tokenUnit);
        return tokensWad + _lossAllowanceWad(quoteWad) >= quoteWad;
    }

    /// @dev What an operation worth `tradeValueWad` at the peg may cost the protocol: its share of
    /// the per-operation budget, at most what is left of the epoch's loss cap. Zero by default.
    function _lossAllowanceWad(uint256 tradeValueWad) private view returns (uint256) {
        Sizing memory sizing = _sizing;
        if (sizing.maxLossBps == 0) return 0;
        uint256 usedWad = _epochExpired() ? 0 : _totals.lossWad;
        uint256 roomWad = usedWad >= sizing.maxLossPerEpochWad ? 0 : sizing.maxLossPerEpochWad - usedWad;
        return Math.min(Math.mulDiv(tradeValueWad, sizing.maxLossBps, C.BPS), roomWad);
    }

    function _expansionRoom() private view returns (uint256) {
        int256 net = _epochExpired() ? int256(0) : _clock.netMinted;
        int256 cap = int256(uint256(_expansionCaps.perEpoch));
        return net >= cap ? 0 : uint256(cap - net);
    }

    /// @dev Largest expansion that keeps `ratioAfter ≥ min(ratioBefore, target)`, assuming the
    /// worst price the trade can get: each token brings at least `c = peg · 997/1000 · (1 − haircut)`
    /// of haircut value, because the pool never trades below the peg during an expansion.
    function _ratioRoom(Backing memory b) private view returns (uint256) {
        (uint256 keepNum, uint256 feeDen) = _poolFee();
        uint256 c = Math.mulDiv(C.PEG_WAD * keepNum, C.BPS - b.quoteHaircutBps, feeDen * C.BPS);
        return Solvency.expansionRoom(b.valueWad, b.supply, b.ratioWad, b.targetWad, c);
    }

    /// @dev Exact check of the rule-7 ratio bound for a contraction of `quoteIn` buying `tokensOut`.
    function _contractionKeepsRatio(Market memory m, Backing memory b, uint256 quoteIn, uint256 tokensOut)
        private
        view
        returns (bool)
    {
        if (tokensOut >= b.supply) return false;
        uint256 spentWad = Math.mulDiv(
            Math.mulDiv(quoteIn, m.quoteUsdWad, _quoteUnit, Math.Rounding.Ceil), C.BPS - b.quoteHaircutBps, C.BPS, Math.Rounding.Ceil
        );
        if (spentWad > b.valueWad) return false;
        return Solvency.ratioWad(b.valueWad - spentWad, b.supply - tokensOut) >= Solvency.floorWad(b.ratioWad, b.targetWad);
    }

    /// @dev The peg as a raw pool price (quote units per token unit) = peg / quoteUsd scaled by
    /// decimals, as the fraction num/den.
    function _pegPoolPrice(uint256 quoteUsdWad) internal view returns (uint256 num, uint256 den) {
        return (C.PEG_WAD * _quoteUnit, quoteUsdWad * _tokenUnit);
    }

    /// @dev Asserts the post-trade spot did not cross the peg; returns it in WAD USD.
    function _requireNotCrossed(Market memory before, Action action) internal view virtual returns (uint256 spotAfterWad) {
        (uint256 rT, uint256 rQ) = _reserves();
        (uint256 num, uint256 den) = _pegPoolPrice(before.quoteUsdWad);
        spotAfterWad = Math.mulDiv(rQ * _tokenUnit, before.quoteUsdWad, rT * _quoteUnit);
        // price = rQ / rT vs num / den, cross-multiplied to stay exact.
        bool crossed = action == Action.Expand ? rQ * den < rT * num : rQ * den > rT * num;
        if (crossed) revert PegCrossed(spotAfterWad);
    }

    /// @dev Rule 7: ratio after ≥ min(ratio before, target) and the protocol's own value fell by at
    /// most `allowanceWad` (a rebalance: the strategy rounding it may cost; a trade: its loss
    /// allowance, zero by default). A trade's loss (`countLoss`) is charged to the epoch's loss cap.
    function _requireSolvent(Backing memory before, int256 equityBefore, uint256 allowanceWad, bool countLoss, BackingAfter memory a)
        private
    {
        uint256 ratioAfter = Solvency.ratioWad(a.valueWad, a.supply);
        if (ratioAfter < Solvency.floorWad(before.ratioWad, before.targetWad)) {
            revert RatioBelowBound(before.ratioWad, ratioAfter, before.targetWad);
        }
        int256 equityAfter = _equityOf(a.grossWad, a.supply);
        if (equityAfter + int256(allowanceWad) < equityBefore) revert ProtocolValueDecreased(equityBefore, equityAfter);
        // _recordOperation already rolled the epoch over, so the stored epoch is the current one.
        // A counted loss is at most the allowance, itself at most the epoch's loss cap (≤ 5e22).
        if (countLoss && equityAfter < equityBefore) _totals.lossWad += uint128(uint256(equityBefore - equityAfter));
    }

    /// @dev Gross reserve value minus the supply at the peg, WAD USD.
    function _equityOf(uint256 grossWad, uint256 supply) private view returns (int256) {
        return int256(grossWad) - int256(Math.mulDiv(supply, C.PEG_WAD, _tokenUnit));
    }

    /// @dev Rule 7's after-state without a second valuation: an operation moves only the quote
    /// asset's idle balance (deposits and releases; its strategy position and every price stay as
    /// they were in this block), so the totals follow from the before-state and that one amount,
    /// exactly as the reserve rounds them (ValuationMath). The supply is read back.
    /// The reserve also counts a value source's quote (protocol-owned liquidity) in the quote's
    /// amount: the venue says what it was before the trade and is after (`_sourceQuote`).
    function _backingAfter(Backing memory b, Market memory m) private view returns (BackingAfter memory a) {
        uint256 quoteUsdWad = m.quoteUsdWad;
        (uint256 sourceBefore, uint256 sourceAfter) = _sourceQuote(m);
        uint256 amountAfter = b.quoteAmount - b.quoteIdle + reserve.idleOf(quoteAsset) + sourceAfter;
        (a.grossWad, a.valueWad) = ValuationMath.replaceAmount(
            b.grossWad, b.valueWad, b.quoteAmount + sourceBefore, amountAfter, quoteUsdWad, _quoteUnit, b.quoteHaircutBps
        );
        a.supply = stable.totalSupply();
    }

    function _readMarket() private view returns (Market memory m) {
        _readPrices(m);
        _readPool(m);
    }

    /// @dev The oracle's part of `m`: spot, TWAP and its span, and the quote's price.
    function _readPrices(Market memory m) private view {
        (m.spotWad, m.twapWad, m.twapSpanSec, m.twapWindowSec, m.quoteUsdWad) = oracle.marketState();
    }

    function _tryReadMarket() private view returns (bool ok, Market memory m) {
        // The market read prices through the quote's feed: it succeeds only with a valid quote price.
        try oracle.marketState() returns (uint256 spotWad, uint256 twapWad, uint256 spanSec, uint256 windowSec, uint256 quoteUsdWad) {
            (m.spotWad, m.twapWad, m.twapSpanSec, m.twapWindowSec, m.quoteUsdWad) = (spotWad, twapWad, spanSec, windowSec, quoteUsdWad);
        } catch {
            return (false, m);
        }
        ok = true;
        _readPool(m);
    }

    /// @dev The one valuation of an operation (gross and haircut in one pass) and what
    /// `_backingAfter` needs of the quote asset.
    function _readBacking() private view returns (Backing memory b) {
        (b.grossWad, b.valueWad) = reserve.valuation();
        b.supply = stable.totalSupply();
        b.targetWad = policy.targetRatio();
        b.ratioWad = Solvency.ratioWad(b.valueWad, b.supply);
        b.quoteAmount = reserve.accountedAmount(quoteAsset);
        _readQuoteHolding(b);
    }

    /// @dev The reserve's idle quote and its haircut: what sizing, rule 7 and the reward read of it.
    function _readQuoteHolding(Backing memory b) private view {
        b.quoteIdle = reserve.idleOf(quoteAsset);
        b.quoteHaircutBps = reserve.assetConfig(quoteAsset).haircutBps;
    }

    function _tryReadBacking() private view returns (bool ok, Backing memory b) {
        try reserve.reserveValue() returns (uint256 valueWad) {
            b.valueWad = valueWad;
        } catch {
            return (false, b);
        }
        b.supply = stable.totalSupply();
        b.targetWad = policy.targetRatio();
        b.ratioWad = Solvency.ratioWad(b.valueWad, b.supply);
        _readQuoteHolding(b);
        ok = true;
    }

    function _needsRebalance() private view returns (bool) {
        address[] memory assets = reserve.assets();
        for (uint256 i = 0; i < assets.length; ++i) {
            if (reserve.rebalanceDelta(assets[i]) != 0) return true;
        }
        return false;
    }

    function _reserves() private view returns (uint256 reserveToken, uint256 reserveQuote) {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        return _tokenIsToken0 ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
    }

    // ================================================================== venue: the Uniswap V2 pair
    // The pool-specific half of every operation. `MarketOperatorV3` overrides these for a Uniswap V3
    // pool; the rules above (gates, caps, loss budget, rule 7) are the same on both venues.
    // `sellToken`: the trade sells tokens for quote (an expansion); else it buys tokens with quote.

    /// @dev The quote amount the reserve's value source counts for, before this operation's swap (on
    /// `m`) and after it (V2: none; a V2 deployment registers no value source).
    function _sourceQuote(Market memory m) internal view virtual returns (uint256 before, uint256 after_) {}

    /// @dev Fills the pool's part of `m` (V2: the reserves, oriented).
    function _readPool(Market memory m) internal view virtual {
        (m.reserveToken, m.reserveQuote) = _reserves();
    }

    /// @dev The pool's fee as the share a trade keeps, `keepNum / feeDen` (V2: 997/1000).
    function _poolFee() internal view virtual returns (uint256 keepNum, uint256 feeDen) {
        return (C.UNI_V2_FEE_NUMERATOR, C.UNI_V2_FEE_DENOMINATOR);
    }

    /// @dev Input that moves the pool's price (quote units per token unit) to `num / den`, rounded
    /// down, at most `cap` (a venue that walks the pool stops at the cap).
    function _inToPrice(Market memory m, bool sellToken, uint256 num, uint256 den, uint256 cap) internal view virtual returns (uint256) {
        return Math.min(
            sellToken
                ? PegMath.tokensToSellForPrice(m.reserveToken, m.reserveQuote, num, den)
                : PegMath.quoteToSpendForPrice(m.reserveToken, m.reserveQuote, num, den),
            cap
        );
    }

    /// @dev Output of a trade of `amountIn`, fee included, rounded down.
    function _amountOut(Market memory m, bool sellToken, uint256 amountIn) internal view virtual returns (uint256) {
        return sellToken
            ? PegMath.amountOut(amountIn, m.reserveToken, m.reserveQuote)
            : PegMath.amountOut(amountIn, m.reserveQuote, m.reserveToken);
    }

    /// @dev The largest input whose price, fee included, is at least (sale) or at most (purchase)
    /// `num / den` quote units per token unit (V2: the average price, closed form).
    function _maxInAtPrice(Market memory m, bool sellToken, uint256 num, uint256 den) internal view virtual returns (uint256) {
        return sellToken
            ? PegMath.maxTokensInAtPrice(m.reserveToken, m.reserveQuote, num, den)
            : PegMath.maxQuoteInAtPrice(m.reserveToken, m.reserveQuote, num, den);
    }

    /// @dev The pool's spot before fee, quote whole units per token, WAD.
    function _poolSpotWad(Market memory m) internal view virtual returns (uint256) {
        return Math.mulDiv(m.reserveQuote * _tokenUnit, C.WAD, m.reserveToken * _quoteUnit);
    }

    /// @dev Spot after trading `tokens` against `quote` from `m`, WAD USD (the caller-reward estimate).
    function _spotAfterWad(Market memory m, bool sellToken, uint256 tokens, uint256 quote) internal view virtual returns (uint256) {
        (uint256 rT, uint256 rQ) =
            sellToken ? (m.reserveToken + tokens, m.reserveQuote - quote) : (m.reserveToken - tokens, m.reserveQuote + quote);
        return Math.mulDiv(rQ * _tokenUnit, m.quoteUsdWad, rT * _quoteUnit);
    }

    /// @dev Sells `tokensIn` (minted here) for `quoteOut` to this contract; returns what was traded.
    function _swapTokensForQuote(Market memory, uint256 tokensIn, uint256 quoteOut) internal virtual returns (uint256, uint256) {
        stable.mint(address(pair), tokensIn);
        (uint256 out0, uint256 out1) = _tokenIsToken0 ? (uint256(0), quoteOut) : (quoteOut, uint256(0));
        pair.swap(out0, out1, address(this), "");
        return (tokensIn, quoteOut);
    }

    /// @dev Buys `tokensOut` with `quoteIn` released by the Reserve, tokens to this contract; returns
    /// what was traded.
    function _swapQuoteForTokens(Market memory, uint256 quoteIn, uint256 tokensOut) internal virtual returns (uint256, uint256) {
        reserve.releaseToOperator(quoteAsset, quoteIn, address(pair));
        (uint256 out0, uint256 out1) = _tokenIsToken0 ? (tokensOut, uint256(0)) : (uint256(0), tokensOut);
        pair.swap(out0, out1, address(this), "");
        return (quoteIn, tokensOut);
    }

    function _normaliseQuote(uint256 quoteAmount) private view returns (uint256) {
        return Math.mulDiv(quoteAmount, C.WAD, _quoteUnit);
    }

    /// @dev The stored epoch is over: the next operation starts a fresh one.
    function _epochExpired() private view returns (bool) {
        return block.timestamp >= uint256(_clock.epochStartedAt) + _sizing.epochSec;
    }

    /// @dev One write of the clock slot per operation (and of the totals slot only when they move).
    /// Every narrowing fits: 48 bits of seconds last millions of years; `contractedWad` is at most
    /// the per-operation cap (≤ 1e25, `_sizeContraction`); a burn is at most the pool's token
    /// balance, and the cast of it still reverts rather than wraps, as the checked sums do.
    function _recordOperation(int256 netMintedDelta, uint256 contractedWad) private {
        uint48 now_ = uint48(block.timestamp);
        int128 delta = SafeCast.toInt128(netMintedDelta);
        uint128 contracted = uint128(contractedWad);
        if (_epochExpired()) {
            _clock = Clock(now_, now_, delta);
            Totals memory t = _totals;
            if (t.contracted != contracted || t.lossWad != 0) _totals = Totals(contracted, 0);
            emit EpochStarted(block.timestamp);
        } else {
            _clock = Clock(_clock.epochStartedAt, now_, _clock.netMinted + delta);
            if (contracted != 0) _totals.contracted += contracted;
        }
    }

    function _requireKeeper() private view {
        if (!permissionless && !hasRole(KEEPER_ROLE, msg.sender)) revert NotKeeper(msg.sender);
    }

    function _setLimits(Limits memory lim) private {
        _requireWithin("maxExpansionPerEpoch", lim.maxExpansionPerEpoch, 0, C.HARD_MAX_EXPANSION_PER_EPOCH);
        _requireWithin("maxExpansionPerOp", lim.maxExpansionPerOp, 0, Math.min(C.HARD_MAX_EXPANSION_PER_OP, lim.maxExpansionPerEpoch));
        _requireWithin("maxContractionPerEpoch", lim.maxContractionPerEpoch, 0, C.HARD_MAX_CONTRACTION_PER_EPOCH);
        _requireWithin(
            "maxContractionPerOp", lim.maxContractionPerOp, 0, Math.min(C.HARD_MAX_CONTRACTION_PER_OP, lim.maxContractionPerEpoch)
        );
        _requireWithin("cooldownSec", lim.cooldownSec, C.MIN_OPERATION_COOLDOWN_SEC, C.MAX_OPERATION_COOLDOWN_SEC);
        _requireWithin("epochSec", lim.epochSec, C.MIN_EPOCH_SEC, C.MAX_EPOCH_SEC);
        // The bounds above keep every field inside its width (caps ≤ 5e25 < 2^128, times ≤ 7 days).
        _expansionCaps = Caps(uint128(lim.maxExpansionPerOp), uint128(lim.maxExpansionPerEpoch));
        _contractionCaps = Caps(uint128(lim.maxContractionPerOp), uint128(lim.maxContractionPerEpoch));
        _sizing.cooldownSec = uint32(lim.cooldownSec);
        _sizing.epochSec = uint32(lim.epochSec);
        emit LimitsSet(
            lim.maxExpansionPerOp, lim.maxExpansionPerEpoch, lim.maxContractionPerOp, lim.maxContractionPerEpoch, lim.cooldownSec, lim.epochSec
        );
    }

    function _setBand(uint256 bandBps_, uint256 maxDeviationBps) private {
        _requireWithin("bandBps", bandBps_, _minBandBps(), C.MAX_BAND_BPS);
        _requireWithin("maxSpotTwapDeviationBps", maxDeviationBps, C.MIN_SPOT_TWAP_DEVIATION_BPS, C.MAX_SPOT_TWAP_DEVIATION_BPS);
        // Both bounded above by at most 1,000 bps: they fit 16 bits.
        _bandBps = uint16(bandBps_);
        _maxSpotTwapDeviationBps = uint16(maxDeviationBps);
        emit BandSet(bandBps_, maxDeviationBps);
    }

    /// @dev The venue's lowest band (bps): the V2 pair's MIN_BAND_BPS unless a venue overrides it.
    function _minBandBps() internal pure virtual returns (uint256) {
        return C.MIN_BAND_BPS;
    }

    function _setSizing(uint256 minOperationShareBps_, uint256 maxLossBps_, uint256 maxLossPerEpochWad_) private {
        _requireWithin("minOperationShareBps", minOperationShareBps_, C.MIN_OPERATION_SHARE_LOWER_BPS, C.MIN_OPERATION_SHARE_UPPER_BPS);
        _requireWithin("maxLossBps", maxLossBps_, 0, C.HARD_MAX_LOSS_BPS);
        _requireWithin("maxLossPerEpochWad", maxLossPerEpochWad_, 0, C.HARD_MAX_LOSS_PER_EPOCH_WAD);
        _sizing.minOperationShareBps = uint16(minOperationShareBps_);
        _sizing.maxLossBps = uint16(maxLossBps_);
        _sizing.maxLossPerEpochWad = uint128(maxLossPerEpochWad_);
        emit SizingSet(minOperationShareBps_, maxLossBps_, maxLossPerEpochWad_);
    }

    function _requireWithin(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(parameter, value, min, max);
    }
}
