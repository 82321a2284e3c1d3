/**
 * What a project defines its tools and agents with, and the types of their calls. Sandbox-safe:
 * both `warden` and `warden/workflow` export all of it, so a tools module bundles into workflows.
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
export type {
  AgentProvenance,
  CallProvenance,
  OutputLabels,
  ProvenanceSource,
  SensitiveKind,
  ToolProvenance,
  TracedValue,
  TrustLabel,
} from './provenance/types.ts';
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
  zoneTaskQueue,
} from './tools/define-tool.ts';
export type { ToolServices } from './tools/tool-services.ts';
export type {
  AgentRunInput,
  AgentRunProgress,
  AgentRunResult,
  AgentRunStatus,
  TimelineEntry as AgentTimelineEntry,
} from './workflows/agent/run-types.ts';
