/**
 * Tool results bound to the trust zone's worker that produced them. The zone's worker signs each
 * result with the zone's Ed25519 key (src/zones/result-signer.ts); the run verifies it with the
 * zone's public keys before it accepts the output, so a poller on the zone's task queue without the
 * key cannot make results up. Pure JS: verification runs deterministically inside the workflow sandbox.
 */
import { hexToBytes } from '@noble/curves/utils.js';
import type { OsoValue, RecordFilter } from '../authz/types.ts';
import { canonicalJson } from './canonical-json.ts';
import { ed25519Verify } from './ed25519-verify.ts';

const DOMAIN = 'warden-tool-result-v1';

/** What a zone's signature covers: this output, of this call, in this run, from this zone. */
export interface ToolResultClaim {
  zone: string;
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
  arguments: unknown;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  output: unknown;
  recordsRead: number;
  /** What the worker removed from the output; signed when present (results of older runs have none). */
  filtered?: RecordFilter;
  attempt: number;
  idempotencyKey: string;
}

export interface ResultSignature {
  /** The first 16 hex digits of the signing public key: which configured key to verify with. */
  keyId: string;
  /** Ed25519 over the canonical JSON of the claim, hex. */
  signature: string;
}

/** The public keys of each zone (hex), as the trusted main worker's configuration has them. */
export type ZonePublicKeys = Record<string, string[]>;

export function resultKeyId(publicKeyHex: string): string {
  return publicKeyHex.slice(0, 16);
}

/** A value as it reaches the run: JSON, as Temporal's payload converter carries it. */
function asJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** The bytes a zone signs for a result: the claim as canonical JSON, under this purpose's domain. */
export function resultMessage(claim: ToolResultClaim): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({
      domain: DOMAIN,
      zone: claim.zone,
      workflowId: claim.workflowId,
      runId: claim.runId,
      callId: claim.callId,
      tool: claim.tool,
      arguments: asJson(claim.arguments),
      agent: { type: claim.agent.type, id: claim.agent.id },
      onBehalfOf: { type: claim.onBehalfOf.type, id: claim.onBehalfOf.id },
      output: asJson(claim.output),
      recordsRead: claim.recordsRead,
      ...(claim.filtered === undefined ? {} : { filtered: asJson(claim.filtered) }),
      attempt: claim.attempt,
      idempotencyKey: claim.idempotencyKey,
    }),
  );
}

/** Why the run refuses a result, or undefined when a configured key of the zone signed exactly it. */
export function resultSignatureProblem(
  keys: ZonePublicKeys,
  claim: ToolResultClaim,
  signature: Partial<ResultSignature> | undefined,
): string | undefined {
  const candidates = keys[claim.zone] ?? [];
  if (candidates.length === 0) return `no public key is configured for trust zone ${claim.zone}`;
  if (typeof signature?.signature !== 'string' || typeof signature.keyId !== 'string') {
    return `the result is not signed by the worker of trust zone ${claim.zone}`;
  }
  const key = candidates.find((k) => resultKeyId(k) === signature.keyId);
  if (key === undefined)
    return `the result is signed with key ${signature.keyId}, not a key of zone ${claim.zone}`;
  try {
    // ZIP-215 decoding, as noble's default verify that accepted results before.
    const signed = hexToBytes(signature.signature);
    if (ed25519Verify(signed, resultMessage(claim), hexToBytes(key), { zip215: true })) return undefined;
  } catch {
    // A malformed signature or claim is a bad signature.
  }
  return `the result's signature does not verify with the key of trust zone ${claim.zone}`;
}
