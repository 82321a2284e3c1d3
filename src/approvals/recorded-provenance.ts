import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { decodeHistoryWithClient } from '../audit/decode-history.ts';
import { decodeRunHistory } from '../audit/run-history.ts';
import type { PendingApproval } from '../guard/types.ts';
import type { CallProvenance } from '../provenance/types.ts';

/** A guarded call's activity in the history: its input names the call, its result holds the verdict. */
const callInput = z.looseObject({ callId: z.string(), request: z.string().optional() });
const callResult = z.looseObject({
  decision: z.string(),
  provenance: z.looseObject({ verdict: z.string() }),
});

interface Recorded {
  provenance: CallProvenance;
  request?: string;
}

/** Per call id, the last provenance the tool worker returned for it in this history. */
async function recordedByCall(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<Map<string, Recorded>> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const run = decodeRunHistory(await decodeHistoryWithClient(client, history, workflowId), workflowId);
  const found = new Map<string, Recorded>();
  for (const step of run.steps) {
    if (step.kind !== 'activity' || step.outcome !== 'completed') continue;
    const input = callInput.safeParse(step.input[0]);
    const result = callResult.safeParse(step.result);
    if (!input.success || !result.success) continue;
    found.set(input.data.callId, {
      provenance: result.data.provenance as unknown as CallProvenance,
      ...(input.data.request !== undefined ? { request: input.data.request } : {}),
    });
  }
  return found;
}

/**
 * Pending calls with the provenance and request text the tool worker decided on, read from each
 * run's history (the activity's result, written by the tool worker) instead of what the run's query
 * reports: workflow code may be hostile and could show a tainted recipient as "in alice's request".
 * The request text is the one the run sent to the tool worker, which counted it only when it matched
 * the signed digest (`provenance.request` says how it counted). A run whose history cannot be read
 * shows no provenance at all rather than the run's own account of it.
 */
export async function withRecordedProvenance(
  client: Client,
  pending: readonly PendingApproval[],
): Promise<PendingApproval[]> {
  const byRun = new Map<string, Promise<Map<string, Recorded>>>();
  const out: PendingApproval[] = [];
  for (const item of pending) {
    const { provenance: _shown, request: _sent, ...call } = item;
    const key = `${item.workflowId}\u0000${item.runId}`;
    let recorded = byRun.get(key);
    if (recorded === undefined) {
      recorded = recordedByCall(client, item.workflowId, item.runId).catch(() => new Map<string, Recorded>());
      byRun.set(key, recorded);
    }
    const own = (await recorded).get(item.callId);
    out.push(
      own === undefined
        ? call
        : {
            ...call,
            provenance: own.provenance,
            ...(own.request !== undefined ? { request: own.request } : {}),
          },
    );
  }
  return out;
}
