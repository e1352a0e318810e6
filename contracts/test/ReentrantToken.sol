// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title ReentrantToken: a collateral token that calls back into a target on every transfer
/// @notice Tests only (the Lendf.Me / ERC-777 hook attack). Once armed, each transfer first calls
/// `target` with `payload` (for instance `Reserve.mint` or `Reserve.redeem`), so a protocol that
/// updates its books after moving tokens would be entered in the middle of its own call. The
/// callback's revert is re-raised, so a guard that rejects it makes the outer call revert too.
contract ReentrantToken is ERC20 {
    address public hookTarget;
    bytes public payload;
    bool public armed;
    uint256 public reentries;

    constructor() ERC20("Reentrant (test)", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        hookTarget = target_;
        payload = payload_;
        armed = true;
    }

    function disarm() external {
        armed = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0) && to != address(0)) {
            armed = false; // one re-entry per arming, so the attack cannot loop
            reentries += 1;
            Address.functionCall(hookTarget, payload);
        }
        super._update(from, to, value);
    }
}
