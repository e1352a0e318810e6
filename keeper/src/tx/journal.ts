/**
 * The write-ahead journal of the transaction manager, in SQLite (WAL, synchronous=FULL, so each
 * committed step is on disk before the next side effect). An action moves
 *   prepared → signed → sent → mined → confirmed | reverted | cancelled | dropped
 * and every signed transaction (the action, its fee-bumped replacements, a cancel) is an attempt
 * with its raw bytes, hash and nonce, recorded BEFORE it is broadcast. After a crash the journal
 * says exactly what may be in flight, so a restart adopts it instead of signing again.
 *
 * One process per journal: a lock file next to it holds the owner's pid.
 *
 * A journal belongs to one chain, named by its genesis block hash (the chain id alone cannot tell a
 * restarted local node from the one before it). A journal written on another chain is set aside
 * (renamed beside itself) and a fresh one opened: its attempts were never on this chain, so
 * replaying them would adopt ghosts, and the new chain's first transaction can have the very bytes
 * (and hash) of the old chain's first.
 */
import Database from "better-sqlite3";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { JournalLockedError } from "./errors";

export type ActionStatus =
  | "prepared"
  | "signed"
  | "sent"
  | "mined"
  | "confirmed"
  | "reverted"
  | "cancelled"
  | "dropped";
export type AttemptStatus = "signed" | "sent" | "mined" | "replaced" | "dropped" | "rejected";
/** `action`: the keeper's call; `filler`: a zero-value self-transfer that closes a nonce gap. */
export type ActionKind = "action" | "filler";
/** `action`: the call itself (first or fee-bumped); `cancel`: a zero-value self-transfer at its nonce. */
export type AttemptKind = "action" | "cancel";

export const UNRESOLVED: readonly ActionStatus[] = ["prepared", "signed", "sent", "mined"];

/** What the keeper asks the journal to record for a new action. */
export interface NewAction {
  key: string;
  kind: ActionKind;
  sender: string;
  chainId: bigint;
  to: string;
  data: string;
  value: bigint;
  gasLimit: bigint;
}

/** A recorded action: the request, its nonce once signed, and where it stands. */
export interface ActionRecord extends NewAction {
  id: number;
  nonce: number | null;
  status: ActionStatus;
  note: string | null;
  createdAtMs: number;
}

