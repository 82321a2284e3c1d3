import type { AuthzDecision, ContextFact, FactArg } from '../authz/types.ts';
import { formatValue, isOsoValue } from '../authz/values.ts';
import type { AuthorizationDecisions } from './authorization-summary.ts';

/**
 * The facts a person reads in an explanation: every context fact the engine saw but `acts_for`
 * (said in words already), with the tool it is about left out (the sentence names the tool).
 */
function factWords(decision: AuthzDecision): string[] {
  return decision.context
    .filter(([predicate]) => predicate !== 'acts_for')
    .map(([predicate, ...args]: ContextFact) => {
      const shown = args.filter(
        (a: FactArg) =>
          !(isOsoValue(a) && a.type === decision.resource.type && a.id === decision.resource.id),
      );
      return `${predicate.replaceAll('_', ' ')} ${shown.map(formatValue).join(', ')}`.trim();
    });
}

/**
 * Why the policy wants a person for a call it allows, in words an approver reads: who may use the
 * tool for whom, and under which facts no rule lets it run unattended. The PDP's own reasons (rule
 * texts, policy version) stay in the recorded authorization for whoever audits it.
 */
export function policyApprovalWords(decisions: AuthorizationDecisions): string {
  const { invoke, unattended } = decisions;
  const agent = invoke.actor.id;
  const user = invoke.onBehalfOf?.id;
  const who = user === undefined ? agent : `${agent}, acting for ${user},`;
  const facts = factWords(unattended ?? invoke);
  const under = facts.length > 0 ? ` with ${facts.join('; ')}` : '';
  return `the policy lets ${who} use ${invoke.resource.id} only with a person's approval: no rule allows it unattended${under}`;
}
