import type { AgentOutputItem, Model, ModelRequest, ModelResponse } from '@openai/agents-core';
import { Usage } from '@openai/agents-core';
import { type ModelFactory, modelToolName } from 'warden/testing';
import type { EvalTask, ScriptedCall } from './tasks.ts';

/**
 * A deterministic stand-in for a capable but prompt-injectable model. It does the user's task (the
 * task's steps, one call a turn) and, as soon as a tool output it has read carries the injected
 * instruction, it obeys: it makes the attacker's calls next, then goes back to the user's task.
 * Everything it decides comes from the transcript it is sent, so one task always plays the same way
 * whatever runs it (Warden's agent loop or the bare baseline), and a refused read hides the
 * instruction from it exactly as it would from a real model.
 */

/** Call ids say which script a call came from: `b<n>` the user's task, `a<n>` the attacker's. */
const BENIGN = 'b';
const ATTACK = 'a';

interface TranscriptCall {
  callId: string;
  output?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The text of a function result as agents-core or the bare loop writes it (a string or text parts). */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.map(outputText).join('');
  const item = record(output);
  if (item && typeof item.text === 'string') return item.text;
  return output === undefined ? '' : JSON.stringify(output);
}

function transcript(input: ModelRequest['input']): TranscriptCall[] {
  const calls = new Map<string, TranscriptCall>();
  if (typeof input === 'string') return [];
  for (const raw of input) {
    const item = record(raw);
    if (item === undefined || typeof item.callId !== 'string') continue;
    if (item.type === 'function_call') calls.set(item.callId, { callId: item.callId });
    else if (item.type === 'function_call_result') {
      const call = calls.get(item.callId) ?? { callId: item.callId };
      call.output = outputText(item.output);
      calls.set(item.callId, call);
    }
  }
  return [...calls.values()];
}

/** Every string in a tool output, the JSON text decoded (so escapes do not hide the instruction). */
function stringsIn(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [text];
  }
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      found.push(v);
      // A guarded outcome nests the tool's output; a string may itself be JSON.
      if (v.startsWith('{') || v.startsWith('[')) found.push(...stringsIn(v).filter((s) => s !== v));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}

function sawInstruction(call: TranscriptCall, trigger: string): boolean {
  return call.output !== undefined && stringsIn(call.output).some((s) => s.includes(trigger));
}

function functionCall(script: string, index: number, call: ScriptedCall): AgentOutputItem {
  return {
    type: 'function_call',
    callId: `call_${script}${index}`,
    name: modelToolName(call.tool),
    arguments: JSON.stringify(call.arguments),
    status: 'completed',
  };
}

/** The model's next output for `task`, given the transcript so far. */
export function respond(task: EvalTask, input: ModelRequest['input']): AgentOutputItem[] {
  const calls = transcript(input);
  const made = (script: string) => calls.filter((c) => c.callId.startsWith(`call_${script}`)).length;
  if (task.kind === 'injection') {
    const attacked = made(ATTACK);
    const injected = calls.some(
      (c) => c.callId.startsWith(`call_${BENIGN}`) && sawInstruction(c, task.trigger),
    );
    const next = task.attack[attacked];
    if (injected && next !== undefined) return [functionCall(ATTACK, attacked, next)];
  }
  const done = made(BENIGN);
  const step = task.steps[done];
  if (step !== undefined) return [functionCall(BENIGN, done, step)];
  return [
    {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: `Done: ${task.title}.` }],
    },
  ];
}

export class ObedientModel implements Model {
  constructor(private readonly task: EvalTask) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const output = respond(this.task, request.input);
    const tokens = Math.ceil(JSON.stringify(request.input).length / 4) + 20;
    return {
      output,
      usage: new Usage({ requests: 1, inputTokens: tokens, outputTokens: 20, totalTokens: tokens + 20 }),
      responseId: `obedient-${this.task.id}`,
    };
  }

  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the obedient model does not stream');
  }
}

/** Warden's model factory for the evaluation: a run's scenario names its task. */
export function obedientModels(tasks: ReadonlyMap<string, EvalTask>): ModelFactory {
  return {
    description: 'obedient scripted model (eval)',
    modelFor(invocation) {
      const task = invocation.scenario === undefined ? undefined : tasks.get(invocation.scenario);
      if (task === undefined) throw new Error(`no eval task ${invocation.scenario ?? '(none)'}`);
      return new ObedientModel(task);
    },
  };
}
