import type { TracedUnit } from './trace.ts';

/** A sensitive identifier argument of a call whose value has a trusted source. */
export interface ClearArgument {
  path: string;
  text: string;
}

/** Clear arguments given to the policy per call: more are left out, which only ever accepts less. */
export const MAX_CLEAR_ARGUMENTS = 16;

/**
 * The call's sensitive identifier arguments (not free text) that are clear: every unit of the
 * argument that decides its taint has a trusted source (the request, the instructions, a trusted
 * field). A value with no source at all is not clear, whether or not the run read untrusted content:
 * the policy gets positive evidence only. The policy reads them as the context fact
 * `clear_argument(Tool, "<argument>", "<value>")`, so that a rule accepting a tainted value can ask
 * that another argument of the same call is not tainted (Oso Cloud cannot negate a context fact).
 */
export function clearArguments(units: readonly TracedUnit[]): ClearArgument[] {
  const clear: ClearArgument[] = [];
  for (const unit of units) {
    if (unit.token !== 'value' || unit.kind === undefined || unit.kind === 'text' || !unit.deciding) continue;
    const deciding = units.filter((u) => u.path === unit.path && u.deciding);
    if (!deciding.every((u) => u.origin === 'trusted')) continue;
    if (clear.some((c) => c.path === unit.path)) continue;
    clear.push({ path: unit.path, text: unit.text });
    if (clear.length === MAX_CLEAR_ARGUMENTS) break;
  }
  return clear;
}
