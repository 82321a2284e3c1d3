import type { ContextFact, OsoValue } from '../../authz/types.ts';
import type { RequesterAssertion } from '../../guard/types.ts';
import { clearArguments } from '../../provenance/clear-arguments.ts';
import { decideProvenance, destinationsOf } from '../../provenance/decide.ts';
import { requestStanding } from '../../provenance/request-standing.ts';
import { type TracedUnit, type TrustedText, traceArguments } from '../../provenance/trace.ts';
import type { CallProvenance, TaintedArgument } from '../../provenance/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { RunKey } from '../../usage/usage-store.ts';
import type { GuardDependencies } from './dependencies.ts';

export interface ProvenanceQuestion {
  run: RunKey;
  tool: ToolDefinition;
  args: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  /** Already verified by the requester check. */
  requester: RequesterAssertion | undefined;
  /** The request text as the run sent it. */
  request: unknown;
}

/** Tainted values asked about one by one; a call with more is not accepted by the policy. */
const MAX_POLICY_QUESTIONS = 8;

/**
 * The provenance of a call at the enforcement point: the request text checked against the signed
 * digest, the agent's instructions from the worker's own catalog, every argument value traced
 * through the run's index, and the verdict. A tainted call asks the PDP `accept_tainted` on the
 * tool once per tainted value, with the context fact `tainted_argument(Tool, path, value)`: the
 * policy accepts the taint only when it accepts every value. A call whose payload carries a
 * confidential value asks `accept_confidential` once per destination, with the context fact
 * `confidential_destination(Tool, path, value)` (the user's own address may be one the policy
 * accepts). Every such question also carries `clear_argument(Tool, path, value)` for each sensitive
 * identifier argument of the call with a trusted source, so that a rule can accept a tainted value
 * only together with a clear one (a payee only for the customer the refund is made for). Every
 * fact is derived here, from the worker's own trace. A forged request text is refused.
 */
export async function callProvenance(
  deps: GuardDependencies,
  q: ProvenanceQuestion,
): Promise<CallProvenance | { refused: string }> {
  const standing = requestStanding(q.requester, q.request, deps.mode);
  if ('problem' in standing) return { refused: standing.problem };
  const agents = [...deps.agents.values()].filter(
    (a) => q.agent?.type === 'Agent' && a.identity === q.agent.id,
  );
  const trusted: TrustedText[] = [
    ...(standing.standing !== 'not_counted' && typeof q.request === 'string'
      ? [{ kind: 'request' as const, text: q.request }]
      : []),
    ...agents.map((a) => ({ kind: 'instructions' as const, text: a.instructions })),
  ];
  const units = await traceArguments(
    q.args,
    q.tool.provenance,
    trusted,
    deps.provenance.lookupFor(q.run.workflowId),
  );
  const decision = {
    units,
    request: standing.standing,
    tool: q.tool,
    agents: agents.map((a) => a.provenance),
    untrustedRead: await deps.provenance.readUntrusted(q.run.workflowId),
  };
  const first = decideProvenance(decision);
  if (first.tainted.length === 0 && first.confidential.length === 0) return first;
  const resource = q.tool.resource(q.args);
  const clear = clearFacts(resource, units);
  return decideProvenance({
    ...decision,
    ...(first.tainted.length > 0
      ? {
          policyAccepted: await policyAccepts(
            deps,
            q,
            'accept_tainted',
            taintFacts(resource, first.tainted),
            clear,
          ),
        }
      : {}),
    ...(first.confidential.length > 0
      ? {
          confidentialAccepted: await policyAccepts(
            deps,
            q,
            'accept_confidential',
            destinationsOf(units).map(
              (d): ContextFact => ['confidential_destination', resource, d.path, d.text],
            ),
            clear,
          ),
        }
      : {}),
  });
}

export const clearFacts = (resource: OsoValue, units: readonly TracedUnit[]): ContextFact[] =>
  clearArguments(units).map((c): ContextFact => ['clear_argument', resource, c.path, c.text]);

export const taintFacts = (resource: OsoValue, tainted: readonly TaintedArgument[]): ContextFact[] =>
  tainted.flatMap((t) => t.texts.map((text): ContextFact => ['tainted_argument', resource, t.path, text]));

/**
 * Whether the policy grants `action` on the tool for every one of `facts`, asked one by one (each
 * with the call's own context and the `shared` facts of the call, its clear arguments). No facts,
 * or too many, is no.
 */
export async function policyAccepts(
  deps: Pick<GuardDependencies, 'authorizer'>,
  q: Pick<ProvenanceQuestion, 'tool' | 'args' | 'agent' | 'onBehalfOf'>,
  action: 'accept_tainted' | 'accept_confidential',
  facts: readonly ContextFact[],
  shared: readonly ContextFact[] = [],
): Promise<boolean> {
  const resource = q.tool.resource(q.args);
  if (facts.length === 0 || facts.length > MAX_POLICY_QUESTIONS) return false;
  for (const fact of facts) {
    const decision = await deps.authorizer.authorize({
      actor: q.agent,
      onBehalfOf: q.onBehalfOf,
      action,
      resource,
      context: [...q.tool.context(q.args), ...shared, fact],
    });
    if (!decision.allowed) return false;
  }
  return true;
}
