import path from 'node:path';
import type { Interceptor } from '@grpc/grpc-js';
import { InterceptingCall } from '@grpc/grpc-js';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type WorkflowHandle,
} from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPendingApprovals, pendingApprovalsPage } from '../../../src/approvals/list-pending.ts';
import { ApprovalRefusedError } from '../../../src/approvals/submit-approval.ts';
import type { PendingApproval } from '../../../src/guard/types.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import type { PendingApprovalView } from '../../../src/web/approvals-backend.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { type RunningWorker, startWorker } from '../../../src/workers/start-worker.ts';
import { PENDING_MEMO_FIELD } from '../../../src/workflows/guard/pending-memo.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import type { MemoAnswerInput, MemoTamper } from '../guard/fixtures/memo-answer-workflow.ts';
import { approver, guardTestConfig, startPlan, useGuardWorkers, waitForPending } from '../guard/harness.ts';
import { acceptedUpdates, BAD_SIGNATURE, problemOf } from './decision-checks.ts';

const MEMO_ANSWER_WORKFLOW = path.resolve(import.meta.dirname, '../guard/fixtures/memo-answer-workflow.ts');

const refundArgs = (amount: number) => ({
  customerId: 'c-1001',
  amount,
  currency: 'EUR',
  reason: 'cancelled plan',
});
const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: refundArgs(amount),
});

const NO_ANSWER = 'the run reports no decision of the tool worker signed for this call';

