import type { AuthorizeCallInput, AuthorizeCallResult } from '../../guard/types.ts';
import type { GuardDependencies } from './dependencies.ts';
import { checkedAuthorizeInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/**
 * Step b: may the agent, acting for the run's user, invoke this tool with these arguments, and may
 * it do so without a person approving (`invoke_unattended`)?
 */
export function authorizeToolCallActivity(deps: GuardDependencies) {
  return async function authorizeToolCall(untrusted: AuthorizeCallInput): Promise<AuthorizeCallResult> {
    const input = checkedAuthorizeInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    const request = {
      actor: input.agent,
      onBehalfOf: input.onBehalfOf,
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
  };
}
