/**
 * The keeper's typed errors. Each carries a stable `code` for logs and metrics and, where one
 * exists, the underlying `cause`.
 */
export class KeeperError extends Error {
  readonly code: string = "KEEPER_ERROR";
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
  override readonly code = "CONFIG_ERROR";
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join("\n")}`);
  }
}

/** The address book is missing, malformed or does not match the chain. */
export class AddressBookError extends KeeperError {
  override readonly code = "ADDRESS_BOOK_ERROR";
}

/** A JSON-RPC call failed; `endpoint` is the redacted origin of the URL. */
export class RpcError extends KeeperError {
  override readonly code = "RPC_ERROR";
  constructor(readonly endpoint: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The static call (simulation) reverted; `errorName` is the decoded custom error. */
export class SimulationRevertedError extends KeeperError {
  override readonly code = "SIMULATION_REVERTED";
  constructor(readonly errorName: string, readonly detail: string, options?: { cause?: unknown }) {
    super(`simulation reverted: ${detail}`, options);
  }
}

/** A sent transaction was mined and reverted, or did not confirm in time. */
export class TxFailedError extends KeeperError {
  override readonly code = "TX_FAILED";
  constructor(readonly hash: string, readonly nonce: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
