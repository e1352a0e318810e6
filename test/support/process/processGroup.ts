/** Moved to scripts/devnet (shared by tests and `npm start`); kept so tests' imports stay short. */
export * from "../../../scripts/devnet/processGroup";
