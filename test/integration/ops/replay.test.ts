import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeActivities } from '../../../src/activities/smoke.ts';
import type { RunningWorker } from '../../../src/workers/start-worker.ts';
import { confirmSmokeUpdate } from '../../../src/workflows/smoke.ts';
import { SMOKE_WORKFLOWS, testClient, testWorker, uniqueTaskQueue } from '../../support/temporal.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

describe('warden replay against the real server', () => {
  const taskQueue = uniqueTaskQueue('ops-replay');
  const workflowId = `ops-replay-${Date.now()}`;
  let client: Client;
  let worker: RunningWorker;
  let historyJson: string;

  beforeAll(async () => {
    useTestServerEnv();
    client = await testClient();
    worker = await testWorker(taskQueue, smokeActivities);
    const handle = await client.workflow.start('smokeWorkflow', { taskQueue, workflowId, args: ['replay'] });
    await handle.executeUpdate(confirmSmokeUpdate, { args: ['ops'] });
    await handle.result();
    historyJson = historyToJSON(await handle.fetchHistory());
  });
  afterAll(async () => {
    await worker?.shutdown();
    await client?.connection.close();
  });

  it('replays a finished run deterministically, fetched by id', async () => {
    const result = await warden('replay', workflowId, '--workflows', SMOKE_WORKFLOWS);
    expect(result.stderr).toContain('replaying');
    expect(result.stdout).toMatch(/replay ok: \d+ events, deterministic/);
    // The test worker bundles as a project that does not trace workflows: the history shows it.
    expect(result.stdout).toContain('workflow tracing interceptors: off (as recorded: the history has none');
    expect(result.code).toBe(0);
  });

  it('replays with the tracing interceptors when asked, and refuses a value that is not on or off', async () => {
    const on = await warden('replay', workflowId, '--workflows', SMOKE_WORKFLOWS, '--workflow-tracing', 'on');
    // The interceptors of a run recorded without them stay out of its commands: still deterministic.
    expect(on.stdout).toContain('workflow tracing interceptors: on (--workflow-tracing)');
    expect(on.code).toBe(0);
    const bad = await warden(
      'replay',
      workflowId,
      '--workflows',
      SMOKE_WORKFLOWS,
      '--workflow-tracing',
      'yes',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--workflow-tracing is on or off');
  });

  it('exits 1 with the nondeterminism message when the history diverges from the code', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-replay-'));
    // The recorded run scheduled activity "1"; the code schedules "1" again: an edited history diverges.
    const tampered = JSON.parse(historyJson) as { events: Array<Record<string, Record<string, unknown>>> };
    const scheduled = tampered.events.find((e) => e.activityTaskScheduledEventAttributes);
    if (!scheduled?.activityTaskScheduledEventAttributes) throw new Error('no activity in the smoke history');
    scheduled.activityTaskScheduledEventAttributes.activityId = '99';
    const file = path.join(dir, 'tampered.json');
    writeFileSync(file, JSON.stringify(tampered));
    writeFileSync(path.join(dir, 'good.json'), historyJson);

    const good = await warden(
      'replay',
      '--history',
      path.join(dir, 'good.json'),
      '--workflows',
      SMOKE_WORKFLOWS,
    );
    expect(good.code).toBe(0);
    const bad = await warden('replay', '--history', file, '--workflows', SMOKE_WORKFLOWS);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/warden: replay of .* diverged: .*/);
    expect(bad.stderr.trim().split('\n').at(-1)).toMatch(/nondetermin|does not match/i);
  });

  it('refuses an unknown run and a missing file with one line and a non-zero exit', async () => {
    const unknown = await warden('replay', 'no-such-run');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('warden: unknown run: no workflow with id "no-such-run"');
    const missing = await warden('replay', '--history', '/nonexistent/history.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read history file');
  });
});
