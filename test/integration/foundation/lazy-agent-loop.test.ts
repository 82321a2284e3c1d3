import { describe, expect, it } from 'vitest';
import { workflowSandbox as sandbox } from '../../support/workflow-sandbox.ts';

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
