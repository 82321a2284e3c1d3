import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/temporal/ports.ts';
import { collect, spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const VERSION = 'sha256:[0-9a-f]{16}';

describe('warden dev reloads the policy when its files change', () => {
  const dirs: string[] = [];
  const children: Array<ReturnType<typeof spawnWarden>> = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the new version after an edit, keeps the old one after a broken edit, and keeps running', async () => {
    const policyDir = mkdtempSync(path.join(tmpdir(), 'warden-dev-policy-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-dev-data-'));
    dirs.push(policyDir, dataDir);
    cpSync(POLICY_DIR, policyDir, { recursive: true });
    const polar = path.join(policyDir, 'warden.polar');
    const shipped = readFileSync(polar, 'utf8');
    const { address, namespace } = testServer();
    const { WARDEN_TEMPORAL_PORT: _p, WARDEN_TEMPORAL_UI_PORT: _u, ...env } = process.env;
    const child = spawnWarden(['dev'], {
      ...env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      WARDEN_TASK_QUEUE: uniqueTaskQueue('dev-policy-watch'),
      WARDEN_WEB_PORT: String(await freePort()),
      WARDEN_POLICY_DIR: policyDir,
      WARDEN_DATA_DIR: dataDir,
    });
    children.push(child);
    const started = await waitForOutput(child, /Ctrl-C to stop/, 90_000);
    expect(started).toContain(`Policy: ${policyDir} (sha256:`);
    const initial = new RegExp(`\\((${VERSION})\\), reloaded when its files change`).exec(started)?.[1];
    expect(initial).toBeDefined();

    appendFileSync(polar, '\n# reviewed\n');
    const reloaded = await waitForOutput(
      child,
      new RegExp(`policy reloaded: ${VERSION} \\(\\d+ facts\\)`),
      30_000,
    );
    const [, current = '', facts = ''] =
      new RegExp(`policy reloaded: (${VERSION}) \\((\\d+) facts\\)`).exec(reloaded) ?? [];
    expect(current).not.toBe(initial);
    expect(Number(facts)).toBeGreaterThan(30);

    writeFileSync(polar, shipped.replace('actor User {}', 'actor User {'));
    const refused = await waitForOutput(child, /policy NOT reloaded/, 30_000);
    const line = refused.split('\n').find((l) => l.startsWith('policy NOT reloaded')) ?? '';
    expect(line).toMatch(
      new RegExp(`^policy NOT reloaded, keeping ${current}: .*warden\\.polar:\\d+:\\d+: `),
    );
    expect(refused).not.toMatch(/policy reloaded:/);
    expect(child.exitCode).toBeNull();

    // Still watching: a fixed file loads again.
    writeFileSync(polar, `${shipped}\n# fixed\n`);
    const fixed = await waitForOutput(child, new RegExp(`policy reloaded: ${VERSION}`), 30_000);
    const fixedVersion = new RegExp(`policy reloaded: (${VERSION})`).exec(fixed)?.[1] ?? '';
    expect(child.exitCode).toBeNull();

    // A policy that loads but fails its own test blocks is not hot-reloaded either.
    writeFileSync(polar, shipped.replace('"user" if "capped_refunder";', ''));
    const untested = await waitForOutput(child, /policy NOT reloaded/, 30_000);
    expect(untested.split('\n').find((l) => l.startsWith('policy NOT reloaded'))).toMatch(
      new RegExp(`^policy NOT reloaded, keeping ${fixedVersion}: policy tests failed: `),
    );
    expect(untested).not.toMatch(/policy reloaded:/);

    child.kill('SIGINT');
    expect((await collect(child, 30_000)).code).toBe(0);
  }, 180_000);
});
