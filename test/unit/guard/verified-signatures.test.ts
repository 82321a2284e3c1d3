import { describe, expect, it } from 'vitest';
import { verifiedOnce } from '../../../src/guard/verified-signatures.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('a signature verified once, then presented again', () => {
  it('is not verified again for the same bytes under the same key and signature', () => {
    let calls = 0;
    const verify = () => {
      calls += 1;
      return true;
    };
    expect(verifiedOnce('test:k1:s1', bytes('decision of call a'), verify)).toBe(true);
    expect(verifiedOnce('test:k1:s1', bytes('decision of call a'), verify)).toBe(true);
    expect(calls).toBe(1);
  });

  it('attached to other bytes is verified again, and refused when the verifier refuses', () => {
    let calls = 0;
    const genuine = bytes('approve call b for 250 EUR');
    const verify = (message: Uint8Array) => () => {
      calls += 1;
      return message === genuine;
    };
    expect(verifiedOnce('test:k1:s2', genuine, verify(genuine))).toBe(true);
    // Same length, one byte changed; and a prefix of the genuine message.
    const edited = bytes('approve call b for 950 EUR');
    expect(verifiedOnce('test:k1:s2', edited, verify(edited))).toBe(false);
    const prefix = genuine.slice(0, 10);
    expect(verifiedOnce('test:k1:s2', prefix, verify(prefix))).toBe(false);
    expect(calls).toBe(3);
    // The genuine one still hits: a refused attempt did not replace it.
    expect(verifiedOnce('test:k1:s2', genuine, verify(genuine))).toBe(true);
    expect(calls).toBe(3);
  });

  it('is kept only when valid: a refused signature is asked about every time', () => {
    let calls = 0;
    const refuse = () => {
      calls += 1;
      return false;
    };
    expect(verifiedOnce('test:k2:s3', bytes('m'), refuse)).toBe(false);
    expect(verifiedOnce('test:k2:s3', bytes('m'), refuse)).toBe(false);
    expect(calls).toBe(2);
  });

  it("keeps its own copy: changing the caller's buffer after a hit does not make other bytes pass", () => {
    const message = bytes('reject call c');
    expect(verifiedOnce('test:k3:s4', message, () => true)).toBe(true);
    message[0] = 0x41;
    let calls = 0;
    expect(
      verifiedOnce('test:k3:s4', message, () => {
        calls += 1;
        return false;
      }),
    ).toBe(false);
    expect(calls).toBe(1);
  });
});