describe('approval services read the waiting calls from the run memo, verified as strictly as a query', () => {
  const fixture = useGuardWorkers('memo-pending');
  const rpcs: string[] = [];
  let counted: Client;
  let backend: TemporalApprovalsBackend;
  let rogue: RunningWorker;
  const rogueQueue = uniqueTaskQueue('memo-answer');
  // crm.issue_refund runs in the default zone: its tool worker polls Warden's main task queue.
  const zoneQueue = () => fixture.taskQueue;
  const count = (method: string) => rpcs.filter((m) => m === method).length;

  beforeAll(async () => {
    const { address, namespace } = testServer();
    // Every RPC the backend's client sends, by method: what listing, showing and approving cost.
    const counter: Interceptor = (options, next) => {
      rpcs.push(options.method_definition.path.split('/').pop() ?? '');
      return new InterceptingCall(next(options));
    };
    const connection = await Connection.connect({
      address,
      interceptors: [counter, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
    });
    counted = new Client({ connection, namespace, dataConverter: await wardenDataConverter(testConfig()) });
    const { deps } = fixture.workers;
    backend = new TemporalApprovalsBackend(
      counted,
      guardTestConfig(),
      {
        authorizer: deps.authorizer,
        tools: deps.tools,
        signer: PRIMARY_KEY.signer,
        decisions: ringDecisionVerifier(deps.zoneKeys, deps.tools),
      },
      10,
      { filter: `TaskQueue = "${fixture.taskQueue}" OR TaskQueue = "${rogueQueue}"` },
    );
    rogue = await startWorker({
      config: testConfig(),
      address,
      namespace,
      taskQueue: rogueQueue,
      activities: {},
      workflowsPath: MEMO_ANSWER_WORKFLOW,
    });
  });
  afterAll(async () => {
    await rogue?.shutdown();
    await counted?.connection.close();
  });

  it('lists N paused runs, shows and approves one without a query or a history read; the run executes it', async () => {
    const handles = await Promise.all(
      [231, 232, 233].map((amount, i) =>
        startPlan(fixture.client, fixture.taskQueue, { calls: [refund(`memo-${i}`, amount)] }),
      ),
    );
    for (const handle of handles) await waitForPending(handle, 1);
    // The memo lists the call as the query returns it, signed answer included.
    const [first] = handles as [WorkflowHandle];
    const memo = (await first.describe()).memo?.[PENDING_MEMO_FIELD] as { calls: PendingApproval[] };
    const queriedView = await first.query<PendingApproval[]>('pendingApprovals');
    expect(memo).toEqual({ calls: queriedView, complete: true });

    rpcs.length = 0;
    const listed = await eventually(async () => {
      const page = await backend.listPending({ limit: 100 });
      const ours = page.items.filter((p) => handles.some((h) => h.workflowId === p.workflowId));
      return ours.length === handles.length ? ours : undefined;
    });
    for (const item of listed) {
      expect(item.decisionCheck).toEqual({ verified: true });
      expect(item.reasons.length).toBeGreaterThan(0);
    }
    expect(count('QueryWorkflow')).toBe(0);
    expect(count('ListWorkflowExecutions')).toBeGreaterThan(0);

    rpcs.length = 0;
    const shown = await backend.pendingCall(first.workflowId, 'memo-0');
    expect(shown?.decisionCheck).toEqual({ verified: true });
    expect(rpcs).toEqual(['DescribeWorkflowExecution']);
    const message = await backend.decide(approver('bob'), {
      workflowId: first.workflowId,
      callId: 'memo-0',
      approve: true,
      reason: 'checked',
      shown: shown as PendingApprovalView,
    });
    expect(message).toContain('the call is approved');
    // Without what was shown: the service reads the call itself, by a describe, not a query.
    const second = handles[1] as WorkflowHandle;
    await backend.decide(approver('bob'), {
      workflowId: second.workflowId,
      callId: 'memo-1',
      approve: true,
      reason: 'checked',
    });
    expect(count('QueryWorkflow')).toBe(0);
    expect(count('GetWorkflowExecutionHistory')).toBe(0);
    expect(count('UpdateWorkflowExecution')).toBe(2);
    for (const handle of handles.slice(0, 2)) {
      const { outcomes } = await handle.result();
      expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    }
    // Decided, the run's memo lists nothing waiting: the page does not show it again.
    expect((await first.describe()).memo?.[PENDING_MEMO_FIELD]).toEqual({ calls: [], complete: true });
    await handles[2]?.terminate('test over');
  });

  it('a run with more calls waiting than the memo holds is listed through its query', async () => {
    const calls = Array.from({ length: 9 }, (_, i) => refund(`many-${i}`, 201 + i));
    const handle = await startPlan(fixture.client, fixture.taskQueue, { calls, parallel: true });
    try {
      await waitForPending(handle, 9);
      expect((await handle.describe()).memo?.[PENDING_MEMO_FIELD]).toEqual({ calls: [], complete: false });
      rpcs.length = 0;
      const page = await pendingApprovalsPage(counted, {
        filter: `WorkflowId = "${handle.workflowId}"`,
      });
      expect(page.items.map((p) => p.callId).sort()).toEqual(calls.map((c) => c.callId).sort());
      expect(page.queried).toBe(1);
      expect(count('QueryWorkflow')).toBe(1);
    } finally {
      await handle.terminate('test over');
    }
  });

  describe('a hostile run writes its memo', () => {
    let victim: WorkflowHandle;
    let victimView: PendingApproval;
    beforeAll(async () => {
      victim = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('memo-victim', 262)] });
      await waitForPending(victim, 1);
      [victimView] = (await listPendingApprovals(fixture.client, { workflowId: victim.workflowId })) as [
        PendingApproval,
      ];
      expect(victimView.signedDecision).toBeDefined();
    });
    afterAll(async () => {
      await victim?.terminate('test over').catch(() => {});
    });

    const startHostile = async (tamper: MemoTamper, callId = 'memo-hostile') => {
      const input: MemoAnswerInput = {
        zoneQueue: zoneQueue(),
        callId,
        tool: 'crm.issue_refund',
        toolVersion: fixture.workers.deps.tools.get('crm.issue_refund')?.version ?? '',
        arguments: refundArgs(264),
        tamper,
        ...(tamper === 'other-run' ? { victim: victimView } : {}),
      };
      const handle = await fixture.client.workflow.start('memoAnswerWorkflow', {
        taskQueue: rogueQueue,
        workflowId: `memo-answer-${tamper}-${rogueQueue}`,
        args: [input],
      });
      const listed = await eventually(async () => {
        const found = await listPendingApprovals(fixture.client, { workflowId: handle.workflowId }).catch(
          () => [],
        );
        return found.length > 0 ? found : undefined;
      });
      return { handle, listed };
    };

    it('its genuine answer for its own call verifies (the control: these checks can pass)', async () => {
      const { handle, listed } = await startHostile('genuine');
      try {
        expect(listed).toHaveLength(1);
        const shown = await backend.pendingCall(handle.workflowId, 'memo-hostile');
        expect(shown?.decisionCheck).toEqual({ verified: true });
      } finally {
        await handle.terminate('test over').catch(() => {});
      }
    });

    const attacks: Array<{ tamper: MemoTamper; callId: string; problem: string }> = [
      { tamper: 'other-run', callId: 'memo-victim', problem: BAD_SIGNATURE },
      { tamper: 'other-call', callId: 'memo-hostile-ghost', problem: BAD_SIGNATURE },
      { tamper: 'reasons', callId: 'memo-hostile', problem: BAD_SIGNATURE },
      { tamper: 'provenance', callId: 'memo-hostile', problem: BAD_SIGNATURE },
      { tamper: 'phantom', callId: 'memo-hostile-phantom', problem: NO_ANSWER },
    ];
    for (const { tamper, callId, problem } of attacks) {
      it(`${tamper}: the call read from the memo is unverified, shows none of its words, and nothing is signed`, async () => {
        const refundsBefore = fixture.workers.deps.services.crm.refunds.length;
        const { handle, listed } = await startHostile(tamper);
        try {
          // Named by the run the server read it from, whatever the memo says of its ids.
          for (const item of listed) {
            expect(item).toMatchObject({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
          }
          const page = await eventually(async () => {
            const found = await backend.listPending({ limit: 100 });
            const item = found.items.find((p) => p.workflowId === handle.workflowId && p.callId === callId);
            return item;
          });
          for (const item of [page, await backend.pendingCall(handle.workflowId, callId)]) {
            expect(item).toMatchObject({ reasons: [], decisionCheck: { verified: false } });
            expect(problemOf(item?.decisionCheck)).toContain(problem);
            expect(item?.provenance).toBeUndefined();
            expect(item?.request).toBeUndefined();
          }
          const refused = await backend
            .decide(approver('bob'), {
              workflowId: handle.workflowId,
              callId,
              approve: true,
              reason: 'checked',
            })
            .catch((error: unknown) => error);
          expect(refused).toBeInstanceOf(ApprovalRefusedError);
          expect((refused as Error).message).toContain(
            `decision on call ${callId} does not verify: ${problem}`,
          );
          expect((refused as Error).message).toMatch(/; not signed$/);
          expect(await acceptedUpdates(handle)).toBe(0);
          expect(fixture.workers.deps.services.crm.refunds.length).toBe(refundsBefore);
        } finally {
          await handle.terminate('test over').catch(() => {});
        }
      });
    }

    it("the victim's call is untouched: still waiting, nobody approved it", async () => {
      const [still] = await listPendingApprovals(fixture.client, { workflowId: victim.workflowId });
      expect(still).toMatchObject({ callId: 'memo-victim', approvals: [] });
      expect(await acceptedUpdates(victim)).toBe(0);
    });
  });
});
