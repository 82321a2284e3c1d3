/**
 * Shared, plain-JSON shapes of the guard pipeline. Everything here may enter a Temporal history,
 * so it holds no functions, classes, dates or credentials; workflow code imports it.
 */
import type { AuthzDecision, ContextFact, OsoValue, RecordCheck, RecordFilter } from '../authz/types.ts';
import type { CallProvenance } from '../provenance/types.ts';
import type { IntentRule, IntentVerdict } from './intent/rules.ts';
import type { ResultSignature } from './tool-result-signature.ts';

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** A duration as Temporal accepts it: milliseconds, or text such as `'30 minutes'`. */
export type Duration = number | string;

/** One tool call as an agent or a workflow asks for it. `arguments` is raw JSON text or a value. */
export interface ToolCallRequest {
  tool: string;
  arguments: string | unknown;
  callId?: string;
}

export type ToolCallStatus = 'executed' | 'invalid' | 'denied' | 'rejected' | 'expired' | 'failed';

/** What the caller (the agent loop hands it to the model) gets back: a result or a clear refusal. */
export interface ToolCallOutcome {
  callId: string;
  tool: string;
  status: ToolCallStatus;
  output?: unknown;
  reason: string;
}

/** How a run uses its tools so far; volume rules read it. */
export interface RunUsage {
  calls: number;
  callsByTool: Record<string, number>;
  recordsRead: number;
  /** Hosts this run's executed calls contacted (lower case). */
  hosts: string[];
}

/** What the agent says it is for: the tools or tool categories a call must stay within. */
export interface PurposeScope {
  tools?: string[];
  categories?: string[];
  /** What happens to a call outside the scope. Default: deny. */
  outside?: 'deny' | 'escalate';
}

export interface AuthorizationSummary {
  allowed: boolean;
  unattended: boolean;
  reason: string;
  policyVersion: string;
  factsVersion: string;
  engine: string;
  /** Each record the call touches, as checked for the user and for the agent acting for them. */
  records?: RecordCheckSummary[];
}

export type RecordCheckSummary = Pick<
  RecordCheck,
  'action' | 'resource' | 'allowed' | 'deniedFor' | 'reason'
>;

/** How Warden established a user's identity: a configured token, an OIDC token, or dev-mode `--as`. */
export type Authentication = 'token' | 'oidc' | 'unauthenticated-dev';

/**
 * One human decision on a pending call, as the approval Update carries it. The approval service
 * signs every field but `signature` (Ed25519, approvals/sign-approval.ts); the Update validator and
 * the tool worker verify it (guard/approval-signature.ts).
 */
export interface ApprovalSubmission {
  /** The run the decision is for: a signature never carries over to another run. */
  workflowId: string;
  runId: string;
  callId: string;
  /** The digest of the exact call the approver saw. */
  digest: string;
  /** An authenticated user id (never a free-text name): see approvals/submit-approval.ts. */
  approver: string;
  /** How the approval service established the approver's identity. */
  authentication: Authentication;
  decision: 'approve' | 'reject';
  reason?: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
  /** Random, once per decision: the run accepts each nonce once. */
  nonce: string;
  /** Id of the approval service's signing key; the run's workers publish the ids they accept. */
  keyId: string;
  /** Ed25519 signature (hex) over the canonical JSON of the other fields. */
  signature: string;
}

/**
 * Who a run acts for, signed by the service that authenticated that user when the run was started
 * (`warden run`); the tool worker verifies it before every execution.
 */
export interface RequesterAssertion {
  /** The run it was issued for. */
  workflowId: string;
  user: OsoValue;
  authentication: Authentication;
  /** Epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
  nonce: string;
  keyId: string;
  /**
   * `sha256:<hex>` of the request text the user started the run with (provenance/request-digest.ts):
   * the tool worker counts values from the request only when the text the run sends matches it.
   */
  requestDigest?: string;
  /** Ed25519 signature (hex) over the canonical JSON of the other fields. */
  signature: string;
}

export interface RecordedApproval {
  approver: string;
  authentication: ApprovalSubmission['authentication'];
  decision: 'approve' | 'reject';
  reason?: string;
  at: string;
  expiresAt: number;
}

/** A call waiting for people; the `pendingApprovals` query returns these. */
/** A zone-signed decision as a run carries it for hosts to verify: the answer and the call it is about. */
export interface SignedDecisionCopy {
  /** The guarded call's activity result as the zone's worker returned it (`decisionSignature` included). */
  answer: unknown;
  /** The arguments the run sent the worker. */
  arguments: unknown;
  /** The request text the run sent with the call, if any. */
  request?: string;
  /** The call's decision round the answer is of, when the run counts rounds (signed with it). */
  round?: number;
}

