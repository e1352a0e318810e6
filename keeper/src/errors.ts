/**
 * The keeper's typed errors: one root, `KeeperError`, under which every error the daemon raises
 * sits (configuration, simulation, transactions; the RPC layer's in keeper/src/rpc/errors.ts; the
 * transaction manager's in keeper/src/tx/errors.ts). Each is named by its class and carries, where
 * one exists, the underlying `cause`.
 */
export class KeeperError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem with the configuration, named by its field (dotted path, env var or CLI flag). */
export interface ConfigIssue {
  field: string;
  message: string;
}

/** Every configuration problem found at start, reported together. */
export class ConfigError extends KeeperError {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join("\n")}`);
  }
}

/** The static call (simulation) reverted; `errorName` is the decoded custom error. */
export class SimulationRevertedError extends KeeperError {
  constructor(readonly errorName: string, readonly detail: string, options?: { cause?: unknown }) {
    super(`simulation reverted: ${detail}`, options);
  }
}

/** A sent transaction was mined and reverted, or did not confirm in time. */
export class TxFailedError extends KeeperError {
  constructor(readonly hash: string, readonly nonce: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
