import { type Model, type ModelRequest, setTracingDisabled, withTrace } from '@openai/agents-core';
import type { JudgeInput } from '../guard/intent/judge.ts';
import { JUDGE_OUTPUT_FORMAT } from './judge-answer.ts';

/** One question to a judge: the instructions, the prompt built from the input, and the input itself. */
export interface JudgeQuestion {
  instructions: string;
  prompt: string;
  input: JudgeInput;
}

/**
 * Where a judge's question goes: a provider model or a script. It answers the model's raw text; the
 * judge checks it against the verdict schema, so every backend meets the same contract.
 */
export interface JudgeBackend {
  /** Recorded with each verdict: `scripted`, `openai:<model>`. */
  readonly model: string;
  ask(question: JudgeQuestion, signal: AbortSignal): Promise<string>;
}

function outputText(output: Awaited<ReturnType<Model['getResponse']>>['output']): string {
  const parts: string[] = [];
  for (const item of output) {
    if (item.type !== 'message' || item.role !== 'assistant') continue;
    for (const content of item.content) {
      if (content.type === 'output_text') parts.push(content.text);
    }
  }
  return parts.join('');
}

/**
 * A provider model from the model factory as a judge: one request with no tools, the verdict schema
 * as its strict structured output, nothing stored at the provider, and the judge's abort signal.
 */
export function modelBackend(model: Model, name: string): JudgeBackend {
  // The judge's traffic is recorded in the decision, never sent to the SDK's trace exporter.
  setTracingDisabled(true);
  return {
    model: name,
    async ask(question, signal) {
      const request: ModelRequest = {
        systemInstructions: question.instructions,
        input: [{ role: 'user', content: question.prompt }],
        modelSettings: { store: false },
        tools: [],
        toolsExplicitlyProvided: true,
        outputType: JUDGE_OUTPUT_FORMAT,
        handoffs: [],
        tracing: false,
        signal,
      };
      const response = await withTrace('warden judge', () => model.getResponse(request));
      return outputText(response.output);
    },
  };
}
