import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type IndexEntry, SqliteProvenanceStore } from '../../../src/provenance/sqlite-provenance-store.ts';

const dirs: string[] = [];
function store(): SqliteProvenanceStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-provenance-'));
  dirs.push(dir);
  return new SqliteProvenanceStore(path.join(dir, 'provenance.sqlite'));
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry = (i: number, over: Partial<IndexEntry> = {}): IndexEntry => ({
  digest: `d-${i}`,
  callId: `call-${i % 3}`,
  tool: 'ticket.get',
  field: i % 2 === 0 ? 'body' : 'status',
  trust: i % 2 === 0 ? 'untrusted' : 'trusted',
  confidential: i % 5 === 0,
  ...over,
});

describe('the provenance index in SQLite', () => {
  it('keeps every row of an output larger than one insert statement, and finds them across lookup batches', async () => {
    const s = store();
    const entries = Array.from({ length: 1_003 }, (_, i) => entry(i));
    await s.add({ workflowId: 'wf', runId: 'r1' }, entries, 1_000);
    const found = await s.find(
      'wf',
      entries.map((e) => e.digest),
    );
    expect(found).toHaveLength(1_003);
    const byDigest = new Map(found.map((f) => [f.digest, f]));
    for (const e of entries) expect(byDigest.get(e.digest)).toEqual({ ...e, recordedAt: 1_000 });
    s.close();
  });

  it('absorbs a retried execution (the same rows again) and keeps runs of other workflows apart', async () => {
    const s = store();
    const rows = Array.from({ length: 45 }, (_, i) => entry(i));
    await s.add({ workflowId: 'wf', runId: 'r1' }, rows, 1_000);
    await s.add({ workflowId: 'wf', runId: 'r1' }, rows, 2_000);
    await s.add({ workflowId: 'other', runId: 'r9' }, [entry(1, { trust: 'untrusted' })], 3_000);
    const found = await s.find('wf', ['d-1', 'd-44', 'd-unknown']);
    expect(found.map((f) => [f.digest, f.trust, f.recordedAt])).toEqual([
      ['d-1', 'trusted', 1_000],
      ['d-44', 'untrusted', 1_000],
    ]);
    expect(await s.find('other', ['d-1'])).toMatchObject([{ trust: 'untrusted', recordedAt: 3_000 }]);
    s.close();
  });

  it('lists sources oldest first, whatever order they were asked in', async () => {
    const s = store();
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(7, { callId: 'late' })], 5_000);
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(7, { callId: 'early', field: 'subject' })], 1_000);
    const found = await s.find('wf', ['d-7', 'd-7']);
    expect(found.map((f) => f.callId)).toEqual(['early', 'late']);
    s.close();
  });
});
