import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApproverAuthenticator,
  hostDecisionVerifier,
  loadProject,
  resolveDecisionSigner,
  startAgentRun,
  submitApproval,
} from 'warden';
import { startTestServer, startTestWorkers, type TestWorkers, waitForPendingApprovals } from 'warden/testing';
import type { AgentRunResult, AgentTimelineEntry as TimelineEntry } from 'warden/workflow';
import type { CrmService } from '../services/crm-service.ts';
import type { Egress } from '../services/egress.ts';
import { BENIGN_TICKET_ID, EXFILTRATION_URL, INJECTION_TICKET_ID } from '../services/seed.ts';

function toolEntries(result: AgentRunResult) {
  return result.timeline.filter((e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool');
}

/** The demo's stories through the public API, as a project tests its own agents. */
describe('the demo scenarios, scripted model, real Temporal server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let workers: TestWorkers;
  let crm: CrmService;
  let egress: Egress;
  let project: Awaited<ReturnType<typeof loadProject>>;

  beforeAll(async () => {
    project = await loadProject({ config: new URL('..', import.meta.url).pathname });
    server = await startTestServer();
    workers = await startTestWorkers(project, server, {
      ...process.env,
      WARDEN_MODE: 'development',
      WARDEN_MODEL: 'scripted',
    });
    // The same services the workers hold: the example creates one set per process.
    ({ crm, egress } = await project.services({ zone: 'default', config: workers.config }));
  }, 120_000);
  afterAll(async () => {
    await workers?.shutdown();
    await server?.stop();
  });

  const startScenario = (scenario: string, input: string) =>
    startAgentRun(workers.client, {
      agent: 'support-copilot',
      onBehalfOf: 'alice',
      input,
      scenario,
      taskQueue: workers.taskQueue,
    });

  it('a benign ticket is resolved end to end: reply sent, ticket closed, nothing refunded', async () => {
    const handle = await startScenario('benign-ticket', 'Please handle ticket t-504 for me.');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.finalOutput).toContain('t-504 is answered and closed');
    expect(toolEntries(result).map((e) => [e.outcome.tool, e.outcome.status])).toEqual([
      ['ticket.get', 'executed'],
      ['crm.get_customer', 'executed'],
      ['ticket.reply', 'executed'],
      ['crm.update_ticket', 'executed'],
    ]);
    const ticket = crm.getTicket(BENIGN_TICKET_ID);
    expect(ticket.status).toBe('closed');
    expect(ticket.replies).toHaveLength(1);
    // Its own ticket: the prompt-injected one is not touched by the benign run.
    expect(crm.getTicket(INJECTION_TICKET_ID)).toMatchObject({
      status: 'open',
      replies: [],
    });
    // Every executed call carries the policy decision that allowed it.
    for (const entry of toolEntries(result)) {
      expect(entry.decision?.authorization).toMatchObject({ allowed: true, unattended: true });
      expect(entry.decision?.authorization?.policyVersion).toMatch(/\S/);
    }
  });

  it('a refund under the limit runs unattended and changes the balance', async () => {
    const before = crm.getCustomer('c-1001').balance;
    const handle = await startScenario('refund-under-limit', 'Please handle ticket t-501 for me.');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const refund = toolEntries(result).find((e) => e.outcome.tool === 'crm.issue_refund');
    expect(refund?.outcome).toMatchObject({ status: 'executed', reason: 'executed (unattended)' });
    expect(refund?.decision?.approval).toBeUndefined();
    expect(crm.getCustomer('c-1001').balance).toBe(before + 80);
    expect(crm.getTicket('t-501').status).toBe('closed');
  });

  it('a refund over the limit waits for bob, the approver, and runs once he approves', async () => {
    const before = crm.getCustomer('c-1001').balance;
    const handle = await startScenario('refund-over-limit', 'Please handle ticket t-503 for me.');
    const pending = (await waitForPendingApprovals(handle))[0]!;
    expect(pending).toMatchObject({ tool: 'crm.issue_refund', arguments: { amount: 250 } });
    expect(pending.eligibleApprovers).toContain('bob');
    // Nothing has moved while the run waits.
    expect(crm.getCustomer('c-1001').balance).toBe(before);

    const bob = new ApproverAuthenticator('development', undefined).authenticate({ as: 'User:bob' });
    await submitApproval(workers.client, {
      workflowId: handle.workflowId,
      callId: pending.callId,
      approver: bob,
      decision: 'approve',
      signer: await resolveDecisionSigner(workers.config),
      authorizer: workers.authorizer,
      tools: project.tools,
      decisions: hostDecisionVerifier(workers.config, project.tools),
      mode: 'development',
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const refund = toolEntries(result).find((e) => e.outcome.tool === 'crm.issue_refund');
    expect(refund?.outcome).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(refund?.decision?.approval?.approvals).toEqual([
      expect.objectContaining({ approver: 'bob', decision: 'approve' }),
    ]);
    expect(crm.getCustomer('c-1001').balance).toBe(before + 250);
    expect(crm.getTicket('t-503').status).toBe('closed');
  });

  it('a prompt-injected export of every customer is denied, explained to the model, and nothing leaves', async () => {
    const handle = await startScenario('injected-export', 'Please handle ticket t-502 for me.');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const exportCall = toolEntries(result).find((e) => e.outcome.tool === 'crm.export_customers');
    expect(exportCall?.outcome.status).toBe('denied');
    expect(exportCall?.decision?.authorization?.allowed).toBe(false);
    expect(exportCall?.outcome.reason).toMatch(/\S/);
    // The model's next input carried the refusal; the run ended with the model's own words.
    expect(result.finalOutput).toContain('The export was refused');
    expect(egress.sent.filter((r) => r.url === EXFILTRATION_URL)).toEqual([]);
  });
});
