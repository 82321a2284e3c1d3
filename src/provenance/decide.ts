import { selectedWords } from './explain.ts';
import type { TracedUnit } from './trace.ts';
import { MAX_TRACED_VALUES } from './trace.ts';
import type {
  AgentProvenance,
  CallProvenance,
  ConfidentialArgument,
  ProvenanceSource,
  RequestStanding,
  SensitiveKind,
  TaintedArgument,
  ToolProvenance,
} from './types.ts';

/** A source in words: `the body of ticket.get call call-1 (untrusted)`. */
export function describeSource(source: ProvenanceSource): string {
  if (source.kind === 'request') return "the user's request";
  if (source.kind === 'instructions') return "the agent's instructions";
  const part = source.match === 'partial' ? 'part of ' : '';
  return `${part}${source.field === '' ? 'the output' : `field ${source.field}`} of ${source.tool} call ${source.callId} (${source.trust}${selectedWords(source)}${source.confidential ? ', confidential' : ''})`;
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
  /** The run has read untrusted content before this call (see `ProvenanceIndex.readUntrusted`). */
  untrustedRead?: boolean;
  /** The policy accepts the call's destinations for confidential data (`accept_confidential`). */
  confidentialAccepted?: boolean;
}

/** Argument kinds that name where something goes or who gets it, rather than carry a payload. */
const DESTINATION_KINDS: ReadonlySet<SensitiveKind> = new Set<SensitiveKind>([
  'recipient',
  'account',
  'url',
  'email',
  'path',
  'phone',
]);

/** A call's destination values: the whole leaves of its destination arguments. */
export interface Destination {
  path: string;
  text: string;
}

/** The destinations of a call (where its payload goes), for the policy's `accept_confidential`. */
export function destinationsOf(units: readonly TracedUnit[]): Destination[] {
  return units
    .filter((u) => u.token === 'value' && u.kind !== undefined && DESTINATION_KINDS.has(u.kind))
    .map(({ path, text }) => ({ path, text }));
}

/**
 * A deciding value the model wrote with no source at all, in a run that has read untrusted content:
 * an identifier split across fields, reformatted or spelled out (`c-10..` and `ends in 12`, `C 1002`,
 * `(at)`) traces to nothing, so "no source" is no evidence that it is the user's.
 */
const unverified = (u: TracedUnit, untrustedRead: boolean) =>
  untrustedRead && u.deciding && u.origin === 'unknown' && u.kind !== 'secret';

/**
 * A confidential value that leaves through an external sink's payload. The destination arguments
 * are not payload (an address read from a confidential field that is also the recipient leaks
 * nothing by being the recipient), and a value the user's own request names is not a leak of itself.
 */
const leaks = (u: TracedUnit) =>
  u.confidential &&
  (u.kind === undefined || !DESTINATION_KINDS.has(u.kind)) &&
  !u.sources.some((s) => s.kind === 'request');

/**
 * The provenance verdict of a call. A sensitive argument is tainted when one of its deciding values
 * has untrusted sources only (a value also in the request, the instructions or a trusted field is
 * not), or, in a run that has read untrusted content, no source at all (unverified origin); only
 * the identifiers inside a free-text argument decide, never the text as a whole. A tainted call
 * escalates, or is denied when the tool or the agent says so, unless the policy accepted it. A call
 * of an external sink whose payload carries a confidential value escalates, unless the policy
 * accepted the call's destinations for it (the user's own address, say).
 */
export function decideProvenance(input: ProvenanceDecisionInput): CallProvenance {
  const { units, tool } = input;
  const untrustedRead = input.untrustedRead === true;
  const tainted: TaintedArgument[] = [];
  for (const [path, list] of group(units.filter((u) => u.deciding && u.origin !== 'trusted'))) {
    const untrusted = list.filter((u) => u.origin === 'untrusted');
    const unknown = list.filter((u) => unverified(u, untrustedRead));
    const deciding = untrusted.length > 0 ? untrusted : unknown;
    const kind = deciding[0]?.kind;
    if (kind === undefined) continue;
    tainted.push({
      path,
      kind,
      texts: [...new Set(deciding.map((u) => u.text))],
      ...(untrusted.length === 0 ? { unverified: true } : {}),
    });
  }
  const confidential: ConfidentialArgument[] = [];
  if (tool.provenance?.externalSink === true) {
    for (const [path, list] of group(units.filter(leaks))) {
      confidential.push({ path, texts: [...new Set(list.map((u) => u.text))] });
    }
  }
  // A taint or confidential payload the policy accepted stays in the record but asks nobody.
  const confidentialCounts = confidential.length > 0 && input.confidentialAccepted !== true;
  const taintCounts = tainted.length > 0 && input.policyAccepted !== true;
  const reasons: string[] = [];
  if (taintCounts) {
    const request =
      input.request === 'not_counted' ? 'the request could not be verified' : 'not in the request';
    for (const t of tainted) {
      if (t.unverified === true) {
        reasons.push(
          `provenance: ${t.kind} ${t.path} ${quoted(t.texts[0] ?? '')} has no trusted source (unverified origin: found in nothing the run read, and the run has read untrusted content); ${request}`,
        );
        continue;
      }
      const first = units.find((u) => u.path === t.path && u.deciding && u.origin === 'untrusted');
      const where = first?.sources.map(describeSource).join('; ') ?? 'untrusted content';
      reasons.push(
        `provenance: ${t.kind} ${t.path} ${quoted(t.texts[0] ?? '')} comes only from untrusted content (${where}); ${request}`,
      );
    }
  }
  for (const c of confidentialCounts ? confidential : []) {
    const first = units.find((u) => u.path === c.path && leaks(u));
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
  const verdict = deny ? 'deny' : taintCounts || confidentialCounts ? 'escalate' : 'clear';
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
  if (input.confidentialAccepted !== undefined) result.confidentialAccepted = input.confidentialAccepted;
  if (recorded.length > MAX_TRACED_VALUES) result.truncated = true;
  return result;
}
