// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BallastSystemV3} from "../utils/BallastSystemV3.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BallastHandlerV3: the campaign's actors on the Uniswap V3 venue
/// @notice Every step of BallastHandler (users, feeds, time, the hostile keeper through
/// MarketOperatorV3, guardian and admin) on the V3 system, with the pool's own steps in place of
/// the pair's: trades through UniswapV3Trader that cross the positions' ticks, sustained pressure,
/// a flash loan that tries an operation inside the pool's lock, and the LiquidityManager's
/// protocol-owned position added, removed and its fees collected (also by anyone, and refused
/// to strangers). The same ledgers and invariants apply: the position's tokens are minted into the
/// pool and its quote leaves the Reserve, both on the ledgers.
contract BallastHandlerV3 is BallastSystemV3 {
    /// @dev Trades stop at ±20% of the peg (in sqrt price: ×1.0954 / ×0.8944), inside the wide position.
    uint256 internal constant SQRT_UP_BPS = 10_954;
    uint256 internal constant SQRT_DOWN_BPS = 8_944;
    /// @dev The Uniswap V3 flash fee is the pool fee (pips) on the amount, rounded up.
    uint256 internal constant PIPS = 1_000_000;

    // ================================================================ the pool

    /// @notice A trader sells tokens (if held) or buys them with fresh USDC through the router.
    function swapV3(uint256 actorSeed, bool sellToken, uint256 amount) external {
        address actor = _actor(actorSeed);
        if (sellToken) {
            uint256 balance = stable.balanceOf(actor);
            if (balance == 0) return;
            amount = _bound(amount, 1, balance);
        } else {
            amount = _bound(amount, 1, 200_000e6);
            usdc.mint(actor, amount);
        }
        _traderSwap(actor, sellToken, int256(amount));
    }

    /// @notice Sustained pressure: one large trade, then a TWAP window passes with the feeds fresh, so
    /// the pool's own TWAP follows spot outside the band and an operation can become due; with
    /// `operate` the keeper then runs it (every per-operation check applies).
    function pressureV3(bool up, uint256 amount, bool operate) external {
        address who = _actors[2];
        amount = _bound(amount, 1_000e6, 60_000e6);
        if (up) {
            usdc.mint(who, amount);
            _traderSwap(who, false, int256(amount));
        } else {
            _mintTokensFor(who, amount * 1e12);
            _traderSwap(who, true, int256(amount * 1e12));
        }
        for (uint256 i = 0; i < 5; ++i) this.warp(TWAP_WINDOW_SEC / 4, true);
        if (operate) _tryOperation(up);
    }

    /// @notice A sandwich by the keeper itself: push spot AWAY from the peg (up before an expansion,
    /// down before a contraction), run the operation, buy or sell back exactly the tokens of the
    /// push. The attacker's USDC must not grow (see BallastHandler.sandwich).
    function sandwichV3(uint256 amount, bool expand) external {
        address attacker = _actors[0];
        amount = _bound(amount, 1e6, 40_000e6);
        // Enough USDC for either leg and its fees; only the change in the attacker's balances counts.
        usdc.mint(attacker, amount * 2);
        if (!expand) _mintTokensFor(attacker, stable.balanceOf(attacker) + amount * 1e12);
        uint256 usdcBefore = usdc.balanceOf(attacker);
        uint256 tokensBefore = stable.balanceOf(attacker);
        _traderSwap(attacker, !expand, int256(expand ? amount : amount * 1e12));
        uint256 pushed = expand ? stable.balanceOf(attacker) - tokensBefore : tokensBefore - stable.balanceOf(attacker);
        bool ran = _tryOperation(expand);
        // Unwind: sell exactly the tokens bought, or buy back exactly the tokens sold (exact output).
        if (pushed != 0) _traderSwap(attacker, expand, expand ? int256(pushed) : -int256(pushed));
        if (ran && stable.balanceOf(attacker) >= tokensBefore && usdc.balanceOf(attacker) > usdcBefore) {
            _violate(NO_EXTRACTION, "sandwich around an operation was profitable");
        }
    }

    /// @notice Borrows from the pool with a flash loan and, inside the pool's lock, tries an operation,
    /// a liquidity add and a fee collection: all must fail (nothing trades or settles on a locked pool).
    function flashThenOperateV3(bool borrowToken, uint256 amount, uint256 opSeed) external {
        uint256 held = IERC20(borrowToken ? address(stable) : address(usdc)).balanceOf(address(pool));
        amount = _bound(amount, 1, held / 2);
        bool zero = borrowToken == tokenIsToken0;
        pool.flash(address(this), zero ? amount : 0, zero ? 0 : amount, abi.encode(borrowToken, amount, opSeed));
    }

    /// @notice Uniswap V3 flash callback: repays the loan and its fee (tokens minted through the reserve).
    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external {
        require(msg.sender == address(pool), "not the pool");
        (bool borrowedToken, uint256 amount, uint256 opSeed) = abi.decode(data, (bool, uint256, uint256));
        _attemptOperationInsideLock(opSeed);
        uint128 polBefore = lm.positionLiquidity();
        try lm.addLiquidity(polBefore / 10 + 1, type(uint256).max, type(uint256).max) {} catch {}
        try lm.collectFees() {} catch {}
        if (lm.positionLiquidity() != polBefore) _violate(NO_EXTRACTION, "the position moved inside a flash loan");
        uint256 owed = amount + fee0 + fee1;
        if (borrowedToken) {
            _mintTokensFor(address(this), owed);
            stable.transfer(address(pool), owed);
        } else {
            usdc.mint(address(this), owed - amount);
            usdc.transfer(address(pool), owed);
        }
    }

    // ================================================================ protocol-owned liquidity

    /// @notice The keeper adds up to `quote` of liquidity at the position's range (the peg's, when empty).
    function lmAdd(uint256 quote) external {
        quote = _bound(quote, 1e6, 20_000e6);
        // A top-up collects the fees owed first (FeesCollected; tokens burn, quote to the Reserve):
        // collected here through the same path, so the ledger below sees only the add's own amounts.
        StrategyPos memory feePos = _strategyPos();
        (uint256 feeTokensBurned, uint256 feeQuote) = lm.collectFees();
        _settlePosition(feePos, feeTokensBurned, feeQuote);
        (int24 lower, int24 upper) = lm.positionLiquidity() == 0 ? lm.rangeAtPeg() : (lm.tickLower(), lm.tickUpper());
        uint128 liquidity = _liquidityFor(lower, upper, quote * 1e12, quote);
        (bool ratioKnown, uint256 ratioBefore) = _ratio();
        uint256 targetWad = policy.targetRatio();
        FeedState memory feed = _feedState(address(usdc));
        StrategyPos memory pos = _strategyPos();
        try lm.addLiquidity(liquidity, type(uint256).max, type(uint256).max) returns (uint256 tokensMinted, uint256 quoteSpent) {
            ghostSupply += tokensMinted;
            ghostBooked[address(usdc)] -= quoteSpent;
            _settleStrategy(pos);
            if (feed.status != FEED_OK) _violate(ORACLE, "liquidity added without the quote's fresh price");
            if (lm.quoteDeployedWad() > lm.maxQuoteDeployedWad()) _violate(KEEPER_BOUNDS, "protocol-owned quote above its cap");
            (bool ratioNowKnown, uint256 ratioAfter) = _ratio();
            if (ratioKnown && ratioNowKnown && ratioAfter < Math.min(ratioBefore, targetWad)) {
                _violate(SOLVENCY, "adding liquidity left the ratio below min(before, target)");
            }
            _checkPositionBooks();
        } catch (bytes memory reason) {
            _bubble(reason);
        }
    }

    /// @notice The keeper removes part or all of the position: its tokens burn, its quote returns to the Reserve.
    function lmRemove(uint256 liquiditySeed) external {
        uint128 held = lm.positionLiquidity();
        if (held == 0) return;
        uint128 liquidity = uint128(_bound(liquiditySeed, 1, held));
        StrategyPos memory pos = _strategyPos();
        (uint256 tokensBurned, uint256 quoteReturned) = lm.removeLiquidity(liquidity, 0, 0);
        _settlePosition(pos, tokensBurned, quoteReturned);
    }

    /// @notice Anyone collects the position's fees: tokens burn, quote goes to the Reserve.
    function lmCollect(uint256 actorSeed) external {
        StrategyPos memory pos = _strategyPos();
        vm.prank(_actor(actorSeed));
        (uint256 tokensBurned, uint256 quoteReturned) = lm.collectFees();
        _settlePosition(pos, tokensBurned, quoteReturned);
    }

    /// @notice A stranger tries the LiquidityManager's privileged calls; every one must be refused.
    function lmStrangerCall(uint256 actorSeed, uint256 which) external {
        bytes memory data;
        uint256 w = which % 5;
        if (w == 0) data = abi.encodeCall(lm.addLiquidity, (1e12, type(uint256).max, type(uint256).max));
        else if (w == 1) data = abi.encodeCall(lm.removeLiquidity, (1, 0, 0));
        else if (w == 2) data = abi.encodeCall(lm.setMaxQuoteDeployedWad, (POL_CAP_WAD * 10));
        else if (w == 3) data = abi.encodeCall(lm.setRangeBps, (POL_RANGE_BPS + 1));
        else data = abi.encodeCall(lm.uniswapV3MintCallback, (0, 1e6, ""));
        vm.prank(_actor(actorSeed));
        (bool ok,) = address(lm).call(data);
        if (ok) _violate(ACCESS, "a stranger's LiquidityManager call succeeded");
    }

    // ================================================================ helpers

    /// @dev V3 has no reserves: its virtual reserves at the current price, scaled so the token side is
    /// 1e48 (the checks only use their ratio, the spot price; the scale keeps it exact to ~1e-36).
    function _reserves() internal view override returns (uint256 rT, uint256 rQ) {
        (uint160 sqrtP,,,,,,) = pool.slot0();
        uint256 scale = 1e48;
        uint256 ratio = Math.mulDiv(Math.mulDiv(scale, sqrtP, 1 << 96), sqrtP, 1 << 96);
        // ratio = raw token1 per token0, scaled: quote per token when the token is token0.
        return tokenIsToken0 ? (scale, ratio) : (ratio, scale);
    }

    /// @dev `who` swaps through the router (exact input when `amountSpecified` is positive, exact
    /// output when negative, as the pool takes it), stopping at ±20% of the peg.
    function _traderSwap(address who, bool sellToken, int256 amountSpecified) internal {
        vm.prank(who);
        IERC20(sellToken ? address(stable) : address(usdc)).approve(address(trader), type(uint256).max);
        bool zeroForOne = sellToken == tokenIsToken0;
        uint256 peg = _sqrtPegX96();
        uint160 limit = uint160(zeroForOne ? (peg * SQRT_DOWN_BPS) / BPS : (peg * SQRT_UP_BPS) / BPS);
        vm.prank(who);
        trader.swap(pool, zeroForOne, amountSpecified, limit);
    }

    function _ratio() internal view returns (bool ok, uint256 ratioWad) {
        try reserve.collateralRatio() returns (uint256 r) {
            return (true, r);
        } catch {}
    }

    /// @dev A removal or collection: the burned tokens leave the supply, the quote is booked again.
    function _settlePosition(StrategyPos memory pos, uint256 tokensBurned, uint256 quoteReturned) internal {
        ghostSupply -= tokensBurned;
        ghostBooked[address(usdc)] += quoteReturned;
        _settleStrategy(pos);
        _checkPositionBooks();
    }

    /// @dev The manager keeps nothing between calls, and its recorded liquidity is the pool's position.
    function _checkPositionBooks() internal {
        if (stable.balanceOf(address(lm)) != 0 || usdc.balanceOf(address(lm)) != 0) {
            _violate(RESERVE_ACCOUNTING, "the LiquidityManager kept funds");
        }
        bytes32 key = keccak256(abi.encodePacked(address(lm), lm.tickLower(), lm.tickUpper()));
        (uint128 inPool,,,,) = pool.positions(key);
        if (inPool != lm.positionLiquidity()) _violate(RESERVE_ACCOUNTING, "the position's liquidity differs from the pool's");
    }
}
