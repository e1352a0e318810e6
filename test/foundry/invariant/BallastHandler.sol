// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CheatCodes} from "../utils/Vm.sol";
import {BallastSystem, IUniswapV2PairFull} from "../utils/BallastSystem.sol";
import {IPriceOracle} from "../../../contracts/interfaces/IPriceOracle.sol";
import {IMarketOperator} from "../../../contracts/interfaces/IMarketOperator.sol";
import {IReserve} from "../../../contracts/interfaces/IReserve.sol";
import {ICollateralPolicy} from "../../../contracts/interfaces/ICollateralPolicy.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {TestERC20} from "../../../contracts/test/TestERC20.sol";
import {BallastDollar} from "../../../contracts/BallastDollar.sol";
import {Reserve} from "../../../contracts/Reserve.sol";
import {PriceOracle} from "../../../contracts/PriceOracle.sol";
import {CollateralPolicy} from "../../../contracts/CollateralPolicy.sol";
import {MarketOperator} from "../../../contracts/MarketOperator.sol";
import {MalformedAggregator} from "../../../contracts/test/MalformedAggregator.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

/// @title BallastHandler: the actors of the stateful campaign
/// @notice Every public function is one random step: users mint/redeem with both collaterals,
/// transfer, burn, trade and flash-swap on the real pair, donate to the reserve, the strategy and
/// the pool; the oracle moves, ages, goes stale into degraded mode, breaks and answers malformed
/// data; the strategy vault pauses; the quote feed wanders around the stable lane's band; time
/// passes; this contract is also the (hostile) keeper, calling every operation with arbitrary amounts and slippage limits; the guardian and
/// the admin pause and unpause. A step whose protocol call reverts re-raises the revert, so
/// forge counts it per action; a step that observes a broken rule records a violation, which
/// the invariant functions turn into a failure after that step.
contract BallastHandler is BallastSystem {
    uint256 internal constant PEG_WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    // Invariant ids: the INV-n numbers of docs/invariants.md.
    uint256 public constant SUPPLY = 1;
    uint256 public constant RESERVE_ACCOUNTING = 2;
    uint256 public constant SOLVENCY = 3;
    uint256 public constant NO_EXTRACTION = 4;
    uint256 public constant TOWARD_PEG = 5;
    uint256 public constant MARKET_OP_LOSS = 6;
    uint256 public constant RATIO_BOUNDS = 7;
    uint256 public constant KEEPER_BOUNDS = 8;
    uint256 public constant ACCESS = 9;
    uint256 public constant PAUSE = 10;
    uint256 public constant ROUNDING = 11;
    uint256 public constant ORACLE = 12;
    uint256 public constant DECIMALS = 13;

    mapping(uint256 id => uint256) public violations;
    /// @notice The last broken rule recorded for each invariant id.
    mapping(uint256 id => string) public lastViolation;

    /// @notice The supply the ledger of successful steps predicts (mints minus burns).
    uint256 public ghostSupply;
    /// @notice Per asset, idle + strategy principal the ledger predicts (donations excluded).
    mapping(address asset => uint256) public ghostBooked;
    uint256 public ghostLastOperationAt;
    /// @notice Assets whose oracle feed is currently the malformed aggregator.
    mapping(address asset => bool) public malformed;

    /// @dev A feed's state as the handler judges it (mirrors PriceOracle.priceInfo from the raw feed).
    uint256 internal constant FEED_OK = 0;
    uint256 internal constant FEED_DEGRADED = 1;
    uint256 internal constant FEED_INVALID = 2;

    struct FeedState {
        uint256 status;
        uint256 priceWad;
        uint256 haircutBps;
    }

    address[3] internal _actors = [address(0x1001), address(0x1002), address(0x1003)];

    constructor() {
        _deploySystem(address(this));
        vm.label(address(this), "hostileKeeper");
        ghostSupply = stable.totalSupply();
        ghostBooked[address(usdc)] = _booked(address(usdc));
        ghostBooked[address(weth)] = _booked(address(weth));
    }

    // ================================================================ users

    function mint(uint256 actorSeed, bool useWeth, uint256 amount) external {
        address actor = _actor(actorSeed);
        TestERC20 asset = useWeth ? weth : usdc;
        amount = _bound(amount, 1, useWeth ? 40e18 : 150_000e6);
        asset.mint(actor, amount);
        vm.prank(actor);
        asset.approve(address(reserve), amount);
        (bool feedOk, uint256 priceWad) = _feedValid(address(asset));
        bool mintPaused = reserve.paused();
        Snapshot memory before = _snapshot();
        uint256 feeBps = _mintFeeBps(address(asset));

        vm.prank(actor);
        try reserve.mint(address(asset), amount, 0, actor) returns (uint256 out) {
            if (mintPaused) _violate(PAUSE, "mint succeeded while minting was paused");
            if (!feedOk) _violate(ORACLE, "mint succeeded with an invalid feed");
            ghostSupply += out;
            ghostBooked[address(asset)] += amount;
            _checkMintAmount(address(asset), amount, out, priceWad, feeBps);
            _checkUserStepKeepsValue(before);
        } catch (bytes memory reason) {
            _bubble(reason);
        }
    }

    function redeem(uint256 actorSeed, bool useWeth, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 balance = stable.balanceOf(actor);
        if (balance == 0) return;
        TestERC20 asset = useWeth ? weth : usdc;
        amount = _bound(amount, 1, balance);
        vm.prank(actor);
        stable.approve(address(reserve), amount);
        FeedState memory feed = _feedState(address(asset));
        bool redemptionsPaused = reserve.redemptionsPaused();
        Snapshot memory before = _snapshot();
        RedeemQuote memory quote = _redeemQuote(address(asset), amount, feed);
        StrategyPos memory pos = _strategyPos();

        vm.prank(actor);
        try reserve.redeem(address(asset), amount, 0, actor) returns (uint256 out) {
            if (redemptionsPaused) _violate(PAUSE, "redeem succeeded while redemptions were paused");
            if (feed.status == FEED_INVALID) _violate(ORACLE, "redeem paid out at an invalid price");
            ghostSupply -= amount;
            ghostBooked[address(asset)] -= out;
            _settleStrategy(pos);
            _checkRedeemAmount(out, quote);
            _checkUserStepKeepsValue(before);
        } catch (bytes memory reason) {
            // Redemption must stay live while only minting is paused, and while another asset's
            // feed is broken (the redeemed asset's own price is valid).
            bytes4 selector = _selector(reason);
            if (!redemptionsPaused && selector == Pausable.EnforcedPause.selector) {
                _violate(PAUSE, "redeem blocked by the mint pause");
                return;
            }
            if (feed.status != FEED_INVALID && _isOracleError(selector)) {
                _violate(ORACLE, "redeem blocked by another asset's feed");
                return;
            }
            _bubble(reason);
        }
    }

    /// @notice mint → redeem in one block without an oracle move never returns more than was put in.
    function roundTrip(uint256 actorSeed, bool useWeth, uint256 amount) external {
        address actor = _actor(actorSeed);
        TestERC20 asset = useWeth ? weth : usdc;
        amount = _bound(amount, 1, useWeth ? 40e18 : 150_000e6);
        asset.mint(actor, amount);
        uint256 assetBefore = asset.balanceOf(actor);
        uint256 tokensBefore = stable.balanceOf(actor);
        StrategyPos memory pos = _strategyPos();
        // One prank per call: a prank left open by a reverted step would leak into the next one.
        vm.prank(actor);
        asset.approve(address(reserve), amount);
        vm.prank(actor);
        uint256 minted = reserve.mint(address(asset), amount, 0, actor);
        vm.prank(actor);
        stable.approve(address(reserve), minted);
        vm.prank(actor);
        uint256 out = reserve.redeem(address(asset), minted, 0, actor);
        ghostBooked[address(asset)] = ghostBooked[address(asset)] + amount - out;
        _settleStrategy(pos);
        if (asset.balanceOf(actor) > assetBefore || stable.balanceOf(actor) != tokensBefore) {
            _violate(NO_EXTRACTION, "mint -> redeem returned more than was put in");
        }
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        uint256 balance = stable.balanceOf(from);
        if (balance == 0) return;
        vm.prank(from);
        stable.transfer(_actor(toSeed), _bound(amount, 1, balance));
    }

    function burn(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 balance = stable.balanceOf(actor);
        if (balance == 0) return;
        amount = _bound(amount, 1, balance);
        vm.prank(actor);
        stable.burn(amount);
        ghostSupply -= amount;
    }

    function contribute(uint256 amount) external {
        amount = _bound(amount, 1, 50_000e6);
        usdc.mint(address(this), amount);
        usdc.approve(address(reserve), amount);
        reserve.contribute(address(usdc), amount);
        ghostBooked[address(usdc)] += amount;
    }

    // ================================================================ the pool

    /// @notice A trader sells tokens (if held) or USDC into the real pair.
    function swap(uint256 actorSeed, bool sellToken, uint256 amount) external {
        address actor = _actor(actorSeed);
        (uint256 rT, uint256 rQ) = _reserves();
        if (sellToken) {
            uint256 balance = stable.balanceOf(actor);
            if (balance == 0) return;
            amount = _bound(amount, 1, _min(balance, rT / 2));
            vm.prank(actor);
            stable.transfer(address(pair), amount);
            _swapOut(false, _amountOut(amount, rT, rQ), actor);
        } else {
            amount = _bound(amount, 1, rQ / 2);
            usdc.mint(address(pair), amount);
            _swapOut(true, _amountOut(amount, rQ, rT), actor);
        }
    }

    /// @notice Sustained pressure: one large trade, then a TWAP window passes with the feeds fresh and
    /// the oracle recording, so spot and TWAP agree outside the band and an operation can become due.
    function pressure(bool up, uint256 amount) external {
        (uint256 rT, uint256 rQ) = _reserves();
        address trader = _actors[2];
        if (up) {
            amount = _bound(amount, rQ / 100, rQ / 8);
            usdc.mint(address(pair), amount);
            _swapOut(true, _amountOut(amount, rQ, rT), trader);
        } else {
            // The trader mints the tokens it dumps, through the reserve, at the peg.
            amount = _bound(amount, rQ / 100, rQ / 8);
            usdc.mint(trader, amount);
            vm.prank(trader);
            usdc.approve(address(reserve), amount);
            vm.prank(trader);
            uint256 minted = reserve.mint(address(usdc), amount, 0, trader);
            vm.prank(trader);
            stable.transfer(address(pair), minted);
            ghostSupply += minted;
            ghostBooked[address(usdc)] += amount;
            _swapOut(false, _amountOut(minted, rT, rQ), trader);
        }
        for (uint256 i = 0; i < 5; ++i) {
            vm.warp(block.timestamp + TWAP_WINDOW_SEC / 4);
            vm.roll(block.number + 1);
            _refreshFeeds();
            oracle.update();
        }
    }

    /// @notice Borrows from the pair with a callback and tries to run an operation before repaying.
    /// The pair's lock and its unchanged reserves during the callback must make the operation fail.
    function flashSwapThenOperate(bool borrowToken, uint256 amount, uint256 opSeed) external {
        (uint256 rT, uint256 rQ) = _reserves();
        amount = _bound(amount, 1, (borrowToken ? rT : rQ) / 2);
        _swapOutWithData(borrowToken, amount, abi.encode(borrowToken, opSeed));
    }

    /// @notice Uniswap V2 flash-swap callback.
    function uniswapV2Call(address, uint256 amount0, uint256 amount1, bytes calldata data) external {
        require(msg.sender == address(pair), "not the pair");
        (bool borrowedToken, uint256 opSeed) = abi.decode(data, (bool, uint256));
        _attemptOperationInsideLock(opSeed);
        // Repay in USDC with the pair's 0.3% fee on the equivalent input.
        (uint256 rT, uint256 rQ) = _reserves();
        uint256 borrowed = amount0 + amount1;
        uint256 repay = borrowedToken ? _amountIn(borrowed, rQ, rT) : (borrowed * 1000) / 997 + 1;
        usdc.mint(address(pair), repay);
    }

    /// @dev Inside the venue's lock (a flash swap or loan): any operation must fail.
    function _attemptOperationInsideLock(uint256 opSeed) internal {
        uint256 opsBefore = operator.lastOperationAt();
        if (opSeed % 3 == 0) {
            try operator.expandSupply(type(uint256).max, 0) {} catch {}
        } else if (opSeed % 3 == 1) {
            try operator.contractSupply(type(uint256).max, 0) {} catch {}
        } else {
            try operator.performUpkeep(abi.encode(IMarketOperator.Action.Expand, type(uint256).max, 0)) {} catch {}
        }
        if (operator.lastOperationAt() != opsBefore) _violate(NO_EXTRACTION, "operation ran inside a flash swap");
    }

    /// @notice A sandwich by the keeper itself: push spot AWAY from the peg (up before an expansion,
    /// down before a contraction), run the operation, unwind exactly. The attacker's USDC P&L must
    /// not be positive. (A push TOWARD the peg ahead of an operation is plain arbitrage on a
    /// mispriced pool, bounded by the spot/TWAP guard; it is not an extraction from the protocol,
    /// whose value INV-6 still guards for the operation itself.)
    function sandwich(uint256 amount, bool expand) external {
        (uint256 rT, uint256 rQ) = _reserves();
        address attacker = _actors[0];
        uint256 paid;
        uint256 received;
        bool ran;
        if (expand) {
            paid = _bound(amount, 1e6, rQ / 5);
            uint256 bought = _amountOut(paid, rQ, rT);
            usdc.mint(address(pair), paid);
            _swapOut(true, bought, attacker);
            ran = _tryOperation(true);
            (rT, rQ) = _reserves();
            received = _amountOut(bought, rT, rQ);
            vm.prank(attacker);
            stable.transfer(address(pair), bought);
            _swapOut(false, received, attacker);
        } else {
            uint256 tokens = _bound(amount, 1e18, rT / 5);
            _mintTokensFor(attacker, tokens);
            received = _amountOut(tokens, rT, rQ);
            vm.prank(attacker);
            stable.transfer(address(pair), tokens);
            _swapOut(false, received, attacker);
            ran = _tryOperation(false);
            (rT, rQ) = _reserves();
            paid = _amountIn(tokens, rQ, rT);
            usdc.mint(address(pair), paid);
            _swapOut(true, tokens, attacker);
        }
        if (ran && received > paid) _violate(NO_EXTRACTION, "sandwich around an operation was profitable");
    }

    /// @dev Runs one operation with every per-operation check; false when the protocol refused it.
    function _tryOperation(bool expand) internal returns (bool) {
        OpContext memory c = _opContext();
        if (expand) {
            try operator.expandSupply(type(uint256).max, 0) returns (uint256 sold, uint256 quoteOut) {
                _afterOperation(c, IMarketOperator.Action.Expand, sold, quoteOut);
                return true;
            } catch {
                return false;
            }
        }
        try operator.contractSupply(type(uint256).max, 0) returns (uint256 spent, uint256 burned) {
            _afterOperation(c, IMarketOperator.Action.Contract, burned, spent);
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Gives `who` at least `tokens` by minting through the reserve with USDC (on the ledgers).
    function _mintTokensFor(address who, uint256 tokens) internal {
        uint256 have = stable.balanceOf(who);
        if (have >= tokens) return;
        // USDC in = tokens / (0.99 × 0.9995) / 1e12, rounded up, plus a margin for the oracle price.
        uint256 usdcIn = ((tokens - have) / 1e12) * 10_200 / 9_890 + 1e6;
        usdc.mint(who, usdcIn);
        vm.prank(who);
        usdc.approve(address(reserve), usdcIn);
        vm.prank(who);
        uint256 minted = reserve.mint(address(usdc), usdcIn, tokens - have, who);
        ghostSupply += minted;
        ghostBooked[address(usdc)] += usdcIn;
    }

    // ================================================================ donations

    function donateToReserve(bool useWeth, uint256 amount) external {
        TestERC20 asset = useWeth ? weth : usdc;
        amount = _bound(amount, 1, useWeth ? 100e18 : 1_000_000e6);
        Prices memory before = _prices();
        uint256 bookedBefore = reserve.accountedAmount(address(asset));
        asset.mint(address(reserve), amount);
        if (reserve.accountedAmount(address(asset)) != bookedBefore) {
            _violate(RESERVE_ACCOUNTING, "a donation to the reserve was counted");
        }
        _checkPricesUnchanged(before, "a donation to the reserve moved mint/redeem prices");
    }

    function donateToStrategy(uint256 amount) external {
        amount = _bound(amount, 1, 1_000_000e6);
        Prices memory before = _prices();
        uint256 bookedBefore = reserve.accountedAmount(address(usdc));
        StrategyPos memory pos = _strategyPos();
        usdc.mint(address(vault), amount);
        uint256 bookedAfter = reserve.accountedAmount(address(usdc));
        // The position counts at min(vault value, principal): a donation can at most make up the
        // vault's own rounding shortfall below principal, never count above it.
        if (bookedAfter > bookedBefore + pos.shortfall || bookedAfter < bookedBefore) {
            _violate(RESERVE_ACCOUNTING, "a donation to the strategy was counted");
        }
        if (bookedAfter == bookedBefore) _checkPricesUnchanged(before, "a donation to the strategy moved mint/redeem prices");
    }

    /// @notice Sends USDC straight to the pair and syncs: moves spot like a swap with no output.
    function donateToPool(uint256 amount) external {
        (, uint256 rQ) = _reserves();
        usdc.mint(address(pair), _bound(amount, 1, rQ / 10));
        pair.sync();
    }

    // ================================================================ oracle and time

    function moveFeed(bool useWeth, uint256 moveBps, bool up) external {
        (, int256 answer,,,) = (useWeth ? wethFeed : usdcFeed).latestRoundData();
        if (answer <= 0) answer = useWeth ? int256(3_000e8) : int256(1e8);
        moveBps = _bound(moveBps, 1, 3_000);
        uint256 next = up ? (uint256(answer) * (BPS + moveBps)) / BPS : (uint256(answer) * (BPS - moveBps)) / BPS;
        (useWeth ? wethFeed : usdcFeed).updateAnswer(int256(next == 0 ? 1 : next));
    }

    /// @notice Breaks a feed: zero, negative, future-dated, or far out of its bounds.
    function breakFeed(bool useWeth, uint256 kind) external {
        if (kind % 4 == 0) (useWeth ? wethFeed : usdcFeed).updateAnswer(0);
        else if (kind % 4 == 1) (useWeth ? wethFeed : usdcFeed).updateAnswer(-1);
        else if (kind % 4 == 2) {
            (uint80 round, int256 answer,,,) = (useWeth ? wethFeed : usdcFeed).latestRoundData();
            (useWeth ? wethFeed : usdcFeed).updateRoundData(round + 1, answer, block.timestamp + 1 hours, block.timestamp);
        } else {
            (useWeth ? wethFeed : usdcFeed).updateAnswer(useWeth ? int256(1_000_000e8) : int256(10e8));
        }
    }

    function healFeed(bool useWeth) external {
        address asset = useWeth ? address(weth) : address(usdc);
        if (malformed[asset]) {
            malformed[asset] = false;
            (uint256 maxAge, uint256 lo, uint256 hi) = _feedLimits(useWeth);
            vm.prank(ADMIN);
            oracle.setFeed(asset, address(useWeth ? wethFeed : usdcFeed), maxAge, lo, hi);
        }
        (useWeth ? wethFeed : usdcFeed).updateAnswer(useWeth ? int256(3_000e8) : int256(1e8));
    }

    /// @notice A feed misses its heartbeats: its answer is re-stamped `pastSec` beyond its max age,
    /// so the asset is degraded (last good price, growing haircut) for a day, then has no price.
    function staleFeed(bool useWeth, uint256 pastSec) external {
        MockV3Aggregator feed = useWeth ? wethFeed : usdcFeed;
        (uint80 round, int256 answer,,,) = feed.latestRoundData();
        (uint256 maxAge,,) = _feedLimits(useWeth);
        uint256 updatedAt = block.timestamp - maxAge - _bound(pastSec, 1, 2 days);
        feed.updateRoundData(round + 1, answer, updatedAt, updatedAt);
    }

    /// @notice The oracle is pointed at a feed answering garbage: empty or short round data, or
    /// absurd decimals. `tryPrice` must report it; redemptions of the other asset must go on.
    function malformFeed(bool useWeth, uint256 kind) external {
        address asset = useWeth ? address(weth) : address(usdc);
        MalformedAggregator bad = useWeth ? wethBadFeed : usdcBadFeed;
        bad.setRound(useWeth ? int256(3_000e8) : int256(1e8), block.timestamp, 8);
        (uint256 maxAge, uint256 lo, uint256 hi) = _feedLimits(useWeth);
        vm.prank(ADMIN);
        oracle.setFeed(asset, address(bad), maxAge, lo, hi);
        if (kind % 3 == 0) bad.setRoundData("");
        else if (kind % 3 == 1) bad.setRoundData(abi.encode(uint256(1), int256(1e8)));
        else bad.setDecimalsData(abi.encode(uint256(99)));
        malformed[asset] = true;
        (bool ok,) = oracle.tryPrice(asset);
        if (ok) _violate(ORACLE, "tryPrice accepted malformed feed data");
    }

    /// @notice Anyone renews the reserve's cached valuation: the recovery flag the stable lane
    /// charges by is then exactly the live test (haircut ratio under the target), stamped now.
    function poke() external {
        reserve.poke();
        (bool inRecovery, uint256 valuedAtSec) = reserve.cachedRecoveryMode();
        if (valuedAtSec != block.timestamp) _violate(NO_EXTRACTION, "poke left the cache's time behind");
        if (inRecovery != _recovery()) _violate(NO_EXTRACTION, "poke cached a recovery flag the live ratio contradicts");
    }

    /// @notice Anyone records the feeds' last good prices (the oracle also does on its observation
    /// clock): a fresh valid answer going stale later than the record replaces it, as (price,
    /// updatedAt + maxAge); nothing else is written, and a record never goes back in time.
    function recordPrices() external {
        IPriceOracle.LastGoodPrice memory usdcBefore = oracle.lastGoodPrice(address(usdc));
        IPriceOracle.LastGoodPrice memory wethBefore = oracle.lastGoodPrice(address(weth));
        oracle.recordPrices();
        _checkRecord(address(usdc), usdcBefore);
        _checkRecord(address(weth), wethBefore);
    }

    /// @notice A feed goes stale within its degraded window, then a user redeems that asset (an
    /// amount under the degraded-mode cap): paid at the last good price raised by the haircut.
    function degradedRedeem(uint256 actorSeed, bool useWeth, uint256 pastSec, uint256 amount) external {
        this.staleFeed(useWeth, pastSec % 1 days + 1);
        this.redeem(actorSeed, useWeth, _bound(amount, 1, stable.totalSupply() / 1_000 + 1));
    }

    /// @notice A feed breaks in place (zero, negative, future-dated or out-of-bounds answer) or
    /// answers malformed data, up to a day and a half passes (the other feed kept fresh), then a
    /// user redeems that asset: paid at its recorded last good price under the haircut, or refused
    /// when it has none (always for an out-of-bounds answer).
    function brokenRedeem(uint256 actorSeed, bool useWeth, uint256 kind, uint256 pastSec, uint256 amount) external {
        if (kind % 2 == 0) this.breakFeed(useWeth, kind / 2);
        else this.malformFeed(useWeth, kind / 2);
        vm.warp(block.timestamp + _bound(pastSec, 0, 36 hours));
        vm.roll(block.number + 1);
        MockV3Aggregator other = useWeth ? usdcFeed : wethFeed;
        (, int256 answer,,,) = other.latestRoundData();
        if (answer > 0) other.updateAnswer(answer);
        this.redeem(actorSeed, useWeth, _bound(amount, 1, stable.totalSupply() / 1_000 + 1));
    }

    /// @notice The strategy vault pauses or resumes; ERC-4626 lets its previews revert meanwhile.
    function pauseVault(bool paused) external {
        vault.setPaused(paused);
    }

    /// @notice The quote feed sits within ±80 bps of $1 (inside and just outside the stable lane's
    /// band), then a user mints with USDC and, if asked, redeems for USDC: the lane open or closed.
    function laneTrade(uint256 actorSeed, uint256 amount, uint256 deviationBps, bool above, bool redeemToo) external {
        deviationBps = _bound(deviationBps, 0, 80);
        uint256 answer = above ? 1e8 * (BPS + deviationBps) / BPS : 1e8 * (BPS - deviationBps) / BPS;
        usdcFeed.updateAnswer(int256(answer));
        this.mint(actorSeed, false, amount);
        if (redeemToo) this.redeem(actorSeed, false, _bound(amount, 1, 150_000e6) * 1e12);
        // The lane caps its net flow: mints minus redeems this epoch stay within ±volumePerEpoch,
        // so the room left one way plus the other is always twice the cap.
        (uint256 mintRoom, uint256 redeemRoom) = reserve.laneVolumeLeft(address(usdc));
        if (mintRoom + redeemRoom != 2 * LANE_VOLUME_PER_EPOCH) {
            _violate(NO_EXTRACTION, "the stable lane's net flow left +-volumePerEpoch");
        }
    }

    /// @notice Time passes; with `refresh` the feeds re-post and the oracle records, else they age.
    function warp(uint256 secondsAhead, bool refresh) external {
        vm.warp(block.timestamp + _bound(secondsAhead, 1, 3 hours));
        vm.roll(block.number + 1);
        if (refresh) {
            _refreshFeeds();
            oracle.update();
        }
    }

    function refreshRatio() external {
        uint256 oldTarget = policy.targetRatio();
        uint256 readyAt = policy.nextRefreshAt();
        ICollateralPolicy.Params memory p = policy.params();
        uint256 floorWad = policy.riskFloor();
        // refresh reads the reserve's cached risk figure while fresh (issue 17): that floor may bind too.
        uint256 cachedFloorWad = _floorFor(reserve.riskHaircutBps(), p);
        uint256 newTarget = policy.refresh();
        if (block.timestamp < readyAt) _violate(RATIO_BOUNDS, "refresh inside its cooldown");
        uint256 moved = newTarget > oldTarget ? newTarget - oldTarget : oldTarget - newTarget;
        if (moved > p.stepWad && newTarget != floorWad && newTarget != cachedFloorWad) _violate(RATIO_BOUNDS, "target moved more than one step");
        if (newTarget < 1e18 || newTarget > 2e18) _violate(RATIO_BOUNDS, "target outside hard bounds");
    }

    /// @dev The policy's documented risk floor for a haircut figure: minRatio + ceil(haircut) × weight, capped at 2.0.
    function _floorFor(uint256 haircutBps, ICollateralPolicy.Params memory p) internal pure returns (uint256) {
        uint256 haircutWad = (haircutBps * 1e18 + BPS - 1) / BPS;
        uint256 floorWad = p.minRatioWad + (haircutWad * p.riskWeightBps + BPS - 1) / BPS;
        return _min(floorWad, 2e18);
    }

    // ================================================================ the hostile keeper

    /// @notice The amount form (`minOut`) or the price form (`atPrice`: a limit price from `minOut`).
    function keeperExpand(uint256 amount, uint256 minOut, bool maxAmount, bool atPrice) external {
        if (maxAmount) amount = type(uint256).max;
        OpContext memory c = _opContext();
        if (!atPrice) {
            (uint256 sold, uint256 quoteOut) = operator.expandSupply(amount, _minOut(minOut));
            _afterOperation(c, IMarketOperator.Action.Expand, sold, quoteOut);
            return;
        }
        uint256 limit = _limitPrice(minOut, IMarketOperator.Action.Expand);
        (uint256 tokensSold, uint256 quoteReceived) = operator.expandSupplyAtPrice(amount, limit);
        // Average price received (quote per token, WAD) ≥ the limit, less the pair's one-unit rounding.
        if ((quoteReceived + 1) * 1e12 * 1e18 < limit * tokensSold) _violate(KEEPER_BOUNDS, "expansion sold below its limit price");
        _afterOperation(c, IMarketOperator.Action.Expand, tokensSold, quoteReceived);
    }

    function keeperContract(uint256 amount, uint256 minOut, bool maxAmount, bool atPrice) external {
        if (maxAmount) amount = type(uint256).max;
        OpContext memory c = _opContext();
        if (!atPrice) {
            (uint256 spent, uint256 burned) = operator.contractSupply(amount, _minOut(minOut));
            _afterOperation(c, IMarketOperator.Action.Contract, burned, spent);
            return;
        }
        uint256 limit = _limitPrice(minOut, IMarketOperator.Action.Contract);
        (uint256 quoteSpent, uint256 tokensBurned) = operator.contractSupplyAtPrice(amount, limit);
        // Average price paid ≤ the limit, up to the pair's one-unit rounding of the tokens out.
        if (quoteSpent * 1e12 * 1e18 > limit * (tokensBurned + 1)) _violate(KEEPER_BOUNDS, "contraction paid above its limit price");
        _afterOperation(c, IMarketOperator.Action.Contract, tokensBurned, quoteSpent);
    }

    function keeperRebalance() external {
        OpContext memory c = _opContext();
        StrategyPos memory pos = _strategyPos();
        operator.rebalance();
        _settleStrategy(pos);
        _afterOperation(c, IMarketOperator.Action.Rebalance, 0, 0);
    }

    /// @notice Arbitrary performData: the action, amount and minOut are all attacker-chosen.
    function keeperUpkeep(uint8 action, uint256 amount, uint256 minOut) external {
        IMarketOperator.Action a = IMarketOperator.Action(action % 4);
        OpContext memory c = _opContext();
        uint256 pairTokens = stable.balanceOf(_poolAddress());
        uint256 pairQuote = usdc.balanceOf(_poolAddress());
        StrategyPos memory pos = _strategyPos();
        uint256 supplyBefore = stable.totalSupply();
        operator.performUpkeep(abi.encode(a, amount, _limitPrice(minOut, a)));
        if (a == IMarketOperator.Action.None) {
            // Observation only (no feed needed): it must move no funds and mint or burn nothing.
            bool moved = stable.balanceOf(_poolAddress()) != pairTokens || usdc.balanceOf(_poolAddress()) != pairQuote;
            if (moved || stable.totalSupply() != supplyBefore) _violate(KEEPER_BOUNDS, "an observation-only upkeep moved funds");
            return;
        }
        if (a == IMarketOperator.Action.Rebalance) _settleStrategy(pos);
        // Amounts from the pair's balances (not its reserves, which may lag un-synced transfers),
        // independent of the operator's own reporting.
        uint256 tokensNow = stable.balanceOf(_poolAddress());
        uint256 quoteNow = usdc.balanceOf(_poolAddress());
        if (a == IMarketOperator.Action.Expand) _afterOperation(c, a, tokensNow - pairTokens, pairQuote - quoteNow);
        else if (a == IMarketOperator.Action.Contract) _afterOperation(c, a, pairTokens - tokensNow, quoteNow - pairQuote);
        else _afterOperation(c, a, 0, 0);
    }

    // ================================================================ guardian and admin

    function guardianPause(uint256 which) external {
        vm.prank(GUARDIAN);
        if (which % 3 == 0) reserve.pause();
        else if (which % 3 == 1) reserve.pauseRedemptions();
        else operator.pause();
    }

    /// @notice The guardian tries to unpause: must always be refused.
    function guardianUnpause(uint256 which) external {
        vm.prank(GUARDIAN);
        bool ok;
        if (which % 3 == 0) (ok,) = address(reserve).call(abi.encodeCall(reserve.unpause, ()));
        else if (which % 3 == 1) (ok,) = address(reserve).call(abi.encodeCall(reserve.unpauseRedemptions, ()));
        else (ok,) = address(operator).call(abi.encodeCall(operator.unpause, ()));
        if (ok) _violate(PAUSE, "the guardian unpaused");
    }

    function adminUnpause(uint256 which) external {
        vm.prank(ADMIN);
        if (which % 3 == 0) reserve.unpause();
        else if (which % 3 == 1) reserve.unpauseRedemptions();
        else operator.unpause();
    }

    /// @notice A stranger (any campaign actor) tries a privileged call; every one must be refused.
    function strangerCall(uint256 actorSeed, uint256 which) external {
        address stranger = _actor(actorSeed);
        bytes memory data;
        address target;
        uint256 w = which % 8;
        if (w == 0) (target, data) = (address(stable), abi.encodeCall(stable.mint, (stranger, 1e18)));
        else if (w == 1) (target, data) = (address(reserve), abi.encodeCall(reserve.releaseToOperator, (address(usdc), 1e6, stranger)));
        else if (w == 2) (target, data) = (address(operator), abi.encodeCall(operator.expandSupply, (type(uint256).max, 0)));
        else if (w == 3) (target, data) = (address(operator), abi.encodeCall(operator.contractSupply, (type(uint256).max, 0)));
        else if (w == 4) (target, data) = (address(reserve), abi.encodeCall(reserve.pause, ()));
        else if (w == 5) (target, data) = (address(oracle), abi.encodeCall(oracle.setTwapWindow, (60)));
        else if (w == 6) (target, data) = (address(reserve), abi.encodeCall(reserve.rebalance, (address(usdc))));
        else (target, data) = (address(stable), abi.encodeCall(stable.grantRole, (stable.MINTER_ROLE(), stranger)));
        vm.prank(stranger);
        (bool ok,) = target.call(data);
        if (ok) _violate(ACCESS, "a stranger's privileged call succeeded");
    }

    // ================================================================ views for the invariants

    function core() external view returns (BallastDollar, Reserve, PriceOracle, CollateralPolicy, MarketOperator) {
        return (stable, reserve, oracle, policy, operator);
    }

    function market() external view returns (address pairAddress, address usdcAddress, address wethAddress) {
        return (_poolAddress(), address(usdc), address(weth));
    }

    function actors() external view returns (address[3] memory) {
        return _actors;
    }

    function booked(address asset) external view returns (uint256) {
        return _booked(asset);
    }

    // ================================================================ checks

    struct Snapshot {
        bool valid;
        int256 equityWad;
        uint256 ratioWad;
        uint256 grossRatioWad;
    }

    struct Prices {
        bool valid;
        uint256 mintUsdc;
        uint256 mintWeth;
        uint256 redeemUsdc;
        uint256 redeemWeth;
    }

    struct OpContext {
        Snapshot snap;
        uint256 targetWad;
        uint256 lastOperationAt;
        uint256 rT;
        uint256 rQ;
        uint256 quoteUsdWad;
        bool operatorPaused;
        bool quoteFeedOk;
    }

    function _snapshot() internal view returns (Snapshot memory s) {
        try reserve.grossValue() returns (uint256 gross) {
            s.valid = true;
            s.equityWad = int256(gross) - int256(stable.totalSupply());
            s.ratioWad = reserve.collateralRatio();
            uint256 supply = stable.totalSupply();
            s.grossRatioWad = supply == 0 ? type(uint256).max : (gross * 1e18) / supply;
        } catch {}
    }

    /// @dev INV solvency + no extraction for user steps: without an oracle move, a user's mint or
    /// redeem never lowers the protocol's equity, nor the gross ratio below min(before, 100%)
    /// (redemptions pay gross value; haircuts only gate minting and operations).
    function _checkUserStepKeepsValue(Snapshot memory before) internal {
        Snapshot memory afterStep = _snapshot();
        if (!before.valid || !afterStep.valid) return;
        if (afterStep.equityWad < before.equityWad) _violate(NO_EXTRACTION, "a user step lowered protocol equity");
        if (afterStep.grossRatioWad < _min(before.grossRatioWad, 1e18)) _violate(SOLVENCY, "a user step lowered the gross ratio");
    }

    /// @dev Rule 4 + decimals: tokens out ≤ value × (1 − haircut) × (1 − fee), within 3 wei-steps of it.
    function _checkMintAmount(address asset, uint256 amountIn, uint256 out, uint256 priceWad, uint256 feeBps)
        internal
    {
        IReserve.AssetConfig memory cfg = reserve.assetConfig(asset);
        uint256 unit = 10 ** TestERC20(asset).decimals();
        // One exact division of the whole product: the contract's step-by-step rounding must land
        // at or below it (rule 4) and at most a few wei under it (decimals handled, not truncated).
        uint256 exactOut = (amountIn * priceWad * (BPS - cfg.haircutBps) * (BPS - feeBps)) / (unit * BPS * BPS);
        (bool laneOpen, uint256 laneFeeBps) = _laneFeeBps(asset, priceWad);
        if (laneOpen) {
            // The lane pays min(feed, 1) minus its fee (at its recovery floor), unless a cap sends
            // the mint down the haircut path, which pays less: out lies between the two.
            // The lane may decide recovery from the reserve's cached valuation (issue 17): the
            // recovery floor is allowed when either that or the live ratio is under the target.
            if (_recovery() || _cachedRecovery()) laneFeeBps = _min(laneFeeBps, reserve.recoveryMintFeeBps());
            uint256 laneOut = (amountIn * _min(priceWad, PEG_WAD) * (BPS - laneFeeBps)) / (unit * BPS);
            if (out > laneOut) _violate(NO_EXTRACTION, "lane mint paid more than min(feed, 1) minus the lane fee");
            if (out + 3 < exactOut) _violate(DECIMALS, "lane mint paid less than the haircut path");
            return;
        }
        if (out > exactOut) _violate(NO_EXTRACTION, "mint paid more than the haircut value minus the fee");
        if (out + 3 < exactOut) _violate(DECIMALS, "mint rounded away more than dust");
    }

    /// @dev Whether USDC's stable lane is open at `priceWad` and its fee: base + ceil(deviation / 2),
    /// the deviation in bps rounded up (the contract's documented formula, recomputed here).
    function _laneFeeBps(address asset, uint256 priceWad) internal view returns (bool open, uint256 feeBps) {
        if (asset != address(usdc) || priceWad == 0) return (false, 0);
        uint256 gap = priceWad > PEG_WAD ? priceWad - PEG_WAD : PEG_WAD - priceWad;
        uint256 deviationBps = (gap * BPS + PEG_WAD - 1) / PEG_WAD;
        if (deviationBps > LANE_BAND_BPS) return (false, 0);
        return (true, LANE_BASE_FEE_BPS + (deviationBps + 1) / 2);
    }

    /// @dev Recovery mode as user mint and redeem see it: the conservative ratio below the target.
    function _recovery() internal view returns (bool) {
        return reserve.conservativeRatio() < policy.targetRatio();
    }

    function _cacheFresh() internal view returns (bool) {
        (,, uint256 valuedAtSec,) = reserve.cachedValuation();
        return block.timestamp - valuedAtSec <= reserve.valuationMaxAgeSec();
    }

    /// @dev Recovery mode as a stable-lane call on a fresh cache sees it: the flag the last whole
    /// pass kept (issue 17; `poke` checks it against the live ratio when it is set).
    function _cachedRecovery() internal view returns (bool) {
        if (!_cacheFresh()) return false;
        (bool inRecovery,) = reserve.cachedRecoveryMode();
        return inRecovery;
    }

    /// @dev The fee `mint` will charge now off the lane: the recovery floor applies under the target.
    function _mintFeeBps(address asset) internal view returns (uint256) {
        uint256 feeBps = reserve.assetConfig(asset).mintFeeBps;
        return _recovery() ? _min(feeBps, reserve.recoveryMintFeeBps()) : feeBps;
    }

    /// @dev What a redemption may pay, from the state before it: the ordinary path (fee + spread,
    /// at the price raised by the degraded haircut) exactly, and the most the stable lane may pay
    /// (at its lowest fee, when the cache and the live ratio may disagree).
    struct RedeemQuote {
        uint256 ordinaryOut;
        uint256 laneOut;
        bool laneOpen;
    }

    /// @dev Rule 4: out = tokens × min(G/S, 1) × (1 − fee) / payPrice in one exact division (the
    /// contract's step-by-step rounding must not exceed it, and lose at most dust).
    function _redeemQuote(address asset, uint256 tokensIn, FeedState memory feed) internal view returns (RedeemQuote memory q) {
        if (feed.status == FEED_INVALID) return q;
        uint256 unit = 10 ** TestERC20(asset).decimals();
        uint256 share = _min(reserve.redemptionRatio(), 1e18);
        bool recovery = _recovery();
        uint256 recoveryFeeBps = reserve.recoveryRedeemFeeBps();
        uint256 feeBps = reserve.assetConfig(asset).redeemFeeBps + reserve.redeemSpreadBps(asset);
        if (recovery && recoveryFeeBps > feeBps) feeBps = recoveryFeeBps;
        uint256 payPriceWad = (feed.priceWad * BPS + (BPS - feed.haircutBps) - 1) / (BPS - feed.haircutBps);
        q.ordinaryOut = (tokensIn * share * (BPS - feeBps) * unit) / (1e18 * BPS * payPriceWad);
        if (feed.status != FEED_OK) return q;
        uint256 laneFeeBps;
        (q.laneOpen, laneFeeBps) = _laneFeeBps(asset, feed.priceWad);
        uint256 lowFeeBps = _laneRedeemLowFee(laneFeeBps, recovery, recoveryFeeBps);
        uint256 lanePriceWad = feed.priceWad > PEG_WAD ? feed.priceWad : PEG_WAD;
        q.laneOut = (tokensIn * share * unit * (BPS - lowFeeBps)) / (1e18 * BPS * lanePriceWad);
    }

    /// @dev The lowest lane fee a redemption may pay: the lane fee on a fresh cache that saw no
    /// recovery (issue 17: the cached flag may lag the live ratio); on a whole pass (a stale cache,
    /// or the cache's flag set) the fee the live ratio decides.
    function _laneRedeemLowFee(uint256 laneFeeBps, bool liveRecovery, uint256 recoveryFeeBps)
        internal
        view
        returns (uint256)
    {
        if (!liveRecovery || (_cacheFresh() && !_cachedRecovery())) return laneFeeBps;
        return _max(recoveryFeeBps, laneFeeBps);
    }

    /// @dev Off the lane, out is the ordinary quote (within dust). With the lane open, out is the
    /// larger of the lane's 1:1 quote (within its fee range) and the ordinary one: a lane
    /// redemption never pays less than the ordinary path (issue 16, fair redemptions).
    function _checkRedeemAmount(uint256 out, RedeemQuote memory q) internal {
        uint256 ceiling = q.laneOpen ? _max(q.laneOut, q.ordinaryOut) : q.ordinaryOut;
        if (out > ceiling) _violate(ROUNDING, "redeem paid more than the pro-rata claim");
        if (out + 3 < q.ordinaryOut) _violate(DECIMALS, "redeem paid less than the ordinary path, beyond dust");
    }

    function _prices() internal view returns (Prices memory p) {
        try reserve.previewMint(address(usdc), 1_000e6) returns (uint256 v) {
            p.mintUsdc = v;
        } catch {
            return p;
        }
        try reserve.previewMint(address(weth), 1e18) returns (uint256 v) {
            p.mintWeth = v;
        } catch {
            return p;
        }
        p.redeemUsdc = reserve.previewRedeem(address(usdc), 1_000e18);
        p.redeemWeth = reserve.previewRedeem(address(weth), 1_000e18);
        p.valid = true;
    }

    function _checkPricesUnchanged(Prices memory before, string memory what) internal {
        Prices memory afterStep = _prices();
        if (!before.valid) return;
        if (
            afterStep.mintUsdc != before.mintUsdc || afterStep.mintWeth != before.mintWeth
                || afterStep.redeemUsdc != before.redeemUsdc || afterStep.redeemWeth != before.redeemWeth
        ) _violate(RESERVE_ACCOUNTING, what);
    }

    function _opContext() internal view returns (OpContext memory c) {
        c.snap = _snapshot();
        c.targetWad = policy.targetRatio();
        c.lastOperationAt = operator.lastOperationAt();
        (c.rT, c.rQ) = _reserves();
        (c.quoteFeedOk, c.quoteUsdWad) = _feedValid(address(usdc));
        c.operatorPaused = operator.paused();
    }

    /// @dev Keeper bounds, market-op loss bound, peg direction, pause and oracle rules for one operation.
    function _afterOperation(OpContext memory c, IMarketOperator.Action action, uint256 tokens, uint256 quote) internal {
        IMarketOperator.Limits memory lim = operator.limits();
        IMarketOperator.EpochState memory e = operator.epoch();
        if (c.operatorPaused) _violate(PAUSE, "an operation ran while paused");
        if (!c.quoteFeedOk) _violate(ORACLE, "an operation ran with an invalid quote feed");
        if (c.lastOperationAt != 0 && action != IMarketOperator.Action.Rebalance && block.timestamp < c.lastOperationAt + lim.cooldownSec) {
            _violate(KEEPER_BOUNDS, "an operation ran inside the cooldown");
        }
        if (e.netMinted > int256(lim.maxExpansionPerEpoch)) _violate(KEEPER_BOUNDS, "epoch expansion cap exceeded");
        if (e.contracted > lim.maxContractionPerEpoch) _violate(KEEPER_BOUNDS, "epoch contraction cap exceeded");

        (uint256 rT, uint256 rQ) = _reserves();
        if (action == IMarketOperator.Action.Expand) {
            if (tokens > lim.maxExpansionPerOp) _violate(KEEPER_BOUNDS, "expansion above the per-op cap");
            // Spot must have been above the peg and must not end below it (exact, cross-multiplied).
            if (_belowPeg(rT, rQ, c.quoteUsdWad)) _violate(TOWARD_PEG, "expansion pushed spot below the peg");
            if (!_abovePeg(c.rT, c.rQ, c.quoteUsdWad)) _violate(TOWARD_PEG, "expansion from at or below the peg");
            ghostSupply += tokens;
            ghostBooked[address(usdc)] += quote;
        } else if (action == IMarketOperator.Action.Contract) {
            if ((quote * 1e12) > lim.maxContractionPerOp) _violate(KEEPER_BOUNDS, "contraction above the per-op cap");
            if (_abovePeg(rT, rQ, c.quoteUsdWad)) _violate(TOWARD_PEG, "contraction pushed spot above the peg");
            if (!_belowPeg(c.rT, c.rQ, c.quoteUsdWad)) _violate(TOWARD_PEG, "contraction from at or above the peg");
            ghostSupply -= tokens;
            ghostBooked[address(usdc)] -= quote;
        }
        Snapshot memory afterOp = _snapshot();
        if (c.snap.valid && afterOp.valid) {
            // Rebalance may lose ERC-4626 rounding dust: at most MAX_STRATEGY_ROUNDING_UNITS (2) units
            // of the moved asset at its price, rounded up (INV-6); everything else must not lose.
            int256 dustWad = action == IMarketOperator.Action.Rebalance ? int256((2 * c.quoteUsdWad + 1e6 - 1) / 1e6) : int256(0);
            if (afterOp.equityWad + dustWad < c.snap.equityWad) _violate(MARKET_OP_LOSS, "an operation lowered protocol value");
            if (afterOp.ratioWad < _min(c.snap.ratioWad, c.targetWad)) {
                _violate(SOLVENCY, "an operation left the ratio below min(before, target)");
            }
        }
    }

    /// @dev The reserve's strategy position before a step that may move it: what the vault would
    /// pay for the shares now, above principal (unrealised yield) or below it (rounding shortfall).
    struct StrategyPos {
        uint256 yield;
        uint256 shortfall;
    }

    function _strategyPos() internal view returns (StrategyPos memory pos) {
        IReserve.Holdings memory h = reserve.holdings(address(usdc));
        // A paused vault can neither be valued nor pay back: no realisation can happen this step.
        if (h.strategyShares == 0 || vault.paused()) return pos;
        uint256 worth = vault.previewRedeem(h.strategyShares);
        if (worth > h.strategyPrincipal) pos.yield = worth - h.strategyPrincipal;
        else pos.shortfall = h.strategyPrincipal - worth;
    }

    /// @dev Taking the whole position back realises yield (or a shortfall) into idle: the ledger may
    /// move by exactly that, bounded by what the vault owed before the step; anything else is a leak.
    function _settleStrategy(StrategyPos memory pos) internal {
        uint256 booked = _booked(address(usdc));
        uint256 expected = ghostBooked[address(usdc)];
        if (booked > expected + pos.yield || booked + pos.shortfall < expected) {
            _violate(RESERVE_ACCOUNTING, "strategy realisation moved the books beyond the vault's yield");
        }
        ghostBooked[address(usdc)] = booked;
    }

    /// @dev The feed's validity judged here, from the aggregator and the configured limits, not by
    /// asking the oracle under test (so a broken oracle check cannot vouch for itself).
    function _feedValid(address asset) internal view returns (bool ok, uint256 priceWad) {
        FeedState memory st = _feedState(asset);
        return st.status == FEED_OK ? (true, st.priceWad) : (false, 0);
    }

    /// @dev Fresh and valid: OK. Otherwise the last good price, the newer of the feed's stale but
    /// valid answer and the oracle's recorded one (a stored fact; `recordPrices` checks how it is
    /// written), if it is within the bounds and at most a day past its stale time: DEGRADED there,
    /// haircut min(25%, ceil(1%/h × staleness)). An answer outside the bounds, or nothing: INVALID.
    function _feedState(address asset) internal view returns (FeedState memory st) {
        st.status = FEED_INVALID;
        bool isWeth = asset == address(weth);
        (uint256 maxAge, uint256 lo, uint256 hi) = _feedLimits(isWeth);
        uint256 lastWad;
        uint256 staleAt;
        if (!malformed[asset]) {
            (, int256 answer,, uint256 updatedAt,) = (isWeth ? wethFeed : usdcFeed).latestRoundData();
            if (answer > 0 && updatedAt <= block.timestamp) {
                uint256 priceWad = uint256(answer) * 1e10;
                if (priceWad < lo || priceWad > hi) return st;
                if (block.timestamp - updatedAt <= maxAge) return FeedState(FEED_OK, priceWad, 0);
                (lastWad, staleAt) = (priceWad, updatedAt + maxAge);
            }
        }
        IPriceOracle.LastGoodPrice memory rec = oracle.lastGoodPrice(asset);
        if (rec.staleAtSec > staleAt && rec.priceWad >= lo && rec.priceWad <= hi) (lastWad, staleAt) = (rec.priceWad, rec.staleAtSec);
        uint256 staleSec = block.timestamp > staleAt ? block.timestamp - staleAt : 0;
        if (lastWad == 0 || staleSec > 1 days) return st;
        return FeedState(FEED_DEGRADED, lastWad, _min(2_500, (100 * staleSec + 1 hours - 1) / 1 hours));
    }

    /// @dev What `recordPrices` may have written for `asset`, from the handler's own reading of the feed.
    function _checkRecord(address asset, IPriceOracle.LastGoodPrice memory before) internal {
        IPriceOracle.LastGoodPrice memory rec = oracle.lastGoodPrice(asset);
        if (rec.staleAtSec < before.staleAtSec) _violate(ORACLE, "a last good price went back in time");
        IPriceOracle.LastGoodPrice memory want = before;
        bool isWeth = asset == address(weth);
        (, int256 answer,, uint256 updatedAt,) = (isWeth ? wethFeed : usdcFeed).latestRoundData();
        (uint256 maxAge, uint256 lo, uint256 hi) = _feedLimits(isWeth);
        uint256 priceWad = answer > 0 ? uint256(answer) * 1e10 : 0;
        bool fresh = !malformed[asset] && answer > 0 && updatedAt <= block.timestamp && block.timestamp - updatedAt <= maxAge
            && priceWad >= lo && priceWad <= hi;
        if (fresh && updatedAt + maxAge > before.staleAtSec) want = IPriceOracle.LastGoodPrice(uint128(priceWad), uint64(updatedAt + maxAge));
        if (rec.priceWad != want.priceWad || rec.staleAtSec != want.staleAtSec) {
            _violate(ORACLE, "recordPrices wrote other than the feed's newer fresh answer");
        }
    }

    function _feedLimits(bool isWeth) internal pure returns (uint256 maxAgeSec, uint256 lo, uint256 hi) {
        return isWeth ? (WETH_MAX_AGE_SEC, uint256(10e18), uint256(100_000e18)) : (USDC_MAX_AGE_SEC, uint256(0.5e18), uint256(2e18));
    }

    function _abovePeg(uint256 rT, uint256 rQ, uint256 quoteUsdWad) internal pure returns (bool) {
        return rQ * 1e12 * quoteUsdWad > rT * PEG_WAD;
    }

    function _belowPeg(uint256 rT, uint256 rQ, uint256 quoteUsdWad) internal pure returns (bool) {
        return rQ * 1e12 * quoteUsdWad < rT * PEG_WAD;
    }

    // ================================================================ helpers

    function _violate(uint256 id, string memory what) internal {
        violations[id] += 1;
        lastViolation[id] = what;
    }

    function _booked(address asset) internal view returns (uint256) {
        IReserve.Holdings memory h = reserve.holdings(asset);
        return h.idle + h.strategyPrincipal;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    /// @dev The pool's (token, quote) reserves: their ratio is spot (BallastHandlerV3: V3's virtual reserves).
    function _reserves() internal view virtual returns (uint256 rT, uint256 rQ) {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        return pair.token0() == address(stable) ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
    }

    /// @dev Swaps out `amount` of the token (tokenOut) or of USDC from the pair to `to`.
    function _swapOut(bool tokenOut, uint256 amount, address to) internal {
        if (amount == 0) return;
        bool tokenIs0 = pair.token0() == address(stable);
        bool out0 = tokenOut == tokenIs0;
        pair.swap(out0 ? amount : 0, out0 ? 0 : amount, to, "");
    }

    function _swapOutWithData(bool tokenOut, uint256 amount, bytes memory data) internal {
        bool tokenIs0 = pair.token0() == address(stable);
        bool out0 = tokenOut == tokenIs0;
        pair.swap(out0 ? amount : 0, out0 ? 0 : amount, address(this), data);
    }

    function _amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 withFee = amountIn * 997;
        return (withFee * reserveOut) / (reserveIn * 1000 + withFee);
    }

    function _amountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        return (reserveIn * amountOut * 1000) / ((reserveOut - amountOut) * 997) + 1;
    }

    /// @dev Half the time no slippage limit, otherwise an arbitrary (often unmeetable) one.
    function _minOut(uint256 seed) internal pure returns (uint256) {
        return seed % 2 == 0 ? 0 : seed % 1e24;
    }

    /// @dev A limit price (quote per token, WAD) for the price forms: none (a contraction's none is
    /// the hard bound), near the peg where it binds, or anywhere up to 2.
    function _limitPrice(uint256 seed, IMarketOperator.Action a) internal pure returns (uint256) {
        if (seed % 3 == 0) return a == IMarketOperator.Action.Contract ? 1e30 : 0;
        if (seed % 3 == 1) return 0.98e18 + seed % 0.04e18;
        return seed % 2e18;
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    function _selector(bytes memory reason) internal pure returns (bytes4 s) {
        if (reason.length >= 4) s = bytes4(reason);
    }

    function _isOracleError(bytes4 s) internal pure returns (bool) {
        return s == IPriceOracle.StalePrice.selector || s == IPriceOracle.NonPositivePrice.selector
            || s == IPriceOracle.PriceOutOfBounds.selector || s == IPriceOracle.FeedCallFailed.selector;
    }

    function _bubble(bytes memory reason) internal pure {
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
