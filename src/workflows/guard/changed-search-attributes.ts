import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { GuardPatches } from './guard-patches.ts';

/**
 * Runs recorded before this patch upserted the status attributes after every call, changed or not;
 * later runs upsert only the attributes whose value changed.
 */
export const PUBLISH_CHANGED_ATTRIBUTES = 'warden-publish-changed-search-attributes';

/**
 * An upsert that leaves out the attributes still holding the value it last gave them. Each upsert
 * is a history event and a visibility write on the server; without this a run wrote the same
 * `running, 0 pending, 0 denials` after each of its calls.
 */
export function changedAttributesPublisher(
  patches: GuardPatches,
): (pairs: SearchAttributeUpdatePair[]) => void {
  const published = new Map<string, string>();
  return (pairs) => {
    if (!patches.has(PUBLISH_CHANGED_ATTRIBUTES)) {
      upsertSearchAttributes(pairs);
      return;
    }
    const changed = pairs.filter((pair) => published.get(pair.key.name) !== JSON.stringify(pair.value));
    if (changed.length === 0) return;
    for (const pair of changed) published.set(pair.key.name, JSON.stringify(pair.value));
    upsertSearchAttributes(changed);
  };
}
