import { type Client, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentRun } from '../../../src/agents/start-run.ts';
import { failureCause } from '../../../src/cli/errors.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { collect, spawnWarden } from '../../support/cli-process.ts';
import { testClient, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import { type AgentWorkers, startAgentWorkers, TEST_SECRET } from '../agents/support/agent-workers.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

describe('warden run (agent runs), audit of model turns, and inventory', () => {
  const taskQueue = uniqueTaskQueue('ops-run');
  let client: Client;
  let workers: AgentWorkers;

  beforeAll(async () => {
    useTestServerEnv({
      WARDEN_APPROVAL_SECRET: TEST_SECRET,
      WARDEN_MODE: 'development',
      WARDEN_APPROVER_TOKENS: 'bob-run-token=User:bob',
      WARDEN_TASK_QUEUE: taskQueue,
    });
    client = await testClient();
    workers = await startAgentWorkers(taskQueue);
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });

  it('runs an agent, reports the approval it waits for, and finishes once approved', async () => {
    const { address, namespace } = testServer();
    // A real `warden` process: `--wait` blocks, while this test approves from the in-process CLI.
    const child = spawnWarden(
      [
        'run',
        'support-copilot',
        '--as',
        'alice',
        '--scenario',
        'refund-over-limit',
        '--wait',
        'Please handle ticket t-503 for me.',
      ],
      {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        WARDEN_TASK_QUEUE: taskQueue,
      },
    );
    const done = collect(child, 90_000);
    let progress = '';
    child.stderr.on('data', (chunk: Buffer) => {
      progress += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    const announced = /waiting for approval: crm\.issue_refund call (\S+) .*; warden approve (\S+) \1/;
    for (;;) {
      if (announced.test(progress)) break;
      if (Date.now() > deadline) {
        const id = /started (\S+);/.exec(progress)?.[1] ?? '';
        throw new Error(`no approval announced; stderr: ${progress}\n${(await warden('audit', id)).stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [, callId = '', workflowId = ''] = announced.exec(progress) ?? [];
    expect(await client.workflow.getHandle(workflowId).query(pendingApprovalsQuery)).toHaveLength(1);
    const approved = await warden(
      'approve',
      workflowId,
      callId,
      '--token',
      'bob-run-token',
      '--reason',
      'trial refund',
    );
    expect(approved.code).toBe(0);

    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${workflowId}: completed`);
    expect(result.stdout).toContain('Refunded 250 EUR to Dana');

    const audit = await warden('audit', workflowId);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/model turn 1\s+asks for ticket\.get#/);
    expect(audit.stdout).toMatch(
      new RegExp(`approval\\s+APPROVE #${callId} by bob "trial refund" → accepted`),
    );
    expect(audit.stdout).toMatch(new RegExp(`tool\\s+EXECUTED crm\\.issue_refund#${callId}`));
    expect(audit.stdout).toContain('model turn 4');
  });

  it('starts without waiting, and refuses an unknown agent in one line', async () => {
    const started = await warden(
      'run',
      'support-copilot',
      '--as',
      'User:alice',
      '--scenario',
      'benign-ticket',
      '--json',
      'Please handle ticket t-502 for me.',
    );
    expect(started.code).toBe(0);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    expect(workflowId).toMatch(/^run-support-copilot-/);
    await client.workflow.getHandle(workflowId).result();
    const unknown = await warden('run', 'nobody', '--as', 'alice', 'hi');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^warden: unknown agent "nobody"; known: .*support-copilot/);
  });

  it('inventory: agents, identities, tools and what each agent may do for each user', async () => {
    const result = await warden('inventory', '--json');
    expect(result.code).toBe(0);
    const inventory = JSON.parse(result.stdout) as {
      policyVersion: string;
      identities: { agents: string[]; users: string[] };
      tools: Array<{ name: string; risk: string }>;
      agents: Array<{
        name: string;
        identity: string;
        permissions: Array<{ user: string; tool: string; actions: string[] }>;
      }>;
    };
    expect(inventory.policyVersion).toMatch(/^sha256:/);
    expect(inventory.identities.users).toEqual(
      expect.arrayContaining(['User:alice', 'User:bob', 'User:carol']),
    );
    expect(inventory.tools).toContainEqual(
      expect.objectContaining({ name: 'crm.delete_customer', risk: 'critical' }),
    );
    const copilot = inventory.agents.find((a) => a.name === 'support-copilot');
    expect(copilot?.identity).toBe('Agent:support-bot');
    const may = (user: string, tool: string) =>
      copilot?.permissions.find((p) => p.user === user && p.tool === tool)?.actions ?? [];
    expect(may('User:alice', 'ticket.get')).toEqual(['invoke', 'invoke_unattended']);
    expect(may('User:alice', 'crm.issue_refund')).toEqual(['invoke']);
    expect(may('User:alice', 'crm.export_customers')).toEqual([]);
    expect(may('User:carol', 'ticket.get')).toEqual([]);
    const text = await warden('inventory');
    expect(text.stdout).toMatch(/for User:alice:\s*\n\s+ticket\.get\s+unattended/);
  });

  it('refuses a scripted run without a scenario, or with an unknown one, before starting anything', async () => {
    const before = await countRuns(client, taskQueue);
    const missing = await warden('run', 'support-copilot', '--as', 'alice', '--wait', 'hi');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(
      /^warden: WARDEN_MODEL=scripted needs --scenario <name> \(.*benign-ticket.*\)/,
    );
    const unknown = await warden('run', 'support-copilot', '--as', 'alice', '--scenario', 'nope', 'hi');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(
      /^warden: unknown scenario "nope" in .*; known: .*refund-over-limit/,
    );
    expect(await countRuns(client, taskQueue)).toBe(before);
  });

  it('marks a failed run failed, and `run --wait` prints why it failed', async () => {
    // A model that cannot answer: the scripted model without its scenario file fails the run.
    const handle = await startAgentRun(client, {
      agent: 'support-copilot',
      onBehalfOf: 'alice',
      input: 'hi',
      taskQueue,
    });
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    const status = await eventually(async () => {
      const { searchAttributes } = await handle.describe();
      const value = searchAttributes.WardenStatus?.[0];
      return value === 'failed' ? value : undefined;
    });
    expect(status).toBe('failed');
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failureCause(failure)).toMatch(/WARDEN_MODEL=scripted needs a scenario/);
  });
});

async function countRuns(client: Client, taskQueue: string): Promise<number> {
  let count = 0;
  for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) if (run) count += 1;
  return count;
}
