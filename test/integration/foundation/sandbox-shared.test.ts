import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workflowSandbox } from '../../support/workflow-sandbox.ts';

describe("what the workers' sandbox shares across runs", () => {
  it('one table of verified signatures for every run: a replay finds what its run verified before', async () => {
    const box = await workflowSandbox();
    expect(box.shared().filter((id) => /verified-signatures|ed25519-verify/.test(id))).toHaveLength(2);
    const first = box.run('__TEMPORAL__.importWorkflows(); 0');
    const second = box.run('__TEMPORAL__.importWorkflows(); 0');
    for (const { modules } of [first, second]) {
      // Each run evaluates its own copy of the guard and of the signature checks that use the table...
      expect(modules.some((id) => id.includes('src/guard/zone-signature.ts'))).toBe(true);
      expect(modules.some((id) => id.includes('src/guard/signatures.ts'))).toBe(true);
      // ...and none of the table or the verifier: those were evaluated once, in the preload.
      expect(modules.filter((id) => /verified-signatures|ed25519-verify|sandbox-/.test(id))).toEqual([]);
    }
  });

  it('zod is evaluated once, in the preload; every run makes its own schemas and checks every format as zod does', async () => {
    const box = await workflowSandbox();
    expect(box.shared().some((id) => id.includes('node_modules/zod/'))).toBe(true);
    const first = box.run('__TEMPORAL__.importWorkflows(); 0');
    expect(first.modules.filter((id) => id.includes('node_modules/zod/'))).toEqual([]);
    const shared = box.shared().find((id) => id.includes('sandbox-shared'));
    // The same checks in the sandbox (after the SDK's freeze, in two runs) and on the host. Not the
    // formats zod checks with atob (base64, base64url, jwt): the sandbox has no atob.
    const checks = `(z) => {
      const formats = {
        email: z.email(), url: z.url(), httpUrl: z.httpUrl(), uuid: z.uuid(), guid: z.guid(),
        ipv4: z.ipv4(), ipv6: z.ipv6(), cidrv4: z.cidrv4(), emoji: z.emoji(), nanoid: z.nanoid(), cuid2: z.cuid2(), ulid: z.ulid(),
        hostname: z.hostname(), hex: z.hex(), e164: z.e164(),
        datetime: z.iso.datetime(), date: z.iso.date(), time: z.iso.time(), duration: z.iso.duration(),
        lower: z.string().lowercase(), starts: z.string().startsWith('t-'), regex: z.string().regex(/^[a-z]+$/),
      };
      const inputs = ['alice@example.com', 'https://example.com/a', 'not valid \\n', 't-501', 'abc',
        '2026-12-01T20:00:00Z', '2026-12-01', '10.0.0.1', '10.0.0.0/8', 'aGVsbG8=', '00000000-0000-4000-8000-000000000000',
        'P1D', '+14155552671', 'ABCDEF', 'éx@ample', 'http://[::1]/'];
      const accepted = {};
      for (const [name, schema] of Object.entries(formats)) {
        accepted[name] = inputs.filter((input) => schema.safeParse(input).success);
      }
      const call = z.object({ ticketId: z.string().min(2), amount: z.number().positive().max(500) })
        .meta({ id: 'RefundCall', description: 'a refund' });
      const bad = call.safeParse({ ticketId: 't', amount: -1 });
      return {
        accepted,
        issues: bad.success ? [] : bad.error.issues.map((i) => i.code + ':' + i.path.join('.') + ':' + i.message),
        schema: z.toJSONSchema(call),
      };
    }`;
    const inRun = () =>
      box.run(
        `(${checks})(__webpack_module_cache__[${JSON.stringify(shared)}].exports.sharedModules.sharedZod)`,
      ).result;
    const host = new Function(`return ${checks}`)()(z);
    expect(inRun()).toEqual(host);
    expect(inRun()).toEqual(host);
    // Nothing a run can reach changes a shared pattern in place, and zod's config stays frozen.
    const { result } = box.run(`
      const z = __webpack_module_cache__[${JSON.stringify(shared)}].exports.sharedModules.sharedZod;
      let config = 'written';
      try { z.config({ jitless: true }); } catch { config = 'refused'; }
      ({ compile: typeof z.core.regexes.email.compile, config, frozen: Object.isFrozen(z.core.regexes) });
    `);
    expect(result).toEqual({ compile: 'undefined', config: 'refused', frozen: true });
  });

  it('errors made by workflow code capture no frames, so the promise hook has none to map', async () => {
    const box = await workflowSandbox();
    const { result } = box.run(`
      __TEMPORAL__.importWorkflows();
      const error = new Error('boom');
      ({ limit: Error.stackTraceLimit, stack: error.stack, message: error.message });
    `);
    expect(result).toEqual({ limit: 0, stack: 'Error: boom', message: 'boom' });
  });
});
