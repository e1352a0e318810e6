// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IBallastDollar} from "./interfaces/IBallastDollar.sol";

/// @title BallastDollar (BLD)
/// @notice See {IBallastDollar}.
contract BallastDollar is IBallastDollar, ERC20, ERC20Burnable, ERC20Permit, AccessControl {
    /// @notice May create supply. Held only by the Reserve and the MarketOperator.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    constructor(address admin) ERC20("Ballast Dollar", "BLD") ERC20Permit("Ballast Dollar") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IBallastDollar
    function mint(address to, uint256 amount) external override onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc IBallastDollar
    function burn(uint256 amount) public override(IBallastDollar, ERC20Burnable) {
        super.burn(amount);
    }

    /// @inheritdoc IBallastDollar
    function burnFrom(address from, uint256 amount) public override(IBallastDollar, ERC20Burnable) {
        super.burnFrom(from, amount);
    }
}
