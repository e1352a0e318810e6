/** The keeper's transaction manager: journal, fees, nonce handling, replacement and recovery. */
export * from "./chain";
export * from "./errors";
export * from "./fees";
export * from "./journal";
export * from "./metrics";
export * from "./sendErrors";
export * from "./txManager";
export * from "./managedTxSender";
export * from "./settings";
export * from "./wiring";
