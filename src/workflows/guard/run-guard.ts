import { msToNumber as durationMs } from '@temporalio/common';
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard/index.ts';
import { runSummary } from '../../audit/run-summary.ts';
import type { OsoValue } from '../../authz/types.ts';
import { formatValue } from '../../authz/values.ts';
import { callHosts } from '../../guard/intent/call-hosts.ts';
import type { IntentRule } from '../../guard/intent/rules.ts';
import {
  type ApprovalSubmission,
  type DecisionRecord,
  type Duration,
  GUARD_REFUSAL,
  type GuardGrant,
  type PendingApproval,
  type PurposeScope,
  type RecordedApproval,
  type Redecision,
  type RequesterAssertion,
  type RunUsage,
  type ToolCallOutcome,
  type ToolCallRequest,
} from '../../guard/types.ts';
import {
  WARDEN_AGENT,
  WARDEN_DENIALS,
  WARDEN_PENDING_APPROVALS,
  WARDEN_STATUS,
  WARDEN_USER,
} from '../../temporal/search-attributes.ts';
import { DEFAULT_APPROVAL_TIMEOUT, type ToolDefinition, type ToolRegistry } from '../../tools/define-tool.ts';
import { approvalProblem, type PendingState } from './approval-validator.ts';
import { DEFAULT_MAX_ARGUMENT_BYTES, parseToolArguments } from './arguments.ts';
import { checkCallRequest, runApprovalTimeout } from './call-request.ts';
import { changedAttributesPublisher } from './changed-search-attributes.ts';
import { decideApprovalUpdate, decisionRecordsQuery, pendingApprovalsQuery } from './definitions.ts';
import { failureText, refusalCode, summarize } from './failures.ts';
import { toolActivityOptions } from './tool-activity-options.ts';
import { decideAtToolWorker, PEP_SINGLE_ACTIVITY, type ToolWorkerGuard } from './tool-worker-call.ts';

export interface RunIdentity {
  agent: OsoValue;
  onBehalfOf: OsoValue;
  purpose: string;
  /** Who started the run, signed by the service that authenticated them; the tool worker verifies it. */
  requester?: RequesterAssertion;
  /**
   * The user's request text, sent with each call: the tool worker counts a value as "from the
   * request" only when this text matches the digest the requester assertion signs.
   */
  request?: string;
}

export interface RunGuardOptions {
  /** The tools this run may name: a call of any other tool is invalid. */
  tools: ToolRegistry;
  /** Intent rules the agent declares for every call of the run, added to each tool's own. */
  rules?: IntentRule[];
  /** The tools or categories the agent's purpose needs; calls outside are denied or escalated. */
  purposeScope?: PurposeScope;
  maxArgumentBytes?: number;
  /** Per-tool approval timeouts for this run; they can shorten a tool's timeout, never extend it. */
  approvalTimeouts?: Record<string, Duration>;
}

/** What a caller acting under another identity may set for its own calls; the rest is the run's. */
export type CallerOptions = Partial<
  Pick<RunGuardOptions, 'tools' | 'rules' | 'purposeScope' | 'approvalTimeouts'>
>;

export interface RunGuard {
  callTool(request: ToolCallRequest): Promise<ToolCallOutcome>;
  /** Every call of the run, whichever identity made it. */
  records(): DecisionRecord[];
  pending(): PendingApproval[];
  /** Sets the WardenStatus search attribute (and the memo), e.g. 'completed' when the run ends. */
  setStatus(status: string): void;
  /**
   * The same run guard (handlers, records, pending approvals, usage) calling tools as another
   * identity, e.g. the agent a conversation was handed off to. Given options replace the run's
   * tools, rules, purpose scope and approval timeouts; without options the run's apply.
   */
  forIdentity(identity: RunIdentity, options?: CallerOptions): RunGuard;
}

/** How often a call is decided again when the policy changed while it waited. */
const MAX_DECISION_ROUNDS = 3;

const guardActivities = proxyActivities<GuardActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['GuardInputError', GUARD_REFUSAL] },
});

const localGuardActivities = proxyLocalActivities<GuardActivities>({ startToCloseTimeout: '10 seconds' });

type Approval =
  | { state: 'approved'; approvals: ApprovalSubmission[] }
  | { state: 'rejected' | 'expired'; reason: string };

