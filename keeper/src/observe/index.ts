/** What the keeper's cycle tells the world: the events, and the log and metrics subscribers (the status page's is in keeper/src/statusPage). */
export * from "./cycleObserver";
export * from "./logObserver";
export * from "./metricsObserver";
