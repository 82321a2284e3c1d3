import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signApproval } from '../../../src/approvals/sign-approval.ts';
import {
  generateSigningKey,
  parsePublicKeys,
  parseSigningKey,
  resolveDecisionSigner,
  resolvePublicKeyRing,
} from '../../../src/approvals/signing-keys.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { approvalSignatureValid } from '../../../src/guard/approval-signature.ts';
import { PRIMARY_KEY, RETIRED_KEY, ROTATED_KEY } from '../../support/keys.ts';

const decision = {
  workflowId: 'wf',
  runId: 'run',
  callId: 'c1',
  digest: `sha256:${'a'.repeat(64)}`,
  approver: 'bob',
  authentication: 'token' as const,
  decision: 'approve' as const,
  issuedAt: 1,
  expiresAt: 2,
};

describe('approval signing keys', () => {
  it('parses keyId=base64 entries, bare keys (id = fingerprint) and files; a pair generated signs and verifies', async () => {
    const pair = generateSigningKey('k-new');
    const signer = parseSigningKey(pair.signingKey);
    expect(signer.keyId).toBe('k-new');
    const ring = parsePublicKeys(`${pair.publicKey}\n# rotated in\n${ROTATED_KEY.publicKey}`);
    expect(Object.keys(ring)).toEqual(['k-new', 'test-2026']);
    expect(approvalSignatureValid(ring, signApproval(signer, decision))).toBe(true);

    const bare = parseSigningKey(pair.signingKey.slice('k-new='.length));
    expect(bare.keyId).toMatch(/^ed25519-[0-9a-f]{12}$/);
    const dir = await mkdtemp(path.join(tmpdir(), 'warden-keys-'));
    const file = path.join(dir, 'public-keys');
    await writeFile(file, `${PRIMARY_KEY.publicKey}\n${ROTATED_KEY.publicKey}\n`);
    expect(Object.keys(parsePublicKeys(file))).toEqual(['test-2025', 'test-2026']);
  });

  it('refuses malformed settings with the variable name', () => {
    expect(() => parseSigningKey('k=short')).toThrow(
      /WARDEN_APPROVAL_SIGNING_KEY: an Ed25519 key is 32 bytes/,
    );
    expect(() => parsePublicKeys('bad id!=AAAA')).toThrow(
      /WARDEN_APPROVAL_PUBLIC_KEYS entry 1: expected keyId=/,
    );
    expect(() => parsePublicKeys(`${PRIMARY_KEY.publicKey},${PRIMARY_KEY.publicKey}`)).toThrow(
      /listed twice/,
    );
    expect(() => parsePublicKeys(' , ')).toThrow(/no public keys/);
  });

  it('rotation: every listed key verifies, a removed one does not', () => {
    const during = parsePublicKeys(`${PRIMARY_KEY.publicKey},${ROTATED_KEY.publicKey}`);
    const after = parsePublicKeys(ROTATED_KEY.publicKey);
    const old = signApproval(PRIMARY_KEY.signer, decision);
    const fresh = signApproval(ROTATED_KEY.signer, decision);
    expect([approvalSignatureValid(during, old), approvalSignatureValid(during, fresh)]).toEqual([
      true,
      true,
    ]);
    expect([approvalSignatureValid(after, old), approvalSignatureValid(after, fresh)]).toEqual([false, true]);
    expect(approvalSignatureValid(during, signApproval(RETIRED_KEY.signer, decision))).toBe(false);
  });

  it('development: one signing key per data directory (0600) that the workers accept; production needs both settings', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'warden-keys-'));
    const dev = loadConfig({ WARDEN_DATA_DIR: dir });
    const signer = await resolveDecisionSigner(dev);
    expect((await resolveDecisionSigner(dev)).keyId).toBe(signer.keyId);
    expect(await resolvePublicKeyRing(dev)).toEqual({ [signer.keyId]: signer.publicKey });
    const file = path.join(dir, 'approval-signing-key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^ed25519-[0-9a-f]{12}=/);

    const prod = loadConfig({ WARDEN_DATA_DIR: dir, WARDEN_MODE: 'production' });
    await expect(resolveDecisionSigner(prod)).rejects.toThrow(/needs WARDEN_APPROVAL_SIGNING_KEY/);
    await expect(resolvePublicKeyRing(prod)).rejects.toThrow(/needs WARDEN_APPROVAL_PUBLIC_KEYS/);
  });
});
