import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { requestDigest } from '../provenance/request-digest.ts';
import type { AgentRunInput, AgentRunResult } from '../workflows/agent/run-types.ts';
import { shortId } from './short-id.ts';

export interface StartAgentRunOptions extends Omit<AgentRunInput, 'resume'> {
  taskQueue: string;
  /** Default: the workflow id the requester assertion was issued for, else `run-<agent>-<short id>`. */
  workflowId?: string;
}

/** The workflow a project exports as `agentRunWorkflow = createAgentRunWorkflow(agents)`. */
type AgentRunWorkflow = (input: AgentRunInput) => Promise<AgentRunResult>;

export type AgentRunHandle = WorkflowHandleWithFirstExecutionRunId<AgentRunWorkflow>;

/** A fresh workflow id for a run of `agent`: what a requester assertion is issued for before the start. */
export function newRunId(agent: string): string {
  return `run-${agent}-${shortId()}`;
}

/**
 * Starts an agent run for a user; the handle's `result()` resolves with the run's `AgentRunResult`.
 * `requester` (approvals/requester-assertion.ts) proves who started it: production tool workers
 * execute nothing for a run without one, or for a user other than the one it names. Issued with
 * `{ request: input }`, it also signs the request text, which the tool workers then trust as the
 * user's words when they trace where a call's arguments came from.
 */
export async function startAgentRun(client: Client, options: StartAgentRunOptions): Promise<AgentRunHandle> {
  const { taskQueue, workflowId, ...input } = options;
  const id = workflowId ?? input.requester?.workflowId ?? newRunId(input.agent);
  if (input.requester !== undefined && input.requester.workflowId !== id) {
    throw new Error(`the requester assertion was issued for ${input.requester.workflowId}, not ${id}`);
  }
  const signed = input.requester?.requestDigest;
  if (signed !== undefined && signed !== requestDigest(input.input)) {
    throw new Error('the requester assertion was issued for another request text');
  }
  return client.workflow.start<AgentRunWorkflow>('agentRunWorkflow', {
    taskQueue,
    workflowId: id,
    args: [input],
  });
}
