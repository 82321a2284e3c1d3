import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const POLYFILLS_PATH = fileURLToPath(new URL('./sandbox-polyfills.ts', import.meta.url));

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
  };
}

export const workflowBundlerOptions = { webpackConfigHook: wardenWebpackHook };

let cached: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles workflow code once per process; every worker in the process shares the bundle. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cached ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...workflowBundlerOptions,
    logger: quietLogger,
  });
  return cached;
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