/** A signed transaction, recorded before it is broadcast. */
export interface NewAttempt {
  kind: AttemptKind;
  nonce: number;
  hash: string;
  raw: string;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface AttemptRecord extends NewAttempt {
  id: number;
  actionId: number;
  status: AttemptStatus;
  blockNumber: number | null;
  blockHash: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  sender TEXT NOT NULL,
  chain_id TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  data TEXT NOT NULL,
  value TEXT NOT NULL,
  gas_limit TEXT NOT NULL,
  nonce INTEGER,
  status TEXT NOT NULL,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  action_id INTEGER NOT NULL REFERENCES actions(id),
  kind TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  raw TEXT NOT NULL,
  max_fee_per_gas TEXT NOT NULL,
  max_priority_fee_per_gas TEXT NOT NULL,
  status TEXT NOT NULL,
  block_number INTEGER,
  block_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gas_spends (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_sec INTEGER NOT NULL,
  usd_wad TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_by_status ON actions(sender, chain_id, status);
CREATE INDEX IF NOT EXISTS attempts_by_action ON attempts(action_id);
`;

interface ActionRow {
  id: number;
  key: string;
  kind: string;
  sender: string;
  chain_id: string;
  to_addr: string;
  data: string;
  value: string;
  gas_limit: string;
  nonce: number | null;
  status: string;
  note: string | null;
  created_at: number;
}
interface AttemptRow {
  id: number;
  action_id: number;
  kind: string;
  nonce: number;
  hash: string;
  raw: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  status: string;
  block_number: number | null;
  block_hash: string | null;
}

/** A journal of another chain, moved from `file` to `setAsideAs` before a fresh one was opened. */
export interface SetAsideJournal {
  file: string;
  setAsideAs: string;
  recordedGenesis: string;
  chainGenesis: string;
}

export interface JournalOpenOptions {
  now?: () => number;
  /** The genesis block hash of the chain the keeper is on; a journal of another chain is set aside. */
  genesisHash?: string;
  /** Told when a journal of another chain was set aside (the caller logs it). */
  onSetAside?: (info: SetAsideJournal) => void;
}

const GENESIS_KEY = "genesis_hash";
/** The WAL-mode companions that move with the database file. */
const SQLITE_COMPANIONS = ["", "-wal", "-shm"];

export class Journal {
  private readonly db: Database.Database;
  private readonly lockPath?: string;

  private constructor(db: Database.Database, lockPath?: string) {
    this.db = db;
    this.lockPath = lockPath;
  }

  /**
   * Opens (creating if needed) the journal and takes its single-writer lock. With `genesisHash`, a
   * journal recorded on another chain is set aside first; one with no chain recorded yet (new, or
   * written before journals knew their chain) is stamped with this chain.
   */
  static open(file: string, options: JournalOpenOptions = {}): Journal {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const lockPath = `${file}.lock`;
    takeLock(lockPath);
    try {
      let db = openDatabase(file);
      if (options.genesisHash !== undefined) {
        const chainGenesis = options.genesisHash.toLowerCase();
        const recordedGenesis = readGenesis(db);
        if (recordedGenesis !== undefined && recordedGenesis !== chainGenesis) {
          db.close();
          const setAsideAs = setAside(file, recordedGenesis, Date.now());
          options.onSetAside?.({ file, setAsideAs, recordedGenesis, chainGenesis });
          db = openDatabase(file);
        }
        if (recordedGenesis !== chainGenesis) {
          db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(GENESIS_KEY, chainGenesis);
        }
      }
      const journal = new Journal(db, lockPath);
      if (options.now) journal.now = options.now;
      return journal;
    } catch (error) {
      rmSync(lockPath, { force: true });
      throw error;
    }
  }

  /** Opens a journal read-only without the lock: for status commands and tests. */
  static inspect(file: string): Journal {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return new Journal(db);
  }

  now: () => number = Date.now;

  /** The genesis block hash of the chain this journal belongs to, if recorded. */
  genesisHash(): string | undefined {
    return readGenesis(this.db);
  }

  close(): void {
    this.db.close();
    if (this.lockPath) rmSync(this.lockPath, { force: true });
  }

  /**
   * The keeper's gas budget ledger, beside its transactions: a spend (USD as WAD, at a unix second)
   * recorded here survives a restart, so the rolling 24 h budget does too.
   */
  recordGasSpend(atSec: bigint, usdWad: bigint): void {
    this.db.prepare(`INSERT INTO gas_spends (at_sec, usd_wad) VALUES (?, ?)`).run(Number(atSec), usdWad.toString());
  }

  /** The spends at or after `sinceSec`, oldest first; older ones are deleted (they left every window). */
  gasSpendsSince(sinceSec: bigint): { atSec: bigint; usdWad: bigint }[] {
    this.db.prepare(`DELETE FROM gas_spends WHERE at_sec < ?`).run(Number(sinceSec));
    const rows = this.db.prepare(`SELECT at_sec, usd_wad FROM gas_spends ORDER BY at_sec, id`).all() as {
      at_sec: number;
      usd_wad: string;
    }[];
    return rows.map((r) => ({ atSec: BigInt(r.at_sec), usdWad: BigInt(r.usd_wad) }));
  }

  prepare(action: NewAction): number {
    const t = this.now();
    const info = this.db
      .prepare(
        `INSERT INTO actions (key, kind, sender, chain_id, to_addr, data, value, gas_limit, nonce, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'prepared', ?, ?)`,
      )
      .run(
        action.key,
        action.kind,
        action.sender.toLowerCase(),
        action.chainId.toString(),
        action.to,
        action.data,
        action.value.toString(),
        action.gasLimit.toString(),
        t,
        t,
      );
    return Number(info.lastInsertRowid);
  }

  /** Records a signed attempt (before broadcast) and fixes the action's nonce, atomically. */
  recordSigned(actionId: number, attempt: NewAttempt): AttemptRecord {
    const t = this.now();
    const run = this.db.transaction(() => {
      const action = this.action(actionId);
      if (action.nonce !== null && action.nonce !== attempt.nonce) {
        throw new Error(
          `journal: attempt nonce ${attempt.nonce} differs from action #${actionId}'s nonce ${action.nonce}`,
        );
      }
      this.db
        .prepare(
          `INSERT INTO attempts (action_id, kind, nonce, hash, raw, max_fee_per_gas, max_priority_fee_per_gas, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'signed', ?, ?)`,
        )
        .run(
          actionId,
          attempt.kind,
          attempt.nonce,
          attempt.hash,
          attempt.raw,
          attempt.maxFeePerGas.toString(),
          attempt.maxPriorityFeePerGas.toString(),
          t,
          t,
        );
      this.db
        .prepare(
          `UPDATE actions SET nonce = ?, status = CASE WHEN status = 'prepared' THEN 'signed' ELSE status END, updated_at = ? WHERE id = ?`,
        )
        .run(attempt.nonce, t, actionId);
    });
    run();
    return this.attemptByHash(attempt.hash)!;
  }

  setActionStatus(actionId: number, status: ActionStatus, note?: string): void {
    this.db
      .prepare(`UPDATE actions SET status = ?, note = COALESCE(?, note), updated_at = ? WHERE id = ?`)
      .run(status, note ?? null, this.now(), actionId);
  }

  setAttemptStatus(hash: string, status: AttemptStatus, block?: { number: number; hash: string } | null): void {
    this.db
      .prepare(`UPDATE attempts SET status = ?, block_number = ?, block_hash = ?, updated_at = ? WHERE hash = ?`)
      .run(status, block?.number ?? null, block?.hash ?? null, this.now(), hash);
  }

  action(id: number): ActionRecord {
    const row = this.db.prepare(`SELECT * FROM actions WHERE id = ?`).get(id) as ActionRow | undefined;
    if (!row) throw new Error(`journal: no action #${id}`);
    return toAction(row);
  }

  attempts(actionId: number): AttemptRecord[] {
    return (
      this.db.prepare(`SELECT * FROM attempts WHERE action_id = ? ORDER BY id`).all(actionId) as AttemptRow[]
    ).map(toAttempt);
  }

  attemptByHash(hash: string): AttemptRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM attempts WHERE hash = ?`).get(hash) as AttemptRow | undefined;
    return row ? toAttempt(row) : undefined;
  }

  /** Actions not yet final for this sender on this chain, oldest first. */
  unresolved(sender: string, chainId: bigint): ActionRecord[] {
    const marks = UNRESOLVED.map(() => "?").join(", ");
    return (
      this.db
        .prepare(`SELECT * FROM actions WHERE sender = ? AND chain_id = ? AND status IN (${marks}) ORDER BY id`)
        .all(sender.toLowerCase(), chainId.toString(), ...UNRESOLVED) as ActionRow[]
    ).map(toAction);
  }

  /** Every action, oldest first (status pages and tests). */
  actions(): ActionRecord[] {
    return (this.db.prepare(`SELECT * FROM actions ORDER BY id`).all() as ActionRow[]).map(toAction);
  }

  allAttempts(): AttemptRecord[] {
    return (this.db.prepare(`SELECT * FROM attempts ORDER BY id`).all() as AttemptRow[]).map(toAttempt);
  }
}

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  return db;
}

function readGenesis(db: Database.Database): string | undefined {
  // A read-only journal written before journals knew their chain has no meta table.
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get()) return undefined;
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(GENESIS_KEY) as { value: string } | undefined;
  return row?.value;
}

/** Moves a closed journal (and any WAL companions) beside itself, named after its chain; returns the new path. */
function setAside(file: string, recordedGenesis: string, nowMs: number): string {
  const target = `${file}.chain-${recordedGenesis.slice(2, 14)}-${nowMs}`;
  for (const suffix of SQLITE_COMPANIONS) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  }
  return target;
}

function toAction(r: ActionRow): ActionRecord {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind as ActionKind,
    sender: r.sender,
    chainId: BigInt(r.chain_id),
    to: r.to_addr,
    data: r.data,
    value: BigInt(r.value),
    gasLimit: BigInt(r.gas_limit),
    nonce: r.nonce,
    status: r.status as ActionStatus,
    note: r.note,
    createdAtMs: r.created_at,
  };
}

function toAttempt(r: AttemptRow): AttemptRecord {
  return {
    id: r.id,
    actionId: r.action_id,
    kind: r.kind as AttemptKind,
    nonce: r.nonce,
    hash: r.hash,
    raw: r.raw,
    maxFeePerGas: BigInt(r.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(r.max_priority_fee_per_gas),
    status: r.status as AttemptStatus,
    blockNumber: r.block_number,
    blockHash: r.block_hash,
  };
}

/** Creates the lock file exclusively; a lock left by a dead process (e.g. SIGKILL) is taken over. */
function takeLock(lockPath: string): void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new JournalLockedError(
          `journal ${lockPath.replace(/\.lock$/, "")} is in use by process ${owner}: one keeper per key`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new JournalLockedError(`journal lock ${lockPath} could not be taken`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
