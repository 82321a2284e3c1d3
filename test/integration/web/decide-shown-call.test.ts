import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalDigest } from '../../../src/approvals/digest.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import type { PendingApprovalView } from '../../../src/web/approvals-backend.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testClient, testConfig, uniqueTaskQueue } from '../../support/temporal.ts';
import {
  approver,
  type GuardWorkers,
  guardTestConfig,
  startGuardWorkers,
  startPlan,
  waitForPending,
} from '../guard/harness.ts';

const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

describe('the approvals page signs the call it showed, reading the run once', () => {
  const taskQueue = uniqueTaskQueue('web-decide-shown');
  let client: Client;
  let counted: Client;
  let workers: GuardWorkers;
  let backend: TemporalApprovalsBackend;
  const queries: string[] = [];

  beforeAll(async () => {
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
    // The backend's client counts the queries it sends: what one decision costs the run's worker.
    const interceptor: WorkflowClientInterceptor = {
      query: (input, next) => {
        queries.push(input.queryType);
        return next(input);
      },
    };
    counted = new Client({
      connection: client.connection,
      namespace: client.options.namespace,
      dataConverter: await wardenDataConverter(testConfig()),
      interceptors: { workflow: [interceptor] },
    });
    backend = new TemporalApprovalsBackend(counted, guardTestConfig(), {
      authorizer: workers.deps.authorizer,
      tools: workers.deps.tools,
      signer: PRIMARY_KEY.signer,
    });
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });

  it('shows the call (its memo, no query), signs exactly that, and the run executes it', async () => {
    const handle = await startPlan(client, taskQueue, { calls: [refund('refund-shown', 240)] });
    await waitForPending(handle, 1);
    queries.length = 0;
    const shown = await backend.pendingCall(handle.workflowId, 'refund-shown');
    expect(shown?.source?.digest).toMatch(/^sha256:/);
    const message = await backend.decide(approver('bob'), {
      workflowId: handle.workflowId,
      callId: 'refund-shown',
      approve: true,
      reason: 'checked',
      shown: shown as PendingApprovalView,
    });
    expect(message).toContain('the call is approved');
    // The call is read from the run's memo by a describe: the run's worker is not asked at all.
    expect(queries).toEqual([]);
    const result = await handle.result();
    expect(result.outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
  });

  it('refuses to sign a shown call whose arguments are not the ones its digest covers; nothing runs', async () => {
    const handle = await startPlan(client, taskQueue, { calls: [refund('refund-altered', 250)] });
    await waitForPending(handle, 1);
    const shown = (await backend.pendingCall(handle.workflowId, 'refund-altered')) as PendingApprovalView;
    const source = shown.source;
    if (source === undefined) throw new Error('the view carries no source');
    // Someone between the read and the signature changes the amount the approver was shown.
    const altered = {
      ...shown,
      source: { ...source, arguments: { ...(source.arguments as object), amount: 9999 } },
    };
    await expect(
      backend.decide(approver('bob'), {
        workflowId: handle.workflowId,
        callId: 'refund-altered',
        approve: true,
        reason: 'looks fine',
        shown: altered,
      }),
    ).rejects.toThrow(/is not what the run asks to sign: not signed/);
    // A shown call with a digest made to match the altered amount is not the call the tool worker's
    // signed decision covers: the service refuses to sign it, so no Update reaches the run.
    const tool = workers.deps.tools.get('crm.issue_refund');
    const forged = {
      ...altered.source,
      digest: approvalDigest({
        tool: 'crm.issue_refund',
        toolVersion: tool?.version ?? '',
        arguments: altered.source?.arguments,
        workflowId: source.workflowId,
        runId: source.runId,
        callId: source.callId,
        policyVersion: source.policyVersion,
      }),
    };
    await expect(
      backend.decide(approver('bob'), {
        workflowId: handle.workflowId,
        callId: 'refund-altered',
        approve: true,
        reason: 'looks fine',
        shown: { ...shown, source: forged },
      }),
    ).rejects.toThrow(
      /decision on call refund-altered does not verify: the call shown is not the call the tool worker decided on; not signed/,
    );
    const [still] = await handle.query(pendingApprovalsQuery);
    expect(still).toMatchObject({ callId: 'refund-altered', approvals: [] });
    expect(workers.deps.services.crm.refunds.some((r) => r.amount === 9999)).toBe(false);
    await handle.terminate('test done');
  });
});
