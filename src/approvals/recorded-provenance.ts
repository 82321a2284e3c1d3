import type { Client } from '@temporalio/client';
import { decodeHistoryWithClient } from '../audit/decode-history.ts';
import {
  type DecisionVerifier,
  type RecordedDecision,
  recordedDecisions,
} from '../audit/recorded-decisions.ts';
import { decodeRunHistory } from '../audit/run-history.ts';
import { jsonDigest } from '../guard/decision-signature.ts';
import type { PendingApproval } from '../guard/types.ts';

/**
 * Per call id, the last decision the tool worker recorded in the history of run `runId` of
 * `workflowId`, checked. A pending call waits in the running execution, the workflow id's latest:
 * a run id the run reports for itself that is not that one names another run's decisions.
 */
export async function recordedDecisionsOf(
  client: Client,
  workflowId: string,
  runId: string,
  verifier: DecisionVerifier,
): Promise<Map<string, RecordedDecision>> {
  const latest = await client.workflow.getHandle(workflowId).describe();
  if (latest.runId !== runId) throw new Error(`run ${runId} is not the running execution of ${workflowId}`);
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const run = decodeRunHistory(await decodeHistoryWithClient(client, history, workflowId), workflowId);
  // The handle's run id, not one the history could claim.
  return recordedDecisions({ ...run, runId }, verifier);
}

type VerifiedDecision = Extract<RecordedDecision, { verified: true }>;

/**
 * The zone-signed `needs_approval` decision for exactly this tool and these arguments that the
 * pending call may be shown and approved on, or why there is none.
 */
export function shownDecision(
  pending: Pick<PendingApproval, 'tool' | 'arguments'>,
  recorded: RecordedDecision | undefined,
): { decision: VerifiedDecision } | { problem: string } {
  if (recorded === undefined) return { problem: 'no decision of the tool worker is recorded for this call' };
  if (!recorded.verified) return { problem: recorded.problem };
  if (recorded.decision !== 'needs_approval') {
    return { problem: `the tool worker decided ${recorded.decision}, not that a person decides` };
  }
  if (recorded.tool !== pending.tool || recorded.argumentsDigest !== jsonDigest(pending.arguments)) {
    return { problem: 'the call shown is not the call the tool worker decided on' };
  }
  return { decision: recorded };
}

/**
 * Pending calls with the reasons, provenance and request text the tool worker signed, read from
 * each run's history (the activity's result) and verified with the zone's keys, instead of what the
 * run's query reports: workflow code may be hostile and could show a tainted recipient as "in
 * alice's request", and a poller on the zone's queue may have answered in the worker's stead. A
 * call whose recorded decision does not verify (or cannot be read) keeps none of those words: its
 * `decisionCheck` says why.
 */
export async function withRecordedProvenance(
  client: Client,
  pending: readonly PendingApproval[],
  verifier: DecisionVerifier,
): Promise<PendingApproval[]> {
  const byRun = new Map<string, Promise<Map<string, RecordedDecision>>>();
  const out: PendingApproval[] = [];
  for (const item of pending) {
    const { provenance: _shown, request: _sent, reasons: _said, decisionCheck: _claimed, ...call } = item;
    const key = `${item.workflowId}\u0000${item.runId}`;
    let recorded = byRun.get(key);
    if (recorded === undefined) {
      // A run whose history cannot be read, or that names another run, shows nothing it recorded.
      recorded = recordedDecisionsOf(client, item.workflowId, item.runId, verifier).catch(
        () => new Map<string, RecordedDecision>(),
      );
      byRun.set(key, recorded);
    }
    const shown = shownDecision(item, (await recorded).get(item.callId));
    if ('problem' in shown) {
      out.push({ ...call, reasons: [], decisionCheck: { verified: false, problem: shown.problem } });
      continue;
    }
    const { reasons, provenance, request } = shown.decision;
    out.push({
      ...call,
      reasons,
      ...(provenance !== undefined ? { provenance } : {}),
      ...(request !== undefined ? { request } : {}),
      decisionCheck: { verified: true },
    });
  }
  return out;
}