/** Who makes a call and with what: the run's identity and options, or a caller's from `forIdentity`. */
interface Caller {
  identity: RunIdentity;
  tools: ToolRegistry;
  options: RunGuardOptions;
}

/**
 * The guard of one workflow run. Call once, before the first await, so that an Update arriving
 * early finds its handler. Every tool call of the run goes through `callTool`, or through the
 * `callTool` of a caller from `forIdentity` when another agent identity acts in the same run.
 */
export function createRunGuard(identity: RunIdentity, options: RunGuardOptions): RunGuard {
  const runCaller: Caller = { identity, tools: options.tools, options };
  const records: DecisionRecord[] = [];
  const pending = new Map<string, PendingState>();
  const usage: RunUsage = { calls: 0, callsByTool: {}, recordsRead: 0, hosts: [] };
  const usedCallIds = new Set<string>();
  /** Nonces of every approval accepted in this run: a signed decision is used once. */
  const usedNonces = new Set<string>();
  let denials = 0;
  let sequence = 0;
  let status = 'running';
  let publishedStatus: string | undefined;
  let publishedAgent = formatValue(identity.agent);
  const zoneActivities = new Map<string, Pick<GuardActivities, 'executeGuardedTool' | 'guardedToolCall'>>();
  let zoneKeys: ReturnType<GuardActivities['zoneResultKeys']> | undefined;
  const publishAttributes = changedAttributesPublisher();

  const openPending = () => [...pending.values()].filter((p) => p.decision === undefined);
  const publicPending = (): PendingApproval[] =>
    openPending().map(({ submissions: _s, decision: _d, ...view }) => structuredClone(view));

  function summary(shownStatus: string): string {
    // A model may name any string as a tool: only a validated call's tool (a registry name) is shown.
    const last = records.filter((r) => r.validation.ok).pop();
    return runSummary({
      agent: publishedAgent,
      user: formatValue(identity.onBehalfOf),
      status: shownStatus,
      toolCalls: records.length,
      executed: records.filter((r) => r.outcome === 'executed').length,
      denied: denials,
      pendingApprovals: openPending().length,
      ...(last ? { lastTool: last.tool } : {}),
    });
  }

  function publish(): void {
    const shownStatus = openPending().length > 0 ? 'awaiting_approval' : status;
    publishAttributes([
      { key: WARDEN_STATUS, value: shownStatus },
      { key: WARDEN_PENDING_APPROVALS, value: openPending().length },
      { key: WARDEN_DENIALS, value: denials },
    ]);
    // The memo is Temporal Web's one-line view of the run; it changes with the status only.
    if (shownStatus !== publishedStatus) {
      publishedStatus = shownStatus;
      upsertMemo({ summary: summary(shownStatus) });
    }
  }

  /** WardenAgent names the agent of the latest call: it changes after a handoff. */
  function publishAgent(agent: OsoValue): void {
    const value = formatValue(agent);
    if (value === publishedAgent) return;
    publishedAgent = value;
    upsertSearchAttributes([{ key: WARDEN_AGENT, value }]);
  }

  upsertSearchAttributes([
    { key: WARDEN_AGENT, value: publishedAgent },
    { key: WARDEN_USER, value: formatValue(identity.onBehalfOf) },
  ]);
  publish();

  setHandler(pendingApprovalsQuery, publicPending);
  setHandler(decisionRecordsQuery, () => structuredClone(records));
  setHandler(
    decideApprovalUpdate,
    (submission) => {
      const call = pending.get(submission.callId);
      if (!call) throw ApplicationFailure.nonRetryable(`no call ${submission.callId} is pending`);
      call.submissions.push(submission);
      if (typeof submission.nonce === 'string') usedNonces.add(submission.nonce);
      call.approvals.push(recorded(submission));
      const approvals = call.submissions.filter((s) => s.decision === 'approve').length;
      if (submission.decision === 'reject') call.decision = 'rejected';
      else if (approvals >= call.quorum) call.decision = 'approved';
      return {
        callId: call.callId,
        state: call.decision ?? 'waiting',
        approvals,
        quorum: call.quorum,
      };
    },
    {
      validator: (submission) => {
        const call = pending.get(submission?.callId);
        // The requester is whoever made that call, which after a handoff is not the run's first agent.
        const { workflowId, runId } = workflowInfo();
        const problem = approvalProblem(call, submission, call?.requester ?? identity, Date.now(), {
          workflowId,
          runId,
          usedNonces,
        });
        if (problem !== undefined) throw new Error(problem);
      },
    },
  );

  function toolActivities(tool: ToolDefinition) {
    const { key, options } = toolActivityOptions(workflowInfo().taskQueue, tool);
    let proxy = zoneActivities.get(key);
    if (!proxy) {
      proxy = proxyActivities<GuardActivities>(options);
      zoneActivities.set(key, proxy);
    }
    return proxy;
  }

  function countCall(toolName: string, delta: 1 | -1): void {
    usage.calls += delta;
    usage.callsByTool[toolName] = (usage.callsByTool[toolName] ?? 0) + delta;
  }

  function finish(record: DecisionRecord, outcome: ToolCallOutcome): ToolCallOutcome {
    record.outcome = outcome.status;
    record.reason = outcome.reason;
    record.completedAt = new Date().toISOString();
    if (outcome.status === 'denied' || outcome.status === 'invalid') denials += 1;
    publish();
    return outcome;
  }

  async function waitForApproval(
    caller: Caller,
    record: DecisionRecord,
    tool: ToolDefinition,
    args: unknown,
    grant: GuardGrant,
    reasons: string[],
  ): Promise<Approval> {
    const config = tool.approval ?? {};
    const groups: Array<string[] | undefined> = [undefined];
    if (config.onTimeout === 'escalate' && config.escalateTo) groups.push(config.escalateTo);
    const quorum = config.quorum ?? 1;
    const toolTimeout = durationMs(config.timeout ?? DEFAULT_APPROVAL_TIMEOUT);
    // Checked when the call was validated: a bad value made the call invalid before it got here.
    const runTimeout = runApprovalTimeout(caller.options.approvalTimeouts, tool.name).ms;
    const { identity } = caller;
    const timeoutMs = runTimeout === undefined ? toolTimeout : Math.min(toolTimeout, runTimeout);

    let unstaffed = 0;
    for (const [index, group] of groups.entries()) {
      const stage = index + 1;
      const prepared = await guardActivities.prepareApproval({
        callId: grant.callId,
        tool: tool.name,
        arguments: args,
        agent: identity.agent,
        onBehalfOf: identity.onBehalfOf,
        ...(group ? { group } : {}),
      });
      const approval = {
        required: true,
        reasons,
        quorum,
        stage,
        eligibleApprovers: prepared.eligibleApprovers,
        approvals: [] as RecordedApproval[],
        expiresAt: Date.now() + timeoutMs,
      };
      record.approval = approval;
      record.argsDigest = prepared.digest;
      if (prepared.eligibleApprovers.length < quorum) {
        approval.reasons = [
          ...reasons,
          `stage ${stage}: fewer eligible approvers than the quorum of ${quorum}`,
        ];
        unstaffed += 1;
        continue;
      }
      const state: PendingState = {
        workflowId: workflowInfo().workflowId,
        runId: workflowInfo().runId,
        callId: grant.callId,
        tool: tool.name,
        toolVersion: tool.version,
        arguments: args,
        risk: tool.risk,
        reasons,
        requester: { agent: identity.agent, onBehalfOf: identity.onBehalfOf },
        purpose: identity.purpose,
        requestedAt: record.requestedAt,
        expiresAt: approval.expiresAt,
        digest: prepared.digest,
        policyVersion: prepared.policyVersion,
        eligibleApprovers: prepared.eligibleApprovers,
        quorum,
        stage,
        approvals: approval.approvals,
        submissions: [],
        ...(prepared.approvalKeys ? { approvalKeys: prepared.approvalKeys } : {}),
        ...(record.provenance ? { provenance: record.provenance } : {}),
        ...(identity.request !== undefined ? { request: identity.request } : {}),
      };
      pending.set(grant.callId, state);
      record.outcome = 'awaiting_approval';
      publish();
      const decided = await condition(() => state.decision !== undefined, timeoutMs);
      if (!decided) state.decision = 'rejected';
      pending.delete(grant.callId);
      publish();
      if (decided && state.decision === 'approved') {
        return { state: 'approved', approvals: state.submissions.filter((s) => s.decision === 'approve') };
      }
      if (decided) {
        const rejection = state.submissions.find((s) => s.decision === 'reject');
        return {
          state: 'rejected',
          reason: `rejected by ${rejection?.approver ?? 'an approver'}${rejection?.reason ? `: ${rejection.reason}` : ''}`,
        };
      }
    }
    if (unstaffed === groups.length) {
      return {
        state: 'rejected',
        reason: `nobody may approve this call (quorum ${quorum}); not executed (fail closed)`,
      };
    }
    const stages = groups.length > 1 ? ` after ${groups.length} approval stages` : '';
    return {
      state: 'expired',
      reason: `no approval within ${timeoutMs} ms${stages}; not executed (fail closed)`,
    };
  }

  async function decideAndRun(
    caller: Caller,
    record: DecisionRecord,
    tool: ToolDefinition,
    args: unknown,
    callId: string,
  ): Promise<ToolCallOutcome> {
    const base = { callId, tool: tool.name };
    const { identity, options } = caller;
    if (patched(PEP_SINGLE_ACTIVITY)) {
      const atToolWorker: ToolWorkerGuard = {
        activities: toolActivities,
        zoneKeys: () => {
          zoneKeys ??= localGuardActivities.zoneResultKeys();
          return zoneKeys;
        },
        waitForApproval: (...call) => waitForApproval(caller, ...call),
        finish,
      };
      const added = {
        ...(options.rules ? { rules: options.rules } : {}),
        ...(options.purposeScope ? { purposeScope: options.purposeScope } : {}),
      };
      return decideAtToolWorker(atToolWorker, identity, added, record, tool, args, callId);
    }
    for (let round = 1; ; round++) {
      // b. authorize
      let authz: Awaited<ReturnType<GuardActivities['authorizeToolCall']>>;
      try {
        authz = await guardActivities.authorizeToolCall({
          callId,
          agent: identity.agent,
          onBehalfOf: identity.onBehalfOf,
          tool: tool.name,
          arguments: args,
        });
      } catch (error) {
        return finish(record, {
          ...base,
          status: 'denied',
          reason: `authorization failed, fail closed: ${failureText(error)}`,
        });
      }
      record.authorization = authz.summary;
      if (!authz.summary.allowed) {
        return finish(record, { ...base, status: 'denied', reason: authz.summary.reason });
      }

      // c. validate intent
      let intent: Awaited<ReturnType<GuardActivities['checkToolIntent']>>;
      try {
        intent = await guardActivities.checkToolIntent({
          callId,
          agent: identity.agent,
          onBehalfOf: identity.onBehalfOf,
          purpose: identity.purpose,
          ...(options.purposeScope ? { purposeScope: options.purposeScope } : {}),
          tool: tool.name,
          arguments: args,
          rules: options.rules ?? [],
          usage: structuredClone(usage),
        });
      } catch (error) {
        return finish(record, {
          ...base,
          status: 'denied',
          reason: `intent check failed, fail closed: ${failureText(error)}`,
        });
      }
      record.intent = intent.verdict;
      record.argsDigest = intent.digest;
      if (intent.verdict.verdict === 'deny' || !intent.grant) {
        return finish(record, {
          ...base,
          status: 'denied',
          reason: `intent denied: ${intent.verdict.reasons.join('; ')}`,
        });
      }

      // d. approval gate
      const reasons: string[] = [];
      if (!authz.summary.unattended) reasons.push(`policy: ${authz.summary.reason}`);
      if (intent.verdict.verdict === 'escalate')
        reasons.push(...intent.verdict.reasons.map((r) => `intent: ${r}`));
      let approvals: ApprovalSubmission[] = [];
      if (reasons.length > 0) {
        const approval = await waitForApproval(caller, record, tool, args, intent.grant, reasons);
        if (approval.state !== 'approved') {
          return finish(record, { ...base, status: approval.state, reason: approval.reason });
        }
        approvals = approval.approvals;
      } else {
        delete record.approval;
      }

      // e. execute, with the re-check at activity start
      record.outcome = 'executing';
      // Reserved before the call runs, so concurrent calls see it; released if the re-check refuses.
      countCall(tool.name, 1);
      try {
        const result = await toolActivities(tool).executeGuardedTool({
          callId,
          tool: tool.name,
          arguments: args,
          agent: identity.agent,
          onBehalfOf: identity.onBehalfOf,
          authority: { grant: intent.grant, approvals },
          ...(identity.requester ? { requester: identity.requester } : {}),
        });
        usage.recordsRead += result.recordsRead;
        for (const host of callHosts(tool, args)) if (!usage.hosts.includes(host)) usage.hosts.push(host);
        record.attempts = result.attempt;
        record.outputSummary = summarize(result.output);
        const how =
          approvals.length > 0 ? `approved by ${approvals.map((a) => a.approver).join(', ')}` : 'unattended';
        return finish(record, {
          ...base,
          status: 'executed',
          output: result.output,
          reason: `executed (${how})`,
        });
      } catch (error) {
        const code = refusalCode(error);
        // A refusal at activity start means the tool never ran: it does not count towards volume.
        if (code !== undefined) countCall(tool.name, -1);
        if (code === 'policy_changed' && round < MAX_DECISION_ROUNDS) {
          const redecision: Redecision = {
            at: new Date().toISOString(),
            reason: failureText(error),
            previousPolicyVersion: intent.grant.policyVersion,
            previousOutcome: approvals.length > 0 ? 'approved' : 'unattended',
          };
          if (approvals.length > 0) redecision.previousApprovers = approvals.map((a) => a.approver);
          record.redecisions = [...(record.redecisions ?? []), redecision];
          record.reason = `decided again: ${redecision.reason}`;
          continue;
        }
        if (code !== undefined) {
          return finish(record, {
            ...base,
            status: 'denied',
            reason: `refused at execution: ${failureText(error)}`,
          });
        }
        return finish(record, { ...base, status: 'failed', reason: `tool failed: ${failureText(error)}` });
      }
    }
  }

  async function callTool(caller: Caller, request: ToolCallRequest): Promise<ToolCallOutcome> {
    // A model or a client wrote the request: its fields are checked before anything reads them.
    const checked = checkCallRequest(request);
    const callId = checked.callId ?? `call-${++sequence}`;
    const toolName = checked.tool;
    publishAgent(caller.identity.agent);
    const record: DecisionRecord = {
      callId,
      tool: toolName,
      agent: caller.identity.agent,
      requestedAt: new Date().toISOString(),
      validation: { ok: false, errors: [] },
      outcome: 'validating',
      reason: '',
    };
    records.push(record);
    const base = { callId, tool: toolName };
    const invalid = (errors: string[]) => {
      record.validation.errors = errors;
      return finish(record, { ...base, status: 'invalid', reason: `invalid call: ${errors.join('; ')}` });
    };

    // a. validate
    if (usedCallIds.has(callId)) {
      record.validation.errors = [`call id ${callId} was already used in this run`];
      return finish(record, { ...base, status: 'invalid', reason: record.validation.errors[0] ?? '' });
    }
    usedCallIds.add(callId);
    if (!checked.ok) return invalid(checked.errors);
    const parsed = parseToolArguments(
      caller.tools,
      toolName,
      checked.arguments,
      options.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES,
    );
    if (parsed.tool) {
      record.toolVersion = parsed.tool.version;
      record.risk = parsed.tool.risk;
    }
    if (!parsed.ok) return invalid(parsed.errors);
    const timeout = runApprovalTimeout(caller.options.approvalTimeouts, parsed.tool.name);
    if (timeout.problem !== undefined) return invalid([timeout.problem]);
    record.validation.ok = true;
    record.arguments = parsed.args;
    return decideAndRun(caller, record, parsed.tool, parsed.args, callId);
  }

  function guardFor(caller: Caller): RunGuard {
    return {
      callTool: (request) => callTool(caller, request),
      records: () => structuredClone(records),
      pending: publicPending,
      setStatus(next) {
        status = next;
        publish();
      },
      forIdentity: (other, callerOptions) =>
        guardFor(
          callerOptions === undefined
            ? { ...runCaller, identity: other }
            : {
                identity: other,
                tools: callerOptions.tools ?? options.tools,
                options: {
                  maxArgumentBytes: options.maxArgumentBytes,
                  ...callerOptions,
                  tools: callerOptions.tools ?? options.tools,
                },
              },
        ),
    };
  }

  return guardFor(runCaller);
}

function recorded(s: ApprovalSubmission): RecordedApproval {
  const r: RecordedApproval = {
    approver: s.approver,
    authentication: s.authentication,
    decision: s.decision,
    at: new Date().toISOString(),
    expiresAt: s.expiresAt,
  };
  if (s.reason !== undefined) r.reason = s.reason;
  return r;
}
