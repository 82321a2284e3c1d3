import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { seedCustomers, seedTickets } from './seed.ts';

/**
 * Every effect table has the call's idempotency key as a UNIQUE column and keeps the first result:
 * a retried effect finds its row and returns that result instead of writing again. Customers and
 * tickets are the state the effects change; notes and replies are read from their effect rows.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  org TEXT NOT NULL,
  tier TEXT NOT NULL,
  balance REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  assignee TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  amount REAL NOT NULL,
  currency TEXT NOT NULL,
  reason TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  on_behalf_of TEXT
);
CREATE TABLE IF NOT EXISTS ticket_updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  ticket_id TEXT NOT NULL,
  status TEXT,
  note TEXT,
  result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_replies (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  ticket_id TEXT NOT NULL,
  body TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_deletions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbound_requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT UNIQUE,
  url TEXT NOT NULL,
  host TEXT NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  at TEXT NOT NULL
);
`;

/** The effect tables, for counting what the demo's services changed. */
export const EFFECT_TABLES = ['refunds', 'ticket_updates', 'ticket_replies', 'customer_deletions'] as const;

/**
 * The demo's store: one SQLite connection per process and file (WAL, so several worker processes
 * share the file), statements prepared once. The schema is created and the seed data written the
 * first time a file is opened; after that the file is the state, across worker restarts.
 */
export class DemoDatabase {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file, { timeout: 10_000 });
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.addMissingColumns();
    this.transaction(() => this.seedOnce());
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    const { changes, lastInsertRowid } = this.statement(sql).run(...params);
    return { changes: Number(changes), lastInsertRowid: Number(lastInsertRowid) };
  }

  /**
   * `work` in one `BEGIN IMMEDIATE` transaction: two processes applying the same key take turns, so
   * the second finds the first one's row (and the UNIQUE key refuses a second row regardless).
   */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** A demo file written before a column existed gets it, empty for the rows it already holds. */
  private addMissingColumns(): void {
    const refunds = this.db.prepare('PRAGMA table_info(refunds)').all() as Array<{ name: string }>;
    if (!refunds.some((c) => c.name === 'on_behalf_of'))
      this.db.exec('ALTER TABLE refunds ADD COLUMN on_behalf_of TEXT');
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private seedOnce(): void {
    if (this.get("SELECT value FROM demo_meta WHERE key = 'seeded'") !== undefined) return;
    for (const c of seedCustomers()) {
      this.run(
        'INSERT INTO customers (id, name, email, org, tier, balance) VALUES (?, ?, ?, ?, ?, ?)',
        c.id,
        c.name,
        c.email,
        c.org,
        c.tier,
        c.balance,
      );
    }
    for (const t of seedTickets()) {
      this.run(
        'INSERT INTO tickets (id, customer_id, assignee, subject, body, status) VALUES (?, ?, ?, ?, ?, ?)',
        t.id,
        t.customerId,
        t.assignee,
        t.subject,
        t.body,
        t.status,
      );
    }
    this.run("INSERT INTO demo_meta (key, value) VALUES ('seeded', ?)", new Date().toISOString());
  }
}
