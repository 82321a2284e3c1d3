import { z } from 'zod';
import {
  type DecidedCall,
  decisionSignatureProblem,
  failureAnswer,
  jsonDigest,
  refusalAnswer,
} from '../guard/decision-signature.ts';
import { receivedResultClaim } from '../guard/tool-result-signature.ts';
import { GUARD_REFUSAL } from '../guard/types.ts';
import type { ZonePublicKeys } from '../guard/zone-signature.ts';
import { unverifiedWords } from '../provenance/explain.ts';
import type { CallProvenance } from '../provenance/types.ts';
import type { ActivityStep, RunHistory } from './run-history.ts';

/**
 * What a host checks a recorded decision with: the zones' public keys it is configured with (the
 * main worker's ring) and the zone of each tool from its own registry, never from the history.
 */
export interface DecisionVerifier {
  keys: ZonePublicKeys;
  zoneOf(tool: string): string | undefined;
}

/** A guarded call's decision as a tool worker recorded it in the history, checked. */
export type RecordedDecision =
  | {
      verified: true;
      callId: string;
      tool: string;
      decision: string;
      reason: string;
      /** Why a person is needed, when the decision was `needs_approval`. */
      reasons: string[];
      provenance?: CallProvenance;
      /** The request text the run sent with the call (its digest is signed). */
      request?: string;
      /** Digest of the arguments the decision is about (decision-signature.ts `jsonDigest`). */
      argumentsDigest: string;
    }
  | { verified: false; callId: string; tool: string; problem: string };

const party = z.object({ type: z.string(), id: z.string() });
const callInput = z.looseObject({
  callId: z.string(),
  tool: z.string(),
  arguments: z.unknown(),
  request: z.string().optional(),
  signOnce: z.boolean().optional(),
  round: z.number().optional(),
});
const decided = z.looseObject({ decision: z.string() });
/** The fields of a verified decision the surfaces read; a zone's worker wrote them. */
const signedFields = z.looseObject({
  decision: z.string(),
  reason: z.string(),
  reasons: z.array(z.string()).optional(),
});

/**
 * The call a guarded-call step is about, as its zone signed it: the run and the step's input (with
 * the decision round the run sent), the zone from this host's registry. A failure of a run that
 * counts rounds is also of the step's own activity execution: the id the server recorded it under,
 * and the attempt its details say it was signed in. A string says why there is none (the host does
 * not know the tool).
 */
function decidedCall(
  input: z.infer<typeof callInput>,
  step: ActivityStep,
  run: Pick<RunHistory, 'workflowId' | 'runId'>,
  verifier: DecisionVerifier,
  failure?: { details: unknown[] },
): DecidedCall | string {
  const zone = verifier.zoneOf(input.tool);
  if (zone === undefined) return `this host does not know tool ${input.tool} or its trust zone`;
  return {
    zone,
    workflowId: run.workflowId,
    runId: step.runId ?? run.runId,
    callId: input.callId,
    tool: input.tool,
    arguments: input.arguments,
    ...(input.request !== undefined ? { request: input.request } : {}),
    ...(input.round !== undefined ? { round: input.round } : {}),
    ...(input.round !== undefined && failure !== undefined
      ? { failedAttempt: { activityId: step.activityId, attempt: attemptOf(failure) } }
      : {}),
  };
}

/** The attempt a failure's details say the zone signed it in; 0 (no attempt is) when absent. */
function attemptOf(failure: { details: unknown[] }): number {
  const attempt = (failure.details[0] as { attempt?: unknown } | undefined)?.attempt;
  return typeof attempt === 'number' && Number.isSafeInteger(attempt) ? attempt : 0;
}

/**
 * The decision a guarded-call step records (its result, or the refusal it failed with), checked against the zone's keys, or undefined
 * when the step is no guarded call's decision. Unverified decisions keep no word of what they said.
 */
export function recordedDecision(
  step: ActivityStep,
  run: Pick<RunHistory, 'workflowId' | 'runId'>,
  verifier: DecisionVerifier,
): RecordedDecision | undefined {
  const refusal = step.applicationFailure?.type === GUARD_REFUSAL ? step.applicationFailure : undefined;
  if (step.outcome !== 'completed' && refusal === undefined) return undefined;
  const input = callInput.safeParse(step.input[0]);
  if (!input.success) return undefined;
  if (refusal === undefined && !decided.safeParse(step.result).success) return undefined;
  const { callId, tool } = input.data;
  const call = decidedCall(input.data, step, run, verifier, refusal);
  if (typeof call === 'string') return { verified: false, callId, tool, problem: call };
  // A refusal is a decision too: the zone signs its code and message in the failure's details.
  const detail = refusal?.details[0] as { code?: unknown; decisionSignature?: unknown } | undefined;
  const answer = refusal
    ? { ...refusalAnswer(detail?.code, refusal.message), decisionSignature: detail?.decisionSignature }
    : step.result;
  // Asked to sign once, the zone signed an executed call's decision with its result's digest.
  const once =
    input.data.signOnce === true &&
    refusal === undefined &&
    decided.parse(step.result).decision === 'executed';
  // Who the result was for, as the run sent it: what the zone signed it for.
  const agent = party.safeParse(input.data.agent).data;
  const onBehalfOf = party.safeParse(input.data.onBehalfOf).data;
  const problem =
    once && (agent === undefined || onBehalfOf === undefined)
      ? 'the executed call names no agent or user its result was signed for'
      : decisionSignatureProblem(
          verifier.keys,
          call,
          answer,
          once && agent && onBehalfOf
            ? receivedResultClaim(
                { ...call, agent, onBehalfOf },
                (step.result as { execution?: unknown }).execution,
              )
            : undefined,
        );
  const provenance = refusal ? undefined : (step.result as { provenance?: CallProvenance }).provenance;
  return checkedDecision(call, answer, problem, provenance);
}

