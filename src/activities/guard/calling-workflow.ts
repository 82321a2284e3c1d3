import { ApplicationFailure, activityInfo } from '@temporalio/activity';

/** The workflow run that scheduled this activity, as the server reports it (never taken from input). */
export function callingWorkflow(): { workflowId: string; runId: string } {
  const execution = activityInfo().workflowExecution;
  if (!execution)
    throw ApplicationFailure.nonRetryable('guard activities run only inside a workflow', 'GuardInputError');
  return { workflowId: execution.workflowId, runId: execution.runId };
}
