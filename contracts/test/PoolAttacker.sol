// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IUniswapV2PairMinimal} from "../interfaces/IUniswapV2PairMinimal.sol";

/// @title PoolAttacker: moves the real Uniswap V2 pool and calls a target in the same transaction
/// @notice Tests only (the Harvest / Inverse / Mango pattern). `swapThenCall` trades against the
/// pair to push its spot price and then calls `target` (for instance the market operator, when
/// this contract holds KEEPER_ROLE as a compromised keeper would); `flashThenCall` borrows from
/// the pair and makes the call inside the flash-swap callback, before repaying with the pair fee.
/// Reverts from the target are re-raised unchanged, so tests can assert the exact error.
contract PoolAttacker {
    using SafeERC20 for IERC20;

    error NotPair(address caller);

    IUniswapV2PairMinimal public immutable pair;
    address private _target;
    bytes private _payload;

    constructor(IUniswapV2PairMinimal pair_) {
        pair = pair_;
    }

    /// @notice Sends `amountIn` of `tokenIn` to the pair, takes `out0`/`out1`, then calls `target`.
    function swapThenCall(address tokenIn, uint256 amountIn, uint256 out0, uint256 out1, address target, bytes calldata payload)
        external
        returns (bytes memory result)
    {
        IERC20(tokenIn).safeTransfer(address(pair), amountIn);
        pair.swap(out0, out1, address(this), "");
        return Address.functionCall(target, payload);
    }

    /// @notice Flash-borrows `out0`/`out1` and calls `target` inside the pair's callback.
    function flashThenCall(uint256 out0, uint256 out1, address target, bytes calldata payload) external {
        _target = target;
        _payload = payload;
        pair.swap(out0, out1, address(this), hex"01");
    }

    /// @notice Uniswap V2 flash-swap callback: make the call, then repay what was borrowed plus fee.
    function uniswapV2Call(address, uint256 amount0, uint256 amount1, bytes calldata) external {
        if (msg.sender != address(pair)) revert NotPair(msg.sender);
        Address.functionCall(_target, _payload);
        if (amount0 != 0) IERC20(pair.token0()).safeTransfer(address(pair), (amount0 * 1000) / 997 + 1);
        if (amount1 != 0) IERC20(pair.token1()).safeTransfer(address(pair), (amount1 * 1000) / 997 + 1);
    }
}
