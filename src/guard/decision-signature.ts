/**
 * Every decision a tool worker returns for a guarded call (executed, needs approval, denied) is
 * signed with its zone's Ed25519 key over the encoding below. The run verifies it before it pauses
 * for a person or records a denial, and every surface that shows a person the recorded reasons and
 * provenance verifies it again from the history: a poller on the zone's task queue without the key
 * cannot make up a harmless-looking decision for an approver to approve. Pure JS (sandbox-safe).
 */
import { bytesToHex } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { callMembers, canonicalObject, carriedJson, memberJson } from './canonical-json.ts';
import { resultDigest, type ToolResultClaim } from './tool-result-signature.ts';
import { type ResultSignature, type ZonePublicKeys, zoneSignatureProblem } from './zone-signature.ts';

const DOMAIN = 'warden-tool-decision-v1';

/** The call a decision is about, as the run sent it to the zone's worker. */
export interface DecidedCall {
  zone: string;
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  /** The arguments as the run sent them (before the worker's own parsing). */
  arguments: unknown;
  /**
   * `carriedJson(arguments)`, when the caller encoded the arguments once for all of the call's
   * checks (the run does, per resolved call); it must be exactly that. Absent, it is computed.
   */
  argumentsJson?: string;
  /** The request text the run sent with the call, if any. */
  request?: unknown;
  /**
   * Which decision round of the call this is (1, then one more each time the policy changed while
   * it waited), as the run counts them; absent in runs recorded before rounds were signed.
   */
  round?: number;
  /** For a failure or refusal the worker threw: the activity execution it is of. */
  failedAttempt?: FailedAttempt;
}

/**
 * The activity execution a failure is of: the activity id Temporal scheduled it under (the run
 * checks it against the one the server reports the failure for) and the attempt that threw.
 */
export interface FailedAttempt {
  activityId: string;
  attempt: number;
}

/**
 * What a zone's decision signature covers: the call (run, call id, decision round, tool, digest of
 * its arguments and of the request text; for a failure, the activity execution and attempt) and everything the worker said of it that a person may be shown: the
 * verdict and its code, the reasons, the policy and intent decisions, and the recorded provenance.
 */
export interface ToolDecisionClaim {
  zone: string;
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  argumentsDigest: string;
  requestDigest: string | null;
  decision: unknown;
  code: unknown;
  reason: unknown;
  reasons: unknown;
  authorization: unknown;
  intent: unknown;
  provenance: unknown;
  /**
   * For a call the worker decided and executed in one activity, the digest of its result's message
   * (tool-result-signature.ts `resultDigest`): one signature then vouches for the decision and the
   * result. Absent from every other decision, so neither kind of claim verifies as the other.
   */
  result?: string;
  /** The call's decision round (`DecidedCall.round`), when the run counts rounds. */
  round?: number;
  /** For a failure: the activity id and attempt it is of (`DecidedCall.failedAttempt`). */
  activityId?: string;
  attempt?: number;
  /**
   * What a call that needs people waits with (digest, eligible approvers, approval keys), when the
   * run asked the worker to prepare it. Absent from every other decision, so old claims verify as ever.
   */
  approval?: unknown;
}

const encoder = new TextEncoder();

/** `sha256:` + hex over a value's canonical JSON (`carriedJson`, or what it gave before). */
function digestOf(json: string): string {
  return `sha256:${bytesToHex(sha256(encoder.encode(json)))}`;
}

/** `sha256:` + hex over the canonical JSON of a value as the run carries it (JSON). */
export function jsonDigest(value: unknown): string {
  return digestOf(carriedJson(value));
}

/**
 * The request text last digested, with its digest: a run sends the same request with every call, so
 * each call's checks need not hash it again. Memoization of a pure function, keyed by the exact text.
 */
let lastRequest: { text: string; digest: string } | undefined;

function requestDigest(text: string): string {
  if (lastRequest?.text !== text) lastRequest = { text, digest: jsonDigest(text) };
  return lastRequest.digest;
}

const field = (answer: unknown, name: string): unknown =>
  typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>)[name] : undefined;

