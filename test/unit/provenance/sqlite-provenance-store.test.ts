import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type IndexEntry,
  SqliteProvenanceStore,
  type StoredEntry,
} from '../../../src/provenance/sqlite-provenance-store.ts';
import type { RunKey } from '../../../src/usage/usage-store.ts';
import { raceProcesses, startingLine } from '../../support/racing-processes.ts';

const STORE = fileURLToPath(new URL('../../../src/provenance/sqlite-provenance-store.ts', import.meta.url));

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-provenance-'));
  dirs.push(dir);
  return dir;
}
function store(dir = tempDir()): SqliteProvenanceStore {
  return new SqliteProvenanceStore(path.join(dir, 'provenance.sqlite'));
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A digest as `KeyedDigest` writes them: 22 base64url characters (132 bits, the last 4 unused). */
const digest = (n: number | string) =>
  createHash('sha256').update(String(n)).digest('base64url').slice(0, 22);

const entry = (i: number, over: Partial<IndexEntry> = {}): IndexEntry => ({
  digest: digest(i),
  callId: 'call-1',
  tool: 'ticket.get',
  field: i % 2 === 0 ? 'body' : 'status',
  trust: i % 2 === 0 ? 'untrusted' : 'trusted',
  confidential: i % 5 === 0,
  ...over,
});

function rowCounts(file: string): { calls: number; digests: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const count = (table: string) =>
      Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return { calls: count('provenance_calls'), digests: count('provenance_digests') };
  } finally {
    db.close();
  }
}

/**
 * The index as the interface describes it, kept in plain maps: a row per (workflow id, digest, run,
 * call, field), its label and selection from the first write; a call's tool and time from its first.
 */
class ReferenceIndex {
  private readonly calls = new Map<string, { tool: string; recordedAt: number }>();
  private readonly rows = new Map<string, { workflowId: string; runId: string; entry: IndexEntry }>();

  add(run: RunKey, entries: readonly IndexEntry[], recordedAt: number): void {
    for (const e of entries) {
      const call = `${run.workflowId}\0${run.runId}\0${e.callId}`;
      if (!this.calls.has(call)) this.calls.set(call, { tool: e.tool, recordedAt });
      const row = `${call}\0${e.digest}\0${e.field}`;
      if (!this.rows.has(row)) this.rows.set(row, { workflowId: run.workflowId, runId: run.runId, entry: e });
    }
  }

  find(workflowId: string, digests: readonly string[]): StoredEntry[] {
    const wanted = new Set(digests);
    const found: StoredEntry[] = [];
    for (const { workflowId: w, runId, entry } of this.rows.values()) {
      if (w !== workflowId || !wanted.has(entry.digest)) continue;
      const call = this.calls.get(`${w}\0${runId}\0${entry.callId}`);
      if (call === undefined) throw new Error('a row without its call');
      found.push({ ...entry, tool: call.tool, recordedAt: call.recordedAt });
    }
    return found;
  }
}

/** A total order, to compare two answers as sets of rows. */
const canonical = (rows: StoredEntry[]) =>
  rows
    .map((r) =>
      JSON.stringify([
        r.digest,
        r.callId,
        r.field,
        r.recordedAt,
        r.tool,
        r.trust,
        r.confidential,
        r.selectedBy,
      ]),
    )
    .sort();

/** Sources are listed oldest first: by time, then call, then field. */
function expectOldestFirst(rows: StoredEntry[]): void {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1] as StoredEntry, rows[i] as StoredEntry];
    expect(
      a.recordedAt - b.recordedAt || a.callId.localeCompare(b.callId) || a.field.localeCompare(b.field),
    ).toBeLessThanOrEqual(0);
  }
}