/**
 * A decision of the zone's worker for `call` as a surface may show it: its verdict, reasons and
 * provenance when `problem` (from decisionSignatureProblem) is undefined, no word of it otherwise.
 * `provenance` is the one the signature covered (the answer's, for a decision returned as a result).
 */
export function checkedDecision(
  call: DecidedCall,
  answer: unknown,
  problem: string | undefined,
  provenance: CallProvenance | undefined,
): RecordedDecision {
  const { callId, tool } = call;
  const fields = signedFields.safeParse(answer);
  if (problem !== undefined || !fields.success) {
    return { verified: false, callId, tool, problem: problem ?? 'the signed decision has no verdict' };
  }
  return {
    verified: true,
    callId,
    tool,
    decision: fields.data.decision,
    reason: fields.data.reason,
    reasons: fields.data.reasons ?? [],
    ...(provenance !== undefined ? { provenance } : {}),
    ...(typeof call.request === 'string' ? { request: call.request } : {}),
    argumentsDigest: jsonDigest(call.arguments),
  };
}

/** Per call id, the last guarded-call decision of the run's history, checked. */
export function recordedDecisions(
  run: Pick<RunHistory, 'workflowId' | 'runId' | 'steps'>,
  verifier: DecisionVerifier,
): Map<string, RecordedDecision> {
  const found = new Map<string, RecordedDecision>();
  for (const step of run.steps) {
    if (step.kind !== 'activity') continue;
    const decision = recordedDecision(step, run, verifier);
    if (decision !== undefined) found.set(decision.callId, decision);
  }
  return found;
}

/** Why a failed guarded call's words are not shown. */
export const UNSIGNED_FAILURE = "a tool failure is not signed by the zone's worker";

/** What the audit says of a guarded call that failed, instead of the words it failed with. */
export const UNSIGNED_FAILURE_REASON = `tool failed: ${unverifiedWords(UNSIGNED_FAILURE)}`;

/** A guarded call's failure as recorded (not a refusal), checked: its words only when signed. */
export interface RecordedFailure {
  callId: string;
  tool: string;
  verified: boolean;
  /** `tool failed: <the signed message>`, as the run records it; UNSIGNED_FAILURE_REASON when unverified. */
  reason: string;
  /** Why the failure's words are not shown, when unverified. */
  problem?: string;
}

/**
 * The failure of a guarded-call step that failed in words of its own, checked: the message (and
 * type) of an activity failure is whatever the worker that answered the task reported, and a poller
 * on the zone's queue can answer in words of its choice. The zone's worker signs each failure it
 * throws (signed-failures.ts) over its type and message and the call; only a failure whose
 * signature verifies for exactly this call of this run keeps its words. Undefined when the step is
 * no guarded call's failure: a refusal is a decision (recordedDecision checks it), and a timeout is
 * the server's, not a worker's.
 */
export function recordedFailure(
  step: ActivityStep,
  run: Pick<RunHistory, 'workflowId' | 'runId'>,
  verifier: DecisionVerifier,
): RecordedFailure | undefined {
  const failure = step.applicationFailure;
  if (step.outcome !== 'failed' || failure?.type === GUARD_REFUSAL) return undefined;
  const input = callInput.safeParse(step.input[0]);
  if (!input.success) return undefined;
  const { callId, tool } = input.data;
  const unverified = (problem: string): RecordedFailure => ({
    callId,
    tool,
    verified: false,
    reason: UNSIGNED_FAILURE_REASON,
    problem,
  });
  if (failure === undefined) return unverified(UNSIGNED_FAILURE);
  const call = decidedCall(input.data, step, run, verifier, failure);
  if (typeof call === 'string') return unverified(call);
  const detail = failure.details[0] as { decisionSignature?: unknown } | undefined;
  const answer = {
    ...failureAnswer(failure.type, failure.message),
    decisionSignature: detail?.decisionSignature,
  };
  const problem = decisionSignatureProblem(verifier.keys, call, answer);
  if (problem !== undefined) return unverified(problem);
  return { callId, tool, verified: true, reason: `tool failed: ${failure.message}` };
}
