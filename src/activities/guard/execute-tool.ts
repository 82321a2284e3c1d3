import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { ToolResultClaim } from '../../guard/tool-result-signature.ts';
import type { ExecuteToolInput, ExecuteToolResult } from '../../guard/types.ts';
import { untrustedEchoes, untrustedSelection } from '../../provenance/echo.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';
import { type Enforcement, type ExecutionContext, enforce } from './enforce.ts';
import { filterResults } from './filter-results.ts';
import { checkedExecuteInput } from './guard-input.ts';
import { observationOf, report } from './observer.ts';
import { refuse } from './refusal.ts';

/** This activity execution, from the server's task (never from input); retries share its id. */
export function executionContext(): ExecutionContext {
  return { run: callingWorkflow(), activityId: activityInfo().activityId };
}

/** Refuses a call the enforcement point did not admit; this execution's claim is given back. */
export async function refuseAndRelease(
  deps: GuardDependencies,
  context: ExecutionContext,
  denied: Extract<Enforcement, { kind: 'denied' }>,
  callId: unknown,
): Promise<never> {
  if (typeof callId === 'string') await deps.usage.release(context.run, callId, context.activityId);
  refuse(denied.code, denied.reason);
}

/** An admitted call's execution, unsigned, with the claim its signature covers. */
export interface Executed {
  execution: Omit<ExecuteToolResult, 'signature'>;
  claim: ToolResultClaim;
}

/**
 * Runs an admitted call's tool once per attempt, counts what it read and indexes its output for
 * provenance. What the zone's key signs for the run to tell the result from one a poller without
 * the key made up is `claim`: on its own (`resultSigned`), or with the decision (guarded-call.ts).
 */
export async function executeAdmitted(
  deps: GuardDependencies,
  context: ExecutionContext,
  admitted: Extract<Enforcement, { kind: 'admitted' }>,
  who: Pick<ExecuteToolInput, 'agent' | 'onBehalfOf' | 'arguments'>,
): Promise<Executed> {
  const { tool, args, callId } = admitted;
  const { run } = context;
  const attempt = activityInfo().attempt;
  const idempotencyKey = `${run.workflowId}:${callId}`;
  const raw = await tool.execute(args, {
    idempotencyKey,
    callId,
    workflowId: run.workflowId,
    attempt,
    agent: who.agent,
    onBehalfOf: who.onBehalfOf,
    services: deps.services,
  });
  // Before anything counts, signs or returns it: what the user may not read never leaves the worker.
  const { output, filtered } = await filterResults(deps.authorizer, who, tool, raw);
  const recordsRead = tool.recordsRead?.(output) ?? 0;
  await deps.usage.recordExecution(run, callId, context.activityId, recordsRead);
  // What the run will hand the model, indexed before it leaves the worker: later calls trace to it.
  // What the call was told without a trusted source stays so where the output echoes it, and an
  // output that such an argument selected is untrusted as a whole (both from this worker's trace).
  const selectedBy = untrustedSelection(
    args,
    tool,
    admitted.provenance,
    await deps.provenance.readUntrusted(run.workflowId),
  );
  await deps.provenance.recordOutput(run, {
    callId,
    tool,
    output,
    echoes: untrustedEchoes(args, admitted.provenance),
    ...(selectedBy !== undefined ? { selectedBy } : {}),
  });
  const claim: ToolResultClaim = {
    zone: tool.zone,
    ...run,
    callId,
    tool: tool.name,
    // The arguments as the run sent them: what it verifies the result against.
    arguments: who.arguments,
    agent: who.agent,
    onBehalfOf: who.onBehalfOf,
    output,
    recordsRead,
    ...(filtered ? { filtered } : {}),
    attempt,
    idempotencyKey,
  };
  return {
    execution: {
      output,
      recordsRead,
      ...(filtered ? { filtered } : {}),
      attempt,
      idempotencyKey,
      zone: tool.zone,
    },
    claim,
  };
}

/** An execution with its result signed on its own with the zone's key. */
export function resultSigned(deps: GuardDependencies, { execution, claim }: Executed): ExecuteToolResult {
  return { ...execution, signature: deps.zoneKeys.signer(claim.zone).sign(claim) };
}

/**
 * Step e, after an approval wait: the only place an approved call's tool runs. The tool worker
 * decides the call again from its own state (see `enforce`) and checks that the call carries the
 * guard's grant and, when needed, enough verified approvals. Anything missing or stale is refused;
 * nothing fails open. `zone` limits the worker to the tools of its trust zone.
 */
export function executeGuardedToolActivity(deps: GuardDependencies, zone?: string) {
  return async function executeGuardedTool(untrusted: ExecuteToolInput): Promise<ExecuteToolResult> {
    // Refused before anything else: a malformed input names no call whose claim could be released.
    const input = checkedExecuteInput(untrusted);
    const context = executionContext();
    const evidence = { grant: input.authority?.grant, approvals: input.authority?.approvals ?? [] };
    const decided = await enforce(deps, zone, input, evidence, context);
    const observe = (extra: Parameters<typeof observationOf>[5] = {}) =>
      report(deps.observer, () => observationOf('execute', deps.tools, context.run, input, decided, extra));
    if (decided.kind === 'admitted') {
      const executed = await executeAdmitted(deps, context, decided, input).catch((error: unknown) => {
        observe({ outcome: 'failed' });
        throw error;
      });
      observe({ recordsRead: executed.execution.recordsRead });
      return resultSigned(deps, executed);
    }
    observe();
    if (decided.kind === 'denied') return refuseAndRelease(deps, context, decided, input?.callId);
    throw ApplicationFailure.nonRetryable(
      'enforcement asked for approval with evidence given',
      'GuardInputError',
    );
  };
}
