/** Errors of the transaction manager; each names what went wrong and the value involved. */
import { KeeperError } from "../errors";

export class TxManagerError extends KeeperError {}

/** Another live process holds the journal: two senders on one key would race for nonces. */
export class JournalLockedError extends TxManagerError {}

/** A configuration value of the transaction manager is out of range. */
export class TxConfigError extends TxManagerError {}
