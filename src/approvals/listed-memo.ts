import type { Client } from '@temporalio/client';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type { PendingApproval } from '../guard/types.ts';
import { memoPendingCalls, PENDING_MEMO_FIELD } from '../workflows/guard/pending-memo.ts';

/**
 * The waiting calls a run lists in its memo, read from a visibility listing's raw answer: only that
 * memo field is decoded, through the client's data converter (its codec may encrypt memos, bound to
 * the workflow id) with the context a describe of the run uses. Undefined when the memo does not
 * list them (pending-memo.ts: the run is then queried). Throws if the field cannot be decoded (a
 * payload key this process does not hold).
 */
export async function listedPendingMemo(
  client: Client,
  workflowId: string,
  memo: temporal.api.common.v1.IMemo | null | undefined,
): Promise<PendingApproval[] | undefined> {
  const field = memo?.fields?.[PENDING_MEMO_FIELD];
  if (field === undefined || field === null) return undefined;
  const decoded = await decodeMapFromPayloads(
    client.options.loadedDataConverter,
    { [PENDING_MEMO_FIELD]: field },
    { type: 'workflow', namespace: client.options.namespace, workflowId },
  );
  return memoPendingCalls(decoded?.[PENDING_MEMO_FIELD]);
}
