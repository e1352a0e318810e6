/** The one status model (built from a snapshot and its detail read) and its terminal rendering. */
export * from "./model";
export * from "./text";
