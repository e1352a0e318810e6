/** The keeper's pure decision core: no ethers, no I/O. Shared by the daemon, the simulator and tests. */
export * from "./units";
export * from "./pegMath";
export * from "./venueMath";
export * from "./collateralPolicy";
export * from "./operator";
export * from "./actionNames";
export * from "./snapshot";
export * from "./decide";
export * from "./gasEconomics";
