/** Errors of the transaction manager; each names what went wrong and the value involved. */

export class TxManagerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another live process holds the journal: two senders on one key would race for nonces. */
export class JournalLockedError extends TxManagerError {}

/** A configuration value of the transaction manager is out of range. */
export class TxConfigError extends TxManagerError {}
