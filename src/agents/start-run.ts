import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { AgentRunInput, AgentRunResult } from '../workflows/agent/run-types.ts';
import { shortId } from './short-id.ts';

export interface StartAgentRunOptions extends Omit<AgentRunInput, 'resume'> {
  taskQueue: string;
  /** Default `run-<agent>-<short id>`. */
  workflowId?: string;
}

/** The workflow a project exports as `agentRunWorkflow = createAgentRunWorkflow(agents)`. */
type AgentRunWorkflow = (input: AgentRunInput) => Promise<AgentRunResult>;

export type AgentRunHandle = WorkflowHandleWithFirstExecutionRunId<AgentRunWorkflow>;

/** Starts an agent run for a user; the handle's `result()` resolves with the run's `AgentRunResult`. */
export async function startAgentRun(client: Client, options: StartAgentRunOptions): Promise<AgentRunHandle> {
  const { taskQueue, workflowId, ...input } = options;
  return client.workflow.start<AgentRunWorkflow>('agentRunWorkflow', {
    taskQueue,
    workflowId: workflowId ?? `run-${input.agent}-${shortId()}`,
    args: [input],
  });
}
