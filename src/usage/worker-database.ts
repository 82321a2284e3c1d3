import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * One of the SQLite files every worker process of a deployment opens (usage, provenance, alerts):
 * WAL so readers never wait for a writer, a busy timeout so concurrent workers queue instead of
 * failing, and the schema created when missing.
 */
export function openWorkerDatabase(file: string, schema: string): DatabaseSync {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { timeout: 10_000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec(schema);
  return db;
}

/** Runs `work` as one write transaction, taken at once so two workers never interleave inside it. */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
