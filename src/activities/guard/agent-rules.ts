import type { AgentCatalog } from '../../agents/define-agent.ts';
import type { OsoValue } from '../../authz/types.ts';
import type { IntentRule } from '../../guard/intent/rules.ts';
import type { PurposeScope } from '../../guard/types.ts';

/** What the deployment's own catalog says about an agent identity: its rules and purpose scopes. */
export interface AgentRules {
  rules: IntentRule[];
  purposeScopes: PurposeScope[];
}

/**
 * The rules of the agents with this identity in the worker's catalog, never the ones workflow code
 * passes. Undefined for an identity the catalog does not define: the guard refuses its calls.
 */
export function agentRules(catalog: AgentCatalog, agent: OsoValue): AgentRules | undefined {
  if (agent?.type !== 'Agent') return undefined;
  const matching = [...catalog.values()].filter((a) => a.identity === agent.id);
  if (matching.length === 0) return undefined;
  return {
    rules: matching.flatMap((a) => a.intent),
    purposeScopes: matching.flatMap((a) => (a.purposeScope ? [a.purposeScope] : [])),
  };
}
