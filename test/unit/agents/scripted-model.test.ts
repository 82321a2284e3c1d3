import type { ModelRequest } from '@openai/agents-core';
import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../../src/models/scripted/load-scenarios.ts';
import { parseScenario, ScenarioError } from '../../../src/models/scripted/scenario.ts';
import { ScriptedModel } from '../../../src/models/scripted/scripted-model.ts';
import { EXAMPLE_SCENARIO_DIR } from '../../support/example.ts';

const request = (): ModelRequest => ({
  input: 'hello',
  modelSettings: {},
  tools: [],
  outputType: 'text',
  handoffs: [],
  tracing: false,
});

describe('scenario files', () => {
  it('every committed scenario parses and names its own file', () => {
    const names = listScenarios(EXAMPLE_SCENARIO_DIR).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['benign-ticket', 'refund-under-limit', 'refund-over-limit', 'injected-export']),
    );
  });

  it('refuses unknown keys, empty turns and path tricks, naming the problem', () => {
    expect(() =>
      parseScenario(
        { name: 'x', title: 't', description: 'd', agent: 'a', input: 'i', turns: [{}] },
        'x.yaml',
      ),
    ).toThrow(/turns\.0: a turn needs a message, calls or a handoff/);
    expect(() =>
      parseScenario(
        {
          name: 'x',
          title: 't',
          description: 'd',
          agent: 'a',
          input: 'i',
          turns: [{ message: 'm' }],
          extra: 1,
        },
        'x.yaml',
      ),
    ).toThrow(ScenarioError);
    expect(() => loadScenario('../etc/passwd', EXAMPLE_SCENARIO_DIR)).toThrow(/invalid scenario name/);
    expect(() => loadScenario('no-such-scenario', EXAMPLE_SCENARIO_DIR)).toThrow(
      /unknown scenario "no-such-scenario"/,
    );
  });
});

describe('the scripted model', () => {
  it('answers model call N with turn N: tool calls under their model-facing names, raw arguments verbatim', async () => {
    const scenario = loadScenario('malformed-tool-calls', EXAMPLE_SCENARIO_DIR);
    const first = await new ScriptedModel(scenario, 1).getResponse(request());
    expect(first.output).toEqual([
      expect.objectContaining({
        type: 'function_call',
        name: 'crm__issue_refund',
        arguments: '{"customerId": "c-1001", "amount": 20, ',
      }),
      expect.objectContaining({
        type: 'function_call',
        name: 'crm__issue_refund',
        arguments: '{"customerId":"c-1001","amount":-5,"currency":"GBP"}',
      }),
      expect.objectContaining({ type: 'function_call', name: 'crm__delete_customer' }),
    ]);
    expect(first.usage.totalTokens).toBe(first.usage.inputTokens + first.usage.outputTokens);
    const last = await new ScriptedModel(scenario, 2).getResponse(request());
    expect(last.output).toEqual([expect.objectContaining({ type: 'message', role: 'assistant' })]);
  });

  it('ends the run with a message past the last turn, rather than inventing calls', async () => {
    const response = await new ScriptedModel(
      loadScenario('benign-ticket', EXAMPLE_SCENARIO_DIR),
      99,
    ).getResponse(request());
    expect(response.output).toHaveLength(1);
    expect(JSON.stringify(response.output)).toContain('has no turn 99');
  });

  it('is deterministic: same turn, same output', async () => {
    const scenario = loadScenario('injected-export', EXAMPLE_SCENARIO_DIR);
    const a = await new ScriptedModel(scenario, 2).getResponse(request());
    const b = await new ScriptedModel(scenario, 2).getResponse(request());
    expect(a).toEqual(b);
  });
});
