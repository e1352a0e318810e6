/** The market simulator: scenarios, the model, the policies, the runner and the reports. */
export * from "./types";
export * from "./scenario";
export * from "./market";
export * from "./ballastReserve";
export * from "./engine";
export * from "./metrics";
export * from "./runAll";
export * from "./report";
