/**
 * `warden/workflow`: what workflow code may import. Everything here is deterministic and free of
 * Node APIs, so it bundles into Temporal's workflow sandbox. Modules a workflow imports (a project's
 * tools and agents) take their definitions from here too.
 */

export {
  type AgentCatalog,
  type AgentConfig,
  type AgentDefinition,
  AgentDefinitionError,
  agentCatalog,
  defineAgent,
} from './agents/define-agent.ts';
export type { ContextFact, OsoValue } from './authz/types.ts';
export { type HostKind, hostOf, type ParsedHttpUrl, parseHttpUrl } from './guard/http-url.ts';
export type { IntentRule } from './guard/intent/rules.ts';
export type {
  ApprovalSubmission,
  DecisionRecord,
  Duration,
  PendingApproval,
  PurposeScope,
  RiskLevel,
  ToolCallOutcome,
  ToolCallRequest,
  ToolCallStatus,
} from './guard/types.ts';
export { httpUrl, type MoneyOptions, money } from './tools/argument-schemas.ts';
export {
  type ApprovalConfig,
  DEFAULT_ZONE,
  defineTool,
  type ToolConfig,
  type ToolContext,
  type ToolDefinition,
  type ToolRegistry,
  toolRegistry,
} from './tools/define-tool.ts';
export type { ToolServices } from './tools/tool-services.ts';
export type {
  AgentRunInput,
  AgentRunProgress,
  AgentRunResult,
  AgentRunStatus,
  TimelineEntry as AgentTimelineEntry,
} from './workflows/agent/run-types.ts';
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
