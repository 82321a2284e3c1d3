import { type ModelRequest, setTracingDisabled, withTrace } from '@openai/agents-core';
import { ApplicationFailure } from '@temporalio/activity';
import { APIError } from 'openai';
import type { ModelFactory } from '../../models/model-factory.ts';
import type { ModelInvocation, SerializedModelResponse } from '../../models/model-invocation.ts';
import { ModelConfigError } from '../../models/openai-model.ts';
import { ScenarioError } from '../../models/scripted/scenario.ts';

export interface ModelActivities {
  invokeModel(invocation: ModelInvocation): Promise<SerializedModelResponse>;
}

/** Client errors that another attempt cannot fix; rate limits and server errors are retried. */
function isPermanent(error: unknown): boolean {
  if (error instanceof ModelConfigError || error instanceof ScenarioError) return true;
  if (error instanceof APIError && error.status !== undefined) {
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }
  return false;
}

/** One model call: the workflow's agent loop sends the transcript, gets back the model's output items. */
export function createModelActivities(models: ModelFactory): ModelActivities {
  // The run's history is the trace; nothing goes to the SDK's trace exporter (OpenAI's by default).
  setTracingDisabled(true);
  return {
    async invokeModel(invocation) {
      try {
        const model = models.modelFor(invocation);
        const request = { ...invocation.request, tracing: false } as ModelRequest;
        // Provider models open spans and need a trace around them; it is never exported (see below).
        const response = await withTrace(`warden ${invocation.agent}`, () => model.getResponse(request));
        return {
          // A JSON round trip here keeps class instances and undefined fields out of the history.
          output: JSON.parse(JSON.stringify(response.output)),
          usage: {
            requests: response.usage.requests,
            inputTokens: response.usage.inputTokens,
            outputTokens: response.usage.outputTokens,
            totalTokens: response.usage.totalTokens,
          },
          ...(response.responseId ? { responseId: response.responseId } : {}),
          ...(response.requestId ? { requestId: response.requestId } : {}),
        };
      } catch (error) {
        if (isPermanent(error)) {
          const message = error instanceof Error ? error.message : String(error);
          throw ApplicationFailure.nonRetryable(message, error instanceof Error ? error.name : 'ModelError');
        }
        throw error;
      }
    },
  };
}
