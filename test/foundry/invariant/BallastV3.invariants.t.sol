// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BallastInvariants} from "./Ballast.invariants.t.sol";
import {BallastHandler} from "./BallastHandler.sol";
import {BallastHandlerV3} from "./BallastHandlerV3.sol";

/// @title The Ballast invariant campaign on the Uniswap V3 venue (docs/invariants.md)
/// @notice The V2 campaign's invariants and steps, on the V3 system: each step that only exists on
/// the V2 pair gives its slot to the pool's counterpart, and the LiquidityManager's steps join.
contract BallastV3Invariants is BallastInvariants {
    function _newHandler() internal override returns (BallastHandler) {
        return new BallastHandlerV3();
    }

    function targetSelectors() public view override returns (FuzzSelector[] memory selectors) {
        bytes4[] memory v2 = super.targetSelectors()[0].selectors;
        bytes4[5] memory extra = [
            BallastHandlerV3.lmAdd.selector,
            BallastHandlerV3.lmRemove.selector,
            BallastHandlerV3.lmCollect.selector,
            BallastHandlerV3.lmStrangerCall.selector,
            BallastHandlerV3.swapV3.selector
        ];
        uint256 n = v2.length;
        bytes4[] memory s = new bytes4[](n + extra.length);
        for (uint256 i = 0; i < n; ++i) s[i] = _onV3(v2[i]);
        for (uint256 i = 0; i < extra.length; ++i) s[n + i] = extra[i];
        selectors = new FuzzSelector[](1);
        selectors[0] = FuzzSelector(address(handler), s);
    }

    /// @dev The V3 step for a V2-only one (same weight); every other step runs as it is.
    function _onV3(bytes4 s) internal pure returns (bytes4) {
        if (s == BallastHandler.swap.selector) return BallastHandlerV3.swapV3.selector;
        if (s == BallastHandler.pressure.selector) return BallastHandlerV3.pressureV3.selector;
        if (s == BallastHandler.flashSwapThenOperate.selector) return BallastHandlerV3.flashThenOperateV3.selector;
        if (s == BallastHandler.sandwich.selector) return BallastHandlerV3.sandwichV3.selector;
        if (s == BallastHandler.donateToPool.selector) return BallastHandlerV3.lmCollect.selector;
        return s;
    }
}