export interface PendingApproval {
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  toolVersion: string;
  arguments: unknown;
  risk: RiskLevel;
  reasons: string[];
  requester: { agent: OsoValue; onBehalfOf: OsoValue };
  purpose: string;
  requestedAt: string;
  /** Epoch milliseconds at which this approval stage times out. */
  expiresAt: number;
  digest: string;
  policyVersion: string;
  eligibleApprovers: string[];
  quorum: number;
  stage: number;
  approvals: RecordedApproval[];
  /** The approval public keys the run's workers accept (key id → hex); the validator verifies with them. */
  approvalKeys?: Record<string, string>;
  /** The tool worker's provenance of the call's arguments, shown to approvers in words. */
  provenance?: CallProvenance;
  /** The user's request text the run sent; `provenance.request` says whether it counted. */
  request?: string;
  /**
   * The tool worker's `needs_approval` answer exactly as it returned it, with its zone signature,
   * and the call as the run sent it: what a host verifies the call's reasons and provenance with,
   * on this copy, instead of reading the run's history (approvals/queried-decision.ts).
   */
  signedDecision?: SignedDecisionCopy;
  /**
   * Set by the host that shows the call: whether the tool worker's recorded decision verified with
   * its zone's key. When it did not, no reason, provenance or request text of the call is shown.
   */
  decisionCheck?: DecisionCheck;
}

export type DecisionCheck = { verified: true } | { verified: false; problem: string };

/** Whatever an approval Update returns to the approver. */
export interface ApprovalUpdateResult {
  callId: string;
  state: 'waiting' | 'approved' | 'rejected';
  approvals: number;
  quorum: number;
}

/** Signed by the intent step; the execute step accepts nothing without it. */
export interface GuardGrant {
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  digest: string;
  policyVersion: string;
  verdict: 'allow' | 'escalate';
  issuedAt: number;
  expiresAt: number;
  mac: string;
}

export interface ExecutionAuthority {
  grant: GuardGrant;
  approvals: ApprovalSubmission[];
}

export type DecisionOutcome = ToolCallStatus | 'validating' | 'awaiting_approval' | 'executing';

/**
 * A decision the execute step's re-check refused (the policy changed meanwhile), after which the
 * guard decided the call again. The record's other fields show the last decision only.
 */
export interface Redecision {
  at: string;
  /** The refusal that made the guard decide again. */
  reason: string;
  /** The policy version the refused decision was taken under. */
  previousPolicyVersion: string;
  /** How the refused decision let the call run: unattended, or approved by `previousApprovers`. */
  previousOutcome: 'unattended' | 'approved';
  previousApprovers?: string[];
}

/** The compact audit record of one call, kept in workflow state (`decisionRecords` query). */
export interface DecisionRecord {
  callId: string;
  tool: string;
  /** The agent identity that made the call (after a handoff, not the run's first agent). */
  agent?: OsoValue;
  toolVersion?: string;
  risk?: RiskLevel;
  arguments?: unknown;
  argsDigest?: string;
  requestedAt: string;
  completedAt?: string;
  validation: { ok: boolean; errors: string[] };
  authorization?: AuthorizationSummary;
  intent?: IntentVerdict;
  approval?: {
    required: boolean;
    reasons: string[];
    quorum: number;
    stage: number;
    eligibleApprovers: string[];
    approvals: RecordedApproval[];
    expiresAt?: number;
  };
  outcome: DecisionOutcome;
  reason: string;
  outputSummary?: string;
  /** How many records of the output the tool worker removed before anyone saw it (never which). */
  filtered?: RecordFilter;
  attempts?: number;
  /** Earlier decisions of this call, refused at execution and taken again, oldest first. */
  redecisions?: Redecision[];
  /** The tool worker's provenance of the call's arguments (sources, tainted, confidential). */
  provenance?: CallProvenance;
}

/** Inputs of the guard activities: plain JSON, no secrets. */
export interface AuthorizeCallInput {
  /** The call this decision is for: the audit attributes decisions by it. */
  callId: string;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  tool: string;
  arguments: unknown;
}

export interface AuthorizeCallResult {
  invoke: AuthzDecision;
  unattended?: AuthzDecision;
  /** The per-record checks, with both decisions each; absent when the tool was denied or touches none. */
  records?: RecordCheck[];
  summary: AuthorizationSummary;
}

export interface IntentInput {
  callId: string;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  purpose: string;
  purposeScope?: PurposeScope;
  tool: string;
  arguments: unknown;
  /** Restrictions the run adds to the agent's own rules (from the worker's catalog). */
  rules?: IntentRule[];
  /** Sent by runs recorded before usage was counted by the workers; ignored. */
  usage?: RunUsage;
}

export interface IntentResult {
  verdict: IntentVerdict;
  /** Absent when the verdict is deny. */
  grant?: GuardGrant;
  digest: string;
  policyVersion: string;
}

export interface PrepareApprovalInput {
  callId: string;
  tool: string;
  arguments: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  /** Restricts the eligible approvers to these user ids (an escalation group); all PDP approvers if absent. */
  group?: string[];
}

