/**
 * Tool results bound to the trust zone's worker that produced them. The zone's worker signs each
 * result with the zone's Ed25519 key (src/zones/result-signer.ts); the run verifies it with the
 * zone's public keys before it accepts the output, so a poller on the zone's task queue without the
 * key cannot make results up. Pure JS: verification runs deterministically inside the workflow sandbox.
 */
import { bytesToHex } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { OsoValue, RecordFilter } from '../authz/types.ts';
import { callMembers, canonicalObject, carriedJson, memberJson } from './canonical-json.ts';
import {
  type ResultSignature,
  resultKeyId,
  type ZonePublicKeys,
  zoneSignatureProblem,
} from './zone-signature.ts';

export { type ResultSignature, resultKeyId, type ZonePublicKeys };

const DOMAIN = 'warden-tool-result-v1';

/** What a zone's signature covers: this output, of this call, in this run, from this zone. */
export interface ToolResultClaim {
  zone: string;
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  arguments: unknown;
  /** `carriedJson(arguments)` when the caller encoded it once (as `DecidedCall.argumentsJson`). */
  argumentsJson?: string;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  output: unknown;
  recordsRead: number;
  /** What the worker removed from the output; signed when present (results of older runs have none). */
  filtered?: RecordFilter;
  attempt: number;
  idempotencyKey: string;
}

const encoder = new TextEncoder();

/**
 * The bytes a zone signs for a result: the claim as canonical JSON, under this purpose's domain, the
 * arguments, output and filter as JSON carries them. Composed from each member's encoding, the bytes
 * `canonicalJson` writes for the whole object.
 */
export function resultMessage(claim: ToolResultClaim): Uint8Array {
  const party = (who: OsoValue) => canonicalObject({ type: memberJson(who.type), id: memberJson(who.id) });
  return encoder.encode(
    canonicalObject({
      ...callMembers(DOMAIN, claim),
      arguments: claim.argumentsJson ?? carriedJson(claim.arguments),
      agent: party(claim.agent),
      onBehalfOf: party(claim.onBehalfOf),
      output: carriedJson(claim.output),
      recordsRead: memberJson(claim.recordsRead),
      filtered: claim.filtered === undefined ? undefined : carriedJson(claim.filtered),
      attempt: memberJson(claim.attempt),
      idempotencyKey: memberJson(claim.idempotencyKey),
    }),
  );
}

/** The call a result is about, as the run sent it (what both of its signatures bind). */
export type ResultCall = Pick<
  ToolResultClaim,
  'zone' | 'workflowId' | 'runId' | 'callId' | 'tool' | 'arguments' | 'argumentsJson' | 'agent' | 'onBehalfOf'
>;

/**
 * The claim of `execution` (an executed call's result as whoever completed the activity sent it)
 * about `call`. Reads it defensively: a field of the wrong type stays as sent, and a claim with one
 * does not verify.
 */
export function receivedResultClaim(call: ResultCall, execution: unknown): ToolResultClaim {
  // Typed as the claim says; the types are the sender's word, checked by the signature alone.
  const sent = (typeof execution === 'object' && execution !== null ? execution : {}) as ToolResultClaim;
  return {
    ...call,
    output: sent.output,
    recordsRead: sent.recordsRead,
    ...(sent.filtered === undefined ? {} : { filtered: sent.filtered }),
    attempt: sent.attempt,
    idempotencyKey: sent.idempotencyKey,
  };
}

/**
 * `sha256:` + hex over the result's message: what a decision signature binds when the zone's worker
 * decided and executed the call in one activity and signs both at once (decision-signature.ts).
 */
export function resultDigest(claim: ToolResultClaim): string {
  return `sha256:${bytesToHex(sha256(resultMessage(claim)))}`;
}

/** Why the run refuses a result, or undefined when a configured key of the zone signed exactly it. */
export function resultSignatureProblem(
  keys: ZonePublicKeys,
  claim: ToolResultClaim,
  signature: Partial<ResultSignature> | undefined,
): string | undefined {
  return zoneSignatureProblem(keys, claim.zone, 'result', () => resultMessage(claim), signature);
}