/**
 * The claim of `answer` (a guarded call's activity result, as whoever completed the activity sent
 * it) about `call`, bound to `result` when the answer is signed with its result. Reads the answer
 * defensively: it may be anything a poller made up.
 */
export function decisionClaim(
  call: DecidedCall,
  answer: unknown,
  result?: ToolResultClaim,
): ToolDecisionClaim {
  return {
    zone: call.zone,
    workflowId: call.workflowId,
    runId: call.runId,
    callId: call.callId,
    tool: call.tool,
    argumentsDigest: digestOf(call.argumentsJson ?? carriedJson(call.arguments)),
    requestDigest: typeof call.request === 'string' ? requestDigest(call.request) : null,
    decision: field(answer, 'decision'),
    code: field(answer, 'code'),
    reason: field(answer, 'reason'),
    reasons: field(answer, 'reasons'),
    authorization: field(answer, 'authorization'),
    intent: field(answer, 'intent'),
    provenance: field(answer, 'provenance'),
    ...(result === undefined ? {} : { result: resultDigest(result) }),
    ...(call.round === undefined ? {} : { round: call.round }),
    ...(call.failedAttempt === undefined
      ? {}
      : { activityId: call.failedAttempt.activityId, attempt: call.failedAttempt.attempt }),
    ...(field(answer, 'approval') === undefined ? {} : { approval: field(answer, 'approval') }),
  };
}

/**
 * A refusal the zone's worker throws instead of returning a decision (a malformed call, an unknown
 * tool, a re-check that fails at execution), as the answer its signature covers: the refusal code
 * and the failure's message.
 */
export function refusalAnswer(
  code: unknown,
  message: unknown,
): { decision: 'refused'; code: unknown; reason: unknown } {
  return { decision: 'refused', code, reason: message };
}

/**
 * A failure of the zone's worker that is no refusal (the tool threw, a service it needs is down),
 * as the answer its signature covers: the failure's type and message. Signed like a refusal, so the
 * audit can show an honest failure in its words and a poller's made-up one in none.
 */
export function failureAnswer(
  type: unknown,
  message: unknown,
): { decision: 'failed'; code: unknown; reason: unknown } {
  return { decision: 'failed', code: type, reason: message };
}

/**
 * The bytes a zone signs for a decision: the claim as RFC 8785 canonical JSON under its domain, the
 * fields it took from the answer as JSON carries them. Composed from each member's encoding, the
 * bytes `canonicalJson` writes for the whole object (test/unit/guard/decision-signature.test.ts).
 */
export function decisionMessage(claim: ToolDecisionClaim): Uint8Array {
  return encoder.encode(
    canonicalObject({
      ...callMembers(DOMAIN, claim),
      argumentsDigest: memberJson(claim.argumentsDigest),
      requestDigest: memberJson(claim.requestDigest),
      decision: carriedJson(claim.decision),
      code: carriedJson(claim.code),
      reason: carriedJson(claim.reason),
      reasons: carriedJson(claim.reasons),
      authorization: carriedJson(claim.authorization),
      intent: carriedJson(claim.intent),
      provenance: carriedJson(claim.provenance),
      result: memberJson(claim.result),
      // Absent from claims of runs that count no rounds, so their recorded signatures still verify.
      round: memberJson(claim.round),
      activityId: memberJson(claim.activityId),
      attempt: memberJson(claim.attempt),
      approval: claim.approval === undefined ? undefined : carriedJson(claim.approval),
    }),
  );
}

/**
 * Why `answer` is not a decision the zone's worker signed for `call`, or undefined when a
 * configured key of the zone signed exactly this decision about exactly this call (and, with
 * `result`, exactly this result of it: the worker executed the call and signed both as one).
 */
export function decisionSignatureProblem(
  keys: ZonePublicKeys,
  call: DecidedCall,
  answer: unknown,
  result?: ToolResultClaim,
): string | undefined {
  const signature = field(answer, 'decisionSignature') as Partial<ResultSignature> | undefined;
  return zoneSignatureProblem(
    keys,
    call.zone,
    'decision',
    () => decisionMessage(decisionClaim(call, answer, result)),
    typeof signature === 'object' && signature !== null ? signature : undefined,
  );
}
