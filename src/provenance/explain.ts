import type { CallProvenance, ProvenanceSource, RequestStanding, TracedValue } from './types.ts';

/**
 * Provenance in plain words, for people deciding on a call (the approvals page, `warden approvals`)
 * and reading a run (`warden audit`). Plain text only: every value and source field in it is text an
 * attacker may have written, so each surface escapes it for its own medium.
 */

const MAX_SHOWN = 60;

/** What a person is shown instead of reasons or provenance whose decision did not verify. */
export const UNVERIFIED_NOT_SHOWN = 'unverified — not shown';

/** The line shown for a decision that did not verify: never its words, only why it is not shown. */
export function unverifiedWords(problem: string): string {
  return `${UNVERIFIED_NOT_SHOWN} (${problem})`;
}

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** `alice` for `User:alice`; anything else as given. */
export function requesterName(requester: string): string {
  return requester.startsWith('User:') ? requester.slice('User:'.length) : requester;
}

/** Why an output field is untrusted whatever its label, in words: `: selected by query, which …`. */
export function selectedWords(source: Extract<ProvenanceSource, { kind: 'output' }>): string {
  return source.selectedBy === undefined
    ? ''
    : `: selected by ${source.selectedBy}, which has no trusted source`;
}

function whereWritten(source: Extract<ProvenanceSource, { kind: 'output' }>): string {
  const part = source.match === 'partial' ? 'part of it ' : '';
  const field = source.field === '' ? 'the output' : `field ${source.field}`;
  return `${part}was written in ${field} of ${source.tool} (call ${source.callId}) — ${source.trust}${selectedWords(source)}${source.confidential ? ', confidential' : ''}`;
}

function sourceWords(source: ProvenanceSource, requester: string): string {
  if (source.kind === 'request') return `is in ${requester}'s request`;
  if (source.kind === 'instructions') return "is in the agent's instructions";
  return whereWritten(source);
}

/** One traced value in words, e.g. "url in body `https://…` was written in field body of … — untrusted; not in alice's request". */
export function explainValue(value: TracedValue, requester: string, standing: RequestStanding): string {
  const what = value.token === 'value' ? value.path : `${value.token} in ${value.path}`;
  const head = `${what} \`${shown(value.text)}\``;
  if (value.sources.length === 0) return `${head} has no source: the model wrote it`;
  const words = value.sources.map((s) => sourceWords(s, requester));
  const inRequest = value.sources.some((s) => s.kind === 'request');
  if (!inRequest && standing !== 'not_counted') words.push(`not in ${requester}'s request`);
  return `${head} ${words.join('; ')}`;
}

/** Each argument value of the call with where it came from, one line each. */
export function explainProvenance(provenance: CallProvenance, requester: string): string[] {
  const who = requesterName(requester);
  const lines = provenance.values.map((v) => explainValue(v, who, provenance.request));
  if (provenance.truncated) lines.push('(more values were traced than recorded)');
  return lines;
}

/** How the request text counted, in words. */
export function requestStandingWords(standing: RequestStanding): string {
  switch (standing) {
    case 'verified':
      return 'verified against the digest signed when the run started';
    case 'assumed':
      return 'taken as given (development mode: nothing signed to check it against)';
    case 'not_counted':
      return 'not counted: no request text, or none signed when the run started';
  }
}

/**
 * Why the call needs a person, in words: the policy's and intent rules' reasons as they were given,
 * then each tainted or confidential argument (the provenance's own reasons say the same at length, so
 * they are replaced by one line each).
 */
export function whyPerson(reasons: readonly string[], provenance: CallProvenance | undefined): string[] {
  const why = reasons.filter((r) => !r.startsWith('provenance: '));
  for (const t of provenance?.tainted ?? []) {
    const value = t.texts[0] === undefined ? '' : ` \`${shown(t.texts[0])}\``;
    const how = t.unverified
      ? 'has no source, and the run had read untrusted content (the model may have assembled it from what it read)'
      : 'comes only from untrusted content';
    const accepted = provenance?.policyAccepted ? ' — accepted by the policy' : '';
    why.push(`tainted: ${t.kind} ${t.path}${value} ${how}${accepted}`);
  }
  for (const c of provenance?.confidential ?? []) {
    const value = c.texts[0] === undefined ? '' : ` \`${shown(c.texts[0])}\``;
    const accepted = provenance?.confidentialAccepted ? ' — accepted by the policy' : '';
    why.push(
      `confidential: ${c.path}${value} carries confidential data to an external destination${accepted}`,
    );
  }
  if (why.length === 0) why.push(...reasons);
  return why;
}
