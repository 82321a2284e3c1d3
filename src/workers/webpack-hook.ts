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
    devtool: 'inline-nosources-source-map',
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
 * Temporal's OpenTelemetry workflow interceptors: workflow spans (RunWorkflow, StartActivity, timers,
 * signals, updates) and the trace context each activity's headers carry. They add promise hops around
 * activity results, updates, signals and timers, so a bundle with them is different workflow code.
 */
export const TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * What a project's workflow code is bundled with besides its workflows module: a choice of the
 * project (its `tracing.workflows`), never of a process, since every worker of a deployment must run
 * the same workflow code and a replay must bundle the way the history's deployment did.
 */
export interface WorkflowCode {
  /** The bundle carries {@link TRACING_INTERCEPTORS}. */
  traceWorkflows: boolean;
}

/** A project that does not choose: no workflow interceptors, so runs evaluate no OpenTelemetry module. */
export const UNTRACED_WORKFLOW_CODE: WorkflowCode = { traceWorkflows: false };

/** The bundler options of a project's workflow code. */
export function wardenBundlerOptions(code: WorkflowCode) {
  return {
    webpackConfigHook: wardenWebpackHook,
    preloadModules: SHARED_WORKFLOW_MODULES,
    workflowInterceptorModules: code.traceWorkflows ? [TRACING_INTERCEPTORS] : [],
  };
}

/** The bundler options of a project that does not trace workflows (the default). */
export const workflowBundlerOptions = wardenBundlerOptions(UNTRACED_WORKFLOW_CODE);

const noop = () => {};
export const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: console.error,
  log: noop,
};
