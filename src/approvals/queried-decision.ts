import {
  checkedDecision,
  type DecisionVerifier,
  type RecordedDecision,
} from '../audit/recorded-decisions.ts';
import { decisionSignatureProblem } from '../guard/decision-signature.ts';
import type { PendingApproval } from '../guard/types.ts';
import type { CallProvenance } from '../provenance/types.ts';

/** Why a pending call whose run reports no signed answer of the tool worker is not shown. */
export const NO_SIGNED_ANSWER = 'the run reports no decision of the tool worker signed for this call';

/** The run a pending call was read from, as the server named it (visibility, the queried handle). */
export interface ServedRun {
  workflowId: string;
  runId: string;
}

/**
 * The tool worker's decision on a pending call, checked from the signed answer the run's memo or
 * query carries instead of from the run's history: a signature verifies on any copy, whoever hands it
 * over. It is verified for the run the server says the call was read from (never the run's own
 * claim of its ids), the pending call's id and tool, and the arguments and request text the copy
 * names (their digests recomputed here); shownDecision then compares those with what is shown. Its
 * reasons and provenance are the answer's, the signed ones. Hostile workflow code can omit the
 * answer, hand over another call's or run's genuine one, or edit it next to its signature: each is
 * unverified and keeps no word of what it says.
 */
export function queriedDecision(
  pending: Pick<PendingApproval, 'callId' | 'tool' | 'signedDecision'>,
  run: ServedRun,
  verifier: DecisionVerifier,
): RecordedDecision {
  const { callId, tool, signedDecision: copy } = pending;
  if (typeof copy !== 'object' || copy === null) {
    return { verified: false, callId, tool, problem: NO_SIGNED_ANSWER };
  }
  const zone = verifier.zoneOf(tool);
  if (zone === undefined) {
    return {
      verified: false,
      callId,
      tool,
      problem: `this host does not know tool ${tool} or its trust zone`,
    };
  }
  const call = {
    zone,
    workflowId: run.workflowId,
    runId: run.runId,
    callId,
    tool,
    arguments: copy.arguments,
    ...(typeof copy.request === 'string' ? { request: copy.request } : {}),
    ...(typeof copy.round === 'number' ? { round: copy.round } : {}),
  };
  const problem = decisionSignatureProblem(verifier.keys, call, copy.answer);
  const answer = copy.answer as { provenance?: CallProvenance } | null | undefined;
  const provenance = typeof answer === 'object' && answer !== null ? answer.provenance : undefined;
  return checkedDecision(call, copy.answer, problem, provenance ?? undefined);
}
