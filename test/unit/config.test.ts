import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

describe('loadConfig', () => {
  it('defaults to the embedded policy engine, the scripted model and a local server', () => {
    const config = loadConfig({});
    expect(config.WARDEN_PDP).toBe('embedded');
    expect(config.WARDEN_MODEL).toBe('scripted');
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.WARDEN_TEMPORAL_UI_PORT).toBe(8233);
    expect(config.WARDEN_MODE).toBe('development');
  });

  it('treats a blank TEMPORAL_ADDRESS as unset', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '  ' }).TEMPORAL_ADDRESS).toBeUndefined();
  });

  it.each([
    [{ WARDEN_TEMPORAL_PORT: 'seven' }, /WARDEN_TEMPORAL_PORT/],
    [{ WARDEN_TEMPORAL_UI_PORT: '70000' }, /WARDEN_TEMPORAL_UI_PORT/],
    [{ WARDEN_PDP: 'opa' }, /WARDEN_PDP/],
    [{ WARDEN_MODE: 'prod' }, /WARDEN_MODE/],
    [{ TEMPORAL_TLS_CERT: '/tmp/cert.pem' }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together/],
    [{ WARDEN_PDP: 'oso-cloud', OSO_URL: 'https://cloud.osohq.com' }, /needs OSO_URL and OSO_AUTH/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
