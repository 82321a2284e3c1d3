import { describe, expect, it } from 'vitest';
import { HostAllowList, HostAllowListError } from '../../../src/web/host-allow-list.ts';

const at = (host: string | undefined, localPort = 8787, tls = false) => ({ host, localPort, tls });

describe('Host allow-list (DNS rebinding)', () => {
  it('answers to the loopback names on its own port only by default', () => {
    const hosts = new HostAllowList(undefined);
    for (const host of ['localhost:8787', '127.0.0.1:8787', '[::1]:8787', 'LOCALHOST:8787']) {
      expect(hosts.allows(at(host)), host).toBe(true);
    }
    for (const host of [
      'evil.example',
      'evil.example:8787',
      'localhost:8788',
      'localhost',
      '127.0.0.2:8787',
      'localhost.:8787',
      'evil.example@localhost:8787',
      'localhost:8787/x',
      'localhost:8787, evil.example',
      '',
      undefined,
    ]) {
      expect(hosts.allows(at(host)), String(host)).toBe(false);
    }
    expect(hosts.allows(at('localhost', 443, true))).toBe(true);
  });

  it('adds configured names, with any port or the one given', () => {
    const hosts = new HostAllowList('approvals.example.com, warden-approvals:8787');
    expect(hosts.allows(at('approvals.example.com'))).toBe(true);
    expect(hosts.allows(at('approvals.example.com:443', 8787, true))).toBe(true);
    expect(hosts.allows(at('warden-approvals:8787'))).toBe(true);
    expect(hosts.allows(at('warden-approvals:9000', 9000))).toBe(false);
    expect(hosts.allows(at('example.com'))).toBe(false);
    expect(hosts.describe()).toBe(
      'localhost, 127.0.0.1, [::1], approvals.example.com, warden-approvals:8787',
    );
  });

  it('refuses a setting that is not a list of host names', () => {
    for (const bad of ['https://approvals.example.com', 'a/b', 'host:99999', '*']) {
      expect(() => new HostAllowList(bad), bad).toThrow(HostAllowListError);
    }
  });
});
