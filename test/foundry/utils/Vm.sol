// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The few Foundry cheatcodes the campaigns use
/// @notice forge-std is not installable here, so this is our own minimal interface to the cheatcode
/// address (`address(uint160(uint256(keccak256("hevm cheat code"))))`). Signatures follow Foundry's
/// documented cheatcode ABI.
interface Vm {
    function warp(uint256 newTimestamp) external;
    function roll(uint256 newHeight) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function label(address account, string calldata newLabel) external;
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function parseBytes(string calldata value) external pure returns (bytes memory);
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);
}

/// @dev The cheatcode address and the struct forge reads from `targetSelectors()`.
abstract contract CheatCodes {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }
}
