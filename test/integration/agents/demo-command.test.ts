import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, runWarden, spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';

async function demoEnv(): Promise<NodeJS.ProcessEnv> {
  const { address, namespace } = testServer();
  return {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_TASK_QUEUE: uniqueTaskQueue('demo-cli'),
    WARDEN_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'warden-demo-')),
    WARDEN_MODEL: 'scripted',
    WARDEN_MODE: 'development',
  };
}

describe('warden demo (what npm start runs)', () => {
  it('tells the four stories with their outcomes and exits 0', async () => {
    const { code, stdout, stderr } = await runWarden(['demo'], await demoEnv(), 110_000);
    expect(stderr).not.toMatch(/warden: /);
    expect(code).toBe(0);
    expect(stdout).toContain('1/4  A ticket resolved end to end');
    expect(stdout).toContain('crm.issue_refund executed (unattended)');
    expect(stdout).toContain('crm.issue_refund executed (approved by bob)');
    expect(stdout).toMatch(/✗ crm\.export_customers denied/);
    expect(stdout).toMatch(/4\. A prompt-injected ticket .*: completed; 1 calls executed, 1 refused/);
  });

  it('--interactive waits for a real approver, who approves with `warden approve`', async () => {
    const env = await demoEnv();
    const demo = spawnWarden(['demo', '--interactive'], env);
    const finished = collect(demo, 110_000);
    const seen = await waitForOutput(demo, /warden\.js approve (\S+) (\S+) --as bob/, 90_000);
    const [, workflowId, callId] = seen.match(/warden\.js approve (\S+) (\S+) --as bob/) ?? [];
    const approve = await runWarden(['approve', workflowId!, callId!, '--as', 'bob'], env);
    expect(approve.code).toBe(0);
    const { code, stdout } = await finished;
    expect(code).toBe(0);
    expect(stdout).toContain('crm.issue_refund executed (approved by bob)');
  });
});
