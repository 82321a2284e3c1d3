import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { createToolActivities } from '../../../src/activities/guard/index.ts';
import { createActivities } from '../../../src/activities/index.ts';
import { loadRun } from '../../../src/audit/load-run.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import type { Fact } from '../../../src/authz/types.ts';
import type { GuardedCallResult } from '../../../src/guard/types.ts';
import { workerTracingOptions } from '../../../src/telemetry/tracing.ts';
import { connectWorker } from '../../../src/temporal/connection.ts';
import {
  FAILURE_CONVERTER_PATH,
  PAYLOAD_CONVERTER_PATH,
  workerDataConverter,
} from '../../../src/temporal/data-converter.ts';
import { type RunningWorker, startWorker } from '../../../src/workers/start-worker.ts';
import { wardenWebpackHook, workflowBundlerOptions } from '../../../src/workers/workflow-bundle.ts';
import { PENDING_MEMO_FIELD } from '../../../src/workflows/guard/pending-memo.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { EXAMPLE_WORKFLOWS } from '../../support/example.ts';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { useExternalZonePoller } from './fixtures/zone-poller.ts';
import { decide, guardTestConfig, startPlan, useGuardWorkers, waitForPending } from './harness.ts';

const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});
/** The agent may use the external toolset, with people's approval (alice already may). */
const exporting: Fact[] = [
  ['has_role', { type: 'Agent', id: 'support-bot' }, 'user', { type: 'Toolset', id: 'external' }],
];
/** A tool of the external zone, served only by the test's poller; critical, so it needs people. */
const exportTo = (callId: string) => ({
  tool: 'crm.export_customers',
  callId,
  arguments: { destinationUrl: 'https://backup.acme.example/customers' },
});
const activityTypes = (run: Awaited<ReturnType<typeof loadRun>>) =>
  run.steps.flatMap((s) => (s.kind === 'activity' ? [s.activityType] : []));
/** The text of every marker the run recorded (a patch marker names its patch id). */
async function markers(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  const text = new TextDecoder();
  return (history.events ?? [])
    .flatMap((event) => Object.values(event.markerRecordedEventAttributes?.details ?? {}))
    .flatMap((payloads) => (payloads.payloads ?? []).map((p) => text.decode(p.data ?? new Uint8Array())))
    .join('\n');
}
const notDecided =
  /^decision refused: the decision's signature does not verify with the key of trust zone external$/;

describe('a call that needs people waits with the stage the tool worker prepared in its signed answer', () => {
  // Only the test's poller serves the external zone's queue: the real worker's activities, or an attacker.
  const fixture = useGuardWorkers('guard-prepared-approval', { external: false });
  const zone = useExternalZonePoller(fixture, exporting);

  it('pauses without a prepareApproval activity, and the signed stage is what approvers sign', async () => {
    zone.answer = (input, real) => real(input);
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('prepared', 260)] });
    const [pending] = await waitForPending(handle);
    const run = await loadRun(fixture.client, handle.workflowId);
    expect(activityTypes(run)).not.toContain('prepareApproval');
    const step = run.steps.find((s) => s.kind === 'activity' && s.activityType === 'guardedToolCall');
    if (step?.kind !== 'activity') throw new Error('the call is one guarded activity');
    expect(step.input[0]).toMatchObject({ callId: 'prepared', prepareApproval: true });
    const result = step.result as Extract<GuardedCallResult, { decision: 'needs_approval' }>;
    expect(result.decision).toBe('needs_approval');
    expect(result.approval).toMatchObject({
      digest: pending?.digest,
      eligibleApprovers: pending?.eligibleApprovers,
    });
    expect(pending?.eligibleApprovers).toContain('bob');
    expect(pending?.eligibleApprovers).not.toContain('alice');
    // The audit verifies the decision with its prepared stage: nothing is shown unverified.
    const verifier = ringDecisionVerifier(fixture.workers.deps.zoneKeys, fixture.workers.deps.tools);
    const timeline = buildTimeline(run, undefined, { decisions: verifier });
    expect(timeline.filter((e) => e.kind === 'unverified_decision')).toEqual([]);

    await decide(fixture, handle, 'prepared', 'bob');
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(crm.refunds.length - before).toBe(1);
  });

  it('a signed answer whose prepared stage was edited (an approver added, the keys swapped) pauses nothing', async () => {
    const edits: Array<(a: Record<string, unknown>) => Record<string, unknown>> = [
      (a) => ({ ...a, eligibleApprovers: [...(a.eligibleApprovers as string[]), 'mallory'] }),
      (a) => ({ ...a, approvalKeys: { 'rogue-key': 'ab'.repeat(32) } }),
      (a) => ({ ...a, digest: `sha256:${'0'.repeat(64)}` }),
    ];
    const egress = fixture.workers.deps.services.egress;
    const before = egress.sent.length;
    for (const [i, edit] of edits.entries()) {
      zone.answer = async (input, real) => {
        const genuine = await real(input);
        // Anything else is left as it is, and fails the expectations below.
        if (genuine.decision !== 'needs_approval' || genuine.approval === undefined) return genuine;
        return {
          ...genuine,
          approval: edit(genuine.approval as unknown as Record<string, unknown>) as never,
        };
      };
      const handle = await startPlan(fixture.client, fixture.taskQueue, { calls: [exportTo(`edited-${i}`)] });
      const { outcomes, records } = await handle.result();
      expect(outcomes[0]).toMatchObject({ callId: `edited-${i}`, status: 'failed' });
      expect(outcomes[0]?.reason).toMatch(notDecided);
      expect(records[0]?.approval).toBeUndefined();
    }
    // A prepared stage dropped from the signed answer is an edit too.
    zone.answer = async (input, real) => {
      const { approval: _dropped, ...genuine } = (await real(input)) as Extract<
        GuardedCallResult,
        { decision: 'needs_approval' }
      >;
      return genuine;
    };
    const handle = await startPlan(fixture.client, fixture.taskQueue, { calls: [exportTo('dropped')] });
    const { outcomes } = await handle.result();
    expect(outcomes[0]?.reason).toMatch(notDecided);
    expect(egress.sent.length).toBe(before);
    // The same call answered as the worker signed it does pause, with the stage it prepared.
    zone.answer = (input, real) => real(input);
    const honest = await startPlan(fixture.client, fixture.taskQueue, { calls: [exportTo('honest')] });
    const [pending] = await waitForPending(honest);
    expect(pending).toMatchObject({ callId: 'honest', quorum: 2, eligibleApprovers: ['bob', 'carol'] });
    await honest.terminate('the test saw it pause');
  });
});

