import { Client, Connection, type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRequesterAssertion } from '../../../src/approvals/requester-assertion.ts';
import { FAILURE_CONVERTER_PATH } from '../../../src/temporal/data-converter.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { rawClient, testServer } from '../../support/temporal.ts';
import {
  decide,
  type GuardFixture,
  signedDecision,
  type ToolPlanWorkflow,
  useGuardWorkers,
  waitForPending,
} from '../guard/harness.ts';

const alice = { user: { type: 'User', id: 'alice' }, authentication: 'token' as const };
const refund = (amount: number) => ({
  tool: 'crm.issue_refund',
  callId: 'refund',
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'plaintext attack' },
});
let counter = 0;

/** The plan input, with alice's signed assertion (production requires one): a valid run in all but encryption. */
function planFor(fixture: GuardFixture, amount: number) {
  const workflowId = `plaintext-${fixture.taskQueue}-${++counter}`;
  return {
    workflowId,
    taskQueue: fixture.taskQueue,
    args: [
      {
        agent: 'support-bot',
        onBehalfOf: 'alice',
        purpose: 'resolve alice support tickets',
        requester: issueRequesterAssertion(PRIMARY_KEY.signer, alice, workflowId),
        calls: [refund(amount)],
      },
    ],
  };
}

const eventTypes = async (client: Client, workflowId: string) =>
  ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => String(e.eventType));

/** The decoded messages of the run's failed workflow tasks, once there is one. */
async function failedTasks(client: Client, workflowId: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const failures = (history.events ?? []).flatMap((e) =>
      e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure] : [],
    );
    if (failures.length > 0) {
      const context = { type: 'workflow' as const, namespace: client.options.namespace, workflowId };
      const errors = await Promise.all(
        failures.map((f) =>
          decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, f, context),
        ),
      );
      return errors.map((e) => e?.message ?? '');
    }
    if (Date.now() > deadline) throw new Error(`no failed workflow task in ${workflowId}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const REFUSAL =
  /refused an unencrypted payload for workflow \S+: this production worker accepts only payloads encrypted/;

describe('production workers refuse plaintext payloads from a hostile namespace client', () => {
  const fixture = useGuardWorkers('plaintext-refused', { env: { WARDEN_MODE: 'production' } });
  /**
   * A client that sends plaintext (its codec does not encrypt), as a client without the key does;
   * for the test's eyes only it decrypts the answers, so the refusal can be read.
   */
  let hostile: Client;
  beforeAll(async () => {
    const [codec] = fixture.client.options.loadedDataConverter.payloadCodecs;
    if (!codec) throw new Error('the test client has no payload codec');
    const { address, namespace } = testServer();
    hostile = new Client({
      connection: await Connection.connect({ address }),
      namespace,
      dataConverter: {
        payloadCodecs: [{ encode: async (payloads) => payloads, decode: (p, c) => codec.decode(p, c) }],
        failureConverterPath: FAILURE_CONVERTER_PATH,
      },
    });
  });
  afterAll(async () => {
    await hostile?.connection.close();
  });

  it('a run started with plaintext input never runs: its workflow task fails with the refusal, nothing executes', async () => {
    const { crm } = fixture.workers.deps.services;
    const before = crm.refunds.length;
    const plan = planFor(fixture, 40);
    const handle = await hostile.workflow.start('toolPlanWorkflow', plan);
    const [message] = await failedTasks(fixture.client, handle.workflowId);
    expect(message).toMatch(REFUSAL);
    expect(message).toContain(plan.workflowId);
    const types = await eventTypes(fixture.client, handle.workflowId);
    expect(types.some((t) => t.includes('ACTIVITY_TASK_SCHEDULED'))).toBe(false);
    expect(crm.refunds.length).toBe(before);
    await handle.terminate('plaintext input refused');
  });

  it('a plaintext Update (a correctly signed approval) is rejected; the run goes on and a real approval completes it', async () => {
    const { crm } = fixture.workers.deps.services;
    const before = crm.refunds.length;
    const handle = (await fixture.client.workflow.start(
      'toolPlanWorkflow',
      planFor(fixture, 180),
    )) as WorkflowHandle<ToolPlanWorkflow>;
    const [pending] = await waitForPending(handle);
    if (!pending) throw new Error('the refund did not wait for approval');
    // What bob's approval service would sign, sent as plaintext by a client without the key.
    const forged = signedDecision(pending, 'bob');
    const rejected = await hostile.workflow
      .getHandle(handle.workflowId)
      .executeUpdate('decideApproval', { args: [forged] })
      .then(
        () => undefined,
        (error: WorkflowUpdateFailedError) => error,
      );
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(rejected?.cause?.message).toMatch(REFUSAL);
    expect(crm.refunds.length).toBe(before);
    const types = await eventTypes(fixture.client, handle.workflowId);
    expect(types.some((t) => t.includes('UPDATE_ACCEPTED'))).toBe(false);
    expect(types.some((t) => t.includes('WORKFLOW_TASK_FAILED'))).toBe(false);

    // A plaintext Query argument is refused too (its failure travels encoded); encrypted ones are answered.
    await expect(
      hostile.workflow.getHandle(handle.workflowId).query('pendingApprovals', 'plaintext argument'),
    ).rejects.toThrow();
    const [still] = await waitForPending(handle);
    expect(still?.callId).toBe('refund');
    await decide(fixture, handle, 'refund', 'bob', 'approve', { shown: still! });
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(crm.refunds.length - before).toBe(1);
  });
});

describe('development workers still accept plaintext payloads', () => {
  const fixture = useGuardWorkers('plaintext-accepted', { env: { WARDEN_MODE: 'development' } });

  it('a run started without the codec runs', async () => {
    const raw = await rawClient();
    try {
      const handle = (await raw.workflow.start('toolPlanWorkflow', {
        taskQueue: fixture.taskQueue,
        workflowId: `plaintext-dev-${fixture.taskQueue}`,
        args: [
          {
            agent: 'support-bot',
            onBehalfOf: 'alice',
            purpose: 'resolve alice support tickets',
            calls: [{ tool: 'ticket.get', callId: 'read', arguments: { ticketId: 't-501' } }],
          },
        ],
      })) as WorkflowHandle<ToolPlanWorkflow>;
      const { outcomes } = await fixture.client.workflow
        .getHandle<ToolPlanWorkflow>(handle.workflowId)
        .result();
      expect(outcomes[0]).toMatchObject({ status: 'executed' });
    } finally {
      await raw.connection.close();
    }
  });
});
