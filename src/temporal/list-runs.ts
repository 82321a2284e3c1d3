import type { Client } from '@temporalio/client';

export interface ListedRun {
  workflowId: string;
  runId?: string;
}

/**
 * The runs a visibility query matches, newest first, through the raw service API. The SDK's own
 * list decodes each run's memo, so a single run encrypted under a payload key this process does not
 * hold would end the whole listing; callers decode each run on its own and skip what they cannot read.
 */
export async function* listRuns(client: Client, query: string, pageSize = 100): AsyncGenerator<ListedRun> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const execution of page.executions ?? []) {
      const workflowId = execution.execution?.workflowId;
      if (!workflowId) continue;
      const runId = execution.execution?.runId;
      yield runId ? { workflowId, runId } : { workflowId };
    }
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
}
