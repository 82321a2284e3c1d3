import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { AgentRunInput, agentRunWorkflow } from '../workflows/agent-run.ts';
import { shortId } from './short-id.ts';

export interface StartAgentRunOptions extends Omit<AgentRunInput, 'resume'> {
  taskQueue: string;
  /** Default `run-<agent>-<short id>`. */
  workflowId?: string;
}

export type AgentRunHandle = WorkflowHandleWithFirstExecutionRunId<typeof agentRunWorkflow>;

/** Starts an agent run for a user; the handle's `result()` resolves with the run's `AgentRunResult`. */
export async function startAgentRun(client: Client, options: StartAgentRunOptions): Promise<AgentRunHandle> {
  const { taskQueue, workflowId, ...input } = options;
  return client.workflow.start<typeof agentRunWorkflow>('agentRunWorkflow', {
    taskQueue,
    workflowId: workflowId ?? `run-${input.agent}-${shortId()}`,
    args: [input],
  });
}
