/** Moved to scripts/devnet/node.ts (shared dev tooling); kept so tests' imports stay short. */
export { startAnvil, type RunningNode as RunningAnvil } from "../../../scripts/devnet/node";
