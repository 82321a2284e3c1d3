import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, PAYLOAD_CONVERTER_PATH } from '../temporal/data-converter.ts';

/**
 * When Warden itself runs from its TypeScript sources (its own repository), a project's
 * `import 'warden/workflow'` must bundle those sources too: the package's exports name them under
 * this condition. An installed Warden runs from `dist/` and bundles that.
 */
export const SOURCE_CONDITION = 'warden-source';
const fromSource = import.meta.url.endsWith('.ts');
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

/**
 * Temporal's OpenTelemetry workflow interceptors: in every bundle, traced or not, so all workers of a
 * deployment run the same workflow code (they only emit spans to a sink, never commands).
 */
export const TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export const workflowBundlerOptions = {
  webpackConfigHook: wardenWebpackHook,
  workflowInterceptorModules: [TRACING_INTERCEPTORS],
};

/**
 * Workflow code converts its failures with Warden's failure converter (messages and stacks encoded)
 * and its payloads with Warden's payload converter (a refused plaintext payload throws).
 */
const bundleOptions = {
  ...workflowBundlerOptions,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  payloadConverterPath: PAYLOAD_CONVERTER_PATH,
};

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles a workflows module once per process; every worker of the process shares the bundle. */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (bundle === undefined) {
    bundle = bundleWorkflowCode({ workflowsPath, ...bundleOptions, logger: quietLogger });
    bundles.set(workflowsPath, bundle);
    bundle.catch(() => bundles.delete(workflowsPath));
  }
  return bundle;
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
