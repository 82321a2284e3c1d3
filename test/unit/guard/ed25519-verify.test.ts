import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nativeSigningKey } from '../../../src/crypto/native-ed25519.ts';
import { ed25519Verify } from '../../../src/guard/ed25519-verify.ts';

const Point = ed25519.Point;
const ORDER = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const seed = (n: number) => new Uint8Array(32).fill(n);
const text = (s: string) => new TextEncoder().encode(s);
const SPKI_PREFIX = hex('302a300506032b6570032100');

/** node:crypto's (OpenSSL's) verify, what the hosts sign and verify with. */
function node(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  try {
    const spki = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
    return verify(null, msg, spki, sig);
  } catch {
    return false;
  }
}

/** noble's verify in one of its modes. */
function noble(sig: Uint8Array, msg: Uint8Array, key: Uint8Array, zip215: boolean): boolean {
  try {
    return ed25519.verify(sig, msg, key, { zip215 });
  } catch {
    return false;
  }
}

/** A key this check takes: a canonical encoding of a point not of small order. */
function usableKey(key: Uint8Array): boolean {
  try {
    return !Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}

interface Case {
  name: string;
  sig: Uint8Array;
  msg: Uint8Array;
  key: Uint8Array;
  /** What ed25519Verify must answer. */
  valid: boolean;
}

/**
 * The differential rule: whatever this check accepts, node:crypto and noble (strict and ZIP-215)
 * accept too; for every key it takes, it answers exactly as node:crypto does.
 */
function expectAgreement({ sig, msg, key, valid }: Case): void {
  const ours = ed25519Verify(sig, msg, key);
  const openssl = node(sig, msg, key);
  expect(ours).toBe(valid);
  if (ours) {
    expect(openssl).toBe(true);
    expect(noble(sig, msg, key, false)).toBe(true);
    expect(noble(sig, msg, key, true)).toBe(true);
  }
  if (usableKey(key)) expect(ours).toBe(openssl);
}

function flip(bytes: Uint8Array, index: number, bit = 1): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ bit;
  return copy;
}

/** Every small-order point of the curve, encoded (the "weak keys"), canonical and not. */
const smallOrder = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  // Non-canonical: y = p + 1 (the identity), y = p (order 4), y = p + 1 with the sign bit set.
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map(hex);

/** RFC 8032 §7.1 TEST 1–3: secret key, public key, message, signature. */
const RFC8032 = [
  [
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ],
  [
    '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ],
  [
    'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  ],
] as const;

/**
 * A signature only the key's holder can make, with R = [r]B + T for a small-order T, encoded as
 * given: S = r + k·a. The cofactored equation (noble, both modes) holds; the cofactorless one does not.
 */
function withTorsion(sk: Uint8Array, msg: Uint8Array, r: bigint, T: Uint8Array, encodeR?: Uint8Array) {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(sk);
  const torsion = Point.fromBytes(T, true);
  const R = encodeR ?? (r === 0n ? torsion : Point.BASE.multiply(r).add(torsion)).toBytes();
  const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(R, pointBytes, msg))));
  const S = Point.Fn.create(r + k * scalar);
  return { sig: concatBytes(R, numberToBytesLE(S, 32)), key: pointBytes };
}

