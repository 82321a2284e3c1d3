import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard/index.ts';
import type { OsoValue } from '../../authz/types.ts';
import type { IntentRule } from '../../guard/intent/rules.ts';
import {
  type DecisionRecord,
  type Duration,
  GUARD_REFUSAL,
  type PendingApproval,
  type PurposeScope,
  type RequesterAssertion,
  type RunUsage,
  type ToolCallOutcome,
  type ToolCallRequest,
} from '../../guard/types.ts';
import type { ToolRegistry } from '../../tools/define-tool.ts';
import { createApprovalStore } from './approval-store.ts';
import { waitForApproval } from './approval-wait.ts';
import { type Caller, createCallDecider } from './call-decision.ts';
import { guardPatches } from './guard-patches.ts';
import { createRunPublisher } from './run-publisher.ts';
import { toolActivityOptions } from './tool-activity-options.ts';

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
  /**
   * Whether the run takes a patch of the workflow code around the guard (the agent loop's): behind
   * the guard's one marker for runs recorded with it, on its own marker for runs recorded before.
   */
  patched(patchId: string): boolean;
}

const guardActivities = proxyActivities<GuardActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['GuardInputError', GUARD_REFUSAL] },
});

const localGuardActivities = proxyLocalActivities<GuardActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * The guard of one workflow run. Call once, before the first await, so that an Update arriving
 * early finds its handler. Every tool call of the run goes through `callTool`, or through the
 * `callTool` of a caller from `forIdentity` when another agent identity acts in the same run.
 * It composes the run's approvals (approval-store.ts), what the run publishes (run-publisher.ts)
 * and the decide loop (call-decision.ts).
 */
export function createRunGuard(identity: RunIdentity, options: RunGuardOptions): RunGuard {
  const runCaller: Caller = { identity, tools: options.tools, options };
  const patches = guardPatches();
  const approvals = createApprovalStore(identity);
  const publisher = createRunPublisher(identity, approvals, patches);
  const usage: RunUsage = { calls: 0, callsByTool: {}, recordsRead: 0, hosts: [] };
  const zoneActivities = new Map<string, Pick<GuardActivities, 'executeGuardedTool' | 'guardedToolCall'>>();
  let zoneKeys: ReturnType<GuardActivities['zoneResultKeys']> | undefined;

  const callTool = createCallDecider({
    publisher,
    patches,
    maxArgumentBytes: options.maxArgumentBytes,
    guardActivities,
    toolActivities(tool) {
      const { key, options: activityOptions } = toolActivityOptions(workflowInfo().taskQueue, tool, patches);
      let proxy = zoneActivities.get(key);
      if (!proxy) {
        proxy = proxyActivities<GuardActivities>(activityOptions);
        zoneActivities.set(key, proxy);
      }
      return proxy;
    },
    zoneKeys: () => {
      zoneKeys ??= localGuardActivities.zoneResultKeys();
      return zoneKeys;
    },
    usage,
    waitForApproval: (caller, ...call) =>
      waitForApproval(
        { store: approvals, publisher, prepareApproval: guardActivities.prepareApproval },
        caller,
        ...call,
      ),
  });

  function guardFor(caller: Caller): RunGuard {
    return {
      callTool: (request) => callTool(caller, request),
      records: publisher.records,
      pending: approvals.view,
      setStatus: publisher.setStatus,
      patched: patches.has,
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