/** The previous release's bundle: the example's workflows with the 12c guard patches. */
const PREVIOUS_PATCHES = fileURLToPath(new URL('./fixtures/guard-patches-12c.ts', import.meta.url));

describe('a run paused by the previous release is approved by the current one', () => {
  const fixture = useGuardWorkers('guard-prepared-before', {});
  const taskQueue = uniqueTaskQueue('guard-prepared-previous');
  let previous: { worker: Worker; done: Promise<void> } | undefined;
  let current: RunningWorker | undefined;

  afterAll(async () => {
    if (previous && previous.worker.getState() === 'RUNNING') previous.worker.shutdown();
    await previous?.done;
    await current?.shutdown();
  });

  it('replays its recorded prepareApproval and 12c marker, then executes on a signed approval', async () => {
    const config = guardTestConfig();
    const { address, namespace } = testServer();
    const { deps } = fixture.workers;
    const bundle = await bundleWorkflowCode({
      workflowsPath: EXAMPLE_WORKFLOWS,
      ...workflowBundlerOptions,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      webpackConfigHook: (webpack) => {
        const hooked = wardenWebpackHook(webpack);
        return {
          ...hooked,
          resolve: {
            ...hooked.resolve,
            alias: { ...(hooked.resolve?.alias as object), './guard-patches.ts': PREVIOUS_PATCHES },
          },
        };
      },
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    });
    expect(bundle.code).toContain('guard-patches-12c.ts');
    const connection = await connectWorker(config, address);
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities(deps),
      dataConverter: await workerDataConverter(config),
      ...workerTracingOptions(undefined),
    });
    previous = { worker, done: worker.run().finally(() => connection.close()) };
    const zone = await startWorker({
      config,
      address,
      namespace,
      taskQueue: `${taskQueue}-tools-external`,
      activities: createToolActivities(deps, 'external'),
    });
    try {
      const crm = deps.services.crm;
      const before = crm.refunds.length;
      const handle = await startPlan(fixture.client, taskQueue, { calls: [refund('previous', 290)] });
      await waitForPending(handle);
      const paused = await loadRun(fixture.client, handle.workflowId);
      expect(await markers(handle)).toContain('warden-guard-patches-2026-12c');
      expect(activityTypes(paused)).toContain('prepareApproval');
      // That release listed no waiting calls in the memo: the approval service falls back to the query.
      expect((await handle.describe()).memo?.[PENDING_MEMO_FIELD]).toBeUndefined();

      // The previous release's worker is gone; the current one rebuilds the run from its history.
      worker.shutdown();
      await previous.done;
      current = await startWorker({
        config,
        address,
        namespace,
        taskQueue,
        activities: createActivities(deps),
        workflowsPath: EXAMPLE_WORKFLOWS,
      });
      await decide(fixture, handle, 'previous', 'bob');
      const { outcomes } = await handle.result();
      expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
      expect(crm.refunds.length - before).toBe(1);
      const done = await loadRun(fixture.client, handle.workflowId);
      expect(await markers(handle)).not.toContain('warden-guard-patches-2026-12d');
      expect(activityTypes(done).filter((t) => t === 'prepareApproval')).toHaveLength(1);
    } finally {
      await zone.shutdown();
    }
  });
});
