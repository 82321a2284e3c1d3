import { approvalDigest } from '../../approvals/digest.ts';
import type { OsoValue } from '../../authz/types.ts';
import { policyApprovalWords } from '../../guard/approval-words.ts';
import { callHosts } from '../../guard/intent/call-hosts.ts';
import { requesterProblem } from '../../guard/requester-check.ts';
import type {
  AddedRestrictions,
  ApprovalSubmission,
  AuthorizeCallResult,
  GuardGrant,
  IntentResult,
  RefusalCode,
  RequesterAssertion,
} from '../../guard/types.ts';
import type { CallProvenance } from '../../provenance/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { AdmissionVerdict, RunKey } from '../../usage/usage-store.ts';
import { agentRules } from './agent-rules.ts';
import { verifyApprovals } from './approval-evidence.ts';
import { authorizationRefusal, authorizeCall } from './authorize-call.ts';
import { callRules, decideIntent, windowKey, windowsOf } from './call-intent.ts';
import { callProvenance } from './call-provenance.ts';
import type { GuardDependencies } from './dependencies.ts';
import { grantIsAuthentic } from './grant.ts';
import { judgeFinding } from './judge-call.ts';
import { InvalidArgumentsError, resolveCall, UnknownToolError } from './tool-lookup.ts';

/** A call as the tool worker receives it: every field is what some workflow code sent. */
export interface EnforcementRequest extends AddedRestrictions {
  callId: unknown;
  tool: unknown;
  arguments: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  purpose?: string;
  /** The signed assertion of the user the run acts for; required in production. */
  requester?: RequesterAssertion;
  /** The user's request text as the run sends it: checked against the assertion's digest. */
  request?: unknown;
}

/** The activity execution asking, as the Temporal server reports it. */
export interface ExecutionContext {
  run: RunKey;
  activityId: string;
}

/** What the call carries after an approval wait: the grant it waited under and the approvals. */
export interface Evidence {
  grant: GuardGrant | undefined;
  approvals: readonly ApprovalSubmission[];
}

interface Decided {
  authorization: AuthorizeCallResult;
  intent: IntentResult;
  provenance?: CallProvenance;
}

/**
 * The call as this activity resolved it, once: the registry's tool, the arguments its schema
 * validated, and the hosts they name. Every later step of the activity (intent, admission, the
 * observer) reads this value instead of parsing the input again.
 */
export interface ResolvedToolCall {
  tool: ToolDefinition;
  args: unknown;
  hosts: string[];
}

export type Enforcement = (
  | ({ kind: 'admitted'; tool: ToolDefinition; args: unknown; callId: string; approvers: string[] } & Decided)
  | ({
      kind: 'needs_approval';
      tool: ToolDefinition;
      args: unknown;
      callId: string;
      reasons: string[];
    } & Decided)
  | {
      kind: 'denied';
      code: RefusalCode;
      reason: string;
      authorization?: AuthorizeCallResult;
      intent?: IntentResult;
      provenance?: CallProvenance;
    }
) & {
  /** Absent when the tool or its arguments did not resolve. */
  resolved?: ResolvedToolCall;
};

const isValue = (v: unknown): v is OsoValue =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OsoValue).type === 'string' &&
  typeof (v as OsoValue).id === 'string';

const deny = (code: RefusalCode, reason: string, decided: Partial<Decided> = {}): Enforcement => ({
  kind: 'denied',
  code,
  reason,
  ...decided,
});

/**
 * The policy enforcement point: decides one call from the worker's own state. The tool and the
 * agent's rules come from its registry and catalog, a signed requester assertion must name the user
 * the run acts for (required in production), the PDP decides for (agent, user) now, the
 * intent rules run again on the usage the deployment counted, the arguments' provenance is traced
 * through the run's index (call-provenance.ts), approvals are verified, and the call is claimed for
 * this activity execution: a retry of it may run again, no other execution may.
 * Without `evidence` (the one-activity path) a call that needs people answers `needs_approval`;
 * with it, the approvals it carries must cover the call.
 */
export async function enforce(
  deps: GuardDependencies,
  zone: string | undefined,
  request: EnforcementRequest,
  evidence: Evidence | undefined,
  context: ExecutionContext,
): Promise<Enforcement> {
  let resolved: ResolvedToolCall;
  try {
    const { tool, args } = resolveCall(deps.tools, request?.tool as string, request?.arguments);
    resolved = { tool, args, hosts: callHosts(tool, args) };
  } catch (error) {
    if (error instanceof UnknownToolError) return deny('unknown_tool', error.message);
    if (error instanceof InvalidArgumentsError) return deny('invalid_arguments', error.message);
    throw error;
  }
  return { ...(await enforceResolved(deps, zone, request, evidence, context, resolved)), resolved };
}

