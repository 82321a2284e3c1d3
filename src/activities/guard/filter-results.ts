import { ApplicationFailure } from '@temporalio/activity';
import type { CallActors } from '../../authz/record-checks.ts';
import { filterRecords } from '../../authz/record-filter.ts';
import type { Authorizer, OsoValue, RecordFilter } from '../../authz/types.ts';
import type { ResultRecords, ToolDefinition } from '../../tools/define-tool.ts';

/** The output as it may leave the tool worker, and what filtering removed from it. */
export interface FilteredOutput {
  output: unknown;
  filtered?: RecordFilter;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Removes from a list or search tool's output every record that the user, or the agent acting for
 * them, may not perform the declared action on, before the output goes anywhere: the model never
 * sees a record the user could not open themselves. An output without the declared array is not
 * passed on at all (fail closed); the tool has run, its output is withheld.
 */
export async function filterResults(
  authorizer: Authorizer,
  who: CallActors,
  tool: ToolDefinition,
  output: unknown,
): Promise<FilteredOutput> {
  const spec = tool.results;
  if (spec === undefined) return { output };
  const items = recordsAt(output, spec.path ?? []);
  if (items === undefined) {
    throw ApplicationFailure.nonRetryable(
      `the output of ${tool.name} has no record list at ${describePath(spec.path ?? [])}; withheld`,
      'ResultNotFilterable',
    );
  }
  const { keep, summary } = await filterRecords(
    authorizer,
    who,
    spec.action ?? 'read',
    spec.type,
    items.map((item) => resourceOf(spec, item)),
  );
  const kept = items.filter((_, i) => keep[i] === true);
  return { output: replaceAt(output, spec.path ?? [], kept), filtered: summary };
}

/** The array at `path`, following own properties only; undefined when there is none. */
function recordsAt(output: unknown, path: readonly string[]): unknown[] | undefined {
  let at: unknown = output;
  for (const key of path) {
    if (!isRecord(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return Array.isArray(at) ? at : undefined;
}

/** A copy of `output` with the array at `path` replaced; every other property is kept as is. */
function replaceAt(output: unknown, path: readonly string[], records: unknown[]): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return records;
  const object = output as Record<string, unknown>;
  return { ...object, [key]: replaceAt(object[key], rest, records) };
}

function resourceOf(spec: ResultRecords, item: unknown): OsoValue | undefined {
  if (!isRecord(item) || !Object.hasOwn(item, spec.idField)) return undefined;
  const id = item[spec.idField];
  return typeof id === 'string' && id !== '' ? { type: spec.type, id } : undefined;
}

function describePath(path: readonly string[]): string {
  return path.length === 0 ? 'the top level' : path.join('.');
}
