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
import { listPendingApprovals } from '../../../src/approvals/list-pending.ts';
import { withRecordedProvenance } from '../../../src/approvals/recorded-provenance.ts';
import { ApprovalRefusedError } from '../../../src/approvals/submit-approval.ts';
import type { PendingApproval } from '../../../src/guard/types.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import type { PendingApprovalView } from '../../../src/web/approvals-backend.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { type RunningWorker, startWorker } from '../../../src/workers/start-worker.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import type { HandedAnswerInput } from '../guard/fixtures/handed-answer-workflow.ts';
import {
  approver,
  decide,
  guardTestConfig,
  startPlan,
  useGuardWorkers,
  waitForPending,
} from '../guard/harness.ts';
import { acceptedUpdates, BAD_SIGNATURE, problemOf } from './decision-checks.ts';

const HANDED_ANSWER_WORKFLOW = path.resolve(
  import.meta.dirname,
  '../guard/fixtures/handed-answer-workflow.ts',
);

const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

describe('the approval service verifies the signed answer the query carries, not the history', () => {
  const fixture = useGuardWorkers('queried-decision');
  const rpcs: string[] = [];
  let counted: Client;
  let backend: TemporalApprovalsBackend;
  let verifier: ReturnType<typeof ringDecisionVerifier>;
  let rogue: RunningWorker;
  const rogueQueue = uniqueTaskQueue('handed-answer');

  beforeAll(async () => {
    const { address, namespace } = testServer();
    // Every RPC the backend's client sends, by method: what showing and approving costs the server.
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
    verifier = ringDecisionVerifier(deps.zoneKeys, deps.tools);
    backend = new TemporalApprovalsBackend(counted, guardTestConfig(), {
      authorizer: deps.authorizer,
      tools: deps.tools,
      signer: PRIMARY_KEY.signer,
      decisions: verifier,
    });
    rogue = await startWorker({
      config: testConfig(),
      address,
      namespace,
      taskQueue: rogueQueue,
      activities: {},
      workflowsPath: HANDED_ANSWER_WORKFLOW,
    });
  });
  afterAll(async () => {
    await rogue?.shutdown();
    await counted?.connection.close();
  });

  it('lists, shows and approves an honest call without one history read; the run executes it', async () => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [refund('refund-honest', 240)],
    });
    await waitForPending(handle, 1);
    rpcs.length = 0;
    const listed = await eventually(async () => {
      const page = await backend.listPending();
      return page.items.find((p) => p.workflowId === handle.workflowId);
    });
    expect(listed.decisionCheck).toEqual({ verified: true });
    expect(listed.reasons.length).toBeGreaterThan(0);
    const shown = await backend.pendingCall(handle.workflowId, 'refund-honest');
    expect(shown?.decisionCheck).toEqual({ verified: true });
    const message = await backend.decide(approver('bob'), {
      workflowId: handle.workflowId,
      callId: 'refund-honest',
      approve: true,
      reason: 'checked',
      shown: shown as PendingApprovalView,
    });
    expect(message).toContain('the call is approved');
    expect(rpcs).not.toContain('GetWorkflowExecutionHistory');
    // The run lists its waiting call in its memo: the page reads it there, not from a query.
    expect(rpcs).not.toContain('QueryWorkflow');
    expect(rpcs).toContain('UpdateWorkflowExecution');
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
  });

  describe('hostile answers', () => {
    let victim: WorkflowHandle;
    let served: PendingApproval;
    beforeAll(async () => {
      victim = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('refund-victim', 260)] });
      await waitForPending(victim, 1);
      [served] = (await listPendingApprovals(fixture.client, { workflowId: victim.workflowId })) as [
        PendingApproval,
      ];
      expect(served.signedDecision).toBeDefined();
    });
    afterAll(async () => {
      await victim?.terminate('test over').catch(() => {});
    });

    it("a run whose query hands over another run's genuine signed answer is unverified, and nothing is signed", async () => {
      // The victim's pending call exactly as its own query reports it, ids and signed answer included.
      const [reported] = await victim.query(pendingApprovalsQuery);
      const input: HandedAnswerInput = { victim: reported as PendingApproval };
      const handle = await fixture.client.workflow.start('handedAnswerWorkflow', {
        taskQueue: rogueQueue,
        workflowId: `handed-answer-${rogueQueue}`,
        args: [input],
      });
      try {
        const [listed] = await eventually(async () => {
          const found = await listPendingApprovals(fixture.client, { workflowId: handle.workflowId }).catch(
            () => [],
          );
          return found.length > 0 ? found : undefined;
        });
        // The service names the call by the run it read it from, not the one the run claims to be.
        expect(listed).toMatchObject({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
        const shown = await backend.pendingCall(handle.workflowId, 'refund-victim');
        expect(shown).toMatchObject({ reasons: [], decisionCheck: { verified: false } });
        expect(problemOf(shown?.decisionCheck)).toContain(BAD_SIGNATURE);
        expect(shown?.provenance).toBeUndefined();
        expect(shown?.request).toBeUndefined();

        const refused = await decide(fixture, handle, 'refund-victim', 'bob').catch(
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(ApprovalRefusedError);
        expect((refused as Error).message).toMatch(
          new RegExp(`decision on call refund-victim does not verify: ${BAD_SIGNATURE} \\w+; not signed`),
        );
        expect(await acceptedUpdates(handle)).toBe(0);
      } finally {
        await handle.terminate('test over').catch(() => {});
      }
      // The genuine call is untouched: still waiting, nobody approved it.
      const [still] = await victim.query(pendingApprovalsQuery);
      expect(still).toMatchObject({ callId: 'refund-victim', approvals: [] });
    });

    it('a genuine answer reported for another call of the run is unverified', () => {
      const [other] = withRecordedProvenance([{ ...served, callId: 'refund-other' }], verifier);
      expect(other).toMatchObject({
        callId: 'refund-other',
        reasons: [],
        decisionCheck: { verified: false },
      });
      expect(problemOf(other?.decisionCheck)).toContain(BAD_SIGNATURE);
      expect(other?.provenance).toBeUndefined();
    });

    it('provenance or reasons edited next to a genuine signature are unverified, and nothing is signed', async () => {
      const copy = served.signedDecision;
      if (copy === undefined) throw new Error('the pending call carries its signed answer');
      const answer = copy.answer as { provenance?: Record<string, unknown>; reasons?: string[] };
      const edits: PendingApproval[] = [
        {
          ...served,
          signedDecision: {
            ...copy,
            answer: {
              ...answer,
              provenance: {
                ...answer.provenance,
                request: 'verified',
                reasons: ["customer c-1001 is in alice's request"],
              },
            },
          },
        },
        { ...served, signedDecision: { ...copy, answer: { ...answer, reasons: ['routine refund'] } } },
        // The request text the answer's signature covers, swapped for one that names the customer.
        { ...served, signedDecision: { ...copy, request: 'Refund customer c-1001 as agreed.' } },
      ];
      for (const edited of withRecordedProvenance(edits, verifier)) {
        expect(edited).toMatchObject({ reasons: [], decisionCheck: { verified: false } });
        expect(problemOf(edited?.decisionCheck)).toContain(BAD_SIGNATURE);
        expect(edited.provenance).toBeUndefined();
        expect(edited.request).toBeUndefined();
      }
      for (const shown of edits) {
        await expect(decide(fixture, victim, 'refund-victim', 'bob', 'approve', { shown })).rejects.toThrow(
          new RegExp(`decision on call refund-victim does not verify: ${BAD_SIGNATURE} \\w+; not signed`),
        );
      }
      // A run that carries no signed answer at all shows and gets nothing signed either.
      const { signedDecision: _omitted, ...bare } = served;
      const [omitted] = withRecordedProvenance([bare], verifier);
      expect(omitted).toMatchObject({ reasons: [], decisionCheck: { verified: false } });
      await expect(
        decide(fixture, victim, 'refund-victim', 'bob', 'approve', { shown: bare }),
      ).rejects.toThrow(
        /does not verify: the run reports no decision of the tool worker signed for this call; not signed/,
      );
      expect(await acceptedUpdates(victim)).toBe(0);
      expect(fixture.workers.deps.services.crm.refunds.some((r) => r.amount === 260)).toBe(false);
    });
  });
});
