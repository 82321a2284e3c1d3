import type { WorkflowHandle } from '@temporalio/client';
import type { DecisionCheck } from '../../../src/guard/types.ts';

/** What the approval services say of a signed answer that does not verify. */
export const BAD_SIGNATURE = "the decision's signature does not verify with the key of trust zone";

/** Why a shown call is unverified, or undefined when it verified. */
export const problemOf = (check: DecisionCheck | undefined): string | undefined =>
  check !== undefined && !check.verified ? check.problem : undefined;

/** Updates the run accepted into its history: an approval the service signed and sent. */
export async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  return ((await handle.fetchHistory()).events ?? []).filter(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes,
  ).length;
}
