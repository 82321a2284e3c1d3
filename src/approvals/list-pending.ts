import type { Client } from '@temporalio/client';
import type { PendingApproval } from '../guard/types.ts';
import { listRuns } from '../temporal/list-runs.ts';
import { pendingApprovalsQuery } from '../workflows/guard/definitions.ts';

export interface ListPendingOptions {
  /** One run only; otherwise every running workflow whose WardenPendingApprovals is above 0. */
  workflowId?: string;
  /** Extra visibility filter, ANDed, e.g. `WardenUser = "User:alice"`. */
  filter?: string;
  limit?: number;
}

/**
 * Pending approvals across runs: the search attribute finds the runs (visibility is eventually
 * consistent, so a just-paused run can take a moment to appear); a query reads each run's calls.
 */
export async function listPendingApprovals(
  client: Client,
  options: ListPendingOptions = {},
): Promise<PendingApproval[]> {
  if (options.workflowId) return client.workflow.getHandle(options.workflowId).query(pendingApprovalsQuery);
  const query = ['ExecutionStatus = "Running"', 'WardenPendingApprovals > 0', options.filter]
    .filter((part) => part !== undefined && part !== '')
    .map((part) => `(${part})`)
    .join(' AND ');
  const found: PendingApproval[] = [];
  let runs = 0;
  for await (const execution of listRuns(client, query)) {
    if (options.limit !== undefined && runs >= options.limit) break;
    runs += 1;
    try {
      const pending = await client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .query(pendingApprovalsQuery);
      found.push(...pending);
    } catch {
      // The run finished between the listing and the query (nothing is pending there any more), or
      // its payloads are under a key this process does not hold (not ours to show).
    }
  }
  return found.sort((a, b) => a.expiresAt - b.expiresAt);
}
