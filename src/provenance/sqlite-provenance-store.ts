import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RunKey } from '../usage/usage-store.ts';
import { immediateTransaction, openWorkerDatabase } from '../usage/worker-database.ts';
import type { TrustLabel } from './types.ts';

/** One index row: a keyed digest and where the value it stands for was read. No value, ever. */
export interface IndexEntry {
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS provenance_entries (
  workflow_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  run_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  field TEXT NOT NULL,
  trust TEXT NOT NULL,
  confidential INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  selected_by TEXT,
  PRIMARY KEY (workflow_id, digest, run_id, call_id, field)
) WITHOUT ROWID;
`;

/** SQLite caps the parameters of one statement; lookups go in batches below it. */
const BATCH = 400;
/** Rows per insert statement (ten parameters each, well below the cap). */
const INSERT_ROWS = 40;

interface Row {
  digest: string;
  call_id: string;
  tool: string;
  field: string;
  trust: string;
  confidential: number;
  recorded_at: number;
  selected_by: string | null;
}

/**
 * The index in one SQLite file. Rows are keyed by workflow id, not run id: a run that continues as
 * new keeps its conversation, so it keeps its index, and a requester assertion binds the workflow
 * id too. A retried execution adds the same rows again, which the primary key absorbs.
 */
export class SqliteProvenanceStore implements ProvenanceStore {
  private readonly db: DatabaseSync;
  /** Statements by shape (inserts of n rows, lookups of n digests): each prepared once, when first used. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(readonly file: string) {
    this.db = openWorkerDatabase(file, SCHEMA);
    // An index written before outputs recorded what selected them gets the column, empty.
    const columns = this.db.prepare('PRAGMA table_info(provenance_entries)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'selected_by'))
      this.db.exec('ALTER TABLE provenance_entries ADD COLUMN selected_by TEXT');
  }

  private statement(kind: 'insert' | 'lookup', count: number): StatementSync {
    const key = `${kind}:${count}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(
        kind === 'insert'
          ? `INSERT OR IGNORE INTO provenance_entries (workflow_id, digest, run_id, call_id, tool, field, trust, confidential, recorded_at, selected_by) VALUES ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`
          : `SELECT digest, call_id, tool, field, trust, confidential, recorded_at, selected_by FROM provenance_entries WHERE workflow_id = ? AND digest IN (${Array.from({ length: count }, () => '?').join(', ')})`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }

  static inDataDir(dataDir: string): SqliteProvenanceStore {
    return new SqliteProvenanceStore(path.join(dataDir, 'provenance.sqlite'));
  }

  async add(run: RunKey, entries: readonly IndexEntry[], recordedAt: number): Promise<void> {
    if (entries.length === 0) return;
    immediateTransaction(this.db, () => {
      // Rows go in statements of up to INSERT_ROWS: one call into SQLite per batch, not per row.
      for (let i = 0; i < entries.length; i += INSERT_ROWS) {
        const batch = entries.slice(i, i + INSERT_ROWS);
        this.statement('insert', batch.length).run(
          ...batch.flatMap((e) => [
            run.workflowId,
            e.digest,
            run.runId,
            e.callId,
            e.tool,
            e.field,
            e.trust,
            e.confidential ? 1 : 0,
            recordedAt,
            e.selectedBy ?? null,
          ]),
        );
      }
    });
  }

  async find(workflowId: string, digests: readonly string[]): Promise<StoredEntry[]> {
    const unique = [...new Set(digests)];
    const found: StoredEntry[] = [];
    for (let i = 0; i < unique.length; i += BATCH) {
      const batch = unique.slice(i, i + BATCH);
      const rows = this.statement('lookup', batch.length).all(workflowId, ...batch) as unknown as Row[];
      for (const row of rows) {
        found.push({
          digest: row.digest,
          callId: row.call_id,
          tool: row.tool,
          field: row.field,
          trust: row.trust === 'trusted' ? 'trusted' : 'untrusted',
          confidential: row.confidential === 1,
          recordedAt: Number(row.recorded_at),
          ...(typeof row.selected_by === 'string' ? { selectedBy: row.selected_by } : {}),
        });
      }
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
