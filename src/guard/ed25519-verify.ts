/**
 * Ed25519 verification (RFC 8032 §5.1.7, cofactored equation) for code that also runs in the
 * workflow sandbox, built from @noble/curves' own primitives.
 *
 * The equation is noble's: [8]([s]B − R − [k]A) must be the identity. [s]B reads noble's table of
 * the base point, and each public key is decoded once and given its own table of multiples, so a
 * verification is two table walks instead of a double-and-add each. This module is one of the
 * workflow sandbox's shared modules (src/workers/sandbox-shared.ts): its key cache and noble's
 * base table are built once per worker and serve every run, which a fresh module copy per run
 * would pay for again (about 10 ms for the base table, several for each key). The cache is
 * memoization of a pure function, so no run can see another's state in it. The acceptance rules
 * are noble's, mode for mode (test/unit/guard/ed25519-verify.test.ts checks both against it):
 * - strict (`zip215: false`, RFC 8032 / FIPS 186-5): canonical encodings only, small-order public
 *   keys refused;
 * - ZIP-215 (`zip215: true`): non-canonical point encodings accepted, as noble's default does.
 * In both, S must be below the group order.
 */
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
/** The wNAF window of a kept key's table: 0.4 ms a verification, about 8 ms to build, once. */
const KEY_WINDOW = 6;

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
  if (decodedKeys.size >= MAX_DECODED_KEYS) return point;
  // A kept key gets a table of its multiples, built at its first use: it verifies many results.
  point?.precompute(KEY_WINDOW);
  decodedKeys.set(id, point);
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
    // Accept when [8]([s]B − R − [k]A) is the identity. [s]B reads noble's table of the base
    // point and [k]A the key's own table: both are built once and kept (see keyPoint).
    const sB = Point.BASE.multiplyUnsafe(s);
    return sB.subtract(R).subtract(A.multiplyUnsafe(k)).clearCofactor().is0();
  } catch {
    return false;
  }
}
