import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildProgram } from '../../src/cli/main.ts';
import { ENV_NAMES, loadConfig } from '../../src/config/env.ts';

const service = z.object({
  image: z.string(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  ports: z.array(z.string()).optional(),
});
const compose = z.object({ services: z.record(z.string(), service) });

const file = compose.parse(
  parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }),
);
const services = file.services;
const wardenServices = Object.entries(services).filter(([name]) => name.startsWith('warden-'));

function env(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]),
  );
}

describe('docker-compose.yml', () => {
  it('has Temporal, Temporal Web, the Oso Dev Server and the Warden processes', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['temporal', 'temporal-ui', 'oso', 'warden-worker', 'warden-approvals']),
    );
    expect(services.oso?.image).toMatch(/^public\.ecr\.aws\/osohq\/dev-server/);
    expect(services.temporal?.ports).toContain('7233:7233');
    expect(services['temporal-ui']?.ports).toContain('8233:8080');
    expect(services.oso?.ports).toContain('8080:8080');
  });

  it('wires the Warden processes only with variables Warden reads, and they load as a valid configuration', () => {
    const known = new Set<string>(Object.values(ENV_NAMES));
    for (const [name] of wardenServices) {
      const vars = env(name);
      for (const key of Object.keys(vars)) expect(known, `${name}: ${key}`).toContain(key);
      const config = loadConfig(vars);
      expect(config.WARDEN_PDP).toBe('oso-cloud');
      const [host, port] = (config.TEMPORAL_ADDRESS ?? '').split(':');
      expect(services[host ?? '']?.ports).toContain(`${port}:${port}`);
      const oso = new URL(config.OSO_URL ?? '');
      expect(services[oso.hostname]?.ports).toContain(`${oso.port}:${oso.port}`);
    }
  });

  it('runs only warden commands that exist, and publishes the approvals page on its configured port', () => {
    const commandNames = new Set(buildProgram().commands.map((command) => command.name()));
    for (const [name, definition] of wardenServices) {
      const script = (definition.command ?? []).join(' ');
      const used = /bin\/warden\.js (\S+)/.exec(script)?.[1];
      expect(used, name).toBeDefined();
      expect(commandNames, `${name} runs 'warden ${used}'`).toContain(used);
    }
    const webPort = loadConfig(env('warden-approvals')).WARDEN_WEB_PORT;
    expect(services['warden-approvals']?.ports).toContain(`${webPort}:${webPort}`);
  });
});
