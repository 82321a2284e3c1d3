import type { OsoValue } from '../../authz/types.ts';
import type { AuthorizeCallInput, AuthorizeCallResult } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { GuardDependencies } from './dependencies.ts';
import { checkedAuthorizeInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/**
 * May the agent, acting for the user, invoke this tool with these arguments, and may it do so
 * without a person approving (`invoke_unattended`)? Both PDP decisions and their summary.
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
  const unattended = invoke.allowed
    ? await deps.authorizer.authorize({ ...request, action: 'invoke_unattended' })
    : undefined;
  const result: AuthorizeCallResult = {
    invoke,
    summary: {
      allowed: invoke.allowed,
      unattended: unattended?.allowed === true,
      reason: !invoke.allowed
        ? invoke.reason
        : unattended?.allowed
          ? unattended.reason
          : `${invoke.reason}; approval needed: ${unattended?.reason ?? 'invoke_unattended not granted'}`,
      policyVersion: invoke.policyVersion,
      factsVersion: invoke.factsVersion,
      engine: invoke.engine,
    },
  };
  if (unattended) result.unattended = unattended;
  return result;
}

/** Step b, advisory: the tool worker decides again before it runs anything. */
export function authorizeToolCallActivity(deps: GuardDependencies) {
  return async function authorizeToolCall(untrusted: AuthorizeCallInput): Promise<AuthorizeCallResult> {
    const input = checkedAuthorizeInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    return authorizeCall(deps, input, tool, args);
  };
}
