import type { OutputLabels, SensitiveKind, ToolProvenance, TrustLabel } from './types.ts';

/**
 * The trust of a tool's output when its tool declares none: untrusted. A tool that says nothing
 * about who writes its data may return anything an outsider wrote (a web page, a file, an email), and
 * a wrong "trusted" would let an injected value through unattended, while a wrong "untrusted" only
 * asks a person about a value that has no trusted source.
 */
export const DEFAULT_OUTPUT_TRUST: TrustLabel = 'untrusted';

/** `a.b[].c` from the parts of a path; a part is a key or `[]` (any element). */
export function fieldPath(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) {
    if (part === '[]') out += '[]';
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** True when `declared` names `path` or one of its ancestors (`tickets` covers `tickets[].body`). */
export function coversPath(declared: string, path: string): boolean {
  if (declared === '' || declared === path) return true;
  if (!path.startsWith(declared)) return false;
  const next = path[declared.length];
  return next === '.' || next === '[';
}

/** The declaration whose path is the longest prefix of `path`. */
function closest<T>(entries: Iterable<[string, T]>, path: string): T | undefined {
  let best: { length: number; value: T } | undefined;
  for (const [declared, value] of entries) {
    if (!coversPath(declared, path)) continue;
    if (best === undefined || declared.length > best.length) best = { length: declared.length, value };
  }
  return best?.value;
}

/** The label of one output field: its trust and whether it is confidential. */
export function outputLabel(
  labels: OutputLabels | undefined,
  path: string,
): { trust: TrustLabel; confidential: boolean } {
  const trust = closest(Object.entries(labels?.fields ?? {}), path) ?? labels?.trust ?? DEFAULT_OUTPUT_TRUST;
  const confidential = (labels?.confidential ?? []).some((declared) => coversPath(declared, path));
  return { trust, confidential };
}

/** The sensitive kind of an argument path (array indices written `[]`), if the tool declares one. */
export function sensitiveKind(
  provenance: ToolProvenance | undefined,
  path: string,
): SensitiveKind | undefined {
  return closest(Object.entries(provenance?.sensitive ?? {}), path);
}

const PATH_SYNTAX =
  /^(|[A-Za-z_$][\w$-]*(\[\])*(\.[A-Za-z_$][\w$-]*(\[\])*)*|(\[\])+(\.[A-Za-z_$][\w$-]*(\[\])*)*)$/;

/** Why a tool's provenance declaration is malformed, or undefined; `defineTool` refuses it. */
export function provenanceProblem(provenance: ToolProvenance | undefined): string | undefined {
  if (provenance === undefined) return undefined;
  const paths = [
    ...Object.keys(provenance.output?.fields ?? {}),
    ...(provenance.output?.confidential ?? []),
    ...Object.keys(provenance.sensitive ?? {}),
    ...(provenance.selects ?? []),
  ];
  const bad = paths.find((p) => !PATH_SYNTAX.test(p));
  return bad === undefined ? undefined : `field path "${bad}" must look like tickets[].body`;
}
