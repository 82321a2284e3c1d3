import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { ed25519Verify } from '../../../src/guard/ed25519-verify.ts';

const ORDER = ed25519.Point.Fn.ORDER;
const seed = (n: number) => new Uint8Array(32).fill(n);
const text = (s: string) => new TextEncoder().encode(s);

/** noble's own verify, the reference: whatever it says, the fast check must say too. */
function reference(sig: Uint8Array, msg: Uint8Array, key: Uint8Array, zip215: boolean): boolean {
  try {
    return ed25519.verify(sig, msg, key, { zip215 });
  } catch {
    return false;
  }
}

function flip(bytes: Uint8Array, index: number, bit = 1): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ bit;
  return copy;
}

/** Every small-order point of the curve, encoded (RFC 8032 test vectors' "weak keys"). */
const smallOrder = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

describe('ed25519Verify agrees with @noble/curves verify', () => {
  const cases: Array<{ name: string; sig: Uint8Array; msg: Uint8Array; key: Uint8Array }> = [];
  for (let i = 1; i <= 6; i++) {
    const sk = seed(i);
    const key = ed25519.getPublicKey(sk);
    const msg = text(`message ${i} ${'x'.repeat(i * 97)}`);
    const sig = ed25519.sign(msg, sk);
    cases.push({ name: `valid ${i}`, sig, msg, key });
    cases.push({ name: `message changed ${i}`, sig, msg: flip(msg, i), key });
    cases.push({ name: `R changed ${i}`, sig: flip(sig, i), msg, key });
    cases.push({ name: `S changed ${i}`, sig: flip(sig, 32 + i), msg, key });
    cases.push({ name: `another key ${i}`, sig, msg, key: ed25519.getPublicKey(seed(i + 100)) });
    // S + L: the same point equation, but S is not reduced (malleability): refused.
    const s = bytesToNumberLE(sig.subarray(32));
    const unreduced = Uint8Array.from([...sig.subarray(0, 32), ...numberToBytesLE(s + ORDER, 32)]);
    cases.push({ name: `S + L ${i}`, sig: unreduced, msg, key });
    cases.push({ name: `truncated ${i}`, sig: sig.subarray(0, 63), msg, key });
    cases.push({ name: `short key ${i}`, sig, msg, key: key.subarray(0, 31) });
  }
  const anyMsg = text('any');
  for (const [j, weak] of smallOrder.entries()) {
    // A small-order key with R = identity and S = 0 verifies every message under ZIP-215 only.
    const identity = smallOrder[0] as Uint8Array;
    cases.push({
      name: `small-order key ${j}, R = identity, S = 0`,
      sig: Uint8Array.from([...identity, ...new Uint8Array(32)]),
      msg: anyMsg,
      key: weak,
    });
    cases.push({
      name: `small-order R ${j}`,
      sig: Uint8Array.from([...weak, ...new Uint8Array(32)]),
      msg: anyMsg,
      key: ed25519.getPublicKey(seed(9)),
    });
  }
  // A y coordinate ≥ p: non-canonical, decoded only under ZIP-215.
  const nonCanonical = Uint8Array.from(Buffer.from(`ee${'ff'.repeat(30)}7f`, 'hex'));
  cases.push({
    name: 'non-canonical R',
    sig: Uint8Array.from([...nonCanonical, ...new Uint8Array(32)]),
    msg: anyMsg,
    key: ed25519.getPublicKey(seed(3)),
  });
  cases.push({
    name: 'not a point',
    sig: new Uint8Array(64).fill(0xff),
    msg: anyMsg,
    key: new Uint8Array(32).fill(2),
  });

  for (const zip215 of [false, true]) {
    it.each(cases)(`$name (zip215: ${zip215})`, ({ sig, msg, key }) => {
      expect(ed25519Verify(sig, msg, key, { zip215 })).toBe(reference(sig, msg, key, zip215));
    });
  }

  it('accepts valid signatures and refuses forged ones (the cases above are not all one answer)', () => {
    const sk = seed(42);
    const key = ed25519.getPublicKey(sk);
    const msg = text('result');
    const sig = ed25519.sign(msg, sk);
    for (const zip215 of [false, true]) {
      expect(ed25519Verify(sig, msg, key, { zip215 })).toBe(true);
      expect(ed25519Verify(flip(sig, 40), msg, key, { zip215 })).toBe(false);
      expect(ed25519Verify(sig, text('resulu'), key, { zip215 })).toBe(false);
    }
    // A small-order key "signs" anything under ZIP-215; strict mode refuses it.
    const weakSig = Uint8Array.from([...(smallOrder[0] as Uint8Array), ...new Uint8Array(32)]);
    expect(ed25519Verify(weakSig, msg, smallOrder[0] as Uint8Array, { zip215: false })).toBe(false);
  });

  it('keeps answering the same after a key was decoded once (the cache changes nothing)', () => {
    const sk = seed(7);
    const key = ed25519.getPublicKey(sk);
    for (let i = 0; i < 5; i++) {
      const msg = text(`call ${i}`);
      expect(ed25519Verify(ed25519.sign(msg, sk), msg, key, { zip215: true })).toBe(true);
      expect(ed25519Verify(ed25519.sign(msg, seed(8)), msg, key, { zip215: true })).toBe(false);
    }
  });
});
