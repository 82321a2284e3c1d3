import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

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

/** The statements of a write transaction, prepared once per connection instead of parsed per call. */
interface TransactionStatements {
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
}

const transactionStatements = new WeakMap<DatabaseSync, TransactionStatements>();

function statementsOf(db: DatabaseSync): TransactionStatements {
  let statements = transactionStatements.get(db);
  if (statements === undefined) {
    statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
    transactionStatements.set(db, statements);
  }
  return statements;
}

/** Runs `work` as one write transaction, taken at once so two workers never interleave inside it. */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  const { begin, commit, rollback } = statementsOf(db);
  begin.run();
  try {
    const result = work();
    commit.run();
    return result;
  } catch (error) {
    if (db.isTransaction) rollback.run();
    throw error;
  }
}
