/** Several RPC endpoints with health scoring, failover and same-bytes re-broadcast. */
export * from "./endpointHealth";
export * from "./errors";
export * from "./logger";
export * from "./metrics";
export * from "./poolProvider";
export * from "./rpcPool";
