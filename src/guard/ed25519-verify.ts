/**
 * Ed25519 verification (RFC 8032 §5.1.7, cofactored equation) for code that also runs in the
 * workflow sandbox, built from @noble/curves' own primitives.
 *
 * Why not `ed25519.verify` itself: it multiplies the base point through a wNAF table that noble
 * builds lazily once per module instance, and the Temporal sandbox evaluates every module anew for
 * each workflow run, so every run paid for that table (about 10 ms) before it accepted its first
 * result. Here [s]B − [k]A is one interleaved multi-scalar multiplication (`mulAddUnsafe`, small
 * per-call tables), and each public key is decoded once per module instance. The acceptance rules
 * are noble's, mode for mode (test/unit/guard/ed25519-verify.test.ts checks both against it):
 * - strict (`zip215: false`, RFC 8032 / FIPS 186-5): canonical encodings only, small-order public
 *   keys refused;
 * - ZIP-215 (`zip215: true`): non-canonical point encodings accepted, as noble's default does.
 * In both, S must be below the group order.
 */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, concatBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';

type Point = InstanceType<typeof ed25519.Point>;

const Point = ed25519.Point;
const ORDER = Point.Fn.ORDER;
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** Decoded public keys (or `null`: not a key this mode accepts), by mode and encoding. */
const decodedKeys = new Map<string, Point | null>();
/** Configured keys are few; anything beyond this is not kept (a bound, not an eviction policy). */
const MAX_DECODED_KEYS = 256;

function keyPoint(publicKey: Uint8Array, zip215: boolean): Point | null {
  const id = `${zip215 ? 'z' : 's'}${bytesToHex(publicKey)}`;
  const known = decodedKeys.get(id);
  if (known !== undefined) return known;
  let point: Point | null;
  try {
    point = Point.fromBytes(publicKey, zip215);
    if (!zip215 && point.isSmallOrder()) point = null;
  } catch {
    point = null;
  }
  if (decodedKeys.size < MAX_DECODED_KEYS) decodedKeys.set(id, point);
  return point;
}

/** An Ed25519 check: this module's (sandbox-safe) or the tool worker's native one. */
export type Ed25519Verifier = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  options: { zip215: boolean },
) => boolean;

/** True when `signature` is `publicKey`'s Ed25519 signature of `message`; never throws. */
export function ed25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  options: { zip215: boolean },
): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== KEY_BYTES) return false;
  const A = keyPoint(publicKey, options.zip215);
  if (A === null) return false;
  const r = signature.subarray(0, KEY_BYTES);
  const s = bytesToNumberLE(signature.subarray(KEY_BYTES));
  if (s >= ORDER) return false;
  let R: Point;
  try {
    R = Point.fromBytes(r, options.zip215);
  } catch {
    return false;
  }
  // k = SHA-512(R ‖ A ‖ M) mod L, over the exact bytes given (ZIP-215 keeps non-canonical ones).
  const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
  try {
    // [s]B + [L − k]A = [s]B − [k]A; accept when [8]([s]B − [k]A − R) is the identity.
    const sBminusKA = mulAddUnsafe(Point, [Point.BASE, A], [s, k === 0n ? 0n : ORDER - k]);
    return sBminusKA.subtract(R).clearCofactor().is0();
  } catch {
    return false;
  }
}
