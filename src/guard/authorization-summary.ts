import { recordDenial } from '../authz/record-checks.ts';
import type { AuthorizationSummary, AuthorizeCallResult } from './types.ts';

/** The PDP's decisions on a call, without the summary that can be derived from them. */
export type AuthorizationDecisions = Omit<AuthorizeCallResult, 'summary'>;

/**
 * What a call's decisions add up to: allowed when `invoke` and every record check allow, unattended
 * when `invoke_unattended` does too. Pure, so the tool worker and the workflow (which derives it
 * from a compact result) compute the same summary from the same recorded decisions.
 */
export function authorizationSummary(decisions: AuthorizationDecisions): AuthorizationSummary {
  const { invoke, unattended } = decisions;
  const records = decisions.records ?? [];
  const denied = recordDenial(records);
  const summary: AuthorizationSummary = {
    allowed: invoke.allowed && denied === undefined,
    unattended: unattended?.allowed === true,
    reason: !invoke.allowed
      ? invoke.reason
      : denied !== undefined
        ? denied
        : unattended?.allowed
          ? unattended.reason
          : `${invoke.reason}; approval needed: ${unattended?.reason ?? 'invoke_unattended not granted'}`,
    policyVersion: invoke.policyVersion,
    factsVersion: invoke.factsVersion,
    engine: invoke.engine,
  };
  if (records.length > 0) {
    summary.records = records.map(({ action, resource, allowed, deniedFor, reason }) => ({
      action,
      resource,
      allowed,
      deniedFor,
      reason,
    }));
  }
  return summary;
}

/** The decisions as a compact guarded-call result carries them: the summary is left to the reader. */
export function withoutSummary(result: AuthorizeCallResult): AuthorizationDecisions {
  const { summary: _summary, ...decisions } = result;
  return decisions;
}
