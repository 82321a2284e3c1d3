import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_KEY_FILE } from '../../../src/temporal/payload-keys.ts';
import { freePort } from '../../../src/temporal/ports.ts';
import type { AgentRunResult, TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { collect, runWarden, spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { testClient, testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';

async function demoEnv(): Promise<NodeJS.ProcessEnv> {
  const { address, namespace } = testServer();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_TASK_QUEUE: uniqueTaskQueue('demo-cli'),
    WARDEN_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'warden-demo-')),
    WARDEN_MODEL: 'scripted',
    WARDEN_MODE: 'development',
    // The payload keys of the test's own client (created by testClient), so the test reads the demo's runs.
    WARDEN_PAYLOAD_KEY_FILE: path.join(testConfig().WARDEN_DATA_DIR, DEV_KEY_FILE),
  };
  // The demo mints its own approver tokens only when none are configured.
  delete env.WARDEN_APPROVER_TOKENS;
  delete env.WARDEN_TOKEN;
  return env;
}

/** The workflow id printed on the `run …` line of scenario `n` (1-based). */
function runIdOf(stdout: string, n: number): string {
  const section = stdout.split(/━━ \d\/\d {2}/)[n] ?? '';
  const id = section.match(/^run (\S+) · /m)?.[1];
  if (!id) throw new Error(`no run line in scenario ${n}: ${section}`);
  return id;
}

