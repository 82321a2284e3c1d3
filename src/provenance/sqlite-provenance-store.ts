import { hash } from 'node:crypto';
import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RunKey } from '../usage/usage-store.ts';
import { immediateTransaction, openWorkerDatabase } from '../usage/worker-database.ts';
import type { TrustLabel } from './types.ts';

/** One index row: a keyed digest and where the value it stands for was read. No value, ever. */
export interface IndexEntry {
  /** A `KeyedDigest`: 22 base64url characters, compared on the 128 bits they begin with. */
  digest: string;
  callId: string;
  tool: string;
  field: string;
  trust: TrustLabel;
  confidential: boolean;
  /** The argument that made the output untrusted (`ExecutedCall.selectedBy`), if one did. */
  selectedBy?: string;
}

export interface StoredEntry extends IndexEntry {
  /** When the output was recorded (epoch ms): sources are listed oldest first. */
  recordedAt: number;
}

/**
 * The provenance index of a deployment: per run, keyed digests of what the tool worker's executed
 * calls returned. Shared by every worker process (one SQLite file, WAL mode), as the usage store is.
 * Rows are only added, never removed: what a run has read stays read (`ProvenanceIndex` relies on it).
 */
export interface ProvenanceStore {
  add(run: RunKey, entries: readonly IndexEntry[], recordedAt: number): Promise<void>;
  /** The rows of the run (every execution of its workflow id) whose digest is one of `digests`. */
  find(workflowId: string, digests: readonly string[]): Promise<StoredEntry[]>;
  close(): void;
}

/**
 * Two tables. A call row is written once per executed call (its workflow, run, call id, tool, when);
 * a digest row holds only what differs per value: the 16 bytes of a keyed digest, the call, the
 * field and its label (with what selected the output, almost always nothing). Digest rows are keyed
 * by a short hash of the workflow id first, so the rows one call adds, and the rows one lookup
 * reads, sit together in a page or two however large the index grows. The digest key is the one the
 * index always had (workflow, digest, run and call, field): a retried execution adds the same keys
 * again, which they absorb, and the first write's label stays.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS provenance_calls (
  id INTEGER PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  UNIQUE (workflow_id, run_id, call_id)
);
CREATE TABLE IF NOT EXISTS provenance_digests (
  workflow INTEGER NOT NULL,
  call INTEGER NOT NULL,
  digest BLOB NOT NULL,
  field TEXT NOT NULL,
  trusted INTEGER NOT NULL,
  confidential INTEGER NOT NULL,
  selected_by TEXT,
  PRIMARY KEY (workflow, digest, call, field)
) WITHOUT ROWID;
`;

/** SQLite caps the parameters of one statement; lookups go in batches below it. */
const BATCH = 400;
/** Digest rows per insert statement (five parameters each; the workflow key and call bound once). */
const INSERT_ROWS = 100;
const ROW_PARAMETERS = 5;

/** Log pages between checkpoints (about 16 MB of log at 4 KiB pages). */
const CHECKPOINT_PAGES = 4_000;

const DIGEST_TEXT = /^[A-Za-z0-9_-]{22}$/;

/** The 16 bytes a digest is stored as; anything but a `KeyedDigest` is refused, never truncated. */
function digestBytes(digest: string): Buffer {
  if (!DIGEST_TEXT.test(digest)) throw new TypeError('a provenance digest is 22 base64url characters');
  return Buffer.from(digest, 'base64url');
}

/**
 * 48 bits of SHA-256 of the workflow id: where a run's digest rows sit. Two workflow ids that share
 * it only share pages: lookups also match the call's workflow id.
 */
function workflowKey(workflowId: string): number {
  return hash('sha256', workflowId, 'buffer').readIntBE(0, 6);
}

interface DigestRow {
  digest: Uint8Array;
  call: number;
  field: string;
  trusted: number;
  confidential: number;
  selected_by: string | null;
}

interface CallRow {
  id: number;
  workflow_id: string;
  call_id: string;
  tool: string;
  recorded_at: number;
}

/**
 * The index in one SQLite file. Rows are keyed by workflow id, not run id: a run that continues as
 * new keeps its conversation, so it keeps its index, and a requester assertion binds the workflow
 * id too.
 */
export class SqliteProvenanceStore implements ProvenanceStore {
  private readonly db: DatabaseSync;
  /** Statements by shape (inserts of n rows, lookups of n digests): each prepared once, when first used. */
  private readonly statements = new Map<string, StatementSync>();
  private readonly addCall: StatementSync;
  private readonly callRow: StatementSync;