async function enforceResolved(
  deps: GuardDependencies,
  zone: string | undefined,
  request: EnforcementRequest,
  evidence: Evidence | undefined,
  context: ExecutionContext,
  resolved: ResolvedToolCall,
): Promise<Enforcement> {
  const { tool, args } = resolved;
  if (zone !== undefined && tool.zone !== zone) {
    return deny('unknown_tool', `${tool.name} does not run in trust zone ${zone}`);
  }
  const { callId, agent, onBehalfOf } = request;
  if (typeof callId !== 'string' || !isValue(agent) || !isValue(onBehalfOf)) {
    return deny('invalid_arguments', 'the call id, agent and user must be given');
  }
  const ownRules = agentRules(deps.agents, agent);
  if (ownRules === undefined) {
    return deny('unknown_agent', `${agent.type}:${agent.id} is not an agent of this deployment`);
  }
  const { run } = context;
  const policyVersion = deps.authorizer.policyVersion();
  const digest = approvalDigest({
    tool: tool.name,
    toolVersion: tool.version,
    arguments: args,
    ...run,
    callId,
    policyVersion,
  });
  const now = Date.now();
  if (evidence !== undefined) {
    const refused = grantProblem(
      deps,
      evidence.grant,
      { ...run, callId, tool, agent, onBehalfOf },
      digest,
      policyVersion,
      now,
    );
    if (refused) return refused;
  }
  // Whoever the run says it acts for, a user must have started it (signed by the approval service).
  const requester = requesterProblem(deps.approvalKeys, request.requester, {
    workflowId: run.workflowId,
    onBehalfOf,
    now,
    mode: deps.mode,
  });
  if (requester !== undefined) return deny('bad_requester', requester);
  const provenance = await callProvenance(deps, {
    run,
    tool,
    args,
    agent,
    onBehalfOf,
    requester: request.requester,
    request: request.request,
  });
  if ('refused' in provenance) return deny('bad_requester', provenance.refused);

  const authorization = await authorizeCall(deps, { agent, onBehalfOf }, tool, args);
  const refusal = authorizationRefusal(authorization);
  if (refusal !== undefined) return deny(refusal.code, refusal.reason, { authorization, provenance });
  // The judge reads the request only where the tool worker counts it too (verified, or assumed in
  // development), and the provenance this worker traced, never the run's own account of either.
  const judged = await judgeFinding(deps, { agent, onBehalfOf }, tool, args, {
    ...(provenance.request !== 'not_counted' && typeof request.request === 'string'
      ? { userRequest: request.request }
      : {}),
    provenance,
  });
  const verified = evidence
    ? await verifyApprovals(
        deps,
        { ...run, callId, agent, onBehalfOf },
        tool,
        args,
        digest,
        evidence.approvals,
        now,
      )
    : { approvers: [], problems: [] };
  const quorum = tool.approval?.quorum ?? 1;

  const rules = callRules(tool, ownRules, request);
  const admission = await deps.usage.admit(
    {
      run,
      callId,
      activityId: context.activityId,
      digest,
      tool: tool.name,
      hosts: resolved.hosts,
      windowKey: windowKey(agent, onBehalfOf, tool),
      windowsMs: windowsOf(rules),
      now,
    },
    (snapshot): AdmissionVerdict<Enforcement> => {
      const verdict = decideIntent(
        rules,
        { tool, args, usage: snapshot.usage, callsInWindow: (ms) => snapshot.callsInWindow[ms] ?? 0 },
        judged,
      );
      const intent: IntentResult = { verdict, digest, policyVersion };
      const decided = { authorization, intent, provenance };
      if (verdict.verdict === 'deny') {
        return {
          admit: false,
          value: deny('intent_denied', `intent denied: ${verdict.reasons.join('; ')}`, decided),
        };
      }
      if (provenance.verdict === 'deny') {
        return { admit: false, value: deny('provenance_denied', provenance.reasons.join('; '), decided) };
      }
      const reasons: string[] = [];
      if (!authorization.summary.unattended) reasons.push(`policy: ${policyApprovalWords(authorization)}`);
      if (verdict.verdict === 'escalate') reasons.push(...verdict.reasons.map((r) => `intent: ${r}`));
      if (provenance.verdict === 'escalate') reasons.push(...provenance.reasons);
      if (reasons.length > 0 && verified.approvers.length < quorum) {
        if (evidence === undefined) {
          return { admit: false, value: { kind: 'needs_approval', tool, args, callId, reasons, ...decided } };
        }
        const detail = verified.problems.length > 0 ? `; ${verified.problems.join('; ')}` : '';
        const missing =
          verified.problems.length === 0 && evidence.approvals.length === 0
            ? `no approval, and ${reasons.join('; ')}`
            : `${verified.approvers.length} of ${quorum} required approvals verified${detail}`;
        return {
          admit: false,
          value: deny(verified.problems.length > 0 ? 'bad_approval' : 'approval_missing', missing, decided),
        };
      }
      const approvers = reasons.length > 0 ? verified.approvers : [];
      return { admit: true, value: { kind: 'admitted', tool, args, callId, approvers, ...decided } };
    },
  );
  if ('claimedBy' in admission) {
    return deny(
      'already_executed',
      `call ${callId} of this run was already executed by another activity (${admission.claimedBy}); a decision is used once`,
    );
  }
  return admission.value;
}

function grantProblem(
  deps: GuardDependencies,
  grant: GuardGrant | undefined,
  call: RunKey & { callId: string; tool: ToolDefinition; agent: OsoValue; onBehalfOf: OsoValue },
  digest: string,
  policyVersion: string,
  now: number,
): Enforcement | undefined {
  if (!grant) return deny('no_grant', `${call.tool.name} was called without a guard decision`);
  if (!grantIsAuthentic(deps.approvalSecret, grant))
    return deny('bad_grant', 'the guard decision is not authentic');
  const same = (a: OsoValue, b: OsoValue) => a?.type === b.type && a?.id === b.id;
  if (
    grant.workflowId !== call.workflowId ||
    grant.runId !== call.runId ||
    grant.callId !== call.callId ||
    grant.tool !== call.tool.name ||
    !same(grant.agent, call.agent) ||
    !same(grant.onBehalfOf, call.onBehalfOf)
  ) {
    return deny('bad_grant', 'the guard decision was issued for another call');
  }
  if (digest !== grant.digest) {
    if (grant.policyVersion !== policyVersion) {
      return deny('policy_changed', `the policy changed from ${grant.policyVersion} to ${policyVersion}`);
    }
    return deny('bad_grant', 'the arguments differ from the ones the guard decided on');
  }
  if (now > grant.expiresAt) return deny('expired', 'the guard decision expired');
  return undefined;
}
