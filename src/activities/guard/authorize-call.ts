import { checkRecords } from '../../authz/record-checks.ts';
import type { OsoValue } from '../../authz/types.ts';
import { type AuthorizationDecisions, authorizationSummary } from '../../guard/authorization-summary.ts';
import type { AuthorizeCallInput, AuthorizeCallResult, RefusalCode } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { GuardDependencies } from './dependencies.ts';
import { checkedAuthorizeInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/**
 * May the agent, acting for the user, invoke this tool with these arguments, and may it do so
 * without a person approving (`invoke_unattended`)? And may both of them act on each record the
 * call touches? Every PDP decision and their summary.
 */
export async function authorizeCall(
  deps: GuardDependencies,
  who: { agent: OsoValue; onBehalfOf: OsoValue },
  tool: ToolDefinition,
  args: unknown,
): Promise<AuthorizeCallResult> {
  const request = {
    actor: who.agent,
    onBehalfOf: who.onBehalfOf,
    resource: tool.resource(args),
    context: tool.context(args),
  };
  const invoke = await deps.authorizer.authorize({ ...request, action: 'invoke' });
  const [unattended, records] = invoke.allowed
    ? await Promise.all([
        deps.authorizer.authorize({ ...request, action: 'invoke_unattended' }),
        checkRecords(deps.authorizer, who, () => tool.records(args), { type: 'Tool', id: tool.name }),
      ])
    : [undefined, []];
  const decisions: AuthorizationDecisions = {
    invoke,
    ...(unattended ? { unattended } : {}),
    ...(records.length > 0 ? { records } : {}),
  };
  return { ...decisions, summary: authorizationSummary(decisions) };
}

/** Why the enforcement point refuses a call on its authorization, or undefined when it may go on. */
export function authorizationRefusal(
  authorization: AuthorizeCallResult,
): { code: RefusalCode; reason: string } | undefined {
  if (!authorization.invoke.allowed) return { code: 'not_authorized', reason: authorization.invoke.reason };
  if (!authorization.summary.allowed)
    return { code: 'record_not_authorized', reason: authorization.summary.reason };
  return undefined;
}

/** Step b, advisory: the tool worker decides again before it runs anything. */
export function authorizeToolCallActivity(deps: GuardDependencies) {
  return async function authorizeToolCall(untrusted: AuthorizeCallInput): Promise<AuthorizeCallResult> {
    const input = checkedAuthorizeInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    return authorizeCall(deps, input, tool, args);
  };
}
