import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const MINIMAL = path.join(ROOT, 'examples/minimal');

/** The environment of a developer's shell: nothing of Warden's own test settings leaks in. */
function projectEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('WARDEN_') && !key.startsWith('TEMPORAL_') && !key.startsWith('VITEST'))
      env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Warden as a user gets it: `npm pack`, a fresh project elsewhere that depends on the tarball and
 * holds its own tool, service, agent, policy, scenario and workflows file (examples/minimal, the
 * project the README shows), `npm install`, then `npx warden worker`, `run --wait` and `audit`.
 */
describe('a project outside this repository, on the packed package', () => {
  const { address, namespace } = testServer();
  const work = mkdtempSync(path.join(tmpdir(), 'warden-outside-'));
  const project = path.join(work, 'status-desk');
  const env = projectEnv({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_TASK_QUEUE: uniqueTaskQueue('outside'),
    WARDEN_DATA_DIR: path.join(work, 'data'),
    WARDEN_MODE: 'development',
  });
  let worker: ChildProcess | undefined;
  const npx = (...args: string[]) =>
    run('npx', ['--no', 'warden', ...args], { cwd: project, env, timeout: 120_000 }).catch(
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );

  beforeAll(async () => {
    await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, timeout: 120_000 });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack wrote no tarball');
    cpSync(MINIMAL, project, { recursive: true });
    writeFileSync(
      path.join(project, 'package.json'),
      `${JSON.stringify(
        {
          name: 'status-desk',
          private: true,
          type: 'module',
          dependencies: { warden: `file:${path.join(work, tarball)}`, zod: '^4.1.0' },
        },
        null,
        2,
      )}\n`,
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: project,
      env,
      timeout: 240_000,
    });
  }, 400_000);

  afterAll(() => {
    worker?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  it('ships only built JavaScript, types and the CLI', async () => {
    const installed = path.join(project, 'node_modules/warden');
    const files = readdirSync(installed);
    expect(files).toEqual(expect.arrayContaining(['dist', 'bin', 'LICENSE', 'package.json']));
    expect(files).not.toContain('src');
    expect(files).not.toContain('examples');
    const version = await npx('--version');
    expect(String((version as { stdout?: string }).stdout).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("runs the project's agent on its own worker: the call is authorized, executed and audited", async () => {
    worker = spawn('npx', ['--no', 'warden', 'worker'], { cwd: project, env, stdio: 'pipe' });
    let output = '';
    worker.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    worker.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 120_000;
    while (!/Worker: .*workflows/.test(output)) {
      if (worker.exitCode !== null || Date.now() > deadline)
        throw new Error(`warden worker did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const started = (await npx(
      'run',
      'status-assistant',
      '--as',
      'alice',
      '--scenario',
      'status-check',
      '--wait',
      'Is t-2 closed?',
    )) as { code?: number; stdout: string; stderr: string };
    expect(started.code ?? 0, started.stderr).toBe(0);
    expect(started.stdout).toContain('Ticket t-2 is closed.');
    const workflowId = /^(run-status-assistant-\S+): completed/m.exec(started.stdout)?.[1];
    expect(workflowId, started.stdout).toBeDefined();

    const audit = (await npx('audit', workflowId as string, '--json')) as { code?: number; stdout: string };
    expect(audit.code ?? 0).toBe(0);
    const report = JSON.parse(audit.stdout) as {
      timeline: Array<{ kind: string; tool?: string; allowed?: boolean; status?: string; action?: string }>;
    };
    expect(report.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'authz_decision',
        tool: 'ticket.status',
        action: 'invoke',
        allowed: true,
      }),
    );
    expect(report.timeline).toContainEqual(
      expect.objectContaining({ kind: 'tool_outcome', tool: 'ticket.status', status: 'executed' }),
    );
  }, 240_000);
});
