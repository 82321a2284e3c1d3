import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIRECTED_REFUND_CUSTOMER,
  REDIRECTED_REFUND_TICKET_ID,
} from '../../../examples/support-copilot/services/seed.ts';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { withRecordedProvenance } from '../../../src/approvals/recorded-provenance.ts';
import { issueRequesterAssertion } from '../../../src/approvals/requester-assertion.ts';
import { provenanceWhatIf } from '../../../src/audit/provenance-what-if.ts';
import type { Fact } from '../../../src/authz/types.ts';
import { toolRegistry } from '../../../src/tools/define-tool.ts';
import { createApprovalsServer } from '../../../src/web/approvals-server.ts';
import { ApprovalVisibility } from '../../../src/web/need-to-know.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import type { ToolPlanInput, ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { EXAMPLE_POLICY_DIR, exampleProject } from '../../support/example.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import {
  type GuardWorkers,
  guardTestConfig,
  startGuardWorkers,
  TEST_SECRET,
  waitForPending,
} from '../guard/harness.ts';
import { useTestServerEnv, warden } from '../ops/cli-harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.resolve('test/artifacts/approvals-provenance.png');
const BOB = 'bob-0f6c2e9a71d4b8305e9c1a7f3d6b2e84';
const TOKENS = `${BOB}=User:bob`;
/** Attacker-chosen text in an argument the model filled in: it must render as text. */
const CRAFTED_REASON =
  'refund <img src=x onerror="window.pwned=1"> <a href="javascript:window.pwned=2">invoice</a>';
const REQUEST = `Please handle ticket ${REDIRECTED_REFUND_TICKET_ID} for me.`;
const alice = { user: { type: 'User', id: 'alice' }, authentication: 'token' as const };

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
}

