import { leavesOf } from './leaves.ts';
import { compactIdentifier } from './normalise.ts';
import type { CallProvenance, TrustLabel } from './types.ts';

/** Echoes shorter than this (letters and digits) are not looked for: they would match by chance. */
const MIN_ECHO = 5;
/** Longer argument leaves are text, not a value a record would hand back whole. */
const MAX_ECHO = 120;
/** Argument leaves compared per call. */
const MAX_ECHOES = 200;

/**
 * What a call was told without a trusted source: its argument leaves that its traced provenance
 * does not find in the request, the instructions or a trusted field (a value from a ticket's text,
 * or one the model wrote), as they compare (letters and digits). A tool's trusted output does not
 * vouch for what the caller told it: `crm.get_customer` with an id a ticket's text named returns
 * that id in its trusted `id` field, and a later call that uses the id would trace to it. The echo
 * keeps the argument's standing instead, so an id laundered through a lookup is still the text's.
 */
export function untrustedEchoes(args: unknown, provenance: CallProvenance | undefined): string[] {
  const trusted = new Set(
    (provenance?.values ?? [])
      .filter((v) => v.token === 'value' && v.origin === 'trusted')
      .map((v) => v.path),
  );
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
