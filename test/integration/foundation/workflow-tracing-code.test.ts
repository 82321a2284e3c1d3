import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/load-project.ts';
import { tracesWorkflows } from '../../../src/telemetry/tracing.ts';
import { workflowBundle } from '../../../src/workers/workflow-bundle.ts';
import { EXAMPLE_DIR, EXAMPLE_WORKFLOWS } from '../../support/example.ts';
import { RUN_START, workflowSandbox } from '../../support/workflow-sandbox.ts';

const OPENTELEMETRY = /@opentelemetry\/|interceptors-opentelemetry/;
/**
 * The global the interceptors' runtime module sets in a run (it sees no run here): OpenTelemetry
 * reads `performance` as its modules are evaluated.
 */
const AS_IN_A_RUN = 'globalThis.performance ??= { timeOrigin: 0, now: () => 0 }';

describe("workflow tracing is the project's workflow code", () => {
  it('a project that does not choose: its runs evaluate no OpenTelemetry module and have no interceptor', async () => {
    const project = await loadProject({ config: EXAMPLE_DIR });
    expect(project.tracing?.workflows).toBeUndefined();
    const box = await workflowSandbox({ traceWorkflows: tracesWorkflows(project.tracing) });
    for (let run = 0; run < 2; run++) {
      const { modules, result } = box.run(`${RUN_START}; __TEMPORAL__.importInterceptors().length`);
      expect(result).toBe(0);
      // The run did evaluate its workflow code: the harness sees what a run evaluates.
      expect(modules.some((id) => id.includes('src/guard/signatures.ts'))).toBe(true);
      expect(modules.filter((id) => OPENTELEMETRY.test(id))).toEqual([]);
    }
    expect(box.shared().filter((id) => OPENTELEMETRY.test(id))).toEqual([]);
  });

  it('a project that traces workflows: each run evaluates the interceptors and the OpenTelemetry SDK', async () => {
    const box = await workflowSandbox({ traceWorkflows: true });
    const { modules, result } = box.run(
      `${AS_IN_A_RUN}; ${RUN_START}; __TEMPORAL__.importInterceptors().length`,
    );
    expect(result).toBe(1);
    const evaluated = modules.filter((id) => OPENTELEMETRY.test(id));
    for (const name of ['interceptors-opentelemetry', '@opentelemetry/api', '@opentelemetry/sdk-trace-base'])
      expect(evaluated.some((id) => id.includes(name))).toBe(true);
  });

  it('one process bundles each choice apart: two projects never share a bundle', async () => {
    const plain = await workflowBundle(EXAMPLE_WORKFLOWS, { traceWorkflows: false });
    const traced = await workflowBundle(EXAMPLE_WORKFLOWS, { traceWorkflows: true });
    // Module ids as webpack names them in the bundle.
    expect(plain.code).not.toMatch(
      /node_modules\/(@opentelemetry|@temporalio\/interceptors-opentelemetry)\//,
    );
    expect(traced.code).toMatch(
      /node_modules\/@temporalio\/interceptors-opentelemetry\/lib\/workflow-interceptors/,
    );
    expect(traced.code).toMatch(/node_modules\/@opentelemetry\/sdk-trace-base\//);
    expect(await workflowBundle(EXAMPLE_WORKFLOWS, { traceWorkflows: false })).toBe(plain);
    expect(await workflowBundle(EXAMPLE_WORKFLOWS, { traceWorkflows: true })).toBe(traced);
  });
});
