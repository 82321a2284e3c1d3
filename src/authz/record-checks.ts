import { buildDecision, errorText } from './decision.ts';
import type { Authorizer, AuthzDecision, OsoValue, RecordCheck } from './types.ts';
import { formatValue } from './values.ts';

/** Who a call is made by and for: the agent, and the user whose authority it borrows. */
export interface CallActors {
  agent: OsoValue;
  onBehalfOf: OsoValue;
}

/**
 * Checks each record a call touches for the user on her own authority and for the agent acting for
 * her (the policy's `allow` for an agent requires both their permissions, so the second answer is
 * the agent's and the user's together). Both must allow. The user's answer on its own says whether
 * it is the user who may not, so a denial names who failed.
 */
export async function checkRecords(
  authorizer: Authorizer,
  who: CallActors,
  declared: () => ReadonlyArray<{ action: string; resource: OsoValue }>,
  declaredBy: OsoValue,
): Promise<RecordCheck[]> {
  let accesses: ReadonlyArray<{ action: string; resource: OsoValue }>;
  try {
    accesses = declared();
  } catch (error) {
    return [undeclared(authorizer, who, declaredBy, errorText(error))];
  }
  return Promise.all(
    accesses.map(async ({ action, resource }) => {
      const [user, agent] = await Promise.all([
        authorizer.authorize({ actor: who.onBehalfOf, action, resource }),
        authorizer.authorize({ actor: who.agent, onBehalfOf: who.onBehalfOf, action, resource }),
      ]);
      return recordCheck(who, action, resource, user, agent);
    }),
  );
}

/** A declaration that throws names no record to check: the call is denied, fail closed. */
function undeclared(
  authorizer: Authorizer,
  who: CallActors,
  declaredBy: OsoValue,
  problem: string,
): RecordCheck {
  const startedAt = performance.now();
  const versions = { policy: authorizer.policyVersion(), facts: authorizer.factsVersion() };
  const failed = (actor: OsoValue, onBehalfOf?: OsoValue): AuthzDecision =>
    buildDecision(
      authorizer.engine,
      { actor, action: 'declare', resource: declaredBy, ...(onBehalfOf ? { onBehalfOf } : {}) },
      [],
      versions,
      startedAt,
      { allowed: false, error: `the records could not be named: ${problem}` },
    );
  return {
    action: 'declare',
    resource: { ...declaredBy },
    allowed: false,
    deniedFor: [],
    user: failed(who.onBehalfOf),
    agent: failed(who.agent, who.onBehalfOf),
    reason: `${formatValue(declaredBy)} could not name the records it touches: ${problem}`,
  };
}

function recordCheck(
  who: CallActors,
  action: string,
  resource: OsoValue,
  user: AuthzDecision,
  agent: AuthzDecision,
): RecordCheck {
  const deniedFor: RecordCheck['deniedFor'] = [];
  if (!user.allowed) deniedFor.push('user');
  // With the user allowed, a deny of the combined decision is the agent's own lack of permission.
  if (!agent.allowed && user.allowed) deniedFor.push('agent');
  const target = `${action} ${formatValue(resource)}`;
  let reason: string;
  if (deniedFor.length === 0) {
    reason = `${formatValue(who.onBehalfOf)} and ${formatValue(who.agent)} acting for them may ${target}`;
  } else if (!user.allowed) {
    reason = `${formatValue(who.onBehalfOf)} may not ${target}, so no agent may for them (${user.reason})`;
  } else {
    reason = `${formatValue(who.agent)} may not ${target}, although ${formatValue(who.onBehalfOf)} may (${agent.reason})`;
  }
  return {
    action,
    resource: { ...resource },
    allowed: deniedFor.length === 0,
    deniedFor,
    user,
    agent,
    reason,
  };
}

/** The first denied record's explanation, or undefined when every record is allowed. */
export function recordDenial(checks: readonly RecordCheck[]): string | undefined {
  const denied = checks.filter((c) => !c.allowed);
  if (denied.length === 0) return undefined;
  const more = denied.length > 1 ? ` (and ${denied.length - 1} more record(s) denied)` : '';
  return `record not authorized: ${denied[0]?.reason}${more}`;
}
