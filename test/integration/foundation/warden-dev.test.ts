import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/temporal/ports.ts';
import { collect, runWarden, spawnWarden, waitForOutput } from '../../support/cli-process.ts';

/** An environment with nothing inherited that could point `warden dev` somewhere else. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const {
    TEMPORAL_ADDRESS: _a,
    WARDEN_TEMPORAL_PORT: _p,
    WARDEN_TEMPORAL_UI_PORT: _u,
    ...rest
  } = process.env;
  return { ...rest, WARDEN_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'warden-dev-')), ...extra };
}

function expectOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  const last = lines.at(-1) ?? '';
  expect(last).toMatch(/^warden: /);
  expect(last).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('warden dev', () => {
  const children: Array<ReturnType<typeof spawnWarden>> = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('starts a persistent dev server with the Web UI, and a second instance connects to it instead', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const webPort = await freePort();
    const firstEnv = baseEnv({
      WARDEN_TEMPORAL_PORT: String(port),
      WARDEN_TEMPORAL_UI_PORT: String(uiPort),
      WARDEN_WEB_PORT: String(webPort),
      WARDEN_APPROVER_TOKENS: 'bob-dev-token-1=User:bob',
    });
    const first = spawnWarden(['dev'], firstEnv);
    children.push(first);
    const firstOut = await waitForOutput(first, /Ctrl-C to stop/, 90_000);
    expect(firstOut).toContain(`started 127.0.0.1:${port}`);
    expect(firstOut).toContain(`Temporal Web: http://localhost:${uiPort}`);
    const ui = await fetch(`http://localhost:${uiPort}/`);
    expect(ui.status).toBe(200);
    expect(firstOut).toContain(`Approvals: http://127.0.0.1:${webPort}`);
    expect((await fetch(`http://127.0.0.1:${webPort}/`)).status).toBeLessThan(500);

    const second = spawnWarden(
      ['dev'],
      baseEnv({
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        WARDEN_TASK_QUEUE: 'second',
        WARDEN_WEB_PORT: String(webPort),
      }),
    );
    children.push(second);
    const secondOut = await waitForOutput(second, /Ctrl-C to stop/, 60_000);
    expect(secondOut).toContain(`connected to 127.0.0.1:${port}`);
    expect(secondOut).toContain('(namespace default, cluster)');
    expect(secondOut).toContain(`Approvals: not served, port ${webPort} is in use`);

    const doctor = await runWarden(
      ['doctor'],
      baseEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, WARDEN_TASK_QUEUE: 'doctor' }),
    );
    expect(doctor.code).toBe(0);
    const workflowId = /history of (warden-doctor-\S+):/.exec(doctor.stdout)?.[1];
    expect(workflowId).toBeDefined();

    second.kill('SIGINT');
    expect((await collect(second, 30_000)).code).toBe(0);
    first.kill('SIGINT');
    expect((await collect(first, 30_000)).code).toBe(0);
    // The server the first instance started is gone with it.
    await expect(fetch(`http://localhost:${uiPort}/`)).rejects.toThrow();

    // Restarted on the same data directory, the server still knows the finished run.
    const restarted = spawnWarden(['dev'], firstEnv);
    children.push(restarted);
    await waitForOutput(restarted, /Ctrl-C to stop/, 90_000);
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const description = await new Client({ connection }).workflow.getHandle(workflowId ?? '').describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
    restarted.kill('SIGINT');
    expect((await collect(restarted, 30_000)).code).toBe(0);
    // Three server starts and five CLI processes: generous on a loaded two-core machine.
  }, 300_000);

  it('refuses an unreachable TEMPORAL_ADDRESS with one actionable line', async () => {
    const port = await freePort();
    const result = await runWarden(['dev'], baseEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }));
    expect(result.code).toBe(2);
    expectOneLineError(
      result.stderr,
      new RegExp(`cannot reach Temporal at 127\\.0\\.0\\.1:${port}.*TEMPORAL_ADDRESS`),
    );
  });

  it('refuses a port in use, naming the port and how to proceed', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runWarden(['dev'], baseEnv({ WARDEN_TEMPORAL_PORT: String(port) }));
      expect(result.code).toBe(2);
      expectOneLineError(result.stderr, new RegExp(`port ${port} is already in use: set TEMPORAL_ADDRESS`));
    } finally {
      blocker.close();
    }
  });

  it('without a temporal binary or Go, says what to install instead of a stack trace', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'warden-nogo-'));
    const noGo = { PATH: '/usr/bin:/bin', HOME: home, TEMPORAL_CLI_PATH: '' };
    const offline = await runWarden(['dev'], baseEnv({ ...noGo, WARDEN_TEMPORAL_DOWNLOAD: '0' }));
    expect(offline.code).toBe(2);
    expectOneLineError(
      offline.stderr,
      /no temporal binary, no Go toolchain.*install Go, set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS/,
    );
    expect(offline.stderr).not.toContain('SDK download');
  });
});
