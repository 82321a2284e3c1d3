/**
 * Signatures already verified, by an id naming the key and the signature, with the exact message
 * each verified for. Ed25519 verification is deterministic, so the same (key, message, signature)
 * needs checking once: the tool worker checks the same requester assertion on every call of a run,
 * and a workflow worker that replays an evicted run verifies again the zone-signed decision it
 * verified when the run paused. A hit needs the same message byte for byte: a known-good signature
 * attached to other bytes is verified (and refused) like any other. Only valid signatures are kept.
 *
 * In the workflow sandbox this is one of the shared modules (src/workers/sandbox-shared.ts): one
 * table per worker serves every run, as a per-run copy could not serve a replay. It is memoization
 * of a pure function, so no run can learn from it or change what another run's check answers.
 */

const verified = new Map<string, Uint8Array>();
/**
 * Enough for every run of a worker holding a thousand paused runs (each verified its decision
 * when it paused, then an approval and a result), at about 1.5 KiB a decision's message.
 */
const MAX_VERIFIED = 4096;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `verify()`'s answer for `message` under `id` (the key, the signature and the verification mode),
 * calling it only when this exact message has not verified under `id` before.
 */
export function verifiedOnce(id: string, message: Uint8Array, verify: () => boolean): boolean {
  const known = verified.get(id);
  if (known !== undefined && sameBytes(known, message)) return true;
  if (!verify()) return false;
  if (verified.size >= MAX_VERIFIED && !verified.has(id)) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  // A copy: the caller's buffer is its own to change.
  verified.set(id, message.slice());
  return true;
}