/** A small seeded generator: the same outputs on every run of the test. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n;
  };
}

describe('the provenance index in SQLite', () => {
  it('answers every lookup as the reference does, over random outputs, runs, retries and workflow ids', async () => {
    const next = random(1_303);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next(items.length))] as T;
    const s = store();
    const reference = new ReferenceIndex();
    // Few workflow ids, each continued as new once or twice; few digests, so values recur across
    // calls, fields and workflow ids; few fields, so one field has rows of several labels.
    const workflows = ['wf-a', 'wf-b', 'wf-c', 'wf-d'];
    const runs = workflows.flatMap((workflowId) =>
      ['r1', 'r2', 'r3'].slice(0, 1 + Math.floor(next(3))).map((runId) => ({ workflowId, runId })),
    );
    const fields = ['', 'id', 'body', 'tickets[].body', 'customer.email'];
    const outputs: Array<{ run: RunKey; entries: IndexEntry[]; at: number }> = [];
    for (let call = 0; call < 120; call++) {
      const run = pick(runs);
      const selectedBy = next(4) < 1 ? pick(['query', 'ticketId']) : undefined;
      const size = 1 + Math.floor(next(call % 17 === 0 ? 300 : 40));
      const entries = new Map<string, IndexEntry>();
      for (let i = 0; i < size; i++) {
        const e: IndexEntry = {
          digest: digest(Math.floor(next(400))),
          callId: `call-${call % 40}`,
          tool: pick(['ticket.get', 'crm.search_customers']),
          field: pick(fields),
          trust: selectedBy !== undefined || next(2) < 1 ? 'untrusted' : 'trusted',
          confidential: next(3) < 1,
          ...(selectedBy !== undefined ? { selectedBy } : {}),
        };
        // One label per digest and field of an output, as `entriesOf` makes them.
        if (!entries.has(`${e.digest}|${e.field}`)) entries.set(`${e.digest}|${e.field}`, e);
      }
      const list = [...entries.values()].map((e, _, all) => ({ ...e, tool: all[0]?.tool ?? e.tool }));
      outputs.push({ run, entries: list, at: 1_000 + Math.floor(next(50)) * 10 });
    }
    for (const { run, entries, at } of outputs) {
      await s.add(run, entries, at);
      reference.add(run, entries, at);
      // A retried execution: the same rows again, later, sometimes with more read the second time,
      // and labelled as selected by an untrusted argument if the run had read untrusted content since.
      if (next(5) < 1) {
        const later = (e: IndexEntry): IndexEntry =>
          next(3) < 1 ? { ...e, trust: 'untrusted', selectedBy: 'later-query' } : e;
        const again = [
          ...entries.map(later),
          ...entries.slice(0, 3).map((e) => later({ ...e, digest: digest(400 + Math.floor(next(100))) })),
        ];
        await s.add(run, again, at + 5_000);
        reference.add(run, again, at + 5_000);
      }
    }
    let nonEmpty = 0;
    for (const workflowId of [...workflows, 'wf-never']) {
      for (let q = 0; q < 25; q++) {
        const asked = Array.from({ length: 1 + Math.floor(next(q === 0 ? 1_000 : 30)) }, () =>
          digest(Math.floor(next(500))),
        );
        const found = await s.find(workflowId, asked);
        expect(canonical(found)).toEqual(canonical(reference.find(workflowId, asked)));
        expectOldestFirst(found);
        if (found.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(50);
    s.close();
  });

  it('keeps every row of an output larger than one insert statement, and finds them across lookup batches', async () => {
    const s = store();
    const entries = Array.from({ length: 1_003 }, (_, i) => entry(i, { selectedBy: 'query' }));
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

  it('absorbs a retried execution: the same rows again add nothing, and keep their first time', async () => {
    const dir = tempDir();
    const s = store(dir);
    const rows = Array.from({ length: 45 }, (_, i) => entry(i));
    await s.add({ workflowId: 'wf', runId: 'r1' }, rows, 1_000);
    await s.add({ workflowId: 'wf', runId: 'r1' }, rows, 2_000);
    expect(rowCounts(s.file)).toEqual({ calls: 1, digests: 45 });
    const found = await s.find('wf', [digest(1), digest(44), digest('unknown')]);
    expect(found.map((f) => [f.digest, f.field, f.trust, f.recordedAt])).toEqual([
      [digest(44), 'body', 'untrusted', 1_000],
      [digest(1), 'status', 'trusted', 1_000],
    ]);
    s.close();
  });

  it('keeps one index for every run of a workflow id, and none of it for another workflow id', async () => {
    const s = store();
    // A run that continued as new: its second execution has the same workflow id, another run id,
    // and may reuse a call id of the first.
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(1)], 1_000);
    await s.add({ workflowId: 'wf', runId: 'r2' }, [entry(1, { tool: 'crm.search_customers' })], 2_000);
    await s.add({ workflowId: 'other', runId: 'r9' }, [entry(1, { trust: 'untrusted' })], 3_000);
    expect((await s.find('wf', [digest(1)])).map((f) => [f.tool, f.recordedAt])).toEqual([
      ['ticket.get', 1_000],
      ['crm.search_customers', 2_000],
    ]);
    expect(await s.find('other', [digest(1)])).toMatchObject([{ trust: 'untrusted', recordedAt: 3_000 }]);
    expect(await s.find('wf-2', [digest(1)])).toEqual([]);
    s.close();
  });

  it('does not answer with a call of another workflow id whose rows share its page key', async () => {
    const s = store();
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(1)], 1_000);
    await s.add({ workflowId: 'victim', runId: 'r1' }, [entry(2, { trust: 'trusted' })], 1_000);
    // Two workflow ids whose 48-bit page keys are equal: a row under wf's key naming victim's call.
    const db = new DatabaseSync(s.file);
    const key = (
      db
        .prepare('SELECT workflow FROM provenance_digests WHERE digest = ?')
        .get(Buffer.from(digest(1), 'base64url')) as { workflow: number }
    ).workflow;
    const victimCall = (
      db.prepare("SELECT id FROM provenance_calls WHERE workflow_id = 'victim'").get() as {
        id: number;
      }
    ).id;
    db.prepare(
      'INSERT INTO provenance_digests (workflow, call, digest, field, trusted, confidential) VALUES (?, ?, ?, ?, 1, 0)',
    ).run(key, victimCall, Buffer.from(digest(3), 'base64url'), 'id');
    db.close();
    expect(await s.find('wf', [digest(3)])).toEqual([]);
    expect(await s.find('wf', [digest(1)])).toHaveLength(1);
    s.close();
  });

  it('lists sources oldest first, whatever order they were asked in', async () => {
    const s = store();
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(7, { callId: 'late' })], 5_000);
    await s.add({ workflowId: 'wf', runId: 'r1' }, [entry(7, { callId: 'early', field: 'subject' })], 1_000);
    const found = await s.find('wf', [digest(7), digest(7)]);
    expect(found.map((f) => f.callId)).toEqual(['early', 'late']);
    s.close();
  });

  it('refuses a digest it could not store exactly, and adds nothing of that output', async () => {
    const s = store();
    await expect(
      s.add({ workflowId: 'wf', runId: 'r1' }, [entry(1), entry(2, { digest: 'd-2' })], 1_000),
    ).rejects.toThrow(/22 base64url/);
    await expect(s.find('wf', ['not a digest'])).rejects.toThrow(/22 base64url/);
    expect(await s.find('wf', [digest(1)])).toEqual([]);
    expect(rowCounts(s.file)).toEqual({ calls: 0, digests: 0 });
    s.close();
  });
});

const PROCESSES = 3;
const OUTPUTS_EACH = 30;

/**
 * One worker process: opens the deployment's index, says it is ready, and once every process is,
 * records its outputs. Every process also records the same shared calls (the same execution retried
 * on another worker), so they race on the same keys.
 */
