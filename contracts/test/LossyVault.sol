// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title LossyVault: OpenZeppelin's ERC-4626 strategy that can lose the assets it holds
/// @notice Tests only: `loseAssets` moves assets out of the vault as an exploit of the strategy (or
/// its insolvency) would, so every share is suddenly worth less than the reserve put in.
contract LossyVault is ERC4626 {
    using SafeERC20 for IERC20;

    constructor(IERC20 asset_) ERC20("Lossy strategy (test)", "bLOSS") ERC4626(asset_) {}

    function loseAssets(address to, uint256 amount) external {
        IERC20(asset()).safeTransfer(to, amount);
    }
}
