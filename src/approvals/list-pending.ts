import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { PendingApproval } from '../guard/types.ts';
import { pendingApprovalsQuery } from '../workflows/guard/definitions.ts';
import { memoPendingCalls, PENDING_MEMO_FIELD } from '../workflows/guard/pending-memo.ts';
import { listedPendingMemo } from './listed-memo.ts';

/** Runs read per listing when the caller names no limit. */
export const DEFAULT_LISTING_RUNS = 20;
/**
 * The most runs one listing reads: a run that lists its waiting calls in its memo costs nothing
 * more than the listing, any other one a workflow query, which may replay an evicted run.
 */
export const MAX_LISTING_RUNS = 100;

export interface ListPendingOptions {
  /** One run only; otherwise every running workflow whose WardenPendingApprovals is above 0. */
  workflowId?: string;
  /** With `workflowId`: that run of it (default: the running execution the server names). */
  runId?: string;
  /** Extra visibility filter, ANDed, e.g. `WardenUser = "User:alice"`. */
  filter?: string;
  /** Runs to read (default 20, at most 100). */
  limit?: number;
}

export interface PendingPageOptions extends Omit<ListPendingOptions, 'workflowId'> {
  /** Where the previous page ended: the visibility page token it returned as `next`. */
  after?: Uint8Array;
}

/** One page of runs with calls waiting, and where the next page starts. */
export interface PendingPage {
  items: PendingApproval[];
  /** Runs this page read (at most the limit). */
  runs: number;
  /** Of those, the runs whose memo did not list their calls, so they were queried. */
  queried: number;
  /** Visibility's token for the runs after these; absent when there are none. */
  next?: Uint8Array;
  /** The visibility query the page was read with (cursors are bound to it). */
  query: string;
}

/** The visibility query of a listing: running, with calls waiting, and the caller's filter. */
export function pendingRunsQuery(filter?: string): string {
  return ['ExecutionStatus = "Running"', 'WardenPendingApprovals > 0', filter]
    .filter((part) => part !== undefined && part !== '')
    .map((part) => `(${part})`)
    .join(' AND ');
}

function boundedLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LISTING_RUNS;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`a listing reads 1 or more runs, not ${limit}`);
  return Math.min(limit, MAX_LISTING_RUNS);
}

/**
 * One page of pending approvals: visibility (the WardenPendingApprovals search attribute) finds the
 * runs, `limit` of them at a time in visibility's order (newest start first), and each run's
 * waiting calls are read from the memo the listing returns (pending-memo.ts), so a page load costs
 * the listing and no workflow task. A run whose memo does not list them (recorded before runs did,
 * or with more calls waiting than the memo holds) is queried: at most `limit` queries however many
 * runs are paused. Visibility is eventually consistent: a just-paused run can take a moment to
 * appear, and a run decided a moment ago can still be found with its call (approving it is refused
 * by the run: nothing is waiting).
 */
export async function pendingApprovalsPage(
  client: Client,
  options: PendingPageOptions = {},
): Promise<PendingPage> {
  const limit = boundedLimit(options.limit);
  const query = pendingRunsQuery(options.filter);
  const runs: temporal.api.workflow.v1.IWorkflowExecutionInfo[] = [];
  let token = options.after;
  // Visibility may answer a page with fewer runs than asked and a token; a few more asks fill it.
  for (let asks = 0; asks < 4 && runs.length < limit; asks += 1) {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: limit - runs.length,
      ...(token ? { nextPageToken: token } : {}),
    });
    for (const execution of page.executions ?? []) {
      if (!execution.execution?.workflowId || runs.length >= limit) continue;
      runs.push(execution);
    }
    token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    if (token === undefined) break;
  }
  const items: PendingApproval[] = [];
  let queried = 0;
  for (const execution of runs) {
    const workflowId = execution.execution?.workflowId as string;
    const runId = execution.execution?.runId || undefined;
    try {
      const listed = runId ? await listedPendingMemo(client, workflowId, execution.memo) : undefined;
      if (listed !== undefined && runId !== undefined) {
        items.push(...servedAs(listed, workflowId, runId));
        continue;
      }
      queried += 1;
      items.push(...(await queryRun(client, workflowId, runId)));
    } catch {
      // The run finished between the listing and the query (nothing is pending there any more), or
      // its payloads are under a key this process does not hold (not ours to show).
    }
  }
  items.sort((a, b) => a.expiresAt - b.expiresAt);
  return { items, runs: runs.length, queried, query, ...(token ? { next: token } : {}) };
}

/**
 * Pending approvals of one run, or of the first `limit` runs with calls waiting (default 20, at
 * most 100; `pendingApprovalsPage` reads the pages after them).
 */
export async function listPendingApprovals(
  client: Client,
  options: ListPendingOptions = {},
): Promise<PendingApproval[]> {
  if (options.workflowId) return describeRun(client, options.workflowId, options.runId);
  return (await pendingApprovalsPage(client, options)).items;
}

/**
 * The pending calls of one run, as the show and approve paths read them: DescribeWorkflowExecution
 * (strongly consistent, no workflow task) names the run and returns its memo, decoded by the
 * client's data converter as any describe is; a run whose memo does not list its calls is queried.
 */
async function describeRun(client: Client, workflowId: string, runId?: string): Promise<PendingApproval[]> {
  const described = await client.workflow.getHandle(workflowId, runId).describe();
  const listed = memoPendingCalls(described.memo?.[PENDING_MEMO_FIELD]);
  if (listed !== undefined) return servedAs(listed, workflowId, described.runId);
  return queryRun(client, workflowId, described.runId);
}

/**
 * The pending calls of one run, named by the ids the server gave (visibility's, or the running
 * execution's when none is given): what each call's signed decision is verified for
 * (queried-decision.ts), never the ids the run's query reports of itself.
 */
async function queryRun(client: Client, workflowId: string, runId?: string): Promise<PendingApproval[]> {
  const served = runId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  const pending = await client.workflow.getHandle(workflowId, served).query(pendingApprovalsQuery);
  return Array.isArray(pending) ? servedAs(pending, workflowId, served) : [];
}

/**
 * Calls as the run reported them (its memo or its query), named by the run the server read them
 * from: the ids each call's signed answer must be bound to, whatever the run says of itself.
 */
function servedAs(calls: readonly PendingApproval[], workflowId: string, runId: string): PendingApproval[] {
  return calls.map((item) => ({ ...item, workflowId, runId }));
}