describe('informed approvals on a real injected run: page, warden approvals, warden audit', () => {
  const taskQueue = uniqueTaskQueue('web-provenance');
  let client: Client;
  let workers: GuardWorkers;
  let server: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let handle: WorkflowHandle<(input: ToolPlanInput) => Promise<ToolPlanResult>>;

  /** A run whose model obeyed ticket t-505: its customer asks for the refund to go to another customer. */
  async function startInjected(
    prefix: string,
    onBehalfOf?: string,
  ): Promise<WorkflowHandle<(input: ToolPlanInput) => Promise<ToolPlanResult>>> {
    const workflowId = `${prefix}-${taskQueue}`;
    // The model obeyed ticket t-505, whose customer asks for the refund to go to another customer.
    return (await client.workflow.start('toolPlanWorkflow', {
      taskQueue,
      workflowId,
      args: [
        {
          agent: 'support-bot',
          onBehalfOf: 'alice',
          purpose: 'resolve alice support tickets',
          requester: issueRequesterAssertion(PRIMARY_KEY.signer, alice, workflowId, { request: REQUEST }),
          request: REQUEST,
          calls: [
            { tool: 'ticket.get', arguments: { ticketId: REDIRECTED_REFUND_TICKET_ID }, callId: 'read' },
            {
              tool: 'crm.issue_refund',
              arguments: {
                customerId: REDIRECTED_REFUND_CUSTOMER,
                ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
                amount: 40,
                currency: 'EUR',
                reason: CRAFTED_REASON,
              },
              callId: 'refund',
            },
          ],
        } satisfies ToolPlanInput,
      ],
    })) as WorkflowHandle<(input: ToolPlanInput) => Promise<ToolPlanResult>>;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    useTestServerEnv({
      WARDEN_APPROVAL_SECRET: TEST_SECRET,
      WARDEN_MODE: 'development',
      WARDEN_APPROVER_TOKENS: TOKENS,
      WARDEN_TASK_QUEUE: taskQueue,
    });
    delete process.env.WARDEN_TOKEN;
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
    server = await createApprovalsServer({
      authenticator: new ApproverAuthenticator('production', TOKENS),
      backend: new TemporalApprovalsBackend(client, guardTestConfig(), {
        authorizer: workers.deps.authorizer,
        tools: workers.deps.tools,
      }),
      visibility: new ApprovalVisibility(workers.deps.authorizer, (await exampleProject()).tools),
    });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    handle = await startInjected('web-provenance');
    await waitForPending(handle);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workers?.close();
    await client?.connection.close();
  });

  it('warden approvals says where the recipient came from, the request and why a person decides', async () => {
    const out = await eventually(async () => {
      const result = await warden('approvals', '--run', handle.workflowId);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('call refund');
      return result.stdout;
    });
    expect(out).toContain(
      `request (verified against the digest signed when the run started): ${JSON.stringify(REQUEST)}`,
    );
    expect(out).toContain(
      `provenance: customerId \`${REDIRECTED_REFUND_CUSTOMER}\` was written in field body of ticket.get (call read) — untrusted; not in alice's request`,
    );
    expect(out).toMatch(/why: .*tainted: account customerId `c-1003` comes only from untrusted content/);
    const json = JSON.parse(
      (await warden('approvals', '--run', handle.workflowId, '--json')).stdout,
    ) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({
      request: REQUEST,
      provenance: { verdict: 'escalate', request: 'verified' },
    });
  });

  it('a run that reports forged provenance in its query is shown what the tool worker recorded', async () => {
    const [reported] = await handle.query(pendingApprovalsQuery);
    if (reported?.provenance === undefined) throw new Error('the pending call carries its provenance');
    // What hostile workflow code could answer: the tainted recipient "in alice's request", all clear.
    const forged = {
      ...reported,
      request: `Refund 40 EUR to customer ${REDIRECTED_REFUND_CUSTOMER}.`,
      provenance: {
        ...reported.provenance,
        verdict: 'clear' as const,
        tainted: [],
        values: reported.provenance.values.map((v) => ({
          ...v,
          origin: 'trusted' as const,
          sources: [{ kind: 'request' as const, trust: 'trusted' as const, match: 'exact' as const }],
        })),
      },
    };
    const verifier = ringDecisionVerifier(workers.deps.zoneKeys, workers.deps.tools);
    const [shown] = withRecordedProvenance([forged], verifier);
    expect(shown?.decisionCheck).toEqual({ verified: true });
    expect(shown?.request).toBe(REQUEST);
    expect(shown?.provenance).toEqual(reported.provenance);
    expect(shown?.provenance?.tainted).toEqual([
      expect.objectContaining({ path: 'customerId', texts: [REDIRECTED_REFUND_CUSTOMER] }),
    ]);
    // The signed answer reported for another call id does not verify for it: it shows none, never the run's own account.
    const [unknown] = withRecordedProvenance([{ ...forged, callId: 'not-a-call' }], verifier);
    expect(unknown?.provenance).toBeUndefined();
    expect(unknown?.request).toBeUndefined();
    expect(unknown?.reasons).toEqual([]);
    expect(unknown?.decisionCheck).toEqual({
      verified: false,
      problem: expect.stringMatching(/^the decision's signature does not verify with the key of trust zone /),
    });
  });

  it('the page shows the provenance in words, renders the crafted argument inert, and the rejection is audited', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
    await signIn(page, baseUrl, BOB);
    const selector = `section.pending[data-run="${handle.workflowId}"][data-call="refund"]`;
    for (let i = 0; i < 50 && (await page.locator(selector).count()) === 0; i += 1) {
      await page.waitForTimeout(200);
      await page.reload();
    }
    const card = page.locator(selector);
    await expect(card.count()).resolves.toBe(1);
    await expect(card.locator('blockquote.request').textContent()).resolves.toBe(REQUEST);
    const untrusted = (await card.locator('ul.provenance li.untrusted').allTextContents()).join('\n');
    expect(untrusted).toContain(
      `customerId \`${REDIRECTED_REFUND_CUSTOMER}\` was written in field body of ticket.get (call read) — untrusted; not in alice's request`,
    );
    const why = (await card.locator('ul.why').textContent()) ?? '';
    expect(why).toContain('tainted: account customerId `c-1003` comes only from untrusted content');
    expect(why).not.toContain('provenance: ');
    // The crafted argument is text: no image, no link, no handler ran.
    expect(await card.textContent()).toContain('<img src=x onerror=');
    await expect(card.locator('img').count()).resolves.toBe(0);
    await expect(card.locator('a[href^="javascript:"]').count()).resolves.toBe(0);
    await expect(
      page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
    ).resolves.toBeUndefined();

    await card.locator('textarea[name=reason]').fill('the refund goes to another customer than the ticket’s');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await card.locator('button[value=reject]').click();
    await expect(page.textContent('[role=status]')).resolves.toMatch(/rejected call refund/);
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'rejected']);
    expect(
      workers.deps.services.crm.refunds.filter((r) => r.customerId === REDIRECTED_REFUND_CUSTOMER),
    ).toEqual([]);
    await page.close();

    const audit = await warden('audit', handle.workflowId);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('provenance    ESCALATE crm.issue_refund#refund (request verified)');
    expect(audit.stdout).toContain('needs a person: tainted: account customerId `c-1003`');
    expect(audit.stdout).toContain(
      "customerId `c-1003` was written in field body of ticket.get (call read) — untrusted; not in alice's request",
    );
  });

  it('what-if over a run recorded with provenance: executed then (a registered payee), escalate or deny now', async () => {
    // The policy accepted the tainted recipient when the run was recorded: it was the payee finance
    // registered for the ticket's own customer, on whose behalf (the ticket's customer field) the
    // refund was made.
    const payee: Fact = ['payee_for', 'c-1002', REDIRECTED_REFUND_CUSTOMER];
    await workers.deps.authorizer.insertFacts([payee]);
    let recorded: ToolPlanResult;
    try {
      recorded = await (await startInjected('what-if-provenance', 'c-1002')).result();
    } finally {
      await workers.deps.authorizer.deleteFacts([payee]);
    }
    expect(recorded.outcomes.map((o) => o.status)).toEqual(['executed', 'executed']);
    const runId = `what-if-provenance-${taskQueue}`;

    // The example's policy registers no such payee: the same call would now ask a person.
    const text = await warden('what-if', runId, '--policy', EXAMPLE_POLICY_DIR);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'CHANGED provenance crm.issue_refund#refund (executed): clear → escalate (tainted: account customerId `c-1003` comes only from untrusted content)',
    );
    expect(text.stdout).toContain('same    provenance ticket.get#read (executed): clear → clear');
    expect(text.stdout).toContain('2 provenance verdicts re-decided, 1 would change');

    // Today's declarations decide too: a refund tool that denies tainted recipients denies it.
    const project = await exampleProject();
    const refundTool = project.tools.get('crm.issue_refund');
    if (refundTool === undefined) throw new Error('the example has crm.issue_refund');
    const strict = toolRegistry([
      ...[...project.tools.values()].filter((t) => t !== refundTool),
      { ...refundTool, provenance: { ...refundTool.provenance, onTainted: 'deny' } },
    ]);
    const denied = await provenanceWhatIf(runId, recorded.records, 'alice', {
      tools: strict,
      agents: project.agents,
      authorizer: workers.deps.authorizer,
    });
    expect(denied.rows.find((r) => r.callId === 'refund')).toMatchObject({
      recorded: 'clear',
      now: 'deny',
      changed: true,
    });
    // And with the payee registered again, the policy accepts it as it did (the recorded onBehalfOf
    // is still clear): nothing changes.
    await workers.deps.authorizer.insertFacts([payee]);
    try {
      const same = await provenanceWhatIf(runId, recorded.records, 'alice', {
        tools: project.tools,
        agents: project.agents,
        authorizer: workers.deps.authorizer,
      });
      expect(same.changed).toBe(0);
    } finally {
      await workers.deps.authorizer.deleteFacts([payee]);
    }
  });
});
