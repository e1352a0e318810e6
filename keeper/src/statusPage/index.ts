/** The status page: its state (built on the one status model), HTTP routes, the loop subscriber. */
export * from "./types";
export * from "./format";
export * from "./model";
export * from "./routes";
export * from "./keeperFeed";
