/** The status page: state model, HTTP routes, chain read for reserve detail. */
export * from "./types";
export * from "./format";
export * from "./model";
export * from "./reserveReader";
export * from "./routes";
export * from "./keeperFeed";
