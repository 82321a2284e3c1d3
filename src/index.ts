/**
 * `warden`: the host-side API, for workers, clients and tools around a project. Workflow code
 * imports `warden/workflow` instead; tests use `warden/testing`.
 */

export { type AgentRunHandle, type StartAgentRunOptions, startAgentRun } from './agents/start-run.ts';
export type { ApproverIdentity } from './approvals/auth/approver-identity.ts';
export { ApproverAuthenticator } from './approvals/auth/authenticate.ts';
export { listPendingApprovals } from './approvals/list-pending.ts';
export {
  type DecisionSigner,
  generateSigningKey,
  resolveDecisionSigner,
  resolvePublicKeyRing,
} from './approvals/signing-keys.ts';
export { ApprovalRefusedError, submitApproval } from './approvals/submit-approval.ts';
export { decodeHistoryPayloads, decodeHistoryWithClient } from './audit/decode-history.ts';
export { fetchDecodedHistory, loadRun, RunNotFoundError } from './audit/load-run.ts';
export type { DecisionVerifier } from './audit/recorded-decisions.ts';
export { type ReplayReport, replayHistory } from './audit/replay-run.ts';
export { RunReadAccess, type RunReadDecision } from './audit/run-access.ts';
export { AUDIT_SCHEMA, type AuditRecord, auditRecords, exportAudit } from './audit/siem-export.ts';
export { buildTimeline, type TimelineEntry } from './audit/timeline.ts';
export { type WhatIfReport, whatIf } from './audit/what-if.ts';
export { createAuthorizer } from './authz/create-authorizer.ts';
export { loadPolicyDir } from './authz/policy-loader.ts';
export { type PolicyTestReport, runPolicyTests } from './authz/policy-tests/runner.ts';
export type {
  Authorizer,
  AuthzDecision,
  AuthzRequest,
  BatchAuthzDecision,
  BatchAuthzRequest,
  RecordCheck,
  RecordFilter,
} from './authz/types.ts';
export { ConfigError, ENV_NAMES, loadConfig, type WardenConfig } from './config/env.ts';
export * from './definitions.ts';
export type { JudgeInput, JudgeModel, JudgeRecord } from './guard/intent/judge.ts';
export type {
  JudgeConfig,
  ScriptedJudgeAnswer,
  ScriptedJudgeConfig,
  ScriptedJudgeRule,
} from './judge/judge-config.ts';
export {
  type DemoConfig,
  defineConfig,
  type ServicesContext,
  type ServicesFactory,
  type WardenProjectConfig,
} from './project/define-config.ts';
export {
  findConfigFile,
  loadProject,
  ProjectConfigError,
  type WardenProject,
} from './project/load-project.ts';
export { explainProvenance, requestStandingWords } from './provenance/explain.ts';
export { recordedWorkflowTracing } from './telemetry/history-tracing.ts';
export {
  startTracing,
  type Tracing,
  type TracingConfig,
  tracesWorkflows,
  workerTracingOptions,
} from './telemetry/tracing.ts';
export { connectClient, connectWorker, createClient } from './temporal/connection.ts';
export {
  dataConverterFor,
  keyProviderFor,
  wardenDataConverter,
  workerDataConverter,
} from './temporal/data-converter.ts';
export {
  EncryptionCodec,
  PayloadDecryptionError,
} from './temporal/encryption-codec.ts';
export { resolveTemporal, type TemporalEndpoint } from './temporal/launcher.ts';
export {
  type DataKey,
  generateKeyEntry,
  type KeyProvider,
  PayloadKeyError,
  parseKeyRing,
  StaticKeyProvider,
} from './temporal/payload-keys.ts';
export type { PendingApprovalView } from './web/approvals-backend.ts';
export { whyShown } from './web/pages.ts';
export { startApprovalsWeb } from './web/start-approvals-web.ts';
export { type CodecServer, startCodecServer } from './web/start-codec-server.ts';
export { TemporalApprovalsBackend } from './web/temporal-backend.ts';
export {
  startWardenWorkers,
  type WardenWorkers,
  type WardenWorkersOptions,
} from './workers/warden-workers.ts';
export {
  type WorkflowCode,
  wardenBundlerOptions,
  wardenWebpackHook,
  workflowBundlerOptions,
} from './workers/workflow-bundle.ts';
export { DEFAULT_MAX_CACHED_WORKFLOWS, type WorkerSettings } from './workers/workflow-cache.ts';
export { hostDecisionVerifier } from './zones/host-decision-verifier.ts';
