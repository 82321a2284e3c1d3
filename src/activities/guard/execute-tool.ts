import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import { approvalDigest } from '../../approvals/digest.ts';
import { approvalSignatureValid } from '../../guard/approval-signature.ts';
import { requesterProblem } from '../../guard/requester-check.ts';
import { type ExecuteToolInput, type ExecuteToolResult, GUARD_REFUSAL } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import { callReservationId } from './call-window-store.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';
import { grantIsAuthentic } from './grant.ts';
import { checkedExecuteInput } from './guard-input.ts';
import { refuse } from './refusal.ts';
import { InvalidArgumentsError, resolveCall, UnknownToolError } from './tool-lookup.ts';

function sameValue(a: { type: string; id: string }, b: { type: string; id: string }): boolean {
  return a?.type === b?.type && a?.id === b?.id;
}

/**
 * Step e: the only place tool code runs. At activity start it checks again (time of check vs time of
 * use) that this exact call carries the guard's grant and, when needed, enough verified approvals,
 * and that the policy still allows it now. Anything missing or stale is refused; nothing fails open.
 * `zone` limits the worker to the tools of its trust zone.
 */
export function executeGuardedToolActivity(deps: GuardDependencies, zone?: string) {
  return async function executeGuardedTool(untrusted: ExecuteToolInput): Promise<ExecuteToolResult> {
    const info = activityInfo();
    const { workflowId, runId } = callingWorkflow();
    // Refused before anything else: a malformed input names no call whose reservation could be released.
    const input = checkedExecuteInput(untrusted);
    let checked: { tool: ToolDefinition; args: unknown };
    try {
      checked = await recheck(deps, zone, input, workflowId, runId);
    } catch (error) {
      // Refused before the tool ran: the call gives back the place it reserved in the volume window.
      if (isRefusal(error)) deps.callWindows.release(callReservationId(workflowId, runId, input.callId));
      throw error;
    }
    const { tool, args } = checked;

    const idempotencyKey = `${workflowId}:${input.callId}`;
    const output = await tool.execute(args, {
      idempotencyKey,
      callId: input.callId,
      workflowId,
      attempt: info.attempt,
      agent: input.agent,
      onBehalfOf: input.onBehalfOf,
      services: deps.services,
    });
    return { output, recordsRead: tool.recordsRead?.(output) ?? 0, attempt: info.attempt, idempotencyKey };
  };
}

function isRefusal(error: unknown): boolean {
  return error instanceof ApplicationFailure && error.type === GUARD_REFUSAL;
}

/** The checks at activity start; it returns the resolved call or throws a refusal. */
async function recheck(
  deps: GuardDependencies,
  zone: string | undefined,
  input: ExecuteToolInput,
  workflowId: string,
  runId: string,
): Promise<{ tool: ToolDefinition; args: unknown }> {
  let tool: ToolDefinition;
  let args: unknown;
  try {
    ({ tool, args } = resolveCall(deps.tools, input.tool, input.arguments));
  } catch (error) {
    if (error instanceof UnknownToolError) refuse('unknown_tool', error.message);
    if (error instanceof InvalidArgumentsError) refuse('invalid_arguments', error.message);
    throw error;
  }
  if (zone !== undefined && tool.zone !== zone) {
    refuse('unknown_tool', `${tool.name} does not run in trust zone ${zone}`);
  }

  const grant = input.authority?.grant;
  if (!grant) refuse('no_grant', `${tool.name} was called without a guard decision`);
  if (!grantIsAuthentic(deps.approvalSecret, grant))
    refuse('bad_grant', 'the guard decision is not authentic');
  if (
    grant.workflowId !== workflowId ||
    grant.runId !== runId ||
    grant.callId !== input.callId ||
    grant.tool !== tool.name ||
    !sameValue(grant.agent, input.agent) ||
    !sameValue(grant.onBehalfOf, input.onBehalfOf)
  ) {
    refuse('bad_grant', 'the guard decision was issued for another call');
  }
  const policyVersion = deps.authorizer.policyVersion();
  const digest = approvalDigest({
    tool: tool.name,
    toolVersion: tool.version,
    arguments: args,
    workflowId,
    runId,
    callId: input.callId,
    policyVersion,
  });
  if (digest !== grant.digest) {
    if (grant.policyVersion !== policyVersion) {
      refuse('policy_changed', `the policy changed from ${grant.policyVersion} to ${policyVersion}`);
    }
    refuse('bad_grant', 'the arguments differ from the ones the guard decided on');
  }
  const now = Date.now();
  if (now > grant.expiresAt) refuse('expired', 'the guard decision expired');
  const requester = requesterProblem(deps.approvalKeys, input.requester, {
    workflowId,
    onBehalfOf: input.onBehalfOf,
    now,
    mode: deps.mode,
  });
  if (requester !== undefined) refuse('bad_requester', requester);

  const request = {
    actor: input.agent,
    onBehalfOf: input.onBehalfOf,
    resource: tool.resource(args),
    context: tool.context(args),
  };
  const invoke = await deps.authorizer.authorize({ ...request, action: 'invoke' });
  if (!invoke.allowed) refuse('not_authorized', invoke.reason);

  const approvals = (input.authority.approvals ?? []).filter((a) => a.decision === 'approve');
  if (grant.verdict === 'allow' && approvals.length === 0) {
    const unattended = await deps.authorizer.authorize({ ...request, action: 'invoke_unattended' });
    if (!unattended.allowed) refuse('approval_missing', `no approval, and ${unattended.reason}`);
  } else {
    await checkApprovals(deps, input, tool, args, digest, { workflowId, runId }, now);
  }
  return { tool, args };
}

async function checkApprovals(
  deps: GuardDependencies,
  input: ExecuteToolInput,
  tool: ToolDefinition,
  args: unknown,
  digest: string,
  run: { workflowId: string; runId: string },
  now: number,
): Promise<void> {
  const quorum = tool.approval?.quorum ?? 1;
  const problems: string[] = [];
  const approvers = new Set<string>();
  for (const approval of input.authority.approvals ?? []) {
    if (approval.decision !== 'approve') continue;
    const who = approval.approver;
    if (!approvalSignatureValid(deps.approvalKeys, approval)) problems.push(`${who}: signature invalid`);
    else if (deps.mode === 'production' && approval.authentication === 'unauthenticated-dev') {
      problems.push(`${who}: not authenticated (production)`);
    } else if (
      approval.workflowId !== run.workflowId ||
      approval.runId !== run.runId ||
      approval.callId !== input.callId ||
      approval.digest !== digest
    )
      problems.push(`${who}: other call`);
    else if (approval.expiresAt < now) problems.push(`${who}: approval expired`);
    else if (who === input.onBehalfOf.id || who === input.agent.id) problems.push(`${who}: self-approval`);
    else if (approvers.has(who)) problems.push(`${who}: counted once`);
    else {
      const may = await deps.authorizer.authorize({
        actor: { type: 'User', id: who },
        action: 'approve',
        // The resource of the validated arguments, as every other decision of this call used.
        resource: tool.resource(args),
      });
      if (may.allowed) approvers.add(who);
      else problems.push(`${who}: may no longer approve (${may.reason})`);
    }
  }
  if (approvers.size < quorum) {
    const detail = problems.length > 0 ? `; ${problems.join('; ')}` : '';
    refuse(
      problems.length > 0 ? 'bad_approval' : 'approval_missing',
      `${approvers.size} of ${quorum} required approvals verified${detail}`,
    );
  }
}
