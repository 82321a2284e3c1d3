import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { RunUsage } from '../guard/types.ts';
import type {
  AdmissionRequest,
  AdmissionResult,
  AdmissionVerdict,
  RunKey,
  UsageSnapshot,
  UsageStore,
} from './usage-store.ts';
import { immediateTransaction, openWorkerDatabase } from './worker-database.ts';

/** Window places older than this are dropped; no window rule may be longer. */
const HORIZON_MS = 24 * 3_600_000;
/**
 * How often a store drops expired places. A count reads only its window, so a place past the
 * horizon changes no decision: dropping them is housekeeping, and done in every admission it was a
 * scan of the whole table (no index leads with the time) inside the write lock.
 */
const DROP_EXPIRED_EVERY_MS = 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS executions (
  workflow_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  activity_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  tool TEXT NOT NULL,
  hosts TEXT NOT NULL,
  executed INTEGER NOT NULL DEFAULT 0,
  records_read INTEGER NOT NULL DEFAULT 0,
  claimed_at INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, run_id, call_id)
);
CREATE TABLE IF NOT EXISTS window_places (
  reservation_id TEXT PRIMARY KEY,
  window_key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS window_places_by_key ON window_places (window_key, at);
`;

/** One place per call of a run: the same call decided twice holds one place in a window. */
function reservationId(run: RunKey, callId: string): string {
  return JSON.stringify([run.workflowId, run.runId, callId]);
}

interface ExecutionRow {
  call_id: string;
  tool: string;
  hosts: string;
  executed: number;
  records_read: number;
}

/** Every statement the store runs, prepared once when the store opens (not once per call). */
function prepareStatements(db: DatabaseSync) {
  return {
    claimOf: db.prepare(
      'SELECT activity_id FROM executions WHERE workflow_id = ? AND run_id = ? AND call_id = ?',
    ),
    claim: db.prepare(
      'INSERT INTO executions (workflow_id, run_id, call_id, activity_id, digest, tool, hosts, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    dropExpiredPlaces: db.prepare('DELETE FROM window_places WHERE at < ?'),
    takePlace: db.prepare(
      'INSERT OR REPLACE INTO window_places (reservation_id, window_key, at) VALUES (?, ?, ?)',
    ),
    recordExecution: db.prepare(
      'UPDATE executions SET executed = 1, records_read = ? WHERE workflow_id = ? AND run_id = ? AND call_id = ? AND activity_id = ?',
    ),
    releaseClaim: db.prepare('DELETE FROM executions WHERE workflow_id = ? AND run_id = ? AND call_id = ?'),
    releasePlace: db.prepare('DELETE FROM window_places WHERE reservation_id = ?'),
    runCalls: db.prepare(
      'SELECT call_id, tool, hosts, executed, records_read FROM executions WHERE workflow_id = ? AND run_id = ?',
    ),
    // No upper bound: a place stamped after this call's clock was taken by a process that admitted
    // first (its clock read later, its transaction sooner), and it counts like any other.
    countWindow: db.prepare(
      'SELECT COUNT(*) AS n FROM window_places WHERE window_key = ? AND at > ? AND reservation_id IS NOT ?',
    ),
  };
}

/**
 * The usage store of a deployment in one SQLite file (WAL mode), shared by every worker process
 * that opens it. Each admission is one `BEGIN IMMEDIATE` transaction: two processes admitting calls
 * under the same limit take turns, so neither sees a count without the other's place.
 */
export class SqliteUsageStore implements UsageStore {
  private readonly db: DatabaseSync;
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** When this store last dropped expired places (its clock: `AdmissionRequest.now`). */
  private expiredDroppedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly file: string) {
    this.db = openWorkerDatabase(file, SCHEMA);
    this.sql = prepareStatements(this.db);
  }

  /** The deployment's store under its data directory. */
  static inDataDir(dataDir: string): SqliteUsageStore {
    return new SqliteUsageStore(path.join(dataDir, 'usage.sqlite'));
  }

  async runUsage(run: RunKey, exceptCallId?: string): Promise<RunUsage> {
    return this.readUsage(run, exceptCallId);
  }

  async windowCount(windowKey: string, windowMs: number, now: number): Promise<number> {
    return this.countWindow(windowKey, windowMs, now, undefined);
  }

  async admit<T>(
    request: AdmissionRequest,
    decide: (snapshot: UsageSnapshot) => AdmissionVerdict<T>,
  ): Promise<AdmissionResult<T>> {
    return this.transaction(() => {
      const { run, callId, activityId } = request;
      const claim = this.sql.claimOf.get(run.workflowId, run.runId, callId) as
        | { activity_id: string }
        | undefined;
      if (claim !== undefined && claim.activity_id !== activityId) {
        return { admit: false, claimedBy: claim.activity_id };
      }
      const own = reservationId(run, callId);
      const callsInWindow: Record<number, number> = {};
      for (const ms of request.windowsMs) {
        callsInWindow[ms] = this.countWindow(request.windowKey, ms, request.now, own);
      }
      const verdict = decide({ usage: this.readUsage(run, callId), callsInWindow });
      if (!verdict.admit) {
        if (claim !== undefined) this.releaseClaim(run, callId);
        return verdict;
      }
      if (claim === undefined) {
        this.sql.claim.run(
          run.workflowId,
          run.runId,
          callId,
          activityId,
          request.digest,
          request.tool,
          JSON.stringify(request.hosts),
          request.now,
        );
      }
      if (request.windowsMs.length > 0) {
        if (request.now - this.expiredDroppedAt >= DROP_EXPIRED_EVERY_MS) {
          this.sql.dropExpiredPlaces.run(request.now - HORIZON_MS);
          this.expiredDroppedAt = request.now;
        }
        this.sql.takePlace.run(own, request.windowKey, request.now);
      }
      return verdict;
    });
  }

  async recordExecution(run: RunKey, callId: string, activityId: string, recordsRead: number): Promise<void> {
    this.sql.recordExecution.run(recordsRead, run.workflowId, run.runId, callId, activityId);
  }

  async release(run: RunKey, callId: string, activityId: string): Promise<void> {
    this.transaction(() => {
      const claim = this.sql.claimOf.get(run.workflowId, run.runId, callId) as
        | { activity_id: string }
        | undefined;
      if (claim?.activity_id === activityId) this.releaseClaim(run, callId);
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private releaseClaim(run: RunKey, callId: string): void {
    this.sql.releaseClaim.run(run.workflowId, run.runId, callId);
    this.sql.releasePlace.run(reservationId(run, callId));
  }

  private readUsage(run: RunKey, exceptCallId: string | undefined): RunUsage {
    const rows = this.sql.runCalls.all(run.workflowId, run.runId) as unknown as ExecutionRow[];
    const usage: RunUsage = { calls: 0, callsByTool: {}, recordsRead: 0, hosts: [] };
    for (const row of rows) {
      if (row.call_id === exceptCallId) continue;
      usage.calls += 1;
      usage.callsByTool[row.tool] = (usage.callsByTool[row.tool] ?? 0) + 1;
      usage.recordsRead += row.records_read;
      if (row.executed !== 1) continue;
      for (const host of JSON.parse(row.hosts) as string[]) {
        if (!usage.hosts.includes(host)) usage.hosts.push(host);
      }
    }
    return usage;
  }

  private countWindow(windowKey: string, windowMs: number, now: number, except: string | undefined): number {
    const row = this.sql.countWindow.get(windowKey, now - windowMs, except ?? null) as { n: number };
    return Number(row.n);
  }

  private transaction<T>(work: () => T): T {
    return immediateTransaction(this.db, work);
  }
}
