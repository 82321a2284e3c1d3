/**
 * `warden/workflow`: what workflow code may import. Everything here is deterministic and free of
 * Node APIs, so it bundles into Temporal's workflow sandbox. Modules a workflow imports (a project's
 * tools and agents) take their definitions from here too.
 */

export * from './definitions.ts';
export { agentRunProgressQuery, createAgentRunWorkflow } from './workflows/agent-run.ts';
export {
  decideApprovalUpdate,
  decisionRecordsQuery,
  pendingApprovalsQuery,
} from './workflows/guard/definitions.ts';
export {
  type CallerOptions,
  createRunGuard,
  type RunGuard,
  type RunGuardOptions,
  type RunIdentity,
} from './workflows/guard/run-guard.ts';
export { createToolPlanWorkflow, type ToolPlanInput, type ToolPlanResult } from './workflows/tool-plan.ts';
