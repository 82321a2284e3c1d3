import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteUsageStore } from '../../../src/usage/sqlite-usage-store.ts';
import type { AdmissionRequest } from '../../../src/usage/usage-store.ts';

const dirs: string[] = [];
const stores: SqliteUsageStore[] = [];

/** Two stores on one file: what two worker processes of a deployment hold. */
function twoWorkers(): [SqliteUsageStore, SqliteUsageStore] {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-usage-'));
  dirs.push(dir);
  const pair: [SqliteUsageStore, SqliteUsageStore] = [
    SqliteUsageStore.inDataDir(dir),
    SqliteUsageStore.inDataDir(dir),
  ];
  stores.push(...pair);
  return pair;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const request = (over: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  run: { workflowId: 'wf', runId: 'r1' },
  callId: 'c1',
  activityId: '1',
  digest: 'sha256:x',
  tool: 'crm.search_customers',
  hosts: [],
  windowKey: 'Agent:support-bot|User:alice|crm.search_customers',
  windowsMs: [3_600_000],
  now: 1_000_000,
  ...over,
});

/** Admits while fewer than `limit` calls hold a place in the hour. */
const underLimit = (limit: number) => (s: { callsInWindow: Record<number, number> }) => ({
  admit: (s.callsInWindow[3_600_000] ?? 0) < limit,
  value: s.callsInWindow[3_600_000] ?? 0,
});

describe('the SQLite usage store shared by worker processes', () => {
  it('counts window places of every run, whichever store took them, and never counts a call twice', async () => {
    const [a, b] = twoWorkers();
    const runs = ['r1', 'r2', 'r3'].map((runId) => ({ workflowId: `wf-${runId}`, runId }));
    expect(await a.admit(request({ run: runs[0]! }), underLimit(2))).toEqual({ admit: true, value: 0 });
    expect(await b.admit(request({ run: runs[1]! }), underLimit(2))).toEqual({ admit: true, value: 1 });
    // A retry of the first execution keeps its one place.
    expect(await a.admit(request({ run: runs[0]! }), underLimit(2))).toEqual({ admit: true, value: 1 });
    expect(await b.admit(request({ run: runs[2]! }), underLimit(2))).toEqual({ admit: false, value: 2 });
    expect(await a.windowCount(request().windowKey, 3_600_000, 1_000_000)).toBe(2);
  });

  it('lets a call be claimed by one activity execution only; a release gives back only its own claim', async () => {
    const [a, b] = twoWorkers();
    const admitAll = () => ({ admit: true, value: 'ok' });
    expect(await a.admit(request(), admitAll)).toEqual({ admit: true, value: 'ok' });
    expect(await b.admit(request({ activityId: '2' }), admitAll)).toEqual({ admit: false, claimedBy: '1' });
    await b.release(request().run, 'c1', '2');
    expect(await b.admit(request({ activityId: '2' }), admitAll)).toEqual({ admit: false, claimedBy: '1' });
    await a.release(request().run, 'c1', '1');
    expect(await b.admit(request({ activityId: '2' }), admitAll)).toEqual({ admit: true, value: 'ok' });
  });

  it('keeps per-run counts: other calls only, records and hosts once a call executed', async () => {
    const [a, b] = twoWorkers();
    const admitAll = () => ({ admit: true, value: null });
    await a.admit(request({ callId: 'c1', hosts: ['api.acme.example'] }), admitAll);
    await b.admit(request({ callId: 'c2', tool: 'http.post', activityId: '2' }), admitAll);
    expect(await a.runUsage(request().run, 'c2')).toEqual({
      calls: 1,
      callsByTool: { 'crm.search_customers': 1 },
      recordsRead: 0,
      hosts: [],
    });
    await b.recordExecution(request().run, 'c1', '1', 40);
    expect(await a.runUsage(request().run)).toEqual({
      calls: 2,
      callsByTool: { 'crm.search_customers': 1, 'http.post': 1 },
      recordsRead: 40,
      hosts: ['api.acme.example'],
    });
  });

  it('drops places past the 24-hour horizon as it admits, and never counts them', async () => {
    const [a] = twoWorkers();
    const day = 24 * 3_600_000;
    const admitAll = () => ({ admit: true, value: null });
    const places = () => {
      const db = new DatabaseSync(a.file, { readOnly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM window_places').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    await a.admit(request({ callId: 'old', now: 1_000_000 }), admitAll);
    await a.admit(request({ callId: 'recent', now: 1_000_000 + day - 1_000 }), admitAll);
    expect(places()).toBe(2);
    // A day and a minute later: the first place is past the horizon and dropped, the second kept.
    const later = 1_000_000 + day + 60_000;
    await a.admit(request({ callId: 'now', now: later }), admitAll);
    expect(places()).toBe(2);
    expect(await a.windowCount(request().windowKey, day, later)).toBe(2);
    expect(await a.windowCount(request().windowKey, 60_000, later)).toBe(1);
  });
});
