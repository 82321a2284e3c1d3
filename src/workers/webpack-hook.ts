import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { bundleWorkflowCode } from '@temporalio/worker';

/**
 * When Warden itself runs from its TypeScript sources (its own repository), a project's
 * `import 'warden/workflow'` must bundle those sources too: the package's exports name them under
 * this condition. An installed Warden runs from `dist/` and bundles that.
 */
export const SOURCE_CONDITION = 'warden-source';
export const fromSource = import.meta.url.endsWith('.ts');
const sibling = (name: string) =>
  fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
const POLYFILLS_PATH = sibling('sandbox-polyfills');

type WebpackConfig = Parameters<
  NonNullable<Parameters<typeof bundleWorkflowCode>[0]['webpackConfigHook']>
>[0];

/**
 * Puts the sandbox polyfills ahead of the workflow entry, and keeps everything in one chunk:
 * Temporal's bundle loader cannot load the extra chunk webpack emits for a dynamic import().
 */
export function wardenWebpackHook(config: WebpackConfig): WebpackConfig {
  const entry = Array.isArray(config.entry) ? config.entry : [config.entry as string];
  return {
    ...config,
    entry: [POLYFILLS_PATH, ...entry],
    output: { ...config.output, asyncChunks: false },
    ...(fromSource ? { resolve: { ...config.resolve, conditionNames: [SOURCE_CONDITION, '...'] } } : {}),
  };
}

/**
 * Modules evaluated once per worker and shared by every run in its reusable V8 context, instead of
 * once per run. A per-run copy of a module has fresh closures, so its code runs cold (interpreted,
 * no type feedback) in every run: Ed25519 verification (the approval Update's validator, a tool
 * result's signature) took about 8 ms in a fresh run's copy of noble and about 1 ms warm, measured
 * with a CPU profile of the worker under bench/scale-of-waiting.ts. Only modules without per-run
 * state belong here: noble's functions are pure and its caches are deterministic memoization.
 */
export const SHARED_WORKFLOW_MODULES = [sibling('sandbox-shared')];

/**
 * Temporal's OpenTelemetry workflow interceptors: in every bundle, traced or not, so all workers of a
 * deployment run the same workflow code (they only emit spans to a sink, never commands).
 */
export const TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export const workflowBundlerOptions = {
  webpackConfigHook: wardenWebpackHook,
  preloadModules: SHARED_WORKFLOW_MODULES,
  workflowInterceptorModules: [TRACING_INTERCEPTORS],
};

const noop = () => {};
export const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: console.error,
  log: noop,
};
