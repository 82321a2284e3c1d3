import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/alert.ts';
import { type AgentBaseline, MOST_CALLS_SQL, SqliteAlertStore } from '../../../src/alerts/alert-store.ts';
import type { RunKey } from '../../../src/usage/usage-store.ts';

/**
 * What a baseline means, as one query over every counted row: the agent's runs on record other than
 * this one that raised no alert, their records, and the most calls of the tool one of them made.
 * The store must answer the same without reading the agent's whole history.
 */
function reference(db: DatabaseSync, agent: string, tool: string, run: RunKey): AgentBaseline {
  const clean = `agent = ? AND NOT (workflow_id = ? AND run_id = ?)
    AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.workflow_id = run_tools.workflow_id AND a.run_id = run_tools.run_id)`;
  const args = [agent, run.workflowId, run.runId];
  const totals = db
    .prepare(
      `SELECT COUNT(DISTINCT workflow_id || char(0) || run_id) AS runs, COALESCE(SUM(records), 0) AS records FROM run_tools WHERE ${clean}`,
    )
    .get(...args) as { runs: number; records: number };
  const most = db
    .prepare(`SELECT MAX(calls) AS most, COUNT(*) AS n FROM run_tools WHERE ${clean} AND tool = ?`)
    .get(...args, tool) as { most: number | null; n: number };
  const runs = Number(totals.runs);
  return {
    runs,
    meanRecordsPerRun: runs === 0 ? 0 : Number(totals.records) / runs,
    usedTool: Number(most.n) > 0,
    maxCallsPerRun: Number(most.most ?? 0),
  };
}

/** A small deterministic generator: the same sequence on every run of the test. */
function generator(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % n;
  };
}

function alertFor(run: RunKey, n: number): Alert {
  return {
    id: `alert-${n}`,
    rule: 'denial_burst',
    title: 't',
    description: 'd',
    severity: 'medium',
    at: n,
    run,
  };
}

describe('alert baselines stay exact without scanning the history', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-alert-baseline-'));
  const file = path.join(dir, 'alerts.sqlite');
  const store = new SqliteAlertStore(file);
  const side = new DatabaseSync(file);
  afterAll(() => {
    store.close();
    side.close();
  });

  it('agrees with the whole-history query on a random mix of runs, calls, records and alerts', () => {
    const next = generator(42);
    const agents = ['support-bot', 'billing-bot', 'ops-bot'];
    const tools = ['ticket.get', 'crm.get_customer', 'crm.issue_refund', 'http.fetch'];
    // One agent per run, as a run without handoffs has.
    const runs = Array.from({ length: 80 }, (_, i) => ({
      run: { workflowId: `wf-${i % 60}`, runId: `run-${i}` },
      agent: agents[i % agents.length] as string,
    }));
    let compared = 0;
    let alerts = 0;
    for (let step = 0; step < 3_000; step++) {
      const { run, agent } = runs[next(runs.length)] as (typeof runs)[number];
      const tool = tools[next(tools.length)] as string;
      if (next(40) === 0) {
        // A raised alert takes the run out of every baseline, also a second alert of the same run.
        store.transaction(() => store.raise(alertFor(run, alerts), `rule:${alerts++}`));
        continue;
      }
      const expected = reference(side, agent, tool, run);
      const actual = store.transaction(() => store.baseline(agent, tool, run));
      expect({ step, ...actual, meanRecordsPerRun: actual.meanRecordsPerRun.toFixed(9) }).toEqual({
        step,
        ...expected,
        meanRecordsPerRun: expected.meanRecordsPerRun.toFixed(9),
      });
      compared++;
      const decided = next(3) !== 0;
      store.transaction(() =>
        store.countCall(run, agent, tool, decided ? 0 : next(7), decided ? 1 : 0, step),
      );
    }
    expect(compared).toBeGreaterThan(2_500);
    expect(alerts).toBeGreaterThan(30);
  });

  it("finds a tool's most calls through the (agent, tool, calls) index, never a scan of the history", () => {
    const plan = side.prepare(`EXPLAIN QUERY PLAN ${MOST_CALLS_SQL}`).all('a', 't', 'w', 'r') as Array<{
      detail: string;
    }>;
    const details = plan.map((p) => p.detail);
    expect(details.some((d) => /SEARCH r USING (COVERING )?INDEX run_tools_by_calls/.test(d))).toBe(true);
    expect(details.some((d) => /^SCAN (r|run_tools)\b/.test(d))).toBe(false);
  });

  it('a file counted before the per-agent totals existed gets them from its counts when opened', () => {
    const run = { workflowId: 'wf-probe', runId: 'run-probe' };
    const before = reference(side, 'support-bot', 'ticket.get', run);
    expect(before.runs).toBeGreaterThan(0);
    side.exec('DELETE FROM run_agents; DELETE FROM agent_totals;');
    const reopened = new SqliteAlertStore(file);
    try {
      for (const agent of ['support-bot', 'billing-bot', 'ops-bot'])
        for (const tool of ['ticket.get', 'http.fetch'])
          expect(reopened.baseline(agent, tool, run)).toEqual(reference(side, agent, tool, run));
    } finally {
      reopened.close();
    }
  });

  it('windows of records and denials count every event in them, to the second, in one row per second', () => {
    const next = generator(7);
    const windowMs = 60_000;
    const reads: Array<{ at: number; records: number }> = [];
    const denials: number[] = [];
    let at = 1_700_000_000_000;
    for (let i = 0; i < 4_000; i++) {
      at += next(90);
      const records = 1 + next(5);
      reads.push({ at, records });
      denials.push(at);
      const counted = store.transaction(() => store.addRecords('pair', records, at, windowMs));
      const denied = store.transaction(() => store.addDenial('pair', at, windowMs));
      const start = at - windowMs;
      const sinceSecond = Math.floor(start / 1000) * 1000;
      const exact = reads.filter((r) => r.at > start).reduce((n, r) => n + r.records, 0);
      const edge = reads
        .filter((r) => r.at >= sinceSecond && r.at <= start)
        .reduce((n, r) => n + r.records, 0);
      // Never fewer than the window holds; more only by what the window's first second holds before it.
      expect(counted).toBeGreaterThanOrEqual(exact);
      expect(counted).toBeLessThanOrEqual(exact + edge);
      expect(denied).toBeGreaterThanOrEqual(denials.filter((d) => d > start).length);
      expect(denied).toBeLessThanOrEqual(denials.filter((d) => d >= sinceSecond).length);
    }
    const rows = side
      .prepare("SELECT COUNT(*) AS n FROM record_reads_per_second WHERE window_key = 'pair'")
      .get() as {
      n: number;
    };
    expect(Number(rows.n)).toBe(new Set(reads.map((r) => Math.floor(r.at / 1000))).size);
    expect(Number(rows.n)).toBeLessThan(reads.length);
  });
});