const worker = (dataDir: string, name: string) => `
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { SqliteProvenanceStore } from ${JSON.stringify(STORE)};
const digest = (n) => createHash('sha256').update(String(n)).digest('base64url').slice(0, 22);
const store = SqliteProvenanceStore.inDataDir(${JSON.stringify(dataDir)});
${startingLine(dataDir, name)}
for (let i = 0; i < ${OUTPUTS_EACH}; i++) {
  const own = Array.from({ length: 40 }, (_, j) => ({ digest: digest(${JSON.stringify(name)} + i + ':' + j), callId: ${JSON.stringify(name)} + '-' + i, tool: 'ticket.get', field: 'body', trust: 'untrusted', confidential: false }));
  await store.add({ workflowId: 'wf-' + (i % 3), runId: 'r1' }, own, 1000 + i);
  const shared = Array.from({ length: 40 }, (_, j) => ({ digest: digest('shared' + i + ':' + j), callId: 'shared-' + i, tool: 'ticket.get', field: 'id', trust: 'trusted', confidential: false }));
  await store.add({ workflowId: 'wf-' + (i % 3), runId: 'r1' }, shared, 1000 + i);
}
store.close();
console.log('done');
`;

describe('one index file, written by several worker processes at once', () => {
  it('keeps every process\u2019s rows, and the calls they all recorded once', async () => {
    const dataDir = tempDir();
    // Created before the processes start, so none of them races to create the schema.
    SqliteProvenanceStore.inDataDir(dataDir).close();
    const names = Array.from({ length: PROCESSES }, (_, p) => `p${p}`);
    const outputs = await raceProcesses(dataDir, names, (name) => worker(dataDir, name));
    expect(outputs).toEqual(names.map(() => 'done'));
    const s = SqliteProvenanceStore.inDataDir(dataDir);
    expect(rowCounts(s.file)).toEqual({
      calls: (PROCESSES + 1) * OUTPUTS_EACH,
      digests: (PROCESSES + 1) * OUTPUTS_EACH * 40,
    });
    for (const name of names) {
      const found = await s.find(
        'wf-1',
        Array.from({ length: 40 }, (_, j) => digest(`${name}4:${j}`)),
      );
      expect(found).toHaveLength(40);
      expect(found.every((f) => f.callId === `${name}-4` && f.trust === 'untrusted')).toBe(true);
    }
    expect(await s.find('wf-2', [digest('shared5:0'), digest('shared4:0')])).toMatchObject([
      { callId: 'shared-5', field: 'id', trust: 'trusted', recordedAt: 1_005 },
    ]);
    s.close();
  }, 90_000);
});
