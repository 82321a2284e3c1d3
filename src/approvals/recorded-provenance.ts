import type { DecisionVerifier, RecordedDecision } from '../audit/recorded-decisions.ts';
import { jsonDigest } from '../guard/decision-signature.ts';
import type { PendingApproval } from '../guard/types.ts';
import { queriedDecision } from './queried-decision.ts';

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
 * Pending calls with the reasons, provenance and request text the tool worker signed, verified with
 * the zone's keys on the signed answer each call's memo entry or query answer carries
 * (queried-decision.ts), instead of what the run says of them: workflow code may be hostile and could show a tainted recipient
 * as "in alice's request", and a poller on the zone's queue may have answered in the worker's stead.
 * Each call's `workflowId` and `runId` are the ones the server named it by (list-pending.ts reads
 * them from visibility, the describe or the queried handle), so the binding is to the run it came from. A call
 * whose answer does not verify keeps none of those words: its `decisionCheck` says why. No history
 * is read. The signed answer stays with the call: the service verifies it again before it signs.
 */
export function withRecordedProvenance(
  pending: readonly PendingApproval[],
  verifier: DecisionVerifier,
): PendingApproval[] {
  return pending.map((item) => {
    const { provenance: _shown, request: _sent, reasons: _said, decisionCheck: _claimed, ...call } = item;
    const shown = shownDecision(item, queriedDecision(item, item, verifier));
    if ('problem' in shown) {
      return { ...call, reasons: [], decisionCheck: { verified: false, problem: shown.problem } };
    }
    const { reasons, provenance, request } = shown.decision;
    return {
      ...call,
      reasons,
      ...(provenance !== undefined ? { provenance } : {}),
      ...(request !== undefined ? { request } : {}),
      decisionCheck: { verified: true },
    };
  });
}
