// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CheatCodes} from "../utils/Vm.sol";
import {BallastHandler} from "./BallastHandler.sol";
import {BallastDollar} from "../../../contracts/BallastDollar.sol";
import {Reserve} from "../../../contracts/Reserve.sol";
import {PriceOracle} from "../../../contracts/PriceOracle.sol";
import {CollateralPolicy} from "../../../contracts/CollateralPolicy.sol";
import {MarketOperator} from "../../../contracts/MarketOperator.sol";
import {IReserve} from "../../../contracts/interfaces/IReserve.sol";
import {IMarketOperator} from "../../../contracts/interfaces/IMarketOperator.sol";
import {ICollateralPolicy} from "../../../contracts/interfaces/ICollateralPolicy.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title The Ballast invariant campaign (docs/invariants.md)
/// @notice forge calls random sequences of the handler's steps (depth 32 per run) and every
/// `invariant_*` function after every step. The handler reads the protocol through the same
/// system it deployed; this contract only asks it for addresses and ledgers.
contract BallastInvariants is CheatCodes {
    bool public IS_TEST = true;
    BallastHandler internal handler;

    BallastDollar internal stable;
    Reserve internal reserve;
    PriceOracle internal oracle;
    CollateralPolicy internal policy;
    MarketOperator internal operator;
    address internal pairAddr;
    address internal usdc;
    address internal weth;

    function setUp() public {
        handler = _newHandler();
        (stable, reserve, oracle, policy, operator) = handler.core();
        (pairAddr, usdc, weth) = handler.market();
    }

    /// @dev The handler of the venue under test (the V2 pair here; BallastV3Invariants: the V3 pool).
    function _newHandler() internal virtual returns (BallastHandler) {
        return new BallastHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view virtual returns (FuzzSelector[] memory selectors) {
        bytes4[] memory s = new bytes4[](41);
        s[0] = handler.mint.selector;
        s[1] = handler.redeem.selector;
        s[2] = handler.roundTrip.selector;
        s[3] = handler.transfer.selector;
        s[4] = handler.burn.selector;
        s[5] = handler.contribute.selector;
        s[6] = handler.swap.selector;
        s[7] = handler.flashSwapThenOperate.selector;
        s[8] = handler.sandwich.selector;
        s[9] = handler.donateToReserve.selector;
        s[10] = handler.donateToStrategy.selector;
        s[11] = handler.donateToPool.selector;
        s[12] = handler.moveFeed.selector;
        s[13] = handler.breakFeed.selector;
        s[14] = handler.healFeed.selector;
        s[15] = handler.warp.selector;
        s[16] = handler.refreshRatio.selector;
        s[17] = handler.keeperExpand.selector;
        s[18] = handler.keeperContract.selector;
        s[19] = handler.keeperRebalance.selector;
        s[20] = handler.keeperUpkeep.selector;
        s[21] = handler.guardianPause.selector;
        s[22] = handler.guardianUnpause.selector;
        s[23] = handler.adminUnpause.selector;
        // (check_* functions are not targets: forge only fuzzes the handler.)
        // Weight the steps that move the market: they are what makes operations reachable.
        s[24] = handler.swap.selector;
        s[25] = handler.warp.selector;
        s[26] = handler.pressure.selector;
        s[27] = handler.pressure.selector;
        s[28] = handler.keeperExpand.selector;
        s[29] = handler.keeperContract.selector;
        s[30] = handler.keeperUpkeep.selector;
        s[31] = handler.strangerCall.selector;
        // Reserve v2: a pausing vault, stale (degraded) and malformed feeds, the stable lane.
        s[32] = handler.pauseVault.selector;
        s[33] = handler.staleFeed.selector;
        s[34] = handler.malformFeed.selector;
        s[35] = handler.laneTrade.selector;
        s[36] = handler.laneTrade.selector;
        s[37] = handler.degradedRedeem.selector;
        // Last good prices for a feed that breaks (not stale): recorded from fresh answers only.
        s[38] = handler.recordPrices.selector;
        s[39] = handler.brokenRedeem.selector;
        // Issue 17: the cached recovery flag the lane charges by, renewed by anyone.
        s[40] = handler.poke.selector;
        selectors = new FuzzSelector[](1);
        selectors[0] = FuzzSelector(address(handler), s);
    }

    /// Supply equals the ledger of successful mints minus burns, and the sum of all balances.
    /// @notice Every invariant, checked after every step of every run. One campaign instead of
    /// one per invariant: forge would otherwise replay a separate campaign for each function.
    function invariant_protocol() public view {
        string memory failures;
        failures = _collect(failures, this.check01_supplyAccounting);
        failures = _collect(failures, this.check02_reserveAccounting);
        failures = _collect(failures, this.check03_solvency);
        failures = _collect(failures, this.check04_noExtraction);
        failures = _collect(failures, this.check05_towardPeg);
        failures = _collect(failures, this.check06_marketOpLossBound);
        failures = _collect(failures, this.check07_ratioBounds);
        failures = _collect(failures, this.check08_keeperBounds);
        failures = _collect(failures, this.check09_access);
        failures = _collect(failures, this.check10_pause);
        failures = _collect(failures, this.check11_rounding);
        failures = _collect(failures, this.check12_oracleFailClosed);
        failures = _collect(failures, this.check13_decimals);
        if (bytes(failures).length != 0) revert(failures);
    }

    /// @dev Runs one check; appends its message when it fails, so every broken invariant is named.
    function _collect(string memory failures, function() external view check) internal view returns (string memory) {
        try check() {
            return failures;
        } catch Error(string memory reason) {
            return bytes(failures).length == 0 ? reason : string.concat(failures, " | ", reason);
        }
    }

    /// [INV-1]
    function check01_supplyAccounting() public view {
        uint256 supply = stable.totalSupply();
        require(supply == handler.ghostSupply(), "INV-1: supply differs from the mint/burn ledger");
        address[3] memory a = handler.actors();
        uint256 sum = stable.balanceOf(a[0]) + stable.balanceOf(a[1]) + stable.balanceOf(a[2])
            + stable.balanceOf(address(handler)) + stable.balanceOf(pairAddr) + stable.balanceOf(address(0xA11CE))
            + stable.balanceOf(address(reserve)) + stable.balanceOf(address(operator));
        require(sum == supply, "INV-1: balances do not sum to the supply");
        _noViolation(handler.SUPPLY());
    }

    /// idle + principal equals the ledger (donations excluded); the tokens are really there.
    /// [INV-2]
    function check02_reserveAccounting() public view {
        _checkBooks(usdc);
        _checkBooks(weth);
        _noViolation(handler.RESERVE_ACCOUNTING());
    }

    /// [INV-3]
    function check03_solvency() public view {
        _noViolation(handler.SOLVENCY());
    }

    /// [INV-4]
    function check04_noExtraction() public view {
        _noViolation(handler.NO_EXTRACTION());
    }

    /// [INV-5]
    function check05_towardPeg() public view {
        _noViolation(handler.TOWARD_PEG());
    }

    /// [INV-6]
    function check06_marketOpLossBound() public view {
        _noViolation(handler.MARKET_OP_LOSS());
    }

    /// The target stays within [min, max(max, risk floor)] ⊂ [100%, 200%]; steps and cooldown hold.
    /// [INV-7]
    function check07_ratioBounds() public view {
        uint256 target = policy.targetRatio();
        ICollateralPolicy.Params memory p = policy.params();
        require(target >= p.minRatioWad && target >= 1e18 && target <= 2e18, "INV-7: target outside its bounds");
        _noViolation(handler.RATIO_BOUNDS());
    }

    /// Epoch caps hold at every step, whatever the keeper asked for.
    /// [INV-8]
    function check08_keeperBounds() public view {
        IMarketOperator.Limits memory lim = operator.limits();
        IMarketOperator.EpochState memory e = operator.epoch();
        require(e.netMinted <= int256(lim.maxExpansionPerEpoch), "INV-8: epoch net mint above its cap");
        require(e.contracted <= lim.maxContractionPerEpoch, "INV-8: epoch contraction above its cap");
        _noViolation(handler.KEEPER_BOUNDS());
    }

    /// Only the reserve and the operator can mint; no campaign actor ever holds a power role.
    /// [INV-9]
    function check09_access() public view {
        bytes32 minter = stable.MINTER_ROLE();
        require(stable.hasRole(minter, address(reserve)) && stable.hasRole(minter, address(operator)), "INV-9: minters changed");
        address[3] memory a = handler.actors();
        for (uint256 i = 0; i < 3; ++i) {
            require(!stable.hasRole(minter, a[i]), "INV-9: an actor can mint");
            require(!reserve.hasRole(reserve.OPERATOR_ROLE(), a[i]), "INV-9: an actor is reserve operator");
        }
        require(!stable.hasRole(minter, address(handler)), "INV-9: the keeper can mint directly");
        require(!reserve.hasRole(reserve.OPERATOR_ROLE(), address(handler)), "INV-9: the keeper can move reserve funds");
        _noViolation(handler.ACCESS());
    }

    /// [INV-10]
    function check10_pause() public view {
        _noViolation(handler.PAUSE());
    }

    /// Sum of all claims ≤ reserve: redeeming the whole supply would pay at most the gross value
    /// (redemptions pay gross value since issue 16; haircuts gate minting, not redemption).
    /// [INV-11]
    function check11_rounding() public view {
        uint256 supply = stable.totalSupply();
        if (supply == 0) return;
        try reserve.grossValue() returns (uint256 valueWad) {
            _claimFits(usdc, supply, valueWad);
            _claimFits(weth, supply, valueWad);
        } catch {}
        _noViolation(handler.ROUNDING());
    }

    /// [INV-12]
    function check12_oracleFailClosed() public view {
        _noViolation(handler.ORACLE());
    }

    /// [INV-13]
    function check13_decimals() public view {
        _noViolation(handler.DECIMALS());
    }

    // ------------------------------------------------------------------ helpers

    function _checkBooks(address asset) internal view {
        IReserve.Holdings memory h = reserve.holdings(asset);
        require(h.idle + h.strategyPrincipal == handler.ghostBooked(asset), "INV-2: booked amount differs from the ledger");
        require(IERC20Metadata(asset).balanceOf(address(reserve)) >= h.idle, "INV-2: idle not held");
        address strategy = reserve.strategyOf(asset);
        if (strategy != address(0)) {
            require(IERC4626(strategy).balanceOf(address(reserve)) == h.strategyShares, "INV-2: shares not held");
        }
    }

    function _claimFits(address asset, uint256 supply, uint256 valueWad) internal view {
        (bool ok, uint256 priceWad) = oracle.tryPrice(asset);
        if (!ok) return;
        uint256 out = reserve.previewRedeem(asset, supply);
        uint256 paidWad = (out * priceWad) / 10 ** IERC20Metadata(asset).decimals();
        require(paidWad <= valueWad, "INV-11: claims exceed the reserve");
    }

    function _noViolation(uint256 id) internal view {
        if (handler.violations(id) != 0) revert(string.concat("INV-", _itoa(id), ": ", handler.lastViolation(id)));
    }

    function _itoa(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v != 0) {
            b = abi.encodePacked(bytes1(uint8(48 + (v % 10))), b);
            v /= 10;
        }
        return string(b);
    }
}
