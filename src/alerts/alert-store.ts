import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { RunKey } from '../usage/usage-store.ts';
import { immediateTransaction, openWorkerDatabase } from '../usage/worker-database.ts';
import type { Alert } from './alert.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS run_tools (
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  tool TEXT NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0,
  first_at INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, run_id, tool)
);
CREATE INDEX IF NOT EXISTS run_tools_by_agent ON run_tools (agent, tool);
CREATE TABLE IF NOT EXISTS record_reads (window_key TEXT NOT NULL, at INTEGER NOT NULL, records INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS record_reads_by_key ON record_reads (window_key, at);
CREATE TABLE IF NOT EXISTS denials (window_key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS denials_by_key ON denials (window_key, at);
CREATE TABLE IF NOT EXISTS known_hosts (host TEXT PRIMARY KEY, first_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending_grants (
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  agent TEXT,
  user TEXT,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, run_id, call_id)
);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  at INTEGER NOT NULL,
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (at);
CREATE INDEX IF NOT EXISTS alerts_by_run ON alerts (workflow_id, run_id);
`;

/** Counts older than this are dropped; no alert window may be longer. */
const HORIZON_MS = 7 * 86_400_000;

export interface AgentBaseline {
  /** The agent's other runs on record that raised no alert. */
  runs: number;
  meanRecordsPerRun: number;
  /** Tools those runs used. */
  tools: string[];
  /** The most calls of each tool those runs made. */
  maxCallsPerRun: Record<string, number>;
}

export interface PendingGrant {
  run: RunKey;
  callId: string;
  tool: string;
  agent?: string;
  user?: string;
  expiresAt: number;
}

/**
 * Baselines, recent counts and raised alerts of a deployment in one SQLite file next to the usage
 * store, shared by every worker that opens it. Only the tool workers write it, from their own
 * decisions: nothing workflow code sends is counted unless a tool worker decided on it.
 */
export class SqliteAlertStore {
  private readonly db: DatabaseSync;

  constructor(readonly file: string) {
    this.db = openWorkerDatabase(file, SCHEMA);
  }

  static fileIn(dataDir: string): string {
    return path.join(dataDir, 'alerts.sqlite');
  }

  static inDataDir(dataDir: string): SqliteAlertStore {
    return new SqliteAlertStore(SqliteAlertStore.fileIn(dataDir));
  }

  /** The agent's history, this run and runs that raised alerts left out. */
  baseline(agent: string, run: RunKey): AgentBaseline {
    const clean = `agent = ? AND NOT (workflow_id = ? AND run_id = ?)
      AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = run_tools.workflow_id AND a.run_id = run_tools.run_id)`;
    const args = [agent, run.workflowId, run.runId];
    const totals = this.db
      .prepare(
        `SELECT COUNT(DISTINCT workflow_id || char(0) || run_id) AS runs, COALESCE(SUM(records), 0) AS records FROM run_tools WHERE ${clean}`,
      )
      .get(...args) as { runs: number; records: number };
    const tools = this.db
      .prepare(`SELECT tool, MAX(calls) AS most FROM run_tools WHERE ${clean} GROUP BY tool`)
      .all(...args) as Array<{ tool: string; most: number }>;
    const runs = Number(totals.runs);
    return {
      runs,
      meanRecordsPerRun: runs === 0 ? 0 : Number(totals.records) / runs,
      tools: tools.map((t) => t.tool),
      maxCallsPerRun: Object.fromEntries(tools.map((t) => [t.tool, Number(t.most)])),
    };
  }

  /** Counts a decided call of the run (`calls` 1) or the records its execution read; returns the run's totals. */
  countCall(
    run: RunKey,
    agent: string,
    tool: string,
    records: number,
    calls: 0 | 1,
    at: number,
  ): { runRecords: number; toolCalls: number } {
    this.db
      .prepare(
        `INSERT INTO run_tools (workflow_id, run_id, agent, tool, calls, records, first_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workflow_id, run_id, tool) DO UPDATE SET calls = calls + excluded.calls, records = records + excluded.records`,
      )
      .run(run.workflowId, run.runId, agent, tool, calls, records, at);
    const row = this.db
      .prepare(
        'SELECT COALESCE(SUM(records), 0) AS records, COALESCE(SUM(CASE WHEN tool = ? THEN calls ELSE 0 END), 0) AS calls FROM run_tools WHERE workflow_id = ? AND run_id = ?',
      )
      .get(tool, run.workflowId, run.runId) as { records: number; calls: number };
    return { runRecords: Number(row.records), toolCalls: Number(row.calls) };
  }

  /** Adds records read under a key; returns the total within the window ending now. */
  addRecords(windowKey: string, records: number, at: number, windowMs: number): number {
    if (records > 0)
      this.db
        .prepare('INSERT INTO record_reads (window_key, at, records) VALUES (?, ?, ?)')
        .run(windowKey, at, records);
    const row = this.db
      .prepare('SELECT COALESCE(SUM(records), 0) AS n FROM record_reads WHERE window_key = ? AND at > ?')
      .get(windowKey, at - windowMs) as { n: number };
    return Number(row.n);
  }

  /** Adds one denial under a key; returns the denials within the window ending now. */
  addDenial(windowKey: string, at: number, windowMs: number): number {
    this.db.prepare('INSERT INTO denials (window_key, at) VALUES (?, ?)').run(windowKey, at);
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM denials WHERE window_key = ? AND at > ?')
      .get(windowKey, at - windowMs) as { n: number };
    return Number(row.n);
  }

  /** Records the host as known; true when no call of the deployment had contacted it before. */
  firstSighting(host: string, at: number): boolean {
    const result = this.db
      .prepare('INSERT INTO known_hosts (host, first_at) VALUES (?, ?) ON CONFLICT (host) DO NOTHING')
      .run(host, at);
    return Number(result.changes) === 1;
  }

  addPendingGrant(grant: PendingGrant): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO pending_grants (workflow_id, run_id, call_id, tool, agent, user, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        grant.run.workflowId,
        grant.run.runId,
        grant.callId,
        grant.tool,
        grant.agent ?? null,
        grant.user ?? null,
        grant.expiresAt,
      );
  }

  /** The approved execution arrived (admitted or refused): the call did not time out. */
  settlePendingGrant(run: RunKey, callId: string): void {
    this.db
      .prepare('DELETE FROM pending_grants WHERE workflow_id = ? AND run_id = ? AND call_id = ?')
      .run(run.workflowId, run.runId, callId);
  }

  /** Takes the grants that expired before `now` without an execution (call it in a `transaction`). */
  takeExpiredGrants(now: number): PendingGrant[] {
    const rows = this.db
      .prepare('SELECT * FROM pending_grants WHERE expires_at < ? ORDER BY expires_at')
      .all(now) as Array<{
      workflow_id: string;
      run_id: string;
      call_id: string;
      tool: string;
      agent: string | null;
      user: string | null;
      expires_at: number;
    }>;
    this.db.prepare('DELETE FROM pending_grants WHERE expires_at < ?').run(now);
    return rows.map((r) => ({
      run: { workflowId: r.workflow_id, runId: r.run_id },
      callId: r.call_id,
      tool: r.tool,
      ...(r.agent !== null ? { agent: r.agent } : {}),
      ...(r.user !== null ? { user: r.user } : {}),
      expiresAt: Number(r.expires_at),
    }));
  }

  /** Stores the alert unless one with the same key was raised; true when it is new. */
  raise(alert: Alert, dedupeKey: string): boolean {
    const result = this.db
      .prepare(
        'INSERT INTO alerts (id, dedupe_key, at, workflow_id, run_id, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING',
      )
      .run(alert.id, dedupeKey, alert.at, alert.run.workflowId, alert.run.runId, JSON.stringify(alert));
    return Number(result.changes) === 1;
  }

  /** The most recent alerts first, optionally since a time. */
  recent(options: { limit?: number; since?: number } = {}): Alert[] {
    const rows = this.db
      .prepare('SELECT body FROM alerts WHERE at >= ? ORDER BY at DESC, rowid DESC LIMIT ?')
      .all(options.since ?? 0, options.limit ?? 100) as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as Alert);
  }

  /** Drops counts past the horizon; alerts and baselines are kept. */
  prune(now: number): void {
    this.db.prepare('DELETE FROM record_reads WHERE at < ?').run(now - HORIZON_MS);
    this.db.prepare('DELETE FROM denials WHERE at < ?').run(now - HORIZON_MS);
  }

  /** Runs `work` as one transaction (so two workers never interleave one call's counts). */
  transaction<T>(work: () => T): T {
    return immediateTransaction(this.db, work);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
