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
