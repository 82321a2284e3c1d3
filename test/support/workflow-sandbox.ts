import { createRequire } from 'node:module';
import vm from 'node:vm';
import {
  UNTRACED_WORKFLOW_CODE,
  type WorkflowCode,
  workflowBundle,
} from '../../src/workers/workflow-bundle.ts';
import { EXAMPLE_WORKFLOWS } from './example.ts';

const { injectGlobals } = createRequire(import.meta.url)('@temporalio/worker/lib/workflow/vm-shared') as {
  injectGlobals(context: vm.Context): void;
};

/**
 * The modules the SDK's worker interface evaluates as a run starts (worker-interface.js
 * `initRuntime`): the bundle's interceptor modules, then the workflows module. (It then calls the
 * interceptors' factories, which need a run's activator.)
 */
export const RUN_START = '__TEMPORAL__.importInterceptors?.(); __TEMPORAL__.importWorkflows();';

/** The SDK's freeze of what runs share (reusable-vm.js): an object's properties, then the value itself. */
function deepFreeze(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (Object.isFrozen(value)) return;
  if (typeof value === 'object') {
    for (const key of Reflect.ownKeys(value)) {
      const property = (value as Record<string | symbol, unknown>)[key];
      if (property !== null && (typeof property === 'object' || typeof property === 'function')) {
        try {
          deepFreeze(property, seen);
        } catch {
          // Some objects cannot be frozen (typed arrays with elements); the SDK skips them too.
        }
      }
    }
  }
  Object.freeze(value);
}

/**
 * The workers' bundle in a V8 context as the SDK's reusable context holds it: modules evaluated as
 * the bundle loads (and the preloaded ones) are shared, every later module lands in the module cache
 * of the run that evaluated it (the bundle routes its cache through `__webpack_module_cache__`, and
 * the SDK refuses a bundle that does not). Each "run" here is a fresh module cache. A run's modules
 * are what its body evaluates: as a real run, {@link RUN_START} (its workflows and interceptors).
 */
export async function workflowSandbox(workflowCode: WorkflowCode = UNTRACED_WORKFLOW_CODE) {
  const { code } = await workflowBundle(EXAMPLE_WORKFLOWS, workflowCode);
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
  // As the SDK does once the preload has run: what every run shares is frozen.
  for (const module of shared.values()) deepFreeze(module);
  return {
    /** The modules evaluated once, as the bundle loaded and in its preload: every run shares them. */
    shared: (): string[] => [...shared.keys()].map(String),
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
