/**
 * What the alert rules cost a tool call as the deployment's history grows: the tool worker counts
 * every decision into the baselines and windows of its alert store (one SQLite file) and reads them
 * back in the same transaction. Each decided call of an agent reads its baseline, each execution
 * adds the records it read to a window of its agent and user; neither may grow with the history.
 * Measured on the store itself (no Temporal): CPU per decided-and-executed call, after histories of
 * BENCH_ALERT_HISTORY runs (default 1,000 and 10,000) of the same agent and user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GuardObservation } from '../src/activities/guard/observer.ts';
import { AlertMonitor } from '../src/alerts/alert-monitor.ts';
import { resolveAlertsConfig } from '../src/alerts/alerts-config.ts';
import { ownCpuMs } from './cpu.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

const HISTORIES = (process.env.BENCH_ALERT_HISTORY ?? '1000,10000').split(',').map(Number);
const CALLS = 300;
const ROUNDS = 5;

const observation = (run: number, step: 'decide' | 'execute'): GuardObservation => ({
  step,
  at: Date.now(),
  run: { workflowId: `wf-${run}`, runId: `run-${run}` },
  callId: 'call-1',
  tool: 'ticket.get',
  agent: { type: 'Agent', id: 'support-bot' },
  onBehalfOf: { type: 'User', id: 'alice' },
  outcome: 'executed',
  recordsRead: 1,
  hosts: [],
  approvers: [],
  tainted: false,
});

const dir = mkdtempSync(path.join(tmpdir(), 'warden-bench-alerts-'));
const monitor = AlertMonitor.inDataDir(dir, resolveAlertsConfig({}));
const call = (run: number) => {
  monitor.observe(observation(run, 'decide'));
  monitor.observe(observation(run, 'execute'));
};
console.log('alert store: CPU per decided and executed call as the history of one agent and user grows');
let filled = 0;
let fresh = 10_000_000;
for (const history of HISTORIES) {
  for (; filled < history; filled++) call(filled);
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = ownCpuMs();
    for (let i = 0; i < CALLS; i++) call(fresh++);
    rounds.push(((ownCpuMs() - cpu) * 1000) / CALLS);
  }
  const perCall = median(rounds);
  console.log(
    `  history of ${history} runs: ${perCall.toFixed(0)} µs per call (median of ${ROUNDS} × ${CALLS})`,
  );
  record({
    bench: 'alert-history',
    name: `alert rules per call, history of ${history} runs`,
    value: perCall,
    unit: 'µs',
    params: { history },
  });
}
if (monitor.errors > 0) throw new Error(`${monitor.errors} observations were not evaluated`);
await monitor.close();
rmSync(dir, { recursive: true, force: true });
