/** Uniswap V3 maths mirrored in exact bigint (pure): tick maths, swap steps, multi-tick swaps. */
export * from "./fullMath";
export * from "./tickMath";
export * from "./sqrtPriceMath";
export * from "./swapMath";
export * from "./pool";
export * from "./liquidityAmounts";
export * from "./price";
