// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken: a collateral token that burns a fixed share of every transfer
/// @notice Tests only. Models the fee-on-transfer class of tokens (a fee switch, as USDT has, or a
/// transfer tax): the receiver gets `value − value × feeBps / 10_000`. IReserve documents that such
/// assets are accounted by the amount received; an ERC-4626 vault holding one pays out fewer
/// units than its `withdraw` names. Minting and burning are not taxed.
contract FeeOnTransferToken is ERC20 {
    uint256 public immutable feeBps;

    constructor(uint256 feeBps_) ERC20("Fee-on-transfer (test)", "FOT") {
        feeBps = feeBps_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value * feeBps / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
