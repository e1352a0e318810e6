// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Test-only ERC-4626 vault with two faults a test can switch on: paused the way ERC-4626
/// allows (`previewRedeem` and the other previews/limits revert, as `redeem` would, and every entry
/// and exit reverts), and short-changing deposits (minting fewer shares than `previewDeposit`
/// promised, which ERC-4626 forbids). Anyone can flip them (a test stands in for the vault).
contract FaultyVault is ERC4626 {
    error VaultPaused();

    bool public paused;
    /// @notice Share of each deposit's shares withheld, bps.
    uint256 public shortChangeBps;

    constructor(IERC20 asset_) ERC20("Faulty vault", "fVAULT") ERC4626(asset_) {}

    function setPaused(bool paused_) external {
        paused = paused_;
    }

    function setShortChangeBps(uint256 bps) external {
        shortChangeBps = bps;
    }

    function deposit(uint256 assets, address receiver) public override returns (uint256) {
        uint256 shares = previewDeposit(assets) * (10_000 - shortChangeBps) / 10_000;
        _deposit(_msgSender(), receiver, assets, shares);
        return shares;
    }

    function previewRedeem(uint256 shares) public view override returns (uint256) {
        _requireLive();
        return super.previewRedeem(shares);
    }

    function previewDeposit(uint256 assets) public view override returns (uint256) {
        _requireLive();
        return super.previewDeposit(assets);
    }

    function maxWithdraw(address owner) public view override returns (uint256) {
        _requireLive();
        return super.maxWithdraw(owner);
    }

    function maxRedeem(address owner) public view override returns (uint256) {
        _requireLive();
        return super.maxRedeem(owner);
    }

    function maxDeposit(address receiver) public view override returns (uint256) {
        _requireLive();
        return super.maxDeposit(receiver);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        _requireLive();
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        _requireLive();
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    function _requireLive() private view {
        if (paused) revert VaultPaused();
    }
}
