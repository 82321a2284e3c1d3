/**
 * What an approval digest covers: one exact call of one tool version, in one run, under one policy
 * version. Approving it approves nothing else; a policy change makes it stale.
 */
export interface ApprovalDigestInput {
  tool: string;
  toolVersion: string;
  arguments: unknown;
  workflowId: string;
  runId: string;
  callId: string;
  policyVersion: string;
}

export function digestInput(input: ApprovalDigestInput): ApprovalDigestInput {
  return {
    tool: input.tool,
    toolVersion: input.toolVersion,
    arguments: input.arguments,
    workflowId: input.workflowId,
    runId: input.runId,
    callId: input.callId,
    policyVersion: input.policyVersion,
  };
}
