import type { TracedUnit } from './trace.ts';
import { MAX_TRACED_VALUES } from './trace.ts';
import type {
  AgentProvenance,
  CallProvenance,
  ConfidentialArgument,
  ProvenanceSource,
  RequestStanding,
  TaintedArgument,
  ToolProvenance,
} from './types.ts';

/** A source in words: `the body of ticket.get call call-1 (untrusted)`. */
export function describeSource(source: ProvenanceSource): string {
  if (source.kind === 'request') return "the user's request";
  if (source.kind === 'instructions') return "the agent's instructions";
  const part = source.match === 'partial' ? 'part of ' : '';
  return `${part}${source.field === '' ? 'the output' : `field ${source.field}`} of ${source.tool} call ${source.callId} (${source.trust}${source.confidential ? ', confidential' : ''})`;
}

const quoted = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);

function group<T extends { path: string }>(items: T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const item of items) by.set(item.path, [...(by.get(item.path) ?? []), item]);
  return by;
}

export interface ProvenanceDecisionInput {
  units: readonly TracedUnit[];
  request: RequestStanding;
  tool: { name: string; provenance?: ToolProvenance };
  /** The provenance settings of the agents with the caller's identity, from the worker's catalog. */
  agents: readonly (AgentProvenance | undefined)[];
  /** The policy accepts the call's tainted arguments (`accept_tainted` on the tool). */
  policyAccepted?: boolean;
}

/**
 * The provenance verdict of a call. A sensitive argument is tainted when one of its traced values
 * has untrusted sources only (a value also in the request, the instructions or a trusted field is
 * not); a tainted call escalates, or is denied when the tool or the agent says so, unless the
 * policy accepted it. A call of an external sink whose arguments carry a confidential value
 * escalates. Values with no source at all (the model wrote them) are neither.
 */
export function decideProvenance(input: ProvenanceDecisionInput): CallProvenance {
  const { units, tool } = input;
  const tainted: TaintedArgument[] = [];
  for (const [path, list] of group(units.filter((u) => u.deciding && u.origin === 'untrusted'))) {
    const kind = list[0]?.kind;
    if (kind !== undefined) tainted.push({ path, kind, texts: [...new Set(list.map((u) => u.text))] });
  }
  const confidential: ConfidentialArgument[] = [];
  if (tool.provenance?.externalSink === true) {
    for (const [path, list] of group(units.filter((u) => u.confidential))) {
      confidential.push({ path, texts: [...new Set(list.map((u) => u.text))] });
    }
  }
  // A taint the policy accepted stays in `tainted` (the record) but asks nobody.
  const taintCounts = tainted.length > 0 && input.policyAccepted !== true;
  const reasons: string[] = [];
  if (taintCounts) {
    for (const t of tainted) {
      const first = units.find((u) => u.path === t.path && u.deciding && u.origin === 'untrusted');
      const where = first?.sources.map(describeSource).join('; ') ?? 'untrusted content';
      const request =
        input.request === 'not_counted' ? 'the request could not be verified' : 'not in the request';
      reasons.push(
        `provenance: ${t.kind} ${t.path} ${quoted(t.texts[0] ?? '')} comes only from untrusted content (${where}); ${request}`,
      );
    }
  }
  for (const c of confidential) {
    const first = units.find((u) => u.path === c.path && u.confidential);
    const where = (first?.sources ?? [])
      .filter((s) => s.kind === 'output' && s.confidential)
      .map(describeSource)
      .join('; ');
    reasons.push(
      `provenance: ${tool.name} sends confidential data outside: ${c.path} ${quoted(c.texts[0] ?? '')} (${where})`,
    );
  }
  const deny =
    taintCounts &&
    (tool.provenance?.onTainted === 'deny' || input.agents.some((a) => a?.onTainted === 'deny'));
  const verdict = deny ? 'deny' : taintCounts || confidential.length > 0 ? 'escalate' : 'clear';
  const recorded = units.filter((u) => u.deciding || u.sources.length > 0);
  const result: CallProvenance = {
    request: input.request,
    values: recorded.slice(0, MAX_TRACED_VALUES).map(({ deciding: _d, kind: _k, ...value }) => value),
    tainted,
    confidential,
    verdict,
    // A policy-accepted taint stays in the record, in words, but asks nobody.
    reasons,
  };
  if (input.policyAccepted !== undefined) result.policyAccepted = input.policyAccepted;
  if (recorded.length > MAX_TRACED_VALUES) result.truncated = true;
  return result;
}
