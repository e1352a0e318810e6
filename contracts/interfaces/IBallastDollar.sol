// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title BallastDollar, the elastic-supply stablecoin
/// @notice A plain ERC-20 with EIP-2612 permit, 18 decimals. Balances never change by themselves
/// (no rebasing): supply grows only through `mint`, held by MINTER_ROLE (the Reserve for user
/// mints, the MarketOperator for expansions), and shrinks only by holders burning.
/// @dev Trust: a MINTER_ROLE holder can mint without limit; only protocol contracts that enforce
/// their own caps may hold it. DEFAULT_ADMIN_ROLE grants and revokes it.
interface IBallastDollar is IERC20 {
    /// @notice Raised when a zero address is given where an account is required.
    error ZeroAddress();

    /// @notice Mints `amount` (18 decimals) to `to`. Only MINTER_ROLE.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` from the caller's balance.
    function burn(uint256 amount) external;

    /// @notice Burns `amount` from `from`, spending the caller's allowance.
    function burnFrom(address from, uint256 amount) external;
}
