import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { fetchDecodedHistory } from '../../../../src/audit/load-run.ts';
import type { ModelInvocation } from '../../../../src/models/model-invocation.ts';

/** The inputs of every `invokeModel` activity a run scheduled, decoded from its history. */
export async function modelInvocations(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<ModelInvocation[]> {
  const history = await fetchDecodedHistory(client, workflowId, runId);
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'invokeModel') return [];
    const payload = scheduled.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<ModelInvocation>(payload)] : [];
  });
}

/** Function results the model was sent in one invocation, by call id. */
export function toolResultsSent(invocation: ModelInvocation): Map<string, string> {
  const results = new Map<string, string>();
  const input = Array.isArray(invocation.request.input) ? invocation.request.input : [];
  for (const item of input) {
    if (item.type === 'function_call_result' && 'callId' in item) {
      const output: unknown = item.output;
      const text =
        typeof output === 'string'
          ? output
          : typeof output === 'object' &&
              output !== null &&
              'text' in output &&
              typeof output.text === 'string'
            ? output.text
            : JSON.stringify(output);
      results.set(item.callId, text);
    }
  }
  return results;
}