  constructor(readonly file: string) {
    this.db = openWorkerDatabase(file, SCHEMA);
    // Every executed call commits here, eight pages or so each. Checkpointing the log every 4,000
    // pages instead of SQLite's 1,000 copies a page that many commits wrote (the calls' last page,
    // the trees' inner pages) back once for more of them: a commit's mean time fell by a fifth to a
    // third in the index benchmark, for a pause (the checkpoint) about twice as long, a quarter as often.
    this.db.exec(`PRAGMA wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    this.addCall = this.db.prepare(
      'INSERT INTO provenance_calls (workflow_id, run_id, call_id, tool, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.callRow = this.db.prepare(
      'SELECT id FROM provenance_calls WHERE workflow_id = ? AND run_id = ? AND call_id = ?',
    );
  }

  private statement(kind: 'insert' | 'lookup' | 'calls', count: number): StatementSync {
    const key = `${kind}:${count}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(
        kind === 'insert'
          ? `INSERT OR IGNORE INTO provenance_digests (workflow, call, digest, field, trusted, confidential, selected_by) VALUES ${Array.from({ length: count }, () => '(?1, ?2, ?, ?, ?, ?, ?)').join(', ')}`
          : kind === 'lookup'
            ? `SELECT digest, call, field, trusted, confidential, selected_by FROM provenance_digests WHERE workflow = ? AND digest IN (${Array.from({ length: count }, () => '?').join(', ')})`
            : `SELECT id, workflow_id, call_id, tool, recorded_at FROM provenance_calls WHERE id IN (${Array.from({ length: count }, () => '?').join(', ')})`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }

  static inDataDir(dataDir: string): SqliteProvenanceStore {
    return new SqliteProvenanceStore(path.join(dataDir, 'provenance.sqlite'));
  }

  /** The entries of one call share its tool (a call id of a run executes once): its row keeps the first's. */
  async add(run: RunKey, entries: readonly IndexEntry[], recordedAt: number): Promise<void> {
    if (entries.length === 0) return;
    const workflow = workflowKey(run.workflowId);
    // Checked before the transaction: a malformed digest adds nothing at all.
    const byCall = new Map<string, { first: IndexEntry; rows: Array<Buffer | string | number | null> }>();
    for (const e of entries) {
      let call = byCall.get(e.callId);
      if (call === undefined) {
        call = { first: e, rows: [] };
        byCall.set(e.callId, call);
      }
      call.rows.push(
        digestBytes(e.digest),
        e.field,
        e.trust === 'trusted' ? 1 : 0,
        e.confidential ? 1 : 0,
        e.selectedBy ?? null,
      );
    }
    immediateTransaction(this.db, () => {
      for (const [callId, { first, rows }] of byCall) {
        this.addCall.run(run.workflowId, run.runId, callId, first.tool, recordedAt);
        // The call's row, just added or added by an earlier attempt of the same execution.
        const { id } = this.callRow.get(run.workflowId, run.runId, callId) as { id: number };
        for (let i = 0; i < rows.length; i += INSERT_ROWS * ROW_PARAMETERS) {
          const batch = rows.slice(i, i + INSERT_ROWS * ROW_PARAMETERS);
          this.statement('insert', batch.length / ROW_PARAMETERS).run(workflow, id, ...batch);
        }
      }
    });
  }

  async find(workflowId: string, digests: readonly string[]): Promise<StoredEntry[]> {
    // Asked for by their bytes, answered with the text asked for.
    const asked = new Map<string, { bytes: Buffer; texts: string[] }>();
    for (const digest of digests) {
      const bytes = digestBytes(digest);
      const key = bytes.toString('latin1');
      const entry = asked.get(key);
      if (entry === undefined) asked.set(key, { bytes, texts: [digest] });
      else if (!entry.texts.includes(digest)) entry.texts.push(digest);
    }
    const unique = [...asked.values()].map((a) => a.bytes);
    const workflow = workflowKey(workflowId);
    const rows: DigestRow[] = [];
    for (let i = 0; i < unique.length; i += BATCH) {
      const batch = unique.slice(i, i + BATCH);
      rows.push(
        ...(this.statement('lookup', batch.length).all(workflow, ...batch) as unknown as DigestRow[]),
      );
    }
    // The calls the rows name, read once each: a join of the two tables took three times as long,
    // even on a lookup that finds nothing. Only the run's own calls count.
    const calls = new Map<number, CallRow>();
    const callIds = [...new Set(rows.map((r) => r.call))];
    for (let i = 0; i < callIds.length; i += BATCH) {
      const batch = callIds.slice(i, i + BATCH);
      for (const call of this.statement('calls', batch.length).all(...batch) as unknown as CallRow[])
        if (call.workflow_id === workflowId) calls.set(call.id, call);
    }
    const found: StoredEntry[] = [];
    for (const row of rows) {
      const call = calls.get(row.call);
      if (call === undefined) continue;
      for (const digest of asked.get(Buffer.from(row.digest).toString('latin1'))?.texts ?? [])
        found.push({
          digest,
          callId: call.call_id,
          tool: call.tool,
          field: row.field,
          trust: row.trusted === 1 ? 'trusted' : 'untrusted',
          confidential: row.confidential === 1,
          recordedAt: Number(call.recorded_at),
          ...(typeof row.selected_by === 'string' ? { selectedBy: row.selected_by } : {}),
        });
    }
    return found.sort(
      (a, b) =>
        a.recordedAt - b.recordedAt || a.callId.localeCompare(b.callId) || a.field.localeCompare(b.field),
    );
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
