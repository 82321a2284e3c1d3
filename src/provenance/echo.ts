import { coversPath } from './labels.ts';
import { leavesOf } from './leaves.ts';
import { compactIdentifier } from './normalise.ts';
import type { CallProvenance, ToolProvenance, TrustLabel } from './types.ts';

/** Echoes shorter than this (letters and digits) are not looked for: they would match by chance. */
const MIN_ECHO = 5;
/** Longer argument leaves are text, not a value a record would hand back whole. */
const MAX_ECHO = 120;
/** Argument leaves compared per call. */
const MAX_ECHOES = 200;

/** The paths of the call's whole argument leaves that its traced provenance found a trusted source for. */
function trustedPaths(provenance: CallProvenance | undefined): Set<string> {
  return new Set(
    (provenance?.values ?? [])
      .filter((v) => v.token === 'value' && v.origin === 'trusted')
      .map((v) => v.path),
  );
}

/**
 * What a call was told without a trusted source: its argument leaves that its traced provenance
 * does not find in the request, the instructions or a trusted field (a value from a ticket's text,
 * or one the model wrote), as they compare (letters and digits). A tool's trusted output does not
 * vouch for what the caller told it: `crm.get_customer` with an id a ticket's text named returns
 * that id in its trusted `id` field, and a later call that uses the id would trace to it. The echo
 * keeps the argument's standing instead, so an id laundered through a lookup is still the text's.
 */
export function untrustedEchoes(args: unknown, provenance: CallProvenance | undefined): string[] {
  const trusted = trustedPaths(provenance);
  const echoes = new Set<string>();
  for (const leaf of leavesOf(args, MAX_ECHOES)) {
    if (trusted.has(leaf.path) || leaf.text.length > MAX_ECHO) continue;
    const compact = compactIdentifier(leaf.text);
    if (compact.length >= MIN_ECHO) echoes.add(compact);
  }
  return [...echoes];
}

/** The trust of an output leaf: untrusted when it echoes what the call was told without a trusted source. */
export function echoTrust(label: TrustLabel, text: string, echoes: ReadonlySet<string>): TrustLabel {
  return label === 'trusted' && echoes.size > 0 && echoes.has(compactIdentifier(text)) ? 'untrusted' : label;
}

/**
 * The echo generalised to what the output holds rather than what it repeats: a lookup's output is
 * only as trusted as the arguments that selected it. In a run that has read untrusted content, the
 * first selecting argument leaf (`ToolProvenance.selects`, default every argument) with no trusted
 * source, or undefined. A name a ticket's text gives, searched for, returns an id in the CRM's
 * trusted `id` field that is no echo of it: the id is the text's choice all the same. A value with no
 * source at all counts too, as for a sensitive argument: the model may have rewritten what it read.
 * Decided from the tool worker's own trace of the call, never from what the run says of it.
 */
export function untrustedSelection(
  args: unknown,
  tool: { provenance?: ToolProvenance },
  provenance: CallProvenance | undefined,
  untrustedRead: boolean,
): string | undefined {
  if (!untrustedRead) return undefined;
  const trusted = trustedPaths(provenance);
  const selects = tool.provenance?.selects;
  for (const leaf of leavesOf(args)) {
    if (selects !== undefined && !selects.some((declared) => coversPath(declared, leaf.field))) continue;
    if (!trusted.has(leaf.path)) return leaf.path;
  }
  return undefined;
}