export interface PreparedApproval {
  digest: string;
  policyVersion: string;
  eligibleApprovers: string[];
  /** The worker's accepted approval public keys (key id → hex), for the Update validator. */
  approvalKeys: Record<string, string>;
}

/**
 * What the run adds to the agent's own rules for its calls. The tool worker takes the agent's rules
 * and purpose scope from its own catalog; these only add findings, so they can tighten, never loosen.
 */
export interface AddedRestrictions {
  rules?: IntentRule[];
  purposeScope?: PurposeScope;
}

export interface ExecuteToolInput extends AddedRestrictions {
  callId: string;
  tool: string;
  arguments: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  authority: ExecutionAuthority;
  /** What the run says it is for; the optional judge reads it. */
  purpose?: string;
  /** The signed assertion of the user the run acts for; required in production. */
  requester?: RequesterAssertion;
  /** The user's request text; counted only when it matches the assertion's `requestDigest`. */
  request?: string;
}

export interface ExecuteToolResult {
  output: unknown;
  recordsRead: number;
  attempt: number;
  idempotencyKey: string;
  /** What the tool worker removed from the output (list and search tools); covered by the signature. */
  filtered?: RecordFilter;
  /** The trust zone whose worker ran the tool and signed this result (absent in older histories). */
  zone?: string;
  /** Absent in older histories and where the decision's signature covers the result (`signOnce`). */
  signature?: ResultSignature;
}

/** One guarded call decided and, when it may run unattended, executed by the tool worker at once. */
export interface GuardedCallInput extends AddedRestrictions {
  callId: string;
  tool: string;
  arguments: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  purpose: string;
  /** The signed assertion of the user the run acts for; required in production. */
  requester?: RequesterAssertion;
  /** The user's request text; counted only when it matches the assertion's `requestDigest`. */
  request?: string;
  /** Answer without what the workflow derives itself (the authorization summary). */
  compactResult?: boolean;
  /**
   * Sign an executed call's result within its decision, one signature for both (its `execution`
   * then carries none); the run verifies that one. Refusals and other decisions are signed as ever.
   */
  signOnce?: boolean;
  /**
   * Which decision round of the call this is, as the run counts them: the worker signs its answer
   * (and any failure) for this round, so an earlier round's answer replayed does not verify.
   */
  round?: number;
  /**
   * Answer a call that needs people with what its approval wait needs (`approval`), signed within
   * the decision, so the run prepares no wait of its own (an activity and a workflow task fewer).
   */
  prepareApproval?: boolean;
}

/** The decision pieces of a guarded call, kept in its activity result so the history is the audit. */
interface GuardedCallDecision {
  /**
   * Every PDP decision of the call. A compact result (asked for with `compactResult`) leaves the
   * summary out: the workflow derives it from these decisions (guard/authorization-summary.ts).
   */
  authorization: Omit<AuthorizeCallResult, 'summary'> & { summary?: AuthorizationSummary };
  /** Absent when the policy denied: intent was not evaluated. */
  intent?: IntentResult;
  /** Where each argument value came from, and the tainted/confidential verdicts (absent in older runs). */
  provenance?: CallProvenance;
  reason: string;
  /** The zone's signature over the decision and the call it is about (absent in older runs). */
  decisionSignature?: ResultSignature;
}

export type GuardedCallResult = GuardedCallDecision &
  (
    | { decision: 'executed'; intent: IntentResult; execution: ExecuteToolResult }
    /** The workflow asks people, then calls `executeGuardedTool` with the grant and the approvals. */
    | {
        decision: 'needs_approval';
        intent: IntentResult & { grant: GuardGrant };
        reasons: string[];
        /** The first approval stage, prepared by the tool worker when the run asked (`prepareApproval`). */
        approval?: PreparedApproval;
      }
    | { decision: 'denied'; code?: RefusalCode }
  );

/** Codes of a refusal by the execute step's re-check; `policy_changed` makes the guard decide again. */
export type RefusalCode =
  | 'no_grant'
  | 'bad_grant'
  | 'policy_changed'
  | 'expired'
  | 'not_authorized'
  /** A record the call touches is not one the user, or the agent acting for them, may act on. */
  | 'record_not_authorized'
  | 'approval_missing'
  | 'bad_approval'
  | 'bad_requester'
  | 'unknown_tool'
  | 'invalid_arguments'
  /** The worker's agent catalog has no agent with this identity. */
  | 'unknown_agent'
  /** The intent rules, re-evaluated at execution, deny the call. */
  | 'intent_denied'
  /** A sensitive argument comes from untrusted content only, and the tool or agent denies that. */
  | 'provenance_denied'
  /** Another activity execution already executed this call: a decision is used once. */
  | 'already_executed'
  /** The activity input itself is malformed (a field of the wrong type): not a call Warden made. */
  | 'invalid_input';

export const GUARD_REFUSAL = 'GuardRefusal';

export type { CallProvenance, ContextFact, OsoValue, RecordCheck, RecordFilter };
