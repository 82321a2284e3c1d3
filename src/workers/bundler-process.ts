/**
 * Bundles a workflows module in a process of its own: webpack's memory (about 300 MiB of a worker's
 * resident set when it bundles in the worker's process, never given back) goes when this process exits.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietLogger, wardenBundlerOptions } from './webpack-hook.ts';

export interface BundleRequest {
  workflowsPath: string;
  failureConverterPath: string;
  payloadConverterPath: string;
  /** The project's choice: the bundle carries the workflow tracing interceptors. */
  traceWorkflows: boolean;
}

const { traceWorkflows, ...paths } = JSON.parse(process.argv[2] ?? '{}') as BundleRequest;
const bundle = await bundleWorkflowCode({
  ...paths,
  ...wardenBundlerOptions({ traceWorkflows: traceWorkflows === true }),
  logger: quietLogger,
});
process.send?.({ code: bundle.code, sourceMap: bundle.sourceMap }, () => process.disconnect());
