import { approvalDigest } from '../../approvals/digest.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import { callingWorkflow } from './calling-workflow.ts';

/**
 * The digest that binds a decision to one exact call of the calling workflow run: the same inputs
 * at intent, approval and execution time give the same digest.
 */
export function callDigest(
  tool: ToolDefinition,
  args: unknown,
  callId: string,
  policyVersion: string,
): string {
  const { workflowId, runId } = callingWorkflow();
  return approvalDigest({
    tool: tool.name,
    toolVersion: tool.version,
    arguments: args,
    workflowId,
    runId,
    callId,
    policyVersion,
  });
}
