import type { GuardActivities } from '../../activities/guard/index.ts';
import type { ZonePublicKeys } from '../../guard/tool-result-signature.ts';
import type { DecisionRecord, RunUsage, ToolCallOutcome, ToolCallRequest } from '../../guard/types.ts';
import type { ToolDefinition, ToolRegistry } from '../../tools/define-tool.ts';
import type { ApprovalWaiter } from './approval-wait.ts';
import { checkCallRequest, runApprovalTimeout } from './call-request.ts';
import type { GuardPatches } from './guard-patches.ts';
import { type ResolvedCall, resolveCall } from './resolved-call.ts';
import type { RunGuardOptions, RunIdentity } from './run-guard.ts';
import type { RunPublisher } from './run-publisher.ts';
import { decideInThreeActivities } from './three-activity-call.ts';
import { decideAtToolWorker, PEP_SINGLE_ACTIVITY } from './tool-worker-call.ts';

/** Who makes a call and with what: the run's identity and options, or a caller's from `forIdentity`. */
export interface Caller {
  identity: RunIdentity;
  tools: ToolRegistry;
  options: RunGuardOptions;
}

/** What deciding a call uses of the run: shared by every caller of the run. */
export interface DecisionContext {
  publisher: RunPublisher;
  patches: GuardPatches;
  /** The run's own limit on argument size (a caller cannot change it). */
  maxArgumentBytes: number | undefined;
  guardActivities: Pick<GuardActivities, 'authorizeToolCall' | 'checkToolIntent'>;
  toolActivities(tool: ToolDefinition): Pick<GuardActivities, 'guardedToolCall' | 'executeGuardedTool'>;
  zoneKeys(): Promise<ZonePublicKeys>;
  /** The usage the three-activity path counts in the workflow. */
  usage: RunUsage;
  waitForApproval(caller: Caller, ...call: Parameters<ApprovalWaiter>): ReturnType<ApprovalWaiter>;
}

/**
 * The decide loop of one run: a request is checked and resolved (step a, here), then decided by the
 * tool worker, paused for people when it says so, and executed there. Every call gets a decision
 * record, in call order, whatever the request held.
 */
export function createCallDecider(context: DecisionContext) {
  const usedCallIds = new Set<string>();
  let sequence = 0;

  function decide(caller: Caller, record: DecisionRecord, call: ResolvedCall): Promise<ToolCallOutcome> {
    const { identity, options } = caller;
    const finish = context.publisher.finish;
    const waitForApproval: ApprovalWaiter = (...pause) => context.waitForApproval(caller, ...pause);
    if (context.patches.has(PEP_SINGLE_ACTIVITY)) {
      const added = {
        ...(options.rules ? { rules: options.rules } : {}),
        ...(options.purposeScope ? { purposeScope: options.purposeScope } : {}),
      };
      return decideAtToolWorker(
        {
          activities: context.toolActivities,
          zoneKeys: context.zoneKeys,
          waitForApproval,
          finish,
          patched: (patchId) => context.patches.has(patchId),
        },
        identity,
        added,
        record,
        call.tool,
        call.args,
        call.callId,
      );
    }
    return decideInThreeActivities(
      {
        guardActivities: context.guardActivities,
        activities: context.toolActivities,
        usage: context.usage,
        waitForApproval,
        finish,
      },
      identity,
      options,
      record,
      call,
    );
  }

  return async function callTool(caller: Caller, request: ToolCallRequest): Promise<ToolCallOutcome> {
    // A model or a client wrote the request: its fields are checked before anything reads them.
    const checked = checkCallRequest(request);
    const callId = checked.callId ?? `call-${++sequence}`;
    const toolName = checked.tool;
    const { publisher } = context;
    publisher.publishAgent(caller.identity.agent);
    const record: DecisionRecord = {
      callId,
      tool: toolName,
      agent: caller.identity.agent,
      requestedAt: new Date().toISOString(),
      validation: { ok: false, errors: [] },
      outcome: 'validating',
      reason: '',
    };
    publisher.add(record);
    const base = { callId, tool: toolName };
    const invalid = (errors: string[]) => {
      record.validation.errors = errors;
      return publisher.finish(record, {
        ...base,
        status: 'invalid',
        reason: `invalid call: ${errors.join('; ')}`,
      });
    };

    // a. validate
    if (usedCallIds.has(callId)) {
      record.validation.errors = [`call id ${callId} was already used in this run`];
      return publisher.finish(record, {
        ...base,
        status: 'invalid',
        reason: record.validation.errors[0] ?? '',
      });
    }
    usedCallIds.add(callId);
    if (!checked.ok) return invalid(checked.errors);
    const resolved = resolveCall(caller.tools, callId, toolName, checked.arguments, context.maxArgumentBytes);
    const tool = resolved.ok ? resolved.call.tool : resolved.tool;
    if (tool) {
      record.toolVersion = tool.version;
      record.risk = tool.risk;
    }
    if (!resolved.ok) return invalid(resolved.errors);
    const timeout = runApprovalTimeout(caller.options.approvalTimeouts, resolved.call.tool.name);
    if (timeout.problem !== undefined) return invalid([timeout.problem]);
    record.validation.ok = true;
    record.arguments = resolved.call.args;
    return decide(caller, record, resolved.call);
  };
}
