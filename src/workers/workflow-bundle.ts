import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, PAYLOAD_CONVERTER_PATH } from '../temporal/data-converter.ts';
import type { BundleRequest } from './bundler-process.ts';
import { fromSource, quietLogger, type WorkflowCode, wardenBundlerOptions } from './webpack-hook.ts';

export {
  SOURCE_CONDITION,
  TRACING_INTERCEPTORS,
  UNTRACED_WORKFLOW_CODE,
  type WorkflowCode,
  wardenBundlerOptions,
  wardenWebpackHook,
  workflowBundlerOptions,
} from './webpack-hook.ts';

const BUNDLER = fileURLToPath(new URL(`./bundler-process.${fromSource ? 'ts' : 'js'}`, import.meta.url));

/**
 * Workflow code converts its failures with Warden's failure converter (messages and stacks encoded)
 * and its payloads with Warden's payload converter (a refused plaintext payload throws).
 */
const converters = {
  failureConverterPath: FAILURE_CONVERTER_PATH,
  payloadConverterPath: PAYLOAD_CONVERTER_PATH,
};

function bundleInChild(workflowsPath: string, code: WorkflowCode): Promise<WorkflowBundleWithSourceMap> {
  const request: BundleRequest = { workflowsPath, ...converters, traceWorkflows: code.traceWorkflows };
  return new Promise((resolve, reject) => {
    // The same Node flags as this process (its TypeScript loader and export conditions among them).
    const child = fork(BUNDLER, [JSON.stringify(request)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let bundle: WorkflowBundleWithSourceMap | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_096);
    });
    child.once('message', (message) => {
      // What our own bundler child sends: code and source map, as bundleWorkflowCode returns them.
      bundle = message as WorkflowBundleWithSourceMap;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (bundle !== undefined) resolve(bundle);
      else reject(new Error(`the workflow bundler exited with code ${code}: ${stderr.trim()}`));
    });
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundles a workflows module once per process and choice of workflow code (two projects of one
 * process that choose differently get a bundle each); every worker of the process shares it.
 * The bundler runs in a process of its own, so what webpack allocates is freed when it exits;
 * if that process cannot run (e.g. it cannot load TypeScript sources), it runs here instead.
 */
export function workflowBundle(
  workflowsPath: string,
  code: WorkflowCode,
): Promise<WorkflowBundleWithSourceMap> {
  const key = JSON.stringify([workflowsPath, code.traceWorkflows]);
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    // Bundled here when the child fails: a real error in the workflow code is reported from here.
    bundle = bundleInChild(workflowsPath, code).catch(() =>
      bundleWorkflowCode({
        workflowsPath,
        ...wardenBundlerOptions(code),
        ...converters,
        logger: quietLogger,
      }),
    );
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}
