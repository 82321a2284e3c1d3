import type { z } from 'zod';
import type { Patch, Predicate } from './tasks.ts';

/** A record of a domain's seed data: every collection's items have an id. */
export type SeedData = Record<string, Array<{ id: string } & Record<string, unknown>>>;

/**
 * One domain of the evaluation: its seed data, how a run's state is built from it, and how the end
 * state is checked. A run's state lives in the evaluating process (the tools' services find it by
 * the run's workflow id), so the score reads exactly what the tools did.
 */
export interface Domain<State = unknown> {
  name: string;
  /** The agent of the domain's Warden project that runs its tasks. */
  agent: string;
  /** The user the runs act for. */
  user: string;
  seed(): SeedData;
  build(data: SeedData): State;
  predicate: z.ZodType<Predicate>;
  /** Whether `predicate` (already validated) holds in `state`. */
  holds(state: State, predicate: Predicate): boolean;
}

export class PatchError extends Error {
  override name = 'PatchError';
}

/** The seed with a task's patches applied; the seed itself is never changed. */
export function applyPatches(seed: SeedData, patches: readonly Patch[]): SeedData {
  const data = structuredClone(seed);
  for (const patch of patches) {
    const [collection, id, field] = patch.path.split('.') as [string, string, string];
    const item = data[collection]?.find((entry) => entry.id === id);
    if (item === undefined) throw new PatchError(`${patch.path}: no ${collection} item ${id}`);
    const current = item[field];
    if (patch.mode === 'replace' || current === undefined) item[field] = patch.text;
    else if (typeof current === 'string') item[field] = `${current}${patch.text}`;
    else throw new PatchError(`${patch.path}: the field is not text`);
  }
  return data;
}
