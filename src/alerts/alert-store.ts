import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
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
CREATE INDEX IF NOT EXISTS run_tools_by_calls ON run_tools (agent, tool, calls);
CREATE TABLE IF NOT EXISTS run_agents (
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  clean INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, run_id, agent)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agent_totals (
  agent TEXT PRIMARY KEY,
  runs INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_reads_per_second (
  window_key TEXT NOT NULL,
  second INTEGER NOT NULL,
  records INTEGER NOT NULL,
  PRIMARY KEY (window_key, second)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS denials_per_second (
  window_key TEXT NOT NULL,
  second INTEGER NOT NULL,
  denials INTEGER NOT NULL,
  PRIMARY KEY (window_key, second)
) WITHOUT ROWID;
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
  /** Whether any of those runs used the tool. */
  usedTool: boolean;
  /** The most calls of the tool one of those runs made (0 when none used it). */
  maxCallsPerRun: number;
}

export interface PendingGrant {
  run: RunKey;
  callId: string;
  tool: string;
  agent?: string;
  user?: string;
  expiresAt: number;
}

/** Whether a run raised an alert: a run that did is no longer part of any baseline. */
const RUN_ALERTED = 'EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = ? AND a.run_id = ?)';

/**
 * The most calls of a tool by one clean run of the agent other than the given one: walks the
 * (agent, tool, calls) index from the top, so it reads a handful of rows however long the history.
 */
export const MOST_CALLS_SQL = `SELECT calls FROM run_tools r INDEXED BY run_tools_by_calls
  WHERE agent = ? AND tool = ? AND NOT (workflow_id = ? AND run_id = ?)
  AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = r.workflow_id AND a.run_id = r.run_id)
  ORDER BY calls DESC LIMIT 1`;

/**
 * Baselines, recent counts and raised alerts of a deployment in one SQLite file next to the usage
 * store, shared by every worker that opens it. Only the tool workers write it, from their own
 * decisions: nothing workflow code sends is counted unless a tool worker decided on it.
 *
 * A baseline is read on every decided call, so it never scans the agent's history: the totals of
 * its clean runs are kept per agent as calls are counted (and a run's share taken out when it
 * raises an alert), and the most calls of a tool is one walk down an index.
 */
export class SqliteAlertStore {
  private readonly db: DatabaseSync;
  /** Statements by their SQL, each prepared once per connection. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(readonly file: string) {
    this.db = openWorkerDatabase(file, SCHEMA);
    this.fillRunAgents();
  }

  static fileIn(dataDir: string): string {
    return path.join(dataDir, 'alerts.sqlite');
  }

  static inDataDir(dataDir: string): SqliteAlertStore {
    return new SqliteAlertStore(SqliteAlertStore.fileIn(dataDir));
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * A file whose per-run counts predate the per-agent totals gets them from those counts, once, in
   * the transaction that creates them (another worker opening the file at once finds them made).
   */
  private fillRunAgents(): void {
    immediateTransaction(this.db, () => {
      const empty = this.sql('SELECT NOT EXISTS (SELECT 1 FROM run_agents) AS empty').get() as {
        empty: number;
      };
      const counted = this.sql('SELECT EXISTS (SELECT 1 FROM run_tools) AS counted').get() as {
        counted: number;
      };
      if (empty.empty !== 1 || counted.counted !== 1) return;
      this.db.exec(`INSERT INTO run_agents (workflow_id, run_id, agent, records, clean)
        SELECT workflow_id, run_id, agent, SUM(records),
          NOT EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = r.workflow_id AND a.run_id = r.run_id)
        FROM run_tools r GROUP BY workflow_id, run_id, agent`);
      this.db.exec(`INSERT OR REPLACE INTO agent_totals (agent, runs, records)
        SELECT agent, COUNT(*), SUM(records) FROM run_agents WHERE clean = 1 GROUP BY agent`);
    });
  }

  /** The agent's history for one tool, this run and runs that raised alerts left out. */
  baseline(agent: string, tool: string, run: RunKey): AgentBaseline {
    const totals = this.sql('SELECT runs, records FROM agent_totals WHERE agent = ?').get(agent) as
      | { runs: number; records: number }
      | undefined;
    // This run's own share, while it is clean, is in the totals: taken out again here.
    const own = this.sql(
      'SELECT records FROM run_agents WHERE workflow_id = ? AND run_id = ? AND agent = ? AND clean = 1',
    ).get(run.workflowId, run.runId, agent) as { records: number } | undefined;
    const runs = Number(totals?.runs ?? 0) - (own ? 1 : 0);
    const records = Number(totals?.records ?? 0) - Number(own?.records ?? 0);
    const most = this.sql(MOST_CALLS_SQL).get(agent, tool, run.workflowId, run.runId) as
      | { calls: number }
      | undefined;
    return {
      runs,
      meanRecordsPerRun: runs <= 0 ? 0 : records / runs,
      usedTool: most !== undefined,
      maxCallsPerRun: Number(most?.calls ?? 0),
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
    this.sql(
      `INSERT INTO run_tools (workflow_id, run_id, agent, tool, calls, records, first_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workflow_id, run_id, tool) DO UPDATE SET calls = calls + excluded.calls, records = records + excluded.records`,
    ).run(run.workflowId, run.runId, agent, tool, calls, records, at);
    const known = this.sql(
      'SELECT clean FROM run_agents WHERE workflow_id = ? AND run_id = ? AND agent = ?',
    ).get(run.workflowId, run.runId, agent) as { clean: number } | undefined;
    if (known === undefined) {
      // The run's first count for the agent: a run that already raised an alert never joins a baseline.
      const alerted = this.sql(`SELECT ${RUN_ALERTED} AS alerted`).get(run.workflowId, run.runId) as {
        alerted: number;
      };
      const clean = alerted.alerted === 1 ? 0 : 1;
      this.sql(
        'INSERT INTO run_agents (workflow_id, run_id, agent, records, clean) VALUES (?, ?, ?, ?, ?)',
      ).run(run.workflowId, run.runId, agent, records, clean);
      if (clean === 1) this.addToTotals(agent, 1, records);
    } else {
      if (records > 0)
        this.sql(
          'UPDATE run_agents SET records = records + ? WHERE workflow_id = ? AND run_id = ? AND agent = ?',
        ).run(records, run.workflowId, run.runId, agent);
      if (known.clean === 1 && records > 0) this.addToTotals(agent, 0, records);
    }
    const row = this.sql(
      'SELECT COALESCE(SUM(records), 0) AS records, COALESCE(SUM(CASE WHEN tool = ? THEN calls ELSE 0 END), 0) AS calls FROM run_tools WHERE workflow_id = ? AND run_id = ?',
    ).get(tool, run.workflowId, run.runId) as { records: number; calls: number };
    return { runRecords: Number(row.records), toolCalls: Number(row.calls) };
  }

  private addToTotals(agent: string, runs: number, records: number): void {
    this.sql(
      `INSERT INTO agent_totals (agent, runs, records) VALUES (?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET runs = runs + excluded.runs, records = records + excluded.records`,
    ).run(agent, runs, records);
  }

  /**
   * Adds records read under a key; returns the total within the window ending now. Counts are kept
   * per second, so a window reads at most one row per second of it however many calls it saw; the
   * second the window starts in is counted whole (a window never undercounts).
   */
  addRecords(windowKey: string, records: number, at: number, windowMs: number): number {
    const second = Math.floor(at / 1000);
    if (records > 0)
      this.sql(
        `INSERT INTO record_reads_per_second (window_key, second, records) VALUES (?, ?, ?)
         ON CONFLICT (window_key, second) DO UPDATE SET records = records + excluded.records`,
      ).run(windowKey, second, records);
    const row = this.sql(
      'SELECT COALESCE(SUM(records), 0) AS n FROM record_reads_per_second WHERE window_key = ? AND second >= ?',
    ).get(windowKey, Math.floor((at - windowMs) / 1000)) as { n: number };
    return Number(row.n);
  }

  /** Adds one denial under a key; returns the denials within the window ending now (per second, as above). */
  addDenial(windowKey: string, at: number, windowMs: number): number {
    this.sql(
      `INSERT INTO denials_per_second (window_key, second, denials) VALUES (?, ?, 1)
       ON CONFLICT (window_key, second) DO UPDATE SET denials = denials + 1`,
    ).run(windowKey, Math.floor(at / 1000));
    const row = this.sql(
      'SELECT COALESCE(SUM(denials), 0) AS n FROM denials_per_second WHERE window_key = ? AND second >= ?',
    ).get(windowKey, Math.floor((at - windowMs) / 1000)) as { n: number };
    return Number(row.n);
  }

  /** Records the host as known; true when no call of the deployment had contacted it before. */
  firstSighting(host: string, at: number): boolean {
    const result = this.sql(
      'INSERT INTO known_hosts (host, first_at) VALUES (?, ?) ON CONFLICT (host) DO NOTHING',
    ).run(host, at);
    return Number(result.changes) === 1;
  }

  addPendingGrant(grant: PendingGrant): void {
    this.sql(
      'INSERT OR REPLACE INTO pending_grants (workflow_id, run_id, call_id, tool, agent, user, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
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
    this.sql('DELETE FROM pending_grants WHERE workflow_id = ? AND run_id = ? AND call_id = ?').run(
      run.workflowId,
      run.runId,
      callId,
    );
  }

  /** Takes the grants that expired before `now` without an execution (call it in a `transaction`). */
  takeExpiredGrants(now: number): PendingGrant[] {
    const rows = this.sql('SELECT * FROM pending_grants WHERE expires_at < ? ORDER BY expires_at').all(
      now,
    ) as Array<{
      workflow_id: string;
      run_id: string;
      call_id: string;
      tool: string;
      agent: string | null;
      user: string | null;
      expires_at: number;
    }>;
    this.sql('DELETE FROM pending_grants WHERE expires_at < ?').run(now);
    return rows.map((r) => ({
      run: { workflowId: r.workflow_id, runId: r.run_id },
      callId: r.call_id,
      tool: r.tool,
      ...(r.agent !== null ? { agent: r.agent } : {}),
      ...(r.user !== null ? { user: r.user } : {}),
      expiresAt: Number(r.expires_at),
    }));
  }

  /**
   * Stores the alert unless one with the same key was raised; true when it is new. A run's first
   * alert takes its share out of its agents' baselines (call it in a `transaction`, as the monitor does).
   */
  raise(alert: Alert, dedupeKey: string): boolean {
    const { workflowId, runId } = alert.run;
    const alerted = this.sql(`SELECT ${RUN_ALERTED} AS alerted`).get(workflowId, runId) as {
      alerted: number;
    };
    const result = this.sql(
      'INSERT INTO alerts (id, dedupe_key, at, workflow_id, run_id, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING',
    ).run(alert.id, dedupeKey, alert.at, workflowId, runId, JSON.stringify(alert));
    const raised = Number(result.changes) === 1;
    if (raised && alerted.alerted !== 1) {
      const shares = this.sql(
        'SELECT agent, records FROM run_agents WHERE workflow_id = ? AND run_id = ? AND clean = 1',
      ).all(workflowId, runId) as Array<{ agent: string; records: number }>;
      for (const share of shares) this.addToTotals(share.agent, -1, -Number(share.records));
      this.sql('UPDATE run_agents SET clean = 0 WHERE workflow_id = ? AND run_id = ?').run(workflowId, runId);
    }
    return raised;
  }

  /** The most recent alerts first, optionally since a time. */
  recent(options: { limit?: number; since?: number } = {}): Alert[] {
    const rows = this.sql('SELECT body FROM alerts WHERE at >= ? ORDER BY at DESC, rowid DESC LIMIT ?').all(
      options.since ?? 0,
      options.limit ?? 100,
    ) as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as Alert);
  }

  /** Drops counts past the horizon; alerts and baselines are kept. */
  prune(now: number): void {
    const horizon = Math.floor((now - HORIZON_MS) / 1000);
    this.sql('DELETE FROM record_reads_per_second WHERE second < ?').run(horizon);
    this.sql('DELETE FROM denials_per_second WHERE second < ?').run(horizon);
  }

  /** Runs `work` as one transaction (so two workers never interleave one call's counts). */
  transaction<T>(work: () => T): T {
    return immediateTransaction(this.db, work);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
