import { createRequire } from 'node:module';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../../src/workers/workflow-bundle.ts';
import { EXAMPLE_WORKFLOWS } from '../../support/example.ts';

const { injectGlobals } = createRequire(import.meta.url)('@temporalio/worker/lib/workflow/vm-shared') as {
  injectGlobals(context: vm.Context): void;
};

/**
 * The workers' bundle in a V8 context as the SDK's reusable context holds it: modules evaluated as
 * the bundle loads (and the preloaded ones) are shared, every later module lands in the module cache
 * of the run that evaluated it (the bundle routes its cache through `__webpack_module_cache__`, and
 * the SDK refuses a bundle that does not). Each "run" here is a fresh module cache.
 */
async function sandbox() {
  const { code } = await workflowBundle(EXAMPLE_WORKFLOWS);
  const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
  const shared = new Map<string | symbol, unknown>();
  let runCache: Map<string | symbol, unknown> | undefined;
  const cache = new Proxy(
    {},
    {
      get: (_, id) => shared.get(id) ?? runCache?.get(id),
      set: (_, id, value) => {
        (runCache ?? shared).set(id, value);
        return true;
      },
    },
  );
  Object.defineProperty(context, '__webpack_module_cache__', { value: cache });
  injectGlobals(context);
  new vm.Script(code).runInContext(context);
  vm.runInContext('__TEMPORAL__.preloadModules?.()', context);
  return {
    /** Calls `body` in the context with a run's own module cache; returns the modules it evaluated. */
    run(body: string): { modules: string[]; result: unknown } {
      runCache = new Map();
      try {
        // One evaluation: with microtaskMode afterEvaluate, its promise jobs have run when it returns,
        // as the jobs of a workflow activation have when the activation concludes.
        const result = vm.runInContext(body, context);
        return { modules: [...runCache.keys()].map(String), result };
      } finally {
        runCache = undefined;
      }
    },
  };
}

const modelOnly = (modules: string[]) =>
  modules.filter((id) =>
    /@openai\/agents-core|node_modules\/openai\/|workflows\/agent\/run-agent\.ts/.test(id),
  );

describe('a run evaluates only what its workflow uses', () => {
  it('a tool-plan run evaluates no agents-core, no openai code and not the agent loop', async () => {
    const box = await sandbox();
    const { modules, result } = box.run('Object.keys(__TEMPORAL__.importWorkflows()).join()');
    expect(String(result)).toMatch(/agentRunWorkflow.*toolPlanWorkflow|toolPlanWorkflow.*agentRunWorkflow/);
    // The run evaluated the example's tools and Warden's guard (a real run's modules)...
    expect(modules.some((id) => id.includes('workflows/tool-plan.ts'))).toBe(true);
    expect(modules.some((id) => id.includes('workflows/guard/run-guard.ts'))).toBe(true);
    // ...and nothing only a model-driven run needs.
    expect(modelOnly(modules)).toEqual([]);
  });

  it('an agent run loads the agent loop within the activation that starts it, and only for itself', async () => {
    const box = await sandbox();
    // An agent the catalog does not know: the run loads the loop, then fails with UnknownAgent.
    const { modules, result } = box.run(`
      const outcome = { settled: false };
      __TEMPORAL__.importWorkflows().agentRunWorkflow({ agent: 'no-such-agent', onBehalfOf: 'alice', input: 'hi' })
        .then(() => { outcome.settled = 'resolved'; }, (error) => { outcome.settled = error.type ?? error.name; });
      outcome;
    `);
    // Settled when the evaluation returned: the import resolved in microtasks, no timer or I/O.
    expect(result).toEqual({ settled: 'UnknownAgent' });
    expect(modelOnly(modules).some((id) => id.includes('@openai/agents-core'))).toBe(true);
    expect(modules.some((id) => id.includes('workflows/agent/run-agent.ts'))).toBe(true);
    // The next run starts from its own cache: a tool-plan run after an agent run still loads none of it.
    const next = box.run('__TEMPORAL__.importWorkflows(); 0');
    expect(modelOnly(next.modules)).toEqual([]);
  });
});
