import { describe, expect, it } from 'vitest';
import { collect, spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { testServer } from '../../support/temporal.ts';

describe('warden web', () => {
  it('serves the sign-in page on the configured server and stops on SIGTERM', async () => {
    const { address, namespace } = testServer();
    const child = spawnWarden(['web', '--port', '0'], {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      WARDEN_APPROVER_TOKENS: 'web-command-token=User:bob',
    });
    const done = collect(child, 60_000);
    const output = await waitForOutput(
      child,
      /approvals page: (http:\/\/\S+) \(1 approver tokens configured.*\n.*answers to localhost, 127\.0\.0\.1, \[::1\]; session cookies not Secure/,
      45_000,
    );
    const url = /approvals page: (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('Sign in with your approver token.');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('refuses a malformed token setting in one line', async () => {
    const { address, namespace } = testServer();
    const result = await collect(
      spawnWarden(['web', '--port', '0'], {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        WARDEN_APPROVER_TOKENS: 'short=User:bob',
      }),
      45_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'warden: WARDEN_APPROVER_TOKENS entry 1: tokens need at least 8 characters',
    );
  });

  it('refuses a weak configured token at start in production mode, in one line', async () => {
    const { address, namespace } = testServer();
    const result = await collect(
      spawnWarden(['web', '--port', '0'], {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        WARDEN_MODE: 'production',
        WARDEN_APPROVER_TOKENS: 'bob-5f0c9e27a4d18b36e7c2f9a0d4b61e83=User:bob,bob-browser-token=User:bob',
      }),
      45_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^warden: WARDEN_APPROVER_TOKENS entry 2: token too weak for production mode \(about \d+ bits, 128 needed\): generate tokens with `openssl rand -hex 32`$/,
    );
  });
});
