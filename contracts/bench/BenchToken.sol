// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Gas baseline: a plain OpenZeppelin ERC20 with an unrestricted mint and burn
/// @notice Benchmark only (scripts/bench.ts). The transfer/transferFrom floor Ballast's token is
/// measured against, and the token the swap-facility and market-operation floors move.
contract BenchToken is ERC20 {
    constructor() ERC20("Bench Token", "BENCH") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}
