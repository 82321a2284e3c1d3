import { describe, expect, it } from 'vitest';
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

  it('zod is evaluated once, in the preload, and each run still makes and checks its own schemas', async () => {
    const box = await workflowSandbox();
    expect(box.shared().some((id) => id.includes('node_modules/zod/'))).toBe(true);
    const first = box.run('__TEMPORAL__.importWorkflows(); 0');
    expect(first.modules.filter((id) => id.includes('node_modules/zod/'))).toEqual([]);
    // A run makes its own schemas with the shared zod and parses with them: zod's global config
    // (locale, memoizer) was set in the preload, so a frozen config is never written by a run.
    const shared = box.shared().find((id) => id.includes('sandbox-shared'));
    const { result } = box.run(`
      const { z } = __webpack_module_cache__[${JSON.stringify(shared)}].exports.sharedModules;
      const call = z.object({ ticketId: z.string(), amounts: z.array(z.number()) });
      const bad = call.safeParse({ ticketId: 't-1', amounts: ['x'] });
      ({ ok: call.safeParse({ ticketId: 't-1', amounts: [1] }).success, message: bad.error.issues[0].message });
    `);
    expect(result).toEqual({ ok: true, message: 'Invalid input: expected number, received string' });
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
