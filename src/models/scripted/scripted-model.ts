import {
  type AgentOutputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Usage,
} from '@openai/agents-core';
import { modelToolName } from '../tool-names.ts';
import type { Scenario, ScenarioTurn } from './scenario.ts';

/** Deterministic token estimate (about four characters a token), so budgets can be exercised offline. */
function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Math.max(1, Math.ceil(text.length / 4));
}

function handoffToolName(request: ModelRequest, agentName: string): string {
  const suffix = agentName.replace(/[^a-zA-Z0-9]/g, '_');
  const offered = request.handoffs.find((h) => h.toolName === `transfer_to_${suffix}`);
  return offered?.toolName ?? `transfer_to_${suffix}`;
}

function turnOutput(scenario: Scenario, turnNumber: number, turn: ScenarioTurn, request: ModelRequest) {
  const output: AgentOutputItem[] = [];
  const callId = (index: number) => `call_${scenario.name}_${turnNumber}_${index}`.replace(/-/g, '_');
  if (turn.message !== undefined) {
    output.push({
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: turn.message }],
    });
  }
  for (const [index, call] of (turn.calls ?? []).entries()) {
    output.push({
      type: 'function_call',
      callId: callId(index),
      name: modelToolName(call.tool),
      arguments: call.rawArguments ?? JSON.stringify(call.arguments ?? {}),
      status: 'completed',
    });
  }
  if (turn.handoff !== undefined) {
    output.push({
      type: 'function_call',
      callId: callId(output.length),
      name: handoffToolName(request, turn.handoff),
      arguments: '{}',
      status: 'completed',
    });
  }
  return output;
}

/**
 * A model that replays a scenario: model call N answers with the scenario's turn N. Past the last
 * turn it ends the run with a message saying so, rather than inventing behaviour.
 */
export class ScriptedModel implements Model {
  constructor(
    private readonly scenario: Scenario,
    private readonly turnNumber: number,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const turn = this.scenario.turns[this.turnNumber - 1] ?? {
      message: `(scenario ${this.scenario.name} has no turn ${this.turnNumber}; ending the run)`,
    };
    const output = turnOutput(this.scenario, this.turnNumber, turn, request);
    const inputTokens = estimateTokens([request.systemInstructions ?? '', request.input]);
    const outputTokens = estimateTokens(output);
    return {
      output,
      usage: new Usage({
        requests: 1,
        inputTokens,
        outputTokens,
        totalTokens: inputTokens + outputTokens,
      }),
      responseId: `scripted-${this.scenario.name}-${this.turnNumber}`,
    };
  }

  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the scripted model does not stream');
  }
}
