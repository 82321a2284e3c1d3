import { fileURLToPath } from 'node:url';
import type { bundleWorkflowCode } from '@temporalio/worker';

/**
 * When Warden itself runs from its TypeScript sources (its own repository), a project's
 * `import 'warden/workflow'` must bundle those sources too: the package's exports name them under
 * this condition. An installed Warden runs from `dist/` and bundles that.
 */
export const SOURCE_CONDITION = 'warden-source';
export const fromSource = import.meta.url.endsWith('.ts');
const POLYFILLS_PATH = fileURLToPath(
  new URL(`./sandbox-polyfills.${fromSource ? 'ts' : 'js'}`, import.meta.url),
);

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

export const workflowBundlerOptions = { webpackConfigHook: wardenWebpackHook };

const noop = () => {};
export const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: console.error,
  log: noop,
};
