/**
 * Ed25519 verification for code that also runs in the workflow sandbox: RFC 8032 §5.1.7's
 * cofactorless check, the one OpenSSL (node:crypto, which signs and verifies on the hosts) performs,
 * built from @noble/curves' points. A signature (R, S) of message M under public key A is accepted
 * exactly when
 * - S, read little-endian, is below the group order L;
 * - A is the canonical encoding of a curve point that is not of small order;
 * - the canonical encoding of [S]B − [k]A, with k = SHA-512(R ‖ A ‖ M) mod L over the bytes as
 *   given, is R's 32 bytes;
 * - R is not the encoding of a point of small order (OpenSSL 3 refuses those too, even where the
 *   equation holds, as it can for a key with a small-order component, which only its holder makes).
 * R is never decoded: only a canonical encoding can equal the computed one, so a non-canonical R or
 * one with a small-order component is refused. Every signature accepted here OpenSSL accepts too,
 * and noble's verify in both its modes (strict and ZIP-215: the cofactorless equation implies the
 * cofactored one); for every key taken here, OpenSSL answers exactly as this check does
 * (test/unit/guard/ed25519-verify.test.ts checks all three differentially). The key conditions are
 * this module's own, which the hosts' native check applies before OpenSSL's (crypto/native-ed25519.ts).
 * What node:crypto signs verifies here, so recorded histories replay as they ran.
 *
 * [S]B − [k]A is one walk over two tables of multiples: one digit per byte of each scalar, one
 * table addition per nonzero digit (about 66 in all) and no doublings. The base point's table and
 * each kept key's are built once, at first use, and kept: this module is one of the workflow
 * sandbox's shared modules (src/workers/sandbox-shared.ts), so every run of a worker reads the same
 * tables, which a fresh module copy per run would build again. The tables are memoization of pure
 * functions, so no run can see another's state in them.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, concatBytes, equalBytes, hexToBytes } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';

type Point = InstanceType<typeof ed25519.Point>;

const Point = ed25519.Point;
const Fn = Point.Fn;
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** The canonical encodings of the eight points of small order (the identity first). */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
].map(hexToBytes);

/** Bits per digit: a scalar's digits are its bytes, recoded signed (−127 … 128). */
const WINDOW_BITS = 8;
/** 32 bytes and the last digit's carry. */
const WINDOWS = KEY_BYTES + 1;
/** Multiples per window: [1 … 128]·256^w·P. */
const HALF = 2 ** (WINDOW_BITS - 1);
/** Read once: in the workflow sandbox each read of a global goes through the context's interceptor. */
const { abs } = Math;
const Digits = Int16Array;

/** For each window w, the multiples [1 … HALF]·256^w of a point: WINDOWS × HALF points, flat. */
type Multiples = Point[];

/**
 * About 4,200 point additions, 10–20 ms, once per point; about 1 MiB held. (Kept projective: made
 * affine, each addition of one would be about 5% cheaper, for as much work again to build it.)
 */
function multiplesOf(point: Point): Multiples {
  const table: Point[] = [];
  let base = point;
  for (let w = 0; w < WINDOWS; w++) {
    let multiple = base;
    for (let i = 0; i < HALF; i++) {
      table.push(multiple);
      multiple = multiple.add(base);
    }
    base = (table[table.length - 1] as Point).double();
  }
  return table;
}

/** Signed digits of a little-endian scalar below 2^255: Σ digit[w]·256^w, each in −127 … 128. */
function digitsOf(scalar: Uint8Array): Int16Array {
  const digits = new Digits(WINDOWS);
  let carry = 0;
  for (let w = 0; w < KEY_BYTES; w++) {
    let digit = (scalar[w] as number) + carry;
    carry = digit > HALF ? 1 : 0;
    if (carry === 1) digit -= 2 * HALF;
    digits[w] = digit;
  }
  digits[KEY_BYTES] = carry;
  return digits;
}

/** Σ digits[w]·256^w·P for `multiples` = P's table, added onto `onto` (one addition per nonzero digit). */
function walk(onto: Point | undefined, multiples: Multiples, digits: Int16Array): Point | undefined {
  let sum = onto;
  for (let w = 0; w < WINDOWS; w++) {
    const digit = digits[w] as number;
    if (digit === 0) continue;
    const multiple = multiples[w * HALF + abs(digit) - 1] as Point;
    const term = digit > 0 ? multiple : multiple.negate();
    sum = sum === undefined ? term : sum.add(term);
  }
  return sum;
}

let baseMultiples: Multiples | undefined;

/** A public key as this check uses it: −A, and −A's table once the key is kept. */
interface Key {
  negated: Point;
  multiples?: Multiples;
}

/** Decoded public keys (or `null`: not a key this check accepts), by encoding. */
const decodedKeys = new Map<string, Key | null>();
/** Configured keys are few; anything beyond this is not kept (a bound, not an eviction policy). */
const MAX_DECODED_KEYS = 256;
/** Keys given a table of their own (about 1 MiB each); a key beyond them is multiplied without one. */
const MAX_KEY_TABLES = 16;
let keyTables = 0;

function keyOf(publicKey: Uint8Array): Key | null {
  const id = bytesToHex(publicKey);
  const known = decodedKeys.get(id);
  if (known !== undefined) return known;
  let key: Key | null;
  try {
    // Canonical encodings only (noble's strict decoding), and no key of small order.
    const point = Point.fromBytes(publicKey, false);
    key = point.isSmallOrder() ? null : { negated: point.negate() };
  } catch {
    key = null;
  }
  if (decodedKeys.size >= MAX_DECODED_KEYS) return key;
  if (key !== null && keyTables < MAX_KEY_TABLES) {
    // A kept key gets its table at its first use: it verifies many signatures.
    key.multiples = multiplesOf(key.negated);
    keyTables++;
  }
  decodedKeys.set(id, key);
  return key;
}

/**
 * The rule this module's check takes (see the top of this module), named in the ids of the table of
 * verified signatures (verified-signatures.ts): an answer is remembered under the rule that gave it.
 */
export const ED25519_RULE = 'rfc8032-cofactorless';

/** An Ed25519 check: this module's (sandbox-safe) or the hosts' native one; both take the rule above. */
export type Ed25519Verifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * True when `signature` is `publicKey`'s Ed25519 signature of `message` under RFC 8032's
 * cofactorless check (see the top of this module); never throws.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== KEY_BYTES) return false;
  const S = signature.subarray(KEY_BYTES);
  // Below L < 2^253 also bounds the digits' top window (the recoding needs S < 2^255).
  if (bytesToNumberLE(S) >= Fn.ORDER) return false;
  const key = keyOf(publicKey);
  if (key === null) return false;
  const r = signature.subarray(0, KEY_BYTES);
  // k = SHA-512(R ‖ A ‖ M) mod L, over the exact bytes given.
  const k = Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
  try {
    baseMultiples ??= multiplesOf(Point.BASE);
    const sB = walk(undefined, baseMultiples, digitsOf(S));
    let sum: Point | undefined;
    if (key.multiples !== undefined) {
      sum = walk(sB, key.multiples, digitsOf(Fn.toBytes(k)));
    } else {
      const kA = key.negated.multiplyUnsafe(k);
      sum = sB === undefined ? kA : sB.add(kA);
    }
    if (!equalBytes((sum ?? Point.ZERO).toBytes(), r)) return false;
    return !SMALL_ORDER.some((encoding) => equalBytes(encoding, r));
  } catch {
    return false;
  }
}