describe('ed25519Verify: RFC 8032 cofactorless, never laxer than node:crypto or noble', () => {
  it('accepts the RFC 8032 test vectors, which node:crypto and noble sign byte for byte', () => {
    for (const [secret, pub, msgHex, sigHex] of RFC8032) {
      const [sk, key, msg, sig] = [hex(secret), hex(pub), hex(msgHex), hex(sigHex)];
      expect(ed25519.getPublicKey(sk)).toEqual(key);
      expect(new Uint8Array(sign(null, msg, nativeSigningKey(sk).key))).toEqual(sig);
      expect(ed25519.sign(msg, sk)).toEqual(sig);
      expectAgreement({ name: 'vector', sig, msg, key, valid: true });
      // Any one byte of the signature or the key changed, or a message byte added: refused.
      for (let i = 0; i < 64; i++)
        expectAgreement({ name: 'sig', sig: flip(sig, i, 1 << (i % 8)), msg, key, valid: false });
      for (const i of [0, 13, 31])
        expectAgreement({ name: 'key', sig, msg, key: flip(key, i, 4), valid: false });
      expectAgreement({ name: 'msg', sig, msg: concatBytes(msg, hex('00')), key, valid: false });
    }
  });

  it('accepts what node:crypto signs, and refuses every single-bit change of it', () => {
    for (let i = 0; i < 6; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const key = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
      const msg = text(`{"domain":"warden-tool-decision-v1","call":${i},"pad":"${'x'.repeat(i * 301)}"}`);
      const sig = new Uint8Array(sign(null, msg, privateKey));
      expectAgreement({ name: 'signed', sig, msg, key, valid: true });
      for (let bit = i; bit < 512; bit += 7) {
        expectAgreement({ name: 'bit', sig: flip(sig, bit >> 3, 1 << (bit & 7)), msg, key, valid: false });
      }
      expectAgreement({ name: 'msg', sig, msg: flip(msg, i + 3), key, valid: false });
      expectAgreement({
        name: 'other key',
        sig,
        msg,
        key: ed25519.getPublicKey(seed(i + 100)),
        valid: false,
      });
      expectAgreement({ name: 'truncated', sig: sig.subarray(0, 63), msg, key, valid: false });
      expectAgreement({ name: 'short key', sig, msg, key: key.subarray(0, 31), valid: false });
    }
  });

  it('refuses S ≥ L: S + L (the same equation, malleated), L itself, and 2^256 − 1', () => {
    const sk = seed(5);
    const key = ed25519.getPublicKey(sk);
    const msg = text('refund 80 EUR');
    const sig = ed25519.sign(msg, sk);
    const R = sig.subarray(0, 32);
    const s = bytesToNumberLE(sig.subarray(32));
    for (const S of [s + ORDER, ORDER, 2n ** 256n - 1n]) {
      expectAgreement({ name: 'S', sig: concatBytes(R, numberToBytesLE(S, 32)), msg, key, valid: false });
    }
    // S = 0 and S = L − 1 are in range: refused here only because the equation fails.
    for (const S of [0n, ORDER - 1n]) {
      expectAgreement({ name: 'S', sig: concatBytes(R, numberToBytesLE(S, 32)), msg, key, valid: false });
    }
  });

  it('refuses small-order and non-canonical keys, which "sign" anything with R = identity, S = 0', () => {
    const identity = smallOrder[0] as Uint8Array;
    for (const weak of smallOrder) {
      for (const R of [identity, weak]) {
        const sig = concatBytes(R, new Uint8Array(32));
        expectAgreement({ name: 'weak key', sig, msg: text('any'), key: weak, valid: false });
      }
    }
    // A non-canonical encoding (y + p) of a point that is not of small order: refused as a key.
    let y = 2n;
    while (!usableKey(numberToBytesLE(y, 32))) y++;
    const nonCanonical = numberToBytesLE(y + P, 32);
    expect(() => Point.fromBytes(nonCanonical, true)).not.toThrow();
    const sig = ed25519.sign(text('any'), seed(3));
    expectAgreement({ name: 'non-canonical key', sig, msg: text('any'), key: nonCanonical, valid: false });
  });

  it('refuses R with a small-order part and small-order or non-canonical R, which noble accepts', () => {
    const sk = seed(9);
    const msg = text('approve refund');
    for (const T of smallOrder.slice(1, 8)) {
      // R = [r]B + T, canonical: noble accepts (both modes), OpenSSL and this check refuse.
      const dirty = withTorsion(sk, msg, 123456789n, T);
      expect(noble(dirty.sig, msg, dirty.key, true)).toBe(true);
      expect(noble(dirty.sig, msg, dirty.key, false)).toBe(true);
      expectAgreement({ name: 'R with torsion', ...dirty, msg, valid: false });
      // R = T itself: a small-order R.
      const small = withTorsion(sk, msg, 0n, T);
      expectAgreement({ name: 'small-order R', ...small, msg, valid: false });
    }
    // The identity as R (nonce r = 0), S = k·a: the equation holds, and noble takes it (ZIP-215
    // also encoded as y = p + 1); refused here and by OpenSSL, R being of small order.
    const identity = smallOrder[0] as Uint8Array;
    const canonicalIdentity = withTorsion(sk, msg, 0n, identity, identity);
    expect(noble(canonicalIdentity.sig, msg, canonicalIdentity.key, false)).toBe(true);
    expectAgreement({ name: 'identity R', ...canonicalIdentity, msg, valid: false });
    const nonCanonicalIdentity = withTorsion(sk, msg, 0n, identity, smallOrder[8]);
    expect(noble(nonCanonicalIdentity.sig, msg, nonCanonicalIdentity.key, true)).toBe(true);
    expectAgreement({ name: 'non-canonical identity R', ...nonCanonicalIdentity, msg, valid: false });
    // A key with a small-order component (only its holder makes one): R = −[k]T satisfies the
    // cofactorless equation with S = k·a, and is refused, as OpenSSL refuses it; a clean R is not.
    const T = Point.fromBytes(smallOrder[4] as Uint8Array);
    const a = 987654321987654321n;
    const dirtyKey = Point.BASE.multiply(a).add(T).toBytes();
    const seen = new Set<string>();
    for (let m = 0; m < 400 && seen.size < 8; m++) {
      const message = text(`dirty ${m}`);
      for (let i = 0n; i < 8n; i++) {
        const R = (i === 0n ? Point.ZERO : T.multiplyUnsafe(i)).toBytes();
        const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(R, dirtyKey, message))));
        if (!Point.ZERO.subtract(T.multiplyUnsafe(k % 8n === 0n ? 8n : k % 8n)).equals(Point.fromBytes(R)))
          continue;
        const sig = concatBytes(R, numberToBytesLE(Point.Fn.create(k * a), 32));
        seen.add(Buffer.from(R).toString('hex'));
        expect(noble(sig, message, dirtyKey, false)).toBe(true);
        expectAgreement({ name: 'small-order R, dirty key', sig, msg: message, key: dirtyKey, valid: false });
      }
    }
    expect(seen.size).toBe(8);
    let clean = 0;
    for (let m = 0; clean < 2; m++) {
      const message = text(`clean ${m}`);
      const r = 1000n + BigInt(m);
      const R = Point.BASE.multiply(r).toBytes();
      const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(R, dirtyKey, message))));
      if (k % 8n !== 0n) continue;
      clean++;
      const sig = concatBytes(R, numberToBytesLE(Point.Fn.create(r + k * a), 32));
      expectAgreement({ name: 'clean R, dirty key', sig, msg: message, key: dirtyKey, valid: true });
    }
    // Not a point at all.
    expectAgreement({
      name: 'not a point',
      sig: new Uint8Array(64).fill(0xff),
      msg,
      key: ed25519.getPublicKey(sk),
      valid: false,
    });
  });

  it('knows the eight points of small order: the weak keys above, each of order dividing 8', () => {
    const canonical = smallOrder.slice(0, 8);
    expect(new Set(canonical.map((e) => Buffer.from(e).toString('hex'))).size).toBe(8);
    for (const encoding of canonical) {
      const point = Point.fromBytes(encoding, false);
      expect(point.isSmallOrder()).toBe(true);
      expect(point.toBytes()).toEqual(encoding);
    }
  });

  it('answers the same for keys beyond its kept tables, first use or later', () => {
    // More keys than the verifier gives tables to: the later ones are multiplied without one.
    for (let i = 0; i < 20; i++) {
      const sk = seed(200 + i);
      const key = ed25519.getPublicKey(sk);
      for (let j = 0; j < 2; j++) {
        const msg = text(`call ${i}.${j}`);
        const sig = ed25519.sign(msg, sk);
        expectAgreement({ name: 'key', sig, msg, key, valid: true });
        expectAgreement({ name: 'key', sig: flip(sig, 40), msg, key, valid: false });
        expectAgreement({ name: 'key', sig: ed25519.sign(msg, seed(199)), msg, key, valid: false });
      }
    }
  });
});
