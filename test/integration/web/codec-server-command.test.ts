import { describe, expect, it } from 'vitest';
import { collect, spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { EXAMPLE_DIR } from '../../support/example.ts';
import { testServer } from '../../support/temporal.ts';

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { address, namespace } = testServer();
  return {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_CONFIG: EXAMPLE_DIR,
    WARDEN_APPROVER_TOKENS: 'codec-command-token=User:carol',
    ...extra,
  };
}

describe('warden codec-server', () => {
  it('serves /decode behind authentication, prints how to point Temporal Web and the CLI at it, stops on SIGTERM', async () => {
    const child = spawnWarden(['codec-server', '--port', '0'], env());
    const done = collect(child, 60_000);
    const output = await waitForOutput(child, /--codec-auth/, 45_000);
    const url = /codec server: (http:\/\/\S+) \(1 approver tokens configured/.exec(output)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(output).toContain('include cross-origin credentials');
    const decode = (headers: Record<string, string>) =>
      fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: [] }),
      });
    expect((await decode({})).status).toBe(401);
    expect((await decode({ authorization: 'Bearer codec-command-token' })).status).toBe(200);
    expect(
      (await decode({ authorization: 'Bearer codec-command-token', 'content-type': 'text/plain' })).status,
    ).toBe(400);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('Approver token');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('refuses to start in production mode without payload keys, in one line', async () => {
    const withoutKeys = env({ WARDEN_MODE: 'production', WARDEN_APPROVAL_SECRET: 'x'.repeat(40) });
    delete withoutKeys.WARDEN_PAYLOAD_KEYS;
    const result = await collect(spawnWarden(['codec-server', '--port', '0'], withoutKeys), 45_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'warden: WARDEN_MODE=production needs WARDEN_PAYLOAD_KEYS or WARDEN_PAYLOAD_KEY_FILE',
    );
  });
});
