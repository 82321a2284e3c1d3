// The no-guard baseline's agent loop, as Temporal workflow code: the same model and the same tools
// as the guarded runs, each tool call one bare activity. It is never part of a Warden project.
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities, BareCall } from './bare-activities.ts';

const { bareModelTurn, bareToolCall } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 2 },
});

export interface BareRunInput {
  domain: string;
  task: string;
  request: string;
  maxTurns: number;
}

export async function bareAgentWorkflow(input: BareRunInput): Promise<{ calls: BareCall[] }> {
  const items: Array<Record<string, unknown>> = [{ type: 'message', role: 'user', content: input.request }];
  const calls: BareCall[] = [];
  for (let turn = 1; turn <= input.maxTurns; turn++) {
    const output = await bareModelTurn({ task: input.task, input: items });
    items.push(...output);
    const requested = output.filter((item) => item.type === 'function_call');
    if (requested.length === 0) break;
    for (const item of requested) {
      const call = await bareToolCall({
        domain: input.domain,
        callId: String(item.callId),
        name: String(item.name),
        arguments: String(item.arguments),
      });
      calls.push(call);
      items.push({
        type: 'function_call_result',
        callId: call.callId,
        name: item.name,
        status: 'completed',
        output: { type: 'text', text: call.modelText },
      });
    }
  }
  return { calls };
}
