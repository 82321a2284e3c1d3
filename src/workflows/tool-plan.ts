import { ApplicationFailure } from '@temporalio/workflow';
import type { IntentRule } from '../guard/intent/rules.ts';
import type {
  DecisionRecord,
  Duration,
  PurposeScope,
  RequesterAssertion,
  ToolCallOutcome,
  ToolCallRequest,
} from '../guard/types.ts';
import { type ToolDefinition, toolRegistry } from '../tools/define-tool.ts';
import { kindOf } from './guard/call-request.ts';
import { createRunGuard } from './guard/run-guard.ts';

export interface ToolPlanInput {
  /** Agent id: the run acts as `Agent:<agent>`. */
  agent: string;
  /** User id: the run acts for `User:<onBehalfOf>`. */
  onBehalfOf: string;
  /** Signed by the service that authenticated `onBehalfOf` when it started the run; tool workers verify it. */
  requester?: RequesterAssertion;
  /** The user's request text, checked by the tool worker against the assertion's digest. */
  request?: string;
  purpose: string;
  calls: ToolCallRequest[];
  /** Run the calls concurrently (each still passes the whole guard on its own). Default: in order. */
  parallel?: boolean;
  purposeScope?: PurposeScope;
  rules?: IntentRule[];
  approvalTimeouts?: Record<string, Duration>;
}

export interface ToolPlanResult {
  outcomes: ToolCallOutcome[];
  records: DecisionRecord[];
}

/**
 * A plain workflow with an explicit plan and no model: every call goes through the guard. The tools
 * are the ones a plan may name; export the result from your workflows module as `toolPlanWorkflow`.
 */
export function createToolPlanWorkflow(
  tools: readonly ToolDefinition[],
): (input: ToolPlanInput) => Promise<ToolPlanResult> {
  const registry = toolRegistry(tools);
  return async function toolPlanWorkflow(input: ToolPlanInput): Promise<ToolPlanResult> {
    return runPlan(registry, input);
  };
}

/**
 * The plan's identity and call list, checked before use: a client starts the workflow. A bad plan
 * fails the run with a clear error (a workflow failure, never a workflow task that retries forever);
 * each call's own fields are the guard's to check, and a bad call is an `invalid` outcome.
 */
function planProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return `the plan is an object, not ${kindOf(input)}`;
  }
  const plan = input as Record<string, unknown>;
  for (const field of ['agent', 'onBehalfOf', 'purpose'] as const) {
    const value = plan[field];
    if (typeof value !== 'string' || value === '')
      return `${field} is a non-empty string, not ${kindOf(value)}`;
  }
  if (!Array.isArray(plan.calls)) return `calls is an array, not ${kindOf(plan.calls)}`;
  return undefined;
}

async function runPlan(
  tools: ReturnType<typeof toolRegistry>,
  input: ToolPlanInput,
): Promise<ToolPlanResult> {
  const problem = planProblem(input);
  if (problem !== undefined) throw ApplicationFailure.nonRetryable(`invalid plan: ${problem}`, 'InvalidPlan');
  const guard = createRunGuard(
    {
      agent: { type: 'Agent', id: input.agent },
      onBehalfOf: { type: 'User', id: input.onBehalfOf },
      purpose: input.purpose,
      ...(input.requester ? { requester: input.requester } : {}),
      ...(typeof input.request === 'string' ? { request: input.request } : {}),
    },
    {
      tools,
      ...(input.purposeScope ? { purposeScope: input.purposeScope } : {}),
      ...(input.rules ? { rules: input.rules } : {}),
      ...(input.approvalTimeouts ? { approvalTimeouts: input.approvalTimeouts } : {}),
    },
  );
  let outcomes: ToolCallOutcome[];
  if (input.parallel) {
    outcomes = await Promise.all(input.calls.map((call) => guard.callTool(call)));
  } else {
    outcomes = [];
    for (const call of input.calls) outcomes.push(await guard.callTool(call));
  }
  guard.setStatus('completed');
  return { outcomes, records: guard.records() };
}