function toolEntries(result: AgentRunResult) {
  return result.timeline.filter((e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool');
}

describe('warden demo (what npm start runs)', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(async () => {
    await client?.connection.close();
  });

  it('tells the five stories, approving the over-limit refund as bob with a minted token, and exits 0', async () => {
    const env = await demoEnv();
    const { code, stdout, stderr } = await runWarden(['demo'], env, 110_000);
    expect(stderr).not.toMatch(/warden: /);
    expect(code).toBe(0);
    expect(stdout).toContain('1/5  A ticket resolved end to end');
    expect(stdout).toContain('crm.issue_refund executed (unattended)');
    expect(stdout).toContain('crm.issue_refund executed (approved by bob)');
    expect(stdout).toContain('approved by bob (token)');
    expect(stdout).toMatch(/the call is approved \[as User:bob, token\]/);
    expect(stdout).not.toContain('unauthenticated-dev');
    expect(stdout).toMatch(/✗ crm\.export_customers denied/);
    expect(stdout).toMatch(/4\. ✓ A prompt-injected ticket .*: completed; 1 call executed, 1 refused/);
    expect(stdout).toMatch(/3\. ✓ A refund over the limit .*: completed; .*approved by bob \(token\)/);
    expect(stdout).toContain('results: 1 of 2 Customer records removed');
    // The injected export's call, refused, still raises the tool workers' alerts on its run: a host
    // no call contacted before, and a destination URL traced to the ticket's untrusted body.
    const injected = stdout.slice(stdout.indexOf('4/5'), stdout.indexOf('5/5'));
    expect(injected).toMatch(
      /⚠ alert new_external_host \(medium\) crm\.export_customers called attacker\.example/,
    );
    expect(injected).toMatch(/⚠ alert tainted_arguments \(high\) crm\.export_customers/);
    const benign = stdout.slice(stdout.indexOf('1/5'), stdout.indexOf('4/5'));
    expect(benign).not.toContain('⚠ alert');
    expect(stdout).toMatch(
      /5\. ✓ A search that returns only what the user may read: completed; 1 call executed/,
    );

    // The run's own record (its workflow result, read from history) says how bob was authenticated.
    const refundRun = await client.workflow
      .getHandle<() => Promise<AgentRunResult>>(runIdOf(stdout, 3))
      .result();
    const refund = toolEntries(refundRun).find((e) => e.outcome.tool === 'crm.issue_refund');
    expect(refund?.decision?.approval?.approvals).toEqual([
      expect.objectContaining({ approver: 'bob', authentication: 'token', decision: 'approve' }),
    ]);

    // The benign run works its own ticket, t-504, and closes it; the injected t-502 is left alone.
    const benignRun = await client.workflow
      .getHandle<() => Promise<AgentRunResult>>(runIdOf(stdout, 1))
      .result();
    const close = toolEntries(benignRun).find((e) => e.outcome.tool === 'crm.update_ticket');
    expect(close?.outcome).toMatchObject({ status: 'executed', output: { id: 't-504', status: 'closed' } });
    expect(JSON.stringify(benignRun.timeline)).not.toContain('t-502');

    // The minted tokens die with the demo: their hash file is gone.
    expect((await readdir(env.WARDEN_DATA_DIR!)).filter((f) => f.startsWith('demo-approvers'))).toEqual([]);
  });

  it('--interactive serves the approvals page, refuses a wrong token, and takes the minted one from `warden approve`', async () => {
    const env = await demoEnv();
    const demo = spawnWarden(['demo', '--interactive'], env);
    const finished = collect(demo, 110_000);
    const command = /WARDEN_APPROVER_TOKENS=(\S+) node bin\/warden\.js approve (\S+) (\S+) --token (\S+)/;
    const seen = await waitForOutput(demo, command, 90_000);
    expect(seen).toMatch(/Approvals page: http:\/\/127\.0\.0\.1:\d+/);
    const [, tokenFile, workflowId, callId, token] = seen.match(command) ?? [];
    expect(seen).toContain(`User:bob    ${token}`);
    expect(seen).toMatch(/User:carol {2}\S{20,}/);
    const approverEnv = { ...env, WARDEN_APPROVER_TOKENS: tokenFile };

    const wrong = await runWarden(
      ['approve', workflowId!, callId!, '--token', 'not-the-minted-token'],
      approverEnv,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('unknown approver token');

    const approve = await runWarden(['approve', workflowId!, callId!, '--token', token!], approverEnv);
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('[as User:bob]');
    const { code, stdout } = await finished;
    expect(code).toBe(0);
    expect(stdout).toContain('crm.issue_refund executed (approved by bob)');
    expect(stdout).toContain('approved by bob (token)');
    expect(existsSync(tokenFile!)).toBe(false);
  });

  it('with WARDEN_APPROVER_TOKENS configured, approves with the given token, and refuses to run without one', async () => {
    const env = {
      ...(await demoEnv()),
      WARDEN_APPROVER_TOKENS: 'lead-token-123=User:bob,sec-token-456=User:carol',
    };
    const missing = await runWarden(['demo'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'warden: WARDEN_APPROVER_TOKENS is set: give the demo an approver token (--approver-token or WARDEN_TOKEN), or use --interactive',
    );
    expect(missing.stdout).toBe('');

    const { code, stdout } = await runWarden(['demo', '--approver-token', 'sec-token-456'], env, 110_000);
    expect(code).toBe(0);
    expect(stdout).toMatch(/the call is approved \[as User:carol, token\]/);
    expect(stdout).toContain('approved by carol (token)');
    expect(stdout).not.toMatch(/User:bob {4}\S/);
  });

  it('--keep on its own Temporal dev server: keeps it up until Ctrl-C, then says where the runs are kept', async () => {
    const env = await demoEnv();
    delete env.TEMPORAL_ADDRESS;
    const uiPort = await freePort();
    Object.assign(env, {
      WARDEN_TEMPORAL_PORT: String(await freePort()),
      WARDEN_TEMPORAL_UI_PORT: String(uiPort),
      WARDEN_WEB_PORT: String(await freePort()),
    });
    const demo = spawnWarden(['demo', '--keep'], env);
    const finished = collect(demo, 150_000);
    const seen = await waitForOutput(demo, /Keeping .* running\. Ctrl-C to stop\./, 140_000);
    expect(seen).toContain(`Keeping Temporal Web http://localhost:${uiPort}`);
    // Still up after the four runs: Temporal Web answers and the approvals page signs in with tokens.
    expect((await fetch(`http://localhost:${uiPort}/`)).ok).toBe(true);
    const page = seen.match(/Approvals page: (http:\/\/\S+)/)?.[1];
    expect((await fetch(`${page}/`)).status).toBeLessThan(500);
    demo.kill('SIGINT');
    const { code, stdout } = await finished;
    expect(code).toBe(0);
    expect(stdout).toContain('stopping…');
    expect(stdout).toContain(
      `Runs are kept in ${path.join(env.WARDEN_DATA_DIR!, 'temporal.sqlite')}: run \`npm run dev\` (warden dev) to browse them at http://localhost:${uiPort}.`,
    );
    expect(existsSync(path.join(env.WARDEN_DATA_DIR!, 'temporal.sqlite'))).toBe(true);
  });
});
