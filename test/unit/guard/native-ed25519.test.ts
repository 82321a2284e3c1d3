import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { signApproval } from '../../../src/approvals/sign-approval.ts';
import { signerFromSeed } from '../../../src/approvals/signing-keys.ts';
import { nativeEd25519Verify } from '../../../src/crypto/native-ed25519.ts';
import { approvalSignatureValid } from '../../../src/guard/approval-signature.ts';
import { ed25519Verify } from '../../../src/guard/ed25519-verify.ts';
import { signedMessage } from '../../../src/guard/signatures.ts';

const ORDER = ed25519.Point.Fn.ORDER;
const seed = (n: number) => new Uint8Array(32).fill(n);
const text = (s: string) => new TextEncoder().encode(s);

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}

const smallOrder = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

describe('the tool worker’s native Ed25519 check answers as the sandbox’s pure-JS one', () => {
  const cases: Array<{ name: string; sig: Uint8Array; msg: Uint8Array; key: Uint8Array; valid: boolean }> =
    [];
  for (let i = 1; i <= 4; i++) {
    const sk = seed(i);
    const key = ed25519.getPublicKey(sk);
    const msg = text(`approval ${i} ${'x'.repeat(i * 61)}`);
    const sig = ed25519.sign(msg, sk);
    const s = bytesToNumberLE(sig.subarray(32));
    cases.push(
      { name: `valid ${i}`, sig, msg, key, valid: true },
      { name: `message changed ${i}`, sig, msg: flip(msg, i), key, valid: false },
      { name: `R changed ${i}`, sig: flip(sig, i), msg, key, valid: false },
      { name: `S changed ${i}`, sig: flip(sig, 32 + i), msg, key, valid: false },
      { name: `another key ${i}`, sig, msg, key: ed25519.getPublicKey(seed(i + 50)), valid: false },
      {
        name: `S + L ${i} (malleated)`,
        sig: concatBytes(sig.subarray(0, 32), numberToBytesLE(s + ORDER, 32)),
        msg,
        key,
        valid: false,
      },
      { name: `truncated ${i}`, sig: sig.subarray(0, 63), msg, key, valid: false },
    );
  }
  for (const [j, weak] of smallOrder.entries()) {
    cases.push({
      name: `small-order key ${j}, R = identity, S = 0 (signs anything under ZIP-215)`,
      sig: concatBytes(smallOrder[0] as Uint8Array, new Uint8Array(32)),
      msg: text('any'),
      key: weak,
      valid: false,
    });
  }
  cases.push({
    name: 'non-canonical R',
    sig: concatBytes(Uint8Array.from(Buffer.from(`ee${'ff'.repeat(30)}7f`, 'hex')), new Uint8Array(32)),
    msg: text('any'),
    key: ed25519.getPublicKey(seed(3)),
    valid: false,
  });

  it.each(cases)('$name', ({ sig, msg, key, valid }) => {
    expect(ed25519Verify(sig, msg, key)).toBe(valid);
    expect(nativeEd25519Verify(sig, msg, key)).toBe(valid);
  });

  it('both refuse a signature whose R carries a small-order part, which a cofactored check accepts', () => {
    // Only the key's holder can make one: R' = [r]B + T with T of order 8, S = r + k·a.
    const sk = seed(9);
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(sk);
    const msg = text('approve refund');
    const r = 123456789n;
    const torsion = ed25519.Point.fromBytes(smallOrder[3] as Uint8Array, true);
    const R = ed25519.Point.BASE.multiply(r).add(torsion).toBytes();
    const k = ed25519.Point.Fn.create(bytesToNumberLE(sha512(concatBytes(R, pointBytes, msg))));
    const S = ed25519.Point.Fn.create(r + k * scalar);
    const sig = concatBytes(R, numberToBytesLE(S, 32));
    expect(ed25519.verify(sig, msg, pointBytes, { zip215: false })).toBe(true);
    expect(ed25519Verify(sig, msg, pointBytes)).toBe(false);
    expect(nativeEd25519Verify(sig, msg, pointBytes)).toBe(false);
  });

  it('checks an approval signature with it, and a forged field fails', () => {
    const signer = signerFromSeed('svc', seed(21));
    const keys = { svc: signer.publicKey };
    const approval = signApproval(signer, {
      workflowId: 'run-1',
      runId: 'r1',
      callId: 'refund',
      digest: 'sha256:ab',
      approver: 'bob',
      authentication: 'token',
      decision: 'approve',
      issuedAt: 1,
      expiresAt: 2,
    });
    expect(approvalSignatureValid(keys, approval, nativeEd25519Verify)).toBe(true);
    expect(approvalSignatureValid(keys, { ...approval, approver: 'mallory' }, nativeEd25519Verify)).toBe(
      false,
    );
    expect(approvalSignatureValid(keys, { ...approval, digest: 'sha256:cd' }, nativeEd25519Verify)).toBe(
      false,
    );
  });

  it('the approval service signs natively the same bytes noble signs (Ed25519 is deterministic)', () => {
    const signer = signerFromSeed('svc', seed(22));
    const payload = { callId: 'refund', amount: 250, note: 'ü' };
    const signature = signer.sign('warden-approval-v2', payload);
    const noble = ed25519.sign(signedMessage('warden-approval-v2', payload), seed(22));
    expect(signature).toBe(Buffer.from(noble).toString('hex'));
    expect(signer.publicKey).toBe(Buffer.from(ed25519.getPublicKey(seed(22))).toString('hex'));
  });

  it('is faster than the pure-JS check it stands in for', () => {
    const sk = seed(33);
    const key = ed25519.getPublicKey(sk);
    const messages = Array.from({ length: 40 }, (_, i) => text(`call ${i}`));
    const sigs = messages.map((m) => ed25519.sign(m, sk));
    const time = (check: typeof ed25519Verify) => {
      const started = performance.now();
      for (const [i, m] of messages.entries()) expect(check(sigs[i] as Uint8Array, m, key)).toBe(true);
      return performance.now() - started;
    };
    time(ed25519Verify);
    time(nativeEd25519Verify);
    const pure = time(ed25519Verify);
    const native = time(nativeEd25519Verify);
    console.log(`[ed25519] 40 verifications: pure JS ${pure.toFixed(1)} ms, native ${native.toFixed(1)} ms`);
    expect(native).toBeLessThan(pure);
  });
});
